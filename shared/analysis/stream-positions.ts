import { payloadSizeBound, streamRole, type CompiledProfile, type CompiledStream, type ContractEventScratch, type ContractViolation } from '../contract';
import { TOO_DEEP, MAX_PAYLOAD_DEPTH } from '../contract/payload-size';

/**
 * Positions for streams without sequence numbers (docs/detection.md, "Streams without sequence
 * numbers"). One per session, shared by every vantage, so two connections that got the same
 * event give it the same position and delivery loss between them stays visible:
 *
 * - an event's position is the next number of its attempt, in the order the session's events
 *   first arrived from any vantage; a second arrival of the same event id keeps its position
 *   (the analyzer then sees a duplicate, like a re-sent sequence);
 * - a new attempt id after events were positioned, or a start event after text in the same
 *   attempt, begins a new attempt: numbering starts again at 1, which the analyzer reads as a
 *   restart (a replay from #1), like a retried job of the seed's contract.
 *
 * Arrival order is all there is: gaps and order cannot be checked (`checks` in the verdict).
 */
export class StreamPositions {
  private attempt: string | null | undefined = undefined;
  /** The attempt being numbered: 1, then +1 at each restart. */
  attemptNumber = 1;
  private next = 1;
  private textSeen = false;
  /** Event id → its position and attempt number. */
  private readonly ids = new Map<string, { position: number; attempt: number }>();
  /** The attempt number of the event `position` last placed. */
  lastAttempt = 1;

  /** A start event: a restart when text of the same attempt came before it. */
  start(attempt: string | null): void {
    if (this.textSeen && (attempt === null || attempt === this.attempt)) this.restart();
    this.adopt(attempt);
  }

  /** The position of a text, end or error event. */
  position(attempt: string | null, id: string | null, text: boolean): number {
    if (id !== null) {
      const known = this.ids.get(id);
      if (known !== undefined) {
        this.lastAttempt = known.attempt;
        return known.position;
      }
    }
    this.adopt(attempt);
    const position = this.next++;
    if (id !== null) this.ids.set(id, { position, attempt: this.attemptNumber });
    if (text) this.textSeen = true;
    this.lastAttempt = this.attemptNumber;
    return position;
  }

  private adopt(attempt: string | null): void {
    if (attempt !== null && this.attempt !== undefined && this.attempt !== null && attempt !== this.attempt && this.next > 1) this.restart();
    if (attempt !== null || this.attempt === undefined) this.attempt = attempt;
  }

  private restart(): void {
    this.next = 1;
    this.textSeen = false;
    this.attemptNumber++;
  }
}

/** What a frame of an event-stream contract is, once read. */
export type StreamFrame =
  | { kind: 'ignored' }
  | { kind: 'start'; attempt: string | null }
  | { kind: 'event'; attempt: string | null; id: string | null; text: boolean }
  | { kind: 'violation'; violation: ContractViolation };

/**
 * Reads one frame of an event-stream contract: its role by event name (or error shape), its
 * attempt and id, and — for text, end and error events — fills `out` (all but `sequence`, which
 * `StreamPositions` gives). Child runs (a sub-agent's events) are ignored: they are not the
 * session's text.
 */
export function readStreamFrame(compiled: CompiledProfile, stream: CompiledStream, event: string, payload: unknown, sessionId: string, out: ContractEventScratch): StreamFrame {
  const known = stream.roles.has(event);
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    return known ? { kind: 'violation', violation: { kind: 'violation', reason: `a ${event} payload that is not a JSON object`, sessionId } } : { kind: 'ignored' };
  }
  const record = payload as Record<string, unknown>;
  const role = streamRole(stream, event, record);
  if (role === 'other') return { kind: 'ignored' };
  const { fields } = stream.stream;
  if (fields.parentAttempt !== null && record[fields.parentAttempt] !== undefined && record[fields.parentAttempt] !== null) return { kind: 'ignored' };
  const bytes = payloadSizeBound(record, compiled.maxPayloadBytes);
  if (bytes === TOO_DEEP) return { kind: 'violation', violation: { kind: 'violation', reason: `payload nests deeper than ${MAX_PAYLOAD_DEPTH} levels`, sessionId } };
  if (bytes > compiled.maxPayloadBytes) return { kind: 'violation', violation: { kind: 'oversize', reason: `payload of ${bytes} bytes exceeds ${compiled.maxPayloadBytes}`, sessionId } };
  const attempt = fields.attempt === null ? null : idText(record[fields.attempt]);
  if (role === 'start') return { kind: 'start', attempt };
  const id = fields.id === null ? null : idText(record[fields.id]);
  out.sessionId = sessionId;
  out.emittedAt = Number.NaN;
  if (role === 'text') {
    const text = record[fields.text];
    if (typeof text !== 'string') return { kind: 'violation', violation: { kind: 'violation', reason: `${fields.text} of a ${event} is ${text === undefined ? 'missing' : `a ${text === null ? 'null' : typeof text}`}, expected text`, sessionId } };
    out.chunk = text;
    out.state = 'generating';
    out.terminationCode = null;
    return { kind: 'event', attempt, id, text: true };
  }
  out.chunk = '';
  if (role === 'end') {
    const reason = fields.reason === null ? undefined : record[fields.reason];
    const word = typeof reason === 'string' && reason.length > 0 ? reason : null;
    out.state = (word === null ? undefined : stream.reasons.get(word)) ?? 'completed';
    out.terminationCode = word;
  } else {
    const code = fields.errorCode === null ? undefined : record[fields.errorCode];
    out.state = 'errored';
    out.terminationCode = typeof code === 'string' && code.length > 0 ? code : event;
  }
  return { kind: 'event', attempt, id, text: false };
}

function idText(value: unknown): string | null {
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}
