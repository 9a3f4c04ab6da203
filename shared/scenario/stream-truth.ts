import type { StreamContract } from './contracts';
import type { TruthEvent } from './truth';

/**
 * The ground truth's `sequence` on a stream contract, which sends none: each event's position
 * within its attempt as docs/detection.md ("Streams without sequence numbers") defines it, so
 * the truth speaks the same numbers as a correct reader of the stream.
 *
 * - Positions count the events of an attempt (text, end and error events; `stream_start`,
 *   `text_start`, … are not events of the session) in the order they are first published.
 * - A second sending of the same event `id` (a duplicate, a resend after a broken payload) keeps
 *   the position the id first got.
 * - A broken or oversized payload takes no position (its id cannot be read, or it is refused
 *   whole); it is given the position of its resend, or 0 when it is never resent.
 * - A new attempt starts again at 1 when the one before positioned anything — laravel-ai's new
 *   `invocation_id` — or, for Prism, which has no attempt id, when the one before streamed text (a
 *   `stream_start` after text is what marks a retry).
 *
 * `events` is in publish order (the plan's order); sequences are rewritten in place.
 */
export function numberStreamPositions(events: readonly TruthEvent[], contract: StreamContract): void {
  const positions = new Map<string, number>();
  let attempt = 0;
  let next = 1;
  let textSeen = false;
  for (const event of events) {
    if (event.delivery === 'dropped') continue;
    if (event.attempt !== attempt) {
      const restart = contract === 'prism' ? textSeen : next > 1;
      if (restart) {
        next = 1;
        textSeen = false;
      }
      attempt = event.attempt;
    }
    if (event.delivery !== 'sent') continue;
    const id = event.id ?? '';
    const known = positions.get(id);
    if (known !== undefined) {
      event.sequence = known;
      continue;
    }
    event.sequence = next;
    positions.set(id, next++);
    if (event.state === 'generating') textSeen = true;
  }
  for (const event of events) {
    if (event.delivery === 'malformed' || event.delivery === 'oversize') event.sequence = positions.get(event.id ?? '') ?? 0;
  }
}
