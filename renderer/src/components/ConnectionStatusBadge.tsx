import type { ConnectionStatus } from '../../../shared/api';

const ICONS: Record<string, string> = {
  connected: '●',
  connecting: '◌',
  initialized: '◌',
  unavailable: '▲',
  disconnected: '○',
  failed: '✕',
};

/**
 * The connection state in colour, icon and words (not colour alone). Changes are announced by
 * the app's one polite live region, so the badge itself is not a live region.
 */
export function ConnectionStatusBadge({ status, label }: { status: ConnectionStatus | undefined; label?: string }) {
  const state = status?.state ?? 'disconnected';
  return (
    <span className={`status-chip state-${state}`} data-testid="connection-status" data-state={state} title={label ? `${label}: ${state}` : state}>
      <span aria-hidden="true">{ICONS[state] ?? '?'}</span> {label ? <span className="muted">{label}</span> : null} {state}
      {status?.lastError && state !== 'connected' && <span className="status-error"> — {status.lastError.message}</span>}
    </span>
  );
}
