import { channelMatches, channelSessionId, createEventScratch, decodePayload, type ContractProfile } from '../contract';
import { ContractDetector, isProtocolEvent, type ChannelContract, type ChannelState } from './contract-detection';
import { CLIENT_CLOSE_REASON, type ConnectionRecord, type FrameRecord, type JournalRecord, type SubscriptionRecord } from '../journal/records';
import { resolveOptions, type AnalyzerOptions, type ResolvedOptions } from './options';
import { LatencyHistogram } from './histogram';
import type { SequenceRange } from './ledger';
import { countRanges, intersectRanges, subtractRanges, unionRanges } from './ranges';
import { SessionTracker, type DeliveryLoss, type SessionTimes } from './session';
import { createStreamRead, readStreamFrame, StreamPositions, StreamReadKind } from './stream-positions';
import {
  combineObservations,
  summarize,
  type KnownStart,
  type ObservationComparison,
  type PublishedVsDelivered,
  type SessionComparison,
  type SessionVerdict,
  type Vantage,
  type Verdict,
} from './verdict';

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
  /** Observations that received frames on this vantage and were open then. */
  sessions: Set<SessionTracker>;
  /** A tap's latest `connected` (NaN otherwise): it watches every channel from then on, without subscribing. */
  tapSince: number;
  /** Every socket id the vantage was connected with (a publish that leaves one out is not for it). */
  socketIds: Set<string> | null;
}

/** Sequences above this are not timed for the comparison's lag (a hostile 10⁹ would size the array). */
const MAX_TIMED_SEQUENCE = 1 << 20;

/** New arrivals a lone observation remembers, so that a vantage appearing a little later is compared from its first event. */
const RECENT_ARRIVALS = 64;

/** Client arrivals a session keeps while no tap has read their publish yet (beyond: not timed). */
const MAX_AWAITING_PUBLISH = 4096;

/** A time per sequence (NaN where none is known), grown by doubling. */
class SequenceTimes {
  private times = new Float64Array(64).fill(Number.NaN);

  get(sequence: number): number {
    const times = this.times;
    return sequence < times.length ? times[sequence]! : Number.NaN;
  }

  set(sequence: number, at: number): void {
    if (sequence < 1 || sequence > MAX_TIMED_SEQUENCE) return;
    let times = this.times;
    if (sequence >= times.length) {
      let size = times.length;
      while (size <= sequence) size *= 2;
      const grown = new Float64Array(size).fill(Number.NaN);
      grown.set(times);
      this.times = times = grown;
    }
    times[sequence] = at;
  }
}

/**
 * Every observation of one session, and — once there are two — the first arrival (any vantage)
 * of each sequence, which `lagMs` and `firstArrivals` come from. A session seen from one vantage
 * (nearly all of them) keeps only its last 64 new arrivals (768 bytes), not a time per sequence.
 * Once a tap saw it, the tap's arrival of each sequence too (its publish): what a client's
 * publish→arrival latency is measured from.
 */
class SessionGroup {
  readonly observations: SessionTracker[] = [];
  /** Listed in the analyzer's touched groups since the last `takeTouched`. */
  touched = false;
  constructor(
    readonly key: string,
    /** The contract of the channel the session was first seen on. */
    readonly contract: ChannelContract,
  ) {}
  last: SessionTracker | undefined;
  /** Positions of an event-stream contract's events (shared by every vantage); null for a sequenced contract. */
  positions: StreamPositions | null = null;
  /** First arrival per sequence; from the second observation on. */
  private firstArrival: SequenceTimes | null = null;
  /** A tap's first arrival per sequence (its publish); from the first tap observation on. */
  private publishedAt: SequenceTimes | null = null;
  /** Client arrivals no tap has read the publish of yet: sequence → the observations and their arrival times. */
  private awaitingPublish: Map<number, Array<{ tracker: SessionTracker; at: number }>> | null = null;
  private awaiting = 0;
  /** Sequences a tap saw published with a socket left out (`toOthers()`): socket id → ranges. */
  private leftOut: Map<string, SequenceRange[]> | null = null;
  private recentSequence: Int32Array | null = null;
  private recentAt: Float64Array | null = null;
  private recentCount = 0;

  /** Tap observations among `observations`. */
  get taps(): number {
    let taps = 0;
    for (const o of this.observations) if (o.tap) taps++;
    return taps;
  }

  add(tracker: SessionTracker): void {
    this.observations.push(tracker);
    const lone = this.observations.length === 1 ? undefined : this.observations[0]!;
    if (tracker.tap && this.publishedAt === null) {
      this.publishedAt = new SequenceTimes();
      // A lone client's recent arrivals wait for the publish the tap is about to read.
      if (lone !== undefined && !lone.tap && this.observations.length === 2) this.forEachRecent((sequence, at) => this.awaitPublish(lone, sequence, at));
    }
    if (this.observations.length !== 2) return;
    // A second vantage: time every sequence from now on, starting with what the first one got lately.
    const first = (this.firstArrival = new SequenceTimes());
    this.forEachRecent((sequence, at) => first.set(sequence, at));
    this.recentSequence = null;
    this.recentAt = null;
  }

  private forEachRecent(visit: (sequence: number, at: number) => void): void {
    const sequences = this.recentSequence;
    const times = this.recentAt;
    if (sequences === null || times === null) return;
    for (let i = Math.max(0, this.recentCount - RECENT_ARRIVALS); i < this.recentCount; i++) {
      const slot = i % RECENT_ARRIVALS;
      visit(sequences[slot]!, times[slot]!);
    }
  }

  /** A sequence new to `tracker`: the first vantage to get it, or how far behind the first one it is. */
  arrived(tracker: SessionTracker, sequence: number, at: number): void {
    if (this.publishedAt !== null) this.publishTiming(tracker, sequence, at);
    if (this.observations.length === 1) {
      const slot = this.recentCount++ % RECENT_ARRIVALS;
      (this.recentSequence ??= new Int32Array(RECENT_ARRIVALS))[slot] = sequence > MAX_TIMED_SEQUENCE ? 0 : sequence;
      (this.recentAt ??= new Float64Array(RECENT_ARRIVALS))[slot] = at;
      tracker.firstArrivals++;
      return;
    }
    if (sequence > MAX_TIMED_SEQUENCE) return;
    const first = this.firstArrivalOf(sequence);
    if (first === first) {
      (tracker.lag ??= new LatencyHistogram()).record(at - first);
      return;
    }
    // Another vantage got it before its time was kept: who was first, and by how much, is unknown.
    for (const other of this.observations) if (other !== tracker && other.ledger.has(sequence)) return;
    this.firstArrival!.set(sequence, at);
    tracker.firstArrivals++;
  }

  /** A tap read `sequence` published for everyone but `socketId`. */
  publishedExcept(socketId: string, sequence: number): void {
    const map = (this.leftOut ??= new Map());
    map.set(socketId, unionRanges(map.get(socketId) ?? [], [{ from: sequence, to: sequence }]));
  }

  /** Sequences published leaving out any of `socketIds`. */
  leftOutFor(socketIds: ReadonlySet<string> | null | undefined): SequenceRange[] {
    if (this.leftOut === null || socketIds === null || socketIds === undefined) return [];
    let ranges: SequenceRange[] = [];
    for (const socketId of socketIds) {
      const own = this.leftOut.get(socketId);
      if (own !== undefined) ranges = unionRanges(ranges, own);
    }
    return ranges;
  }

  firstArrivalOf(sequence: number): number {
    return this.firstArrival === null ? Number.NaN : this.firstArrival.get(sequence);
  }

  /** A tap's new sequence is its publish (clients that got it already are timed now); a client's is timed from it. */
  private publishTiming(tracker: SessionTracker, sequence: number, at: number): void {
    if (sequence < 1 || sequence > MAX_TIMED_SEQUENCE) return;
    const published = this.publishedAt!;
    const publishAt = published.get(sequence);
    if (tracker.tap) {
      if (publishAt === publishAt) return;
      published.set(sequence, at);
      const waiting = this.awaitingPublish?.get(sequence);
      if (waiting === undefined) return;
      this.awaitingPublish!.delete(sequence);
      this.awaiting -= waiting.length;
      for (const client of waiting) (client.tracker.publishLag ??= new LatencyHistogram()).record(client.at - at);
    } else if (publishAt === publishAt) (tracker.publishLag ??= new LatencyHistogram()).record(at - publishAt);
    else this.awaitPublish(tracker, sequence, at);
  }

  private awaitPublish(tracker: SessionTracker, sequence: number, at: number): void {
    if (sequence < 1 || this.awaiting >= MAX_AWAITING_PUBLISH) return;
    const map = (this.awaitingPublish ??= new Map());
    const list = map.get(sequence);
    if (list === undefined) map.set(sequence, [{ tracker, at }]);
    else list.push({ tracker, at });
    this.awaiting++;
  }
}

/**
 * The one analysis of DESIGN §5 and issue 15: feed journal records in arrival order with
 * `ingest`, ask for `verdicts(nowMs)` whenever needed. Deterministic: time only ever comes from
 * the records, from `nowMs` and from known starts given with `setStart`. A session seen from
 * several vantages (connections, imported files) is one *observation* per vantage: their frames
 * never share a stream, and `verdicts` compares them. `analyzeJournal` is this same class run
 * over a whole journal.
 */
export class Analyzer {
  private readonly options: ResolvedOptions;
  private readonly detector: ContractDetector;
  private readonly groups = new Map<string, SessionGroup>();
  private readonly connections = new Map<string, ConnectionTrack>();
  /** Latest `subscribed` time per vantage + channel (coverage). */
  private readonly subscriptions = new Map<string, number>();
  private readonly starts = new Map<string, KnownStart>();
  private readonly scratch = createEventScratch();
  private readonly streamRead = createStreamRead();
  /** The channel of the last frame and its state: a channel streams many frames in a row. */
  private lastChannel: string | undefined = undefined;
  private lastChannelState: ChannelState<SessionGroup> | undefined = undefined;
  /** The group `observation` last found. */
  private currentGroup: SessionGroup | undefined = undefined;
  private ignoredFrames = 0;
  /**
   * Sessions whose verdict may have changed since `takeTouched` (a frame, a drop of their
   * connection, a known start): each group is listed once, flagged on itself — no hashing per frame.
   */
  private touchedGroups: SessionGroup[] = [];
  private observationCount = 0;
  /**
   * What the analyzer made of the record last ingested (classification.ts: flags + attempt); 0
   * for a record that is not an analyzed frame. Read it right after `ingest`.
   */
  classification = 0;
  /**
   * The position the analyzer gave the record last ingested: its sequence, or — for an
   * event-stream contract — the position StreamPositions gave it; 0 when it has none.
   */
  position = 0;
  /**
   * The inter-token gap (ms) the record last ingested added to its observation's `interTokenMs`
   * — one per new event after the first — or NaN. Read it right after `ingest` (the metrics'
   * time per output chunk is fed from it, one observation per chunk, without a second pass).
   */
  interTokenMs = Number.NaN;
  private latestAt = Number.NEGATIVE_INFINITY;

  constructor(options: AnalyzerOptions = {}) {
    this.options = resolveOptions(options);
    this.detector = new ContractDetector(this.options.profile);
  }

  /** The name of the contract a session is read with (its verdict's `contract.name`); undefined for an unknown session. */
  contractName(sessionId: string): string | undefined {
    return this.groups.get(sessionId)?.contract.choice.name;
  }

  /**
   * Where a session's frames are and how to tell them: the channels its observations came on and
   * the contract that keys them (the journal is asked by channel, then filtered with
   * `contractSessionKey` — the same codec). Undefined for an unknown session.
   */
  sessionScope(sessionId: string): { channels: string[]; profile: ContractProfile } | undefined {
    const group = this.groups.get(sessionId);
    if (group === undefined) return undefined;
    return { channels: [...new Set(group.observations.map((o) => o.channel))], profile: group.contract.compiled.profile };
  }

  /**
   * Frees everything kept about a session (its observations, texts, positions, known start): the
   * live monitor's bound on memory for sessions long ended (the journal keeps their frames). A
   * later frame of it starts a new session. False for an unknown session.
   */
  forget(sessionId: string): boolean {
    const group = this.groups.get(sessionId);
    if (group === undefined) return false;
    this.groups.delete(sessionId);
    this.starts.delete(sessionId);
    for (const tracker of group.observations) {
      this.connections.get(tracker.vantageKey)?.sessions.delete(tracker);
      this.detector.releaseGroup(tracker.channel, group);
    }
    if (this.currentGroup === group) this.currentGroup = undefined;
    this.observationCount -= group.observations.length;
    return true;
  }

  /** True while the analyzer keeps the session (it was seen and not forgotten). */
  hasSession(sessionId: string): boolean {
    return this.groups.has(sessionId);
  }

  /** Sessions kept (see `forget`). */
  get sessions(): number {
    return this.groups.size;
  }

  /** The contract a channel is read with (given or detected); undefined before one is chosen. */
  channelContract(channel: string): ContractProfile | undefined {
    return this.detector.contractOf(channel)?.compiled.profile;
  }

  /** Frames that were not a contract's events on a channel it reads (the summary's `ignoredFrames`). */
  get ignored(): number {
    return this.ignoredFrames;
  }

  /** The sessions touched since the last call (and forgets them): what a live view must look at again. */
  takeTouched(): string[] {
    const groups = this.touchedGroups;
    this.touchedGroups = [];
    const keys: string[] = new Array<string>(groups.length);
    for (let i = 0; i < groups.length; i++) {
      const group = groups[i]!;
      group.touched = false;
      keys[i] = group.key;
    }
    return keys;
  }

  private touch(group: SessionGroup): void {
    if (group.touched) return;
    group.touched = true;
    this.touchedGroups.push(group);
  }

  /** The earliest time after `nowMs` at which a session's verdict changes with no new frame (see `SessionTracker.nextChangeAt`). */
  nextChangeAt(sessionId: string, nowMs: number): number {
    const group = this.groups.get(sessionId);
    if (group === undefined) return Number.POSITIVE_INFINITY;
    let next = Number.POSITIVE_INFINITY;
    for (const tracker of group.observations) next = Math.min(next, tracker.nextChangeAt(nowMs));
    return next;
  }

  /** Latest arrival time ingested (the journal's end so far); -Infinity before any record. */
  get lastAt(): number {
    return this.latestAt;
  }

  /** Number of observations (session × vantage) so far. */
  get observations(): number {
    return this.observationCount;
  }

  /** Feeds one record; returns the session key a frame was attributed to (undefined when ignored or not a frame). */
  ingest(record: JournalRecord): string | undefined {
    if (record.at > this.latestAt) this.latestAt = record.at;
    this.classification = 0;
    this.position = 0;
    this.interTokenMs = Number.NaN;
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

  /**
   * When the session's job began, known from outside the stream (a scenario run started it; the
   * app record's `initiated_at`): what `ttftMs` is measured from, and what tells a late join from
   * a lost head. The earliest known start wins.
   */
  setStart(sessionId: string, at: number, from: KnownStart['from'], precisionMs = 0): void {
    const known = this.starts.get(sessionId);
    if (known === undefined || at < known.at) {
      this.starts.set(sessionId, precisionMs > 0 ? { at, from, precisionMs } : { at, from });
      const group = this.groups.get(sessionId);
      if (group !== undefined) this.touch(group);
    }
  }

  verdicts(nowMs: number, request: VerdictRequest = {}): Verdict {
    const sessions: SessionVerdict[] = [];
    const comparisons: SessionComparison[] = [];
    for (const group of this.groups.values()) {
      if (group.observations.length === 1) sessions.push(this.observationVerdict(group, group.observations[0]!, nowMs, request));
      else {
        const { verdicts, comparison } = this.compare(group, nowMs, request);
        sessions.push(...verdicts);
        comparisons.push(comparison);
      }
    }
    return { version: 1, sessions, comparisons, unrecognised: this.detector.unrecognised(), summary: summarize(sessions, this.ignoredFrames) };
  }

  /** Channels whose frames no contract read (see `Verdict.unrecognised`). */
  unrecognised(): Verdict['unrecognised'] {
    return this.detector.unrecognised();
  }

  /** Every observation's verdict of one session (with text by default); empty for an unknown id. */
  observationVerdicts(sessionId: string, nowMs: number, request: VerdictRequest = {}): SessionVerdict[] {
    const group = this.groups.get(sessionId);
    if (group === undefined) return [];
    if (group.observations.length === 1) return [this.observationVerdict(group, group.observations[0]!, nowMs, request)];
    return this.compare(group, nowMs, request).verdicts;
  }

  /** The comparison of a session seen from two or more vantages; undefined otherwise. */
  comparison(sessionId: string, nowMs: number): SessionComparison | undefined {
    const group = this.groups.get(sessionId);
    if (group === undefined || group.observations.length < 2) return undefined;
    return this.compare(group, nowMs, { includeText: false }).comparison;
  }

  /** One session's verdict with its observations combined (see `combineObservations`), or undefined for an unknown id. */
  sessionVerdict(sessionId: string, nowMs: number, request: VerdictRequest = {}): (SessionVerdict & { observations: number }) | undefined {
    const verdicts = this.observationVerdicts(sessionId, nowMs, request);
    return verdicts.length === 0 ? undefined : combineObservations(verdicts);
  }

  /** Arrival times of one session over all its observations; undefined for an unknown id. */
  sessionTimes(sessionId: string): SessionTimes | undefined {
    const group = this.groups.get(sessionId);
    if (group === undefined) return undefined;
    if (group.observations.length === 1) return group.observations[0]!.times;
    const times = group.observations.map((o) => o.times);
    const earliest = (values: number[]) => {
      const finite = values.filter((v) => !Number.isNaN(v));
      return finite.length === 0 ? Number.NaN : Math.min(...finite);
    };
    return { firstAt: earliest(times.map((t) => t.firstAt)), lastAt: Math.max(...times.map((t) => t.lastAt)), terminalAt: earliest(times.map((t) => t.terminalAt)) };
  }

  /** Arrival times of one observation (session × vantage key); undefined when there is none. */
  observationTimes(sessionId: string, vantage: string): SessionTimes | undefined {
    return this.groups.get(sessionId)?.observations.find((o) => o.vantageKey === vantage)?.times;
  }

  private observationVerdict(
    group: SessionGroup,
    tracker: SessionTracker,
    nowMs: number,
    request: VerdictRequest,
    loss?: DeliveryLoss,
    published?: PublishedVsDelivered,
  ): SessionVerdict {
    const verdict = tracker.verdict(nowMs, request.endOfJournal ?? false, request.includeText ?? true, this.starts.get(tracker.sessionId), loss, published);
    verdict.checks = group.contract.checks;
    verdict.contract = group.contract.choice;
    return verdict;
  }

  /**
   * Who got what: each observation's received sequences, and its delivery loss — what the others
   * received, from where its own coverage begins, that it did not. A tap (what was published) loses
   * nothing; a client observation of a session a tap saw is also compared with what the taps saw
   * published (`published`: not delivered, not published, publish→arrival latency).
   */
  private compare(group: SessionGroup, nowMs: number, request: VerdictRequest): { verdicts: SessionVerdict[]; comparison: SessionComparison } {
    const observations = group.observations;
    const start = this.starts.get(observations[0]!.sessionId);
    const received = observations.map((o) => o.received());
    const verdicts: SessionVerdict[] = [];
    const parts: ObservationComparison[] = [];
    const limit = this.options.maxGapRanges;
    const taps = observations.filter((o) => o.tap);
    let published: SequenceRange[] = [];
    let tapFrom = Number.MAX_SAFE_INTEGER;
    observations.forEach((tracker, i) => {
      if (!tracker.tap) return;
      published = unionRanges(published, received[i]!);
      tapFrom = Math.min(tapFrom, tracker.coverageFrom(start));
    });
    const tapNames = taps.map((t) => vantageLabel(t.vantage));
    const tapInterrupted = taps.some((t) => t.interrupted);
    observations.forEach((tracker, i) => {
      let lost: SequenceRange[] = [];
      let publishedPart: PublishedVsDelivered | undefined;
      if (!tracker.tap) {
        let others: SequenceRange[] = [];
        received.forEach((ranges, j) => {
          if (j !== i) others = unionRanges(others, ranges);
        });
        const from = tracker.coverageFrom(start);
        // What was published leaving this vantage's socket out (`toOthers()`) was never its to get.
        const leftOut = group.leftOutFor(this.connections.get(tracker.vantageKey)?.socketIds);
        const missed = (ranges: SequenceRange[]) => {
          const lacking = subtractRanges(intersectRanges(ranges, [{ from, to: Number.MAX_SAFE_INTEGER }]), received[i]!);
          return leftOut.length === 0 ? lacking : subtractRanges(lacking, leftOut);
        };
        lost = missed(others);
        if (taps.length > 0) {
          const notDelivered = missed(published);
          const notPublished = subtractRanges(intersectRanges(received[i]!, [{ from: tapFrom, to: Number.MAX_SAFE_INTEGER }]), published);
          publishedPart = {
            taps: tapNames,
            notDelivered: notDelivered.slice(0, limit),
            notDeliveredCount: countRanges(notDelivered),
            notPublished: notPublished.slice(0, limit),
            notPublishedCount: countRanges(notPublished),
            publishToArrivalMs: tracker.publishLag?.summary() ?? null,
            tapInterrupted,
            leftOut: countRanges(subtractRanges(intersectRanges(leftOut, published), received[i]!)),
          };
        }
      }
      const count = countRanges(lost);
      const loss: DeliveryLoss = { ranges: lost, count, at: lost.slice(0, limit).map((r) => group.firstArrivalOf(r.from)) };
      const verdict = this.observationVerdict(group, tracker, nowMs, request, loss, publishedPart);
      verdicts.push(verdict);
      const part: ObservationComparison = {
        connection: tracker.vantage.connection,
        events: verdict.events,
        received: received[i]!.slice(0, limit),
        lost: lost.slice(0, limit),
        deliveryLoss: count,
        firstArrivals: tracker.firstArrivals,
        lagMs: tracker.lag?.summary() ?? null,
      };
      if (tracker.vantage.source !== undefined) part.source = tracker.vantage.source;
      if (tracker.vantage.tap !== undefined) part.tap = tracker.vantage.tap;
      if (publishedPart !== undefined) part.published = publishedPart;
      parts.push(part);
    });
    return { verdicts, comparison: { sessionId: observations[0]!.sessionId, channel: observations[0]!.channel, observations: parts } };
  }

  private frame(record: FrameRecord): string | undefined {
    const channel = record.channel;
    if (channel === undefined || isProtocolEvent(record.event)) {
      // Pusher's own frames (subscription_succeeded, member_added, …) are no contract's events.
      this.ignoredFrames++;
      return undefined;
    }
    let key: string | undefined;
    const seed = this.detector.seedFor(channel, record.event);
    if (seed !== null) key = this.sequencedFrame(record, channel, seed);
    else {
      let state = this.lastChannelState;
      if (channel !== this.lastChannel || state === undefined) {
        state = this.channelState(channel, record);
        this.lastChannel = channel;
        this.lastChannelState = state;
      }
      const contract = state.contract ?? this.detector.detect(state, channel, record.event, record.data);
      key = contract === null ? undefined : contract.compiled.stream === null ? this.sequencedFrame(record, channel, contract) : this.streamFrame(record, state, contract);
      if (key === undefined) this.detector.unread(state, record.event, record.data);
      else state.recognised = true;
    }
    if (key === undefined) this.ignoredFrames++;
    else {
      const group = this.currentGroup;
      if (group !== undefined) this.touch(group);
    }
    return key;
  }

  /**
   * A channel's state, made on its first frame that takes the general way. A channel the seed's
   * fast path already read (its session's group is the seed's, on this channel) keeps the seed's
   * contract: a channel's first frame chooses, whatever comes after.
   */
  private channelState(channel: string, record: FrameRecord): ChannelState<SessionGroup> {
    const state = this.detector.state(channel, record.at, record.connection) as ChannelState<SessionGroup>;
    if (this.detector.created && state.contract === null) this.keepSeed(state, channel);
    return state;
  }

  /** A new channel state keeps the seed's contract when the seed's fast path read the channel already (apart: its closure would cost a context per frame). */
  private keepSeed(state: ChannelState<SessionGroup>, channel: string): void {
    const seed = this.detector.seedContract(channel);
    const id = seed === null ? undefined : channelSessionId(seed.compiled, channel);
    const group = id === undefined ? undefined : this.groups.get(id);
    if (seed !== null && group !== undefined && group.contract === seed && group.observations.some((o) => o.channel === channel)) {
      state.contract = seed;
      state.recognised = true;
    }
  }

  /** A frame of a sequenced contract (DESIGN §4): the payload names its session and sequence. */
  private sequencedFrame(record: FrameRecord, channel: string, contract: ChannelContract): string | undefined {
    const compiled = contract.compiled;
    if (record.event !== compiled.event || !channelMatches(compiled, channel)) return undefined;
    const scratch = this.scratch;
    const violation = decodePayload(compiled, record.data, channel, scratch);
    const key = violation === null ? scratch.sessionId : (violation.sessionId ?? (channelSessionId(compiled, channel) as string));
    const vantage = vantageKeyOf(record);
    const tracker = this.observation(key, channel, record, vantage, contract);
    const group = this.currentGroup!;
    if (violation === null) {
      if (tracker.event(record, scratch)) group.arrived(tracker, scratch.sequence, record.at);
      if (record.exceptSocketId !== undefined && tracker.tap) group.publishedExcept(record.exceptSocketId, scratch.sequence);
      this.position = scratch.sequence;
      this.interTokenMs = tracker.lastGapMs;
    } else {
      tracker.violation(record.at, violation);
      this.position = violation.sequence ?? 0;
    }
    this.classification = tracker.classification;
    if (tracker.isTerminal) this.connections.get(vantage)?.sessions.delete(tracker);
    return key;
  }

  /**
   * A frame of an event-stream contract (no sequence numbers): read by its role, positioned by
   * the session's `StreamPositions`, then folded like any event (docs/detection.md). The session
   * key is the channel's suffix.
   */
  private streamFrame(record: FrameRecord, state: ChannelState<SessionGroup>, contract: ChannelContract): string | undefined {
    const channel = record.channel!;
    const compiled = contract.compiled;
    const stream = compiled.stream!;
    const key = state.streamKey;
    const scratch = this.scratch;
    const read = this.streamRead;
    const kind = readStreamFrame(compiled, stream, record.event, record.data, key, scratch, read, state.recognised);
    if (kind === StreamReadKind.Ignored) return undefined;
    if (kind === StreamReadKind.Step) {
      // A tool call: not an event of the session, but the next start continues the run.
      (state.group ?? this.groups.get(key))?.positions?.step();
      return undefined;
    }
    const vantage = vantageKeyOf(record);
    const tracker = this.observation(key, channel, record, vantage, contract, state.group ?? undefined);
    const group = (state.group = this.currentGroup!);
    const positions = (group.positions ??= new StreamPositions(contract.checks.order));
    if (kind === StreamReadKind.Violation) tracker.violation(record.at, read.violation!);
    else if (kind === StreamReadKind.Start) {
      positions.start(read.attempt);
      // The run's start event is the job's known start: TTFT from it (the earliest one wins).
      this.setStart(key, record.at, 'start_event');
      // Not an event of the session (no position, no text): classified as not analyzed.
      return key;
    } else {
      scratch.sequence = positions.position(read.attempt, read.id, read.text);
      scratch.attempt = positions.lastAttempt;
      scratch.late = positions.late;
      if (tracker.event(record, scratch)) group.arrived(tracker, scratch.sequence, record.at);
      if (record.exceptSocketId !== undefined && tracker.tap) group.publishedExcept(record.exceptSocketId, scratch.sequence);
      this.position = scratch.sequence;
      this.interTokenMs = tracker.lastGapMs;
    }
    this.classification = tracker.classification;
    if (tracker.isTerminal) this.connections.get(vantage)?.sessions.delete(tracker);
    return key;
  }

  /**
   * The observation (session × vantage) a frame belongs to, made on its first frame; its group is
   * left in `currentGroup` (no object per frame on the hot path). `known`: the group, when the
   * caller has it already (an event stream's channel keeps its session's group).
   */
  private observation(key: string, channel: string, record: FrameRecord, vantage: string, contract: ChannelContract, known?: SessionGroup): SessionTracker {
    let group = known ?? this.groups.get(key);
    if (group === undefined) {
      group = new SessionGroup(key, contract);
      this.groups.set(key, group);
    }
    let tracker = group.last;
    if (tracker === undefined || tracker.vantageKey !== vantage) tracker = group.last = this.vantageObservation(group, key, channel, record, vantage);
    this.currentGroup = group;
    return tracker;
  }

  /**
   * The group's observation from another vantage than the last frame's, made on its first frame.
   * Apart from `observation` so that the closure here costs nothing per frame (a function that
   * makes one allocates its context on every call).
   */
  private vantageObservation(group: SessionGroup, key: string, channel: string, record: FrameRecord, vantage: string): SessionTracker {
    const known = group.observations.find((o) => o.vantageKey === vantage);
    if (known !== undefined) return known;
    // A tap watches every channel from its connection on, without subscribing.
    const subscribedAt = this.subscriptions.get(subscriptionKey(vantage, channel)) ?? (record.tap === undefined ? undefined : this.connections.get(vantage)?.tapSince);
    const v: Vantage = record.source === undefined ? { connection: record.connection } : { connection: record.connection, source: record.source };
    if (record.tap !== undefined) v.tap = record.tap;
    const tracker = new SessionTracker(key, channel, v, vantage, subscribedAt !== undefined && subscribedAt <= record.at ? subscribedAt : Number.NaN, this.options);
    group.add(tracker);
    this.observationCount++;
    // Open from its first frame until its terminal: the vantage's drops concern it meanwhile.
    this.track(vantage).sessions.add(tracker);
    return tracker;
  }

  private track(vantage: string): ConnectionTrack {
    let track = this.connections.get(vantage);
    if (track === undefined) {
      track = { down: false, wasConnected: false, sessions: new Set(), tapSince: Number.NaN, socketIds: null };
      this.connections.set(vantage, track);
    }
    return track;
  }

  /**
   * One drop = the first down state after being up; `unavailable → connecting → unavailable`
   * while pusher-js retries is the same outage, so only `connected` ends it.
   */
  private connection(record: ConnectionRecord): void {
    const track = this.track(vantageKeyOf(record));
    if (record.state === 'connected') {
      track.down = false;
      track.wasConnected = true;
      if (record.tap !== undefined) track.tapSince = record.at;
      if (record.socketId !== undefined) (track.socketIds ??= new Set()).add(record.socketId);
      return;
    }
    const reconnecting = record.state === 'connecting' && track.wasConnected;
    if ((!DOWN_STATES.has(record.state) && !reconnecting) || track.down) return;
    if (record.reason === CLIENT_CLOSE_REASON) return; // our own close at the end of a watch: not a drop
    track.down = true;
    for (const session of track.sessions) {
      if (!session.isOpen) continue;
      session.disconnected(record.at, record.connection, record.state, record.code);
      const group = this.groups.get(session.sessionId);
      if (group !== undefined) this.touch(group);
    }
  }

  private subscription(record: SubscriptionRecord): void {
    if (record.status === 'subscribed') this.subscriptions.set(subscriptionKey(vantageKeyOf(record), record.channel), record.at);
  }
}

/** A vantage in words: the connection, and the imported file it came from. */
export function vantageLabel(vantage: Vantage): string {
  return vantage.source === undefined ? vantage.connection : `${vantage.source} · ${vantage.connection}`;
}

/** A record's vantage as one string: its connection, prefixed by its source file when imported. */
export function vantageKeyOf(record: { connection: string; source?: string | undefined }): string {
  return record.source === undefined ? record.connection : `${record.source}\u0001${record.connection}`;
}

function subscriptionKey(vantage: string, channel: string): string {
  return `${vantage}\u0000${channel}`;
}

export interface AnalyzeJournalOptions extends AnalyzerOptions {
  /** The journal's end (ms). Default: the latest `at` in it (0 for an empty journal). */
  endMs?: number;
  includeText?: boolean;
  /** Known starts of jobs by session id (see `Analyzer.setStart`). */
  starts?: ReadonlyMap<string, KnownStart>;
}

/** Batch mode: the incremental Analyzer fed the whole journal, verdicts taken at its end. */
export function analyzeJournal(records: Iterable<JournalRecord>, options: AnalyzeJournalOptions = {}): Verdict {
  const analyzer = new Analyzer(options);
  for (const [sessionId, start] of options.starts ?? []) analyzer.setStart(sessionId, start.at, start.from, start.precisionMs);
  for (const record of records) analyzer.ingest(record);
  const end = options.endMs ?? (Number.isFinite(analyzer.lastAt) ? analyzer.lastAt : 0);
  const request: VerdictRequest = { endOfJournal: true };
  if (options.includeText !== undefined) request.includeText = options.includeText;
  return analyzer.verdicts(end, request);
}
