import { useEffect, useRef, useState } from 'react';
import type { SessionStore, StatusChange } from '../data/session-store';

const MIN_INTERVAL_MS = 4000;

/**
 * The one polite live region. Status changes worth hearing (a session truncated, errored, stalled;
 * a connection dropping) are gathered and read at most every few seconds — never every token.
 */
export function Announcer({ store, connectionMessage }: { store: SessionStore; connectionMessage: string | null }) {
  const [message, setMessage] = useState('');
  const pending = useRef<StatusChange[]>([]);
  const lastSpoke = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => {
    const flush = () => {
      timer.current = null;
      const changes = pending.current;
      pending.current = [];
      if (changes.length === 0) return;
      const named = changes.slice(0, 3).map((c) => `${c.sessionId} ${c.to}`);
      const more = changes.length > 3 ? `, and ${changes.length - 3} more sessions changed` : '';
      lastSpoke.current = Date.now();
      setMessage(`${named.join(', ')}${more}.`);
    };
    const off = store.onStatusChange((changes) => {
      pending.current.push(...changes);
      if (timer.current !== null) return;
      const wait = Math.max(0, lastSpoke.current + MIN_INTERVAL_MS - Date.now());
      timer.current = setTimeout(flush, wait);
    });
    return () => {
      off();
      if (timer.current !== null) clearTimeout(timer.current);
    };
  }, [store]);

  return (
    <div className="visually-hidden" role="status" aria-live="polite" data-testid="announcer">
      {connectionMessage ? `${connectionMessage} ` : ''}
      {message}
    </div>
  );
}
