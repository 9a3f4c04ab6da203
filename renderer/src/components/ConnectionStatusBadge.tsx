import type { ConnectionStatus } from '../../../shared/api';

const ICONS: Record<string, string> = {
  connected: '●',
  connecting: '◌',
  initialized: '◌',
  unavailable: '▲',
  disconnected: '○',
  failed: '✕',
};

/** The connection state in colour, icon and words (not colour alone). */
export function ConnectionStatusBadge({ status }: { status: ConnectionStatus | undefined }) {
  const state = status?.state ?? 'disconnected';
  return (
    <span className={`status-chip state-${state}`} data-testid="connection-status" data-state={state} role="status" aria-live="polite">
      <span aria-hidden="true">{ICONS[state] ?? '?'}</span> {state}
      {status?.lastError && state !== 'connected' && <span className="status-error"> — {status.lastError.message}</span>}
    </span>
  );
}
