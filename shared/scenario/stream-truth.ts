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
 *   `invocation_id`; for Prism, which has no attempt id, its new `stream_start` after the text or
 *   the error of the attempt before; for the Vercel stream its new `start`.
 * - An event without an `id` (the Vercel stream: no id per event, a text part's deltas share
 *   one) is always a new event: the next position. A broken or oversized one takes the position
 *   of the event sent right after it when that is its resend (same attempt, state and text), or 0.
 *
 * `events` is in publish order (the plan's order); sequences are rewritten in place.
 */
export function numberStreamPositions(events: readonly TruthEvent[]): void {
  const positions = new Map<string, number>();
  let attempt = 0;
  let next = 1;
  /** Broken payloads without an id, waiting for their resend. */
  let broken: TruthEvent[] = [];
  for (const event of events) {
    if (event.delivery === 'dropped') continue;
    if (event.attempt !== attempt) {
      // laravel-ai: a new invocation_id; Prism: a new stream_start after text or an end (an error) of the attempt
      const restart = next > 1;
      if (restart) {
        next = 1;
      }
      attempt = event.attempt;
    }
    if (event.id === undefined) {
      if (event.delivery !== 'sent') {
        event.sequence = 0;
        broken.push(event);
        continue;
      }
      for (const b of broken) if (b.attempt === event.attempt && b.state === event.state && b.chunk === event.chunk) b.sequence = next;
      broken = [];
      event.sequence = next++;
      continue;
    }
    broken = [];
    if (event.delivery !== 'sent') continue;
    const id = event.id;
    const known = positions.get(id);
    if (known !== undefined) {
      event.sequence = known;
      continue;
    }
    event.sequence = next;
    positions.set(id, next++);
  }
  for (const event of events) {
    if (event.id !== undefined && (event.delivery === 'malformed' || event.delivery === 'oversize')) event.sequence = positions.get(event.id) ?? 0;
  }
}
