import type { SessionRow } from '../../../shared/api';

type Kind = SessionRow['anomalyKinds'][number];

/** Icon and short words per anomaly kind, shared by the Live table, the detail's list and the legends. */
export const ANOMALY_LOOK: Record<Kind, { icon: string; label: string; tone: 'warn' | 'bad' | 'info' }> = {
  duplicate: { icon: '×2', label: 'duplicate', tone: 'warn' },
  conflict: { icon: '≠', label: 'conflict', tone: 'bad' },
  replay: { icon: '⟲', label: 'replay', tone: 'bad' },
  out_of_order: { icon: '⇅', label: 'out of order', tone: 'warn' },
  gap: { icon: '⋯', label: 'gap', tone: 'bad' },
  stall: { icon: '‖', label: 'stall', tone: 'warn' },
  after_terminal: { icon: '↷', label: 'after terminal', tone: 'bad' },
  terminal_conflict: { icon: '⚑', label: 'terminal conflict', tone: 'bad' },
  violation: { icon: '⚠', label: 'violation', tone: 'bad' },
  oversize: { icon: '▣', label: 'oversize', tone: 'bad' },
  disconnect: { icon: '⚡', label: 'disconnect', tone: 'warn' },
  delivery_loss: { icon: '⇣', label: 'delivery loss', tone: 'bad' },
  reconcile_mismatch: { icon: '⚖', label: 'reconcile mismatch', tone: 'bad' },
};

/** The kinds a session shows, as small labelled badges (icon + words). */
export function AnomalyBadges({ kinds }: { kinds: readonly Kind[] }) {
  if (kinds.length === 0) return <span className="muted">none</span>;
  return (
    <span className="badges">
      {kinds.map((kind) => {
        const look = ANOMALY_LOOK[kind];
        return (
          <span key={kind} className={`badge tone-${look.tone}`} data-kind={kind}>
            <span aria-hidden="true">{look.icon}</span> {look.label}
          </span>
        );
      })}
    </span>
  );
}
