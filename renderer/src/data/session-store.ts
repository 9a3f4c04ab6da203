import type { SessionRow } from '../../../shared/api';
import { ALARMING_STATUSES } from '../../../shared/contract/states';

/** Statuses that mean something went wrong: announced to screen readers when a session enters one. */
const ALARMING = new Set<string>(ALARMING_STATUSES);

export interface StatusChange {
  sessionId: string;
  from: string | null;
  to: string;
}

/**
 * The sessions the Live view shows, kept outside React: pushes of changed rows land here and
 * React reads a version number (useSyncExternalStore), so a burst of updates is one render.
 */
export class SessionStore {
  private readonly rows = new Map<string, SessionRow>();
  private readonly listeners = new Set<() => void>();
  private readonly changeListeners = new Set<(changes: StatusChange[]) => void>();
  private version = 0;
  private cached: SessionRow[] | null = null;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Status transitions into an alarming state, for the polite live region. */
  onStatusChange(listener: (changes: StatusChange[]) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  getVersion = (): number => this.version;

  get size(): number {
    return this.rows.size;
  }

  get(sessionId: string): SessionRow | undefined {
    return this.rows.get(sessionId);
  }

  /** Every row, in no particular order (the same array until the next change). */
  all(): SessionRow[] {
    this.cached ??= [...this.rows.values()];
    return this.cached;
  }

  /** Merges rows (a push or a list answer); a row older than the one held is still taken: the host is the truth. */
  upsert(items: readonly SessionRow[]): void {
    if (items.length === 0) return;
    const changes: StatusChange[] = [];
    for (const row of items) {
      const previous = this.rows.get(row.sessionId);
      if (previous?.status !== row.status && ALARMING.has(row.status)) changes.push({ sessionId: row.sessionId, from: previous?.status ?? null, to: row.status });
      this.rows.set(row.sessionId, row);
    }
    this.bump();
    if (changes.length > 0) for (const listener of this.changeListeners) listener(changes);
  }

  private bump(): void {
    this.version++;
    this.cached = null;
    for (const listener of this.listeners) listener();
  }
}
