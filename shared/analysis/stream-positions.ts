import { payloadSizeBound, streamKind, streamRole, type CompiledProfile, type CompiledStream, type ContractEventScratch, type ContractViolation } from '../contract';
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
/** Packs an attempt and a position in one number (positions below 2³²). */
const PACK = 2 ** 32;

export class StreamPositions {
  private attempt: string | null | undefined = undefined;
  /** The attempt being numbered: 1, then +1 at each restart. */
  attemptNumber = 1;
  private next = 1;
  private textSeen = false;
  /**
   * Event ids seen, with their position and attempt packed in one number, a *place* (attempt ×
   * 2³² + position). The SDKs' ids are time-ordered (UUIDv7, ULID), so they nearly always arrive
   * in increasing order: those are appended to a sorted array (no hashing, no allocation per
   * event) and a redelivery is found by binary search; the few that arrive out of order go to a
   * map. The sorted ids' places are kept as runs — consecutive ids nearly always get consecutive
   * positions of one attempt — so an in-order event writes one array, not two: run r begins at
   * `sortedIds[runStarts[r]]` with place `runPlaces[r]`, and each next id's place is one more.
   */
  private readonly sortedIds: string[] = [];
  private readonly runStarts: number[] = [];
  private readonly runPlaces: number[] = [];
  /** The attempt and position that continue the last run (0: no run yet). */
  private runAttempt = 0;
  private runNext = 0;
  private readonly otherIds = new Map<string, number>();
  /** The attempt number of the event `position` last placed. */
  lastAttempt = 1;
  /**
   * The event `position` last placed is new and its id sorts below one its attempt already had:
   * with time-ordered ids (`orderedIds`) it arrived out of order.
   */
  late = false;
  /** Highest id of the attempt being numbered (ordered ids only). */
  private attemptMaxId: string | null = null;

  constructor(private readonly orderedIds = false) {}

  /** An end or error event of the attempt was positioned: a start after it begins again. */
  private ended = false;

  /**
   * A start event: a restart when text or an end of the same attempt came before it — unless a
   * step event (a tool call) came since the text: then it opens the run's next step.
   */
  start(attempt: string | null): void {
    if ((this.textSeen || this.ended) && (attempt === null || attempt === this.attempt)) this.restart();
    this.adopt(attempt);
  }

  /** A step event (`events.step`): the next start event continues the run. */
  step(): void {
    this.textSeen = false;
  }

  /** The position of a text, end or error event. */
  position(attempt: string | null, id: string | null, text: boolean): number {
    this.late = false;
    const ids = this.sortedIds;
    const n = ids.length;
    // The usual case: a new id above every id seen (time-ordered ids arrive mostly in order) — one comparison.
    const highest = id !== null && (n === 0 || id > ids[n - 1]!);
    if (!highest) {
      const known = id === null ? undefined : this.find(id);
      if (known !== undefined) {
        this.lastAttempt = Math.floor(known / PACK);
        return known % PACK;
      }
    }
    this.adopt(attempt);
    if (this.orderedIds && id !== null) {
      // above every id seen is above the attempt's highest too
      if (highest || this.attemptMaxId === null || id > this.attemptMaxId) this.attemptMaxId = id;
      else this.late = true;
    }
    const position = this.next++;
    if (id !== null) {
      if (highest) {
        if (this.attemptNumber !== this.runAttempt || position !== this.runNext) {
          this.runStarts.push(n);
          this.runPlaces.push(this.attemptNumber * PACK + position);
          this.runAttempt = this.attemptNumber;
        }
        this.runNext = position + 1;
        ids.push(id);
      } else this.otherIds.set(id, this.attemptNumber * PACK + position);
    }
    if (text) this.textSeen = true;
    else this.ended = true;
    this.lastAttempt = this.attemptNumber;
    return position;
  }

  private find(id: string): number | undefined {
    const ids = this.sortedIds;
    const n = ids.length;
    if (n === 0 || id > ids[n - 1]!) return this.otherIds.size === 0 ? undefined : this.otherIds.get(id);
    let lo = 0;
    let hi = n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const at = ids[mid]!;
      if (at === id) return this.placeAt(mid);
      if (at < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return this.otherIds.get(id);
  }

  /** The place of `sortedIds[index]`: its run's first place plus how far into the run it is. */
  private placeAt(index: number): number {
    const starts = this.runStarts;
    let lo = 0;
    let hi = starts.length - 1;
    // the last run that begins at or before `index` (runStarts[0] is 0)
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (starts[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    return this.runPlaces[lo]! + (index - starts[lo]!);
  }

  private adopt(attempt: string | null): void {
    if (attempt !== null && this.attempt !== undefined && this.attempt !== null && attempt !== this.attempt && this.next > 1) this.restart();
    if (attempt !== null || this.attempt === undefined) this.attempt = attempt;
  }

  private restart(): void {
    this.next = 1;
    this.ended = false;
    this.attemptMaxId = null;
    this.textSeen = false;
    this.attemptNumber++;
  }
}

/** What a frame of an event-stream contract is, once read (the hot path allocates nothing per frame: the details are in `StreamRead`). */
export const StreamReadKind = { Ignored: 0, Start: 1, Event: 2, Violation: 3, Step: 4 } as const;
export type StreamReadKind = (typeof StreamReadKind)[keyof typeof StreamReadKind];

/** Reused for every frame read: the attempt and id of a start or event, the violation of a broken one. */
export interface StreamRead {
  attempt: string | null;
  id: string | null;
  text: boolean;
  violation: ContractViolation | null;
}

export function createStreamRead(): StreamRead {
  return { attempt: null, id: null, text: false, violation: null };
}

/**
 * Reads one frame of an event-stream contract: its role by event name (or error shape), its
 * attempt and id, and — for text, end and error events — fills `out` (all but `sequence`, which
 * `StreamPositions` gives). Child runs (a sub-agent's events) are ignored: they are not the
 * session's text.
 */
export function readStreamFrame(
  compiled: CompiledProfile,
  stream: CompiledStream,
  event: string,
  payload: unknown,
  sessionId: string,
  out: ContractEventScratch,
  read: StreamRead,
  /** The channel's frames were read with this contract already: a relay's broken chunk (its kind unreadable) is then its violation. */
  channelRead = false,
): StreamReadKind {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    if (!stream.names.has(event) && !(stream.stream.events.kindField !== null && channelRead)) return StreamReadKind.Ignored;
    read.violation = { kind: 'violation', reason: `a ${event} payload that is not a JSON object`, sessionId };
    return StreamReadKind.Violation;
  }
  const record = payload as Record<string, unknown>;
  const role = streamRole(stream, event, record);
  if (role === 'other') return stream.steps.size > 0 && stream.steps.has(streamKind(stream, event, record)) ? StreamReadKind.Step : StreamReadKind.Ignored;
  const { fields } = stream.stream;
  if (fields.parentAttempt !== null) {
    const parent = record[fields.parentAttempt];
    if (parent !== undefined && parent !== null) return StreamReadKind.Ignored;
  }
  const bytes = payloadSizeBound(record, compiled.maxPayloadBytes);
  if (bytes === TOO_DEEP || bytes > compiled.maxPayloadBytes) {
    read.violation =
      bytes === TOO_DEEP
        ? { kind: 'violation', reason: `payload nests deeper than ${MAX_PAYLOAD_DEPTH} levels`, sessionId }
        : { kind: 'oversize', reason: `payload of ${bytes} bytes exceeds ${compiled.maxPayloadBytes}`, sessionId };
    return StreamReadKind.Violation;
  }
  read.attempt = fields.attempt === null ? null : idText(record[fields.attempt]);
  if (role === 'start') return StreamReadKind.Start;
  read.id = fields.id === null ? null : idText(record[fields.id]);
  read.text = role === 'text';
  out.sessionId = sessionId;
  out.emittedAt = Number.NaN;
  out.detail = null;
  if (role === 'text') {
    const text = record[fields.text];
    if (typeof text !== 'string') {
      read.violation = {
        kind: 'violation',
        reason: `${fields.text} of a ${event} is ${text === undefined ? 'missing' : `a ${text === null ? 'null' : typeof text}`}, expected text`,
        sessionId,
      };
      return StreamReadKind.Violation;
    }
    out.chunk = text;
    out.state = 'generating';
    out.terminationCode = null;
    return StreamReadKind.Event;
  }
  out.chunk = '';
  if (role === 'end' || role === 'abort') {
    const reason = fields.reason === null ? undefined : record[fields.reason];
    const word = typeof reason === 'string' && reason.length > 0 ? reason : null;
    out.state = role === 'abort' ? 'abandoned' : ((word === null ? undefined : stream.reasons.get(word)) ?? 'completed');
    out.terminationCode = word ?? (role === 'abort' ? streamKind(stream, event, record) : null);
  } else {
    const code = fields.errorCode === null ? undefined : record[fields.errorCode];
    out.state = 'errored';
    out.terminationCode = typeof code === 'string' && code.length > 0 ? code : streamKind(stream, event, record);
    const message = fields.message === null ? undefined : record[fields.message];
    if (typeof message === 'string' && message.length > 0) out.detail = message.length > 500 ? `${message.slice(0, 500)}…` : message;
  }
  return StreamReadKind.Event;
}

function idText(value: unknown): string | null {
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}
