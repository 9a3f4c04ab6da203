import type { SessionRow } from '../../../shared/api';

/** Each status in colour, icon and words — never colour alone. */
const STATUS: Record<SessionRow['status'], { icon: string; tone: 'ok' | 'live' | 'warn' | 'bad' }> = {
  streaming: { icon: '▶', tone: 'live' },
  completed: { icon: '✓', tone: 'ok' },
  stalled: { icon: '‖', tone: 'warn' },
  truncated: { icon: '✂', tone: 'warn' },
  orphaned: { icon: '⚠', tone: 'bad' },
  errored: { icon: '✕', tone: 'bad' },
  abandoned: { icon: '⊘', tone: 'bad' },
};

export function StatusChip({ status, testId = 'session-status' }: { status: SessionRow['status']; testId?: string }) {
  const look = STATUS[status];
  return (
    <span className={`chip tone-${look.tone}`} data-testid={testId} data-status={status}>
      <span aria-hidden="true">{look.icon}</span> {status}
    </span>
  );
}
