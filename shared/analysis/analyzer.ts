import { channelMatches, channelSessionId, compileProfile, createEventScratch, decodePayload, type CompiledProfile } from '../contract';
import { CLIENT_CLOSE_REASON, type ConnectionRecord, type FrameRecord, type JournalRecord, type SubscriptionRecord } from '../journal/records';
import { resolveOptions, type AnalyzerOptions, type ResolvedOptions } from './options';
import { SessionTracker, type SessionTimes } from './session';
import { summarize, type SessionVerdict, type Verdict } from './verdict';

export interface VerdictRequest {
  /**
   * The journal is over: every session has ended, so every hole is a gap (no reorder window).
   * `analyzeJournal` sets it; a live monitor leaves it false.
   */
  endOfJournal?: boolean;
  /** Leave `text`/`naiveText` empty (cheaper for frequent live snapshots). Default true. */
  includeText?: boolean;
}

/** Connection states in which frames can no longer arrive (DESIGN §6 vocabulary). */
const DOWN_STATES = new Set(['disconnected', 'unavailable', 'failed']);

interface ConnectionTrack {
  down: boolean;
  /** Has been connected: a later `connecting` is a reconnect after a drop (pusher-js skips `unavailable` on 4100–4299 closes). */
  wasConnected: boolean;
  /** Sessions that received frames on this connection and were open then. */
  sessions: Set<SessionTracker>;
}

/**
 * The one analysis of DESIGN §5: feed journal records in arrival order with `ingest`, ask for
 * `verdicts(nowMs)` whenever needed. Deterministic: time only ever comes from the records and
 * from `nowMs`. `analyzeJournal` is this same class run over a whole journal.
 */
export class Analyzer {
  private readonly options: ResolvedOptions;
  private readonly compiled: CompiledProfile;
  private readonly sessions = new Map<string, SessionTracker>();
  private readonly connections = new Map<string, ConnectionTrack>();
  /** Latest `subscribed` time per connection + channel, for ttft. */
  private readonly subscriptions = new Map<string, number>();
  private readonly scratch = createEventScratch();
  private ignoredFrames = 0;
  private latestAt = Number.NEGATIVE_INFINITY;

  constructor(options: AnalyzerOptions = {}) {
    this.options = resolveOptions(options);
    this.compiled = compileProfile(this.options.profile);
  }

  /** Latest arrival time ingested (the journal's end so far); -Infinity before any record. */
  get lastAt(): number {
    return this.latestAt;
  }

  /** Feeds one record; returns the session key a frame was attributed to (undefined when ignored or not a frame). */
  ingest(record: JournalRecord): string | undefined {
    if (record.at > this.latestAt) this.latestAt = record.at;
    switch (record.type) {
      case 'frame':
        return this.frame(record);
      case 'connection':
        this.connection(record);
        return undefined;
      case 'subscription':
        this.subscription(record);
        return undefined;
    }
  }

  verdicts(nowMs: number, request: VerdictRequest = {}): Verdict {
    const endOfJournal = request.endOfJournal ?? false;
    const includeText = request.includeText ?? true;
    const sessions = [];
    for (const session of this.sessions.values()) sessions.push(session.verdict(nowMs, endOfJournal, includeText));
    return { version: 1, sessions, summary: summarize(sessions, this.ignoredFrames) };
  }

  /** One session's verdict (with text by default), or undefined for an unknown id. */
  sessionVerdict(sessionId: string, nowMs: number, request: VerdictRequest = {}): SessionVerdict | undefined {
    return this.sessions.get(sessionId)?.verdict(nowMs, request.endOfJournal ?? false, request.includeText ?? true);
  }

  /** Arrival times of one session; undefined for an unknown id. */
  sessionTimes(sessionId: string): SessionTimes | undefined {
    return this.sessions.get(sessionId)?.times;
  }

  private frame(record: FrameRecord): string | undefined {
    const channel = record.channel;
    if (record.event !== this.compiled.event || channel === undefined || !channelMatches(this.compiled, channel)) {
      this.ignoredFrames++;
      return undefined;
    }
    const scratch = this.scratch;
    const violation = decodePayload(this.compiled, record.data, channel, scratch);
    const key = violation === null ? scratch.sessionId : (violation.sessionId ?? (channelSessionId(this.compiled, channel) as string));
    const session = this.session(key, channel, record.connection, record.at);
    if (violation === null) session.event(record.at, scratch);
    else session.violation(record.at, violation);
    if (session.isTerminal) this.closeOnConnections(session);
    return key;
  }

  private session(key: string, channel: string, connection: string, at: number): SessionTracker {
    let session = this.sessions.get(key);
    if (session === undefined) {
      const subscribedAt = this.subscriptions.get(subscriptionKey(connection, channel));
      session = new SessionTracker(key, channel, subscribedAt !== undefined && subscribedAt <= at ? subscribedAt : Number.NaN, this.options);
      this.sessions.set(key, session);
    }
    const connections = session.connections;
    if (session.isOpen && (connections.length === 0 || connections[connections.length - 1] !== connection)) {
      if (!connections.includes(connection)) connections.push(connection);
      this.track(connection).sessions.add(session);
    }
    return session;
  }

  private closeOnConnections(session: SessionTracker): void {
    for (const connection of session.connections) this.connections.get(connection)?.sessions.delete(session);
  }

  private track(connection: string): ConnectionTrack {
    let track = this.connections.get(connection);
    if (track === undefined) {
      track = { down: false, wasConnected: false, sessions: new Set() };
      this.connections.set(connection, track);
    }
    return track;
  }

  /**
   * One drop = the first down state after being up; `unavailable → connecting → unavailable`
   * while pusher-js retries is the same outage, so only `connected` ends it.
   */
  private connection(record: ConnectionRecord): void {
    const track = this.track(record.connection);
    if (record.state === 'connected') {
      track.down = false;
      track.wasConnected = true;
      return;
    }
    const reconnecting = record.state === 'connecting' && track.wasConnected;
    if ((!DOWN_STATES.has(record.state) && !reconnecting) || track.down) return;
    if (record.reason === CLIENT_CLOSE_REASON) return; // our own close at the end of a watch: not a drop
    track.down = true;
    for (const session of track.sessions) {
      if (session.isOpen) session.disconnected(record.at, record.connection, record.state, record.code);
    }
  }

  private subscription(record: SubscriptionRecord): void {
    if (record.status === 'subscribed') this.subscriptions.set(subscriptionKey(record.connection, record.channel), record.at);
  }
}

function subscriptionKey(connection: string, channel: string): string {
  return `${connection}\u0000${channel}`;
}

export interface AnalyzeJournalOptions extends AnalyzerOptions {
  /** The journal's end (ms). Default: the latest `at` in it (0 for an empty journal). */
  endMs?: number;
  includeText?: boolean;
}

/** Batch mode: the incremental Analyzer fed the whole journal, verdicts taken at its end. */
export function analyzeJournal(records: Iterable<JournalRecord>, options: AnalyzeJournalOptions = {}): Verdict {
  const analyzer = new Analyzer(options);
  for (const record of records) analyzer.ingest(record);
  const end = options.endMs ?? (Number.isFinite(analyzer.lastAt) ? analyzer.lastAt : 0);
  const request: VerdictRequest = { endOfJournal: true };
  if (options.includeText !== undefined) request.includeText = options.includeText;
  return analyzer.verdicts(end, request);
}
