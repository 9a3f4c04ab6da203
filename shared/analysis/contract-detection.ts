import { BUILTIN_CONTRACTS, builtinContract, channelMatches, compileProfile, DEFAULT_PROFILE, streamKind, type CompiledProfile, type ContractProfile } from '../contract';
import type { FrameRecord } from '../journal/records';
import { channelSuffix } from '../journal/session-key';
import type { ContractChoice, SessionChecks, UnrecognisedChannel } from './verdict';

/**
 * Which contract a channel speaks (issue 18, docs/detection.md "Which contract a channel speaks").
 * With a contract given (`--contract`, Settings) every channel is read with it. Without one, a
 * channel's first frame that fits one of the built-in contracts chooses it for the channel: a
 * fit is the contract's event names (or, for a relay, the payload's kind field) plus the fields
 * its frames always or never carry (`detect.requires` / `detect.absent`). A frame that fits one
 * contract alone chooses it with high confidence; one that fits several chooses the first in
 * `BUILTIN_CONTRACTS` order with low confidence and says which others fitted. Frames before a
 * choice that fit nothing are counted, with a sample, and the channel is listed as unrecognised.
 */

/** A channel's contract once chosen: how to read it and what it lets EchoScope check. */
export interface ChannelContract {
  readonly compiled: CompiledProfile;
  readonly choice: ContractChoice;
  readonly checks: SessionChecks;
}

/** What the analyzer knows about one channel; `G` is the analyzer's session group. */
export interface ChannelState<G = unknown> {
  contract: ChannelContract | null;
  /** The session key of an event-stream contract: the channel's suffix after its last dot (cut once). */
  readonly streamKey: string;
  /** An event stream's session group, kept by the analyzer once made (one session per channel: no lookup per frame). */
  group: G | null;
  /** A frame of the channel was read as an event of its contract (or a violation of it). */
  recognised: boolean;
  /** Frames no contract read, and what they were (bounded). */
  unread: number;
  events: string[];
  sample: UnrecognisedChannel['sample'] | null;
  firstAt: number;
  connection: string;
}

/** Distinct event names kept per unrecognised channel, and channels listed. */
const MAX_EVENT_NAMES = 8;
const MAX_LISTED_CHANNELS = 1000;
const SAMPLE_CHARS = 300;

/** Pusher's own frames on a channel (subscription_succeeded, member_added, …): never a contract's. */
export function isProtocolEvent(event: string): boolean {
  return event.startsWith('pusher:') || event.startsWith('pusher_internal:');
}

/** What a contract lets EchoScope check: everything with sequence numbers; for an event stream, what its ids allow. */
export function checksOf(compiled: CompiledProfile): SessionChecks {
  const stream = compiled.stream;
  if (stream === null) return { gaps: true, order: true, duplicates: true };
  const ids = stream.stream.fields.id !== null;
  return { gaps: false, order: ids && stream.stream.orderedIds, duplicates: ids };
}

/** Does one frame fit a contract? Only what detection needs: names and marker fields, no validation. */
export function fitsContract(compiled: CompiledProfile, channel: string, event: string, data: unknown): boolean {
  const stream = compiled.stream;
  if (stream === null) return event === compiled.event && channelMatches(compiled, channel);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return false;
  const payload = data as Record<string, unknown>;
  const kind = streamKind(stream, event, payload);
  const { events, fields, detect } = stream.stream;
  const named = stream.names.has(kind) || (events.errorWhenField !== null && events.errorWhenField in payload && !(fields.text in payload));
  if (!named) return false;
  for (const field of detect.requires) if (!(field in payload)) return false;
  for (const field of detect.absent) if (field in payload) return false;
  return true;
}

function describeFit(compiled: CompiledProfile, event: string): string {
  const stream = compiled.stream;
  if (stream === null) return `"${event}" on a ${compiled.profile.channel} channel`;
  const { requires, absent } = stream.stream.detect;
  const marks = [requires.length > 0 ? `with ${requires.join(', ')}` : '', absent.length > 0 ? `without ${absent.join(', ')}` : ''].filter((m) => m !== '').join(' and ');
  return `"${event}"${marks === '' ? '' : ` ${marks}`}`;
}

export class ContractDetector {
  private readonly channels = new Map<string, ChannelState>();
  private readonly forced: ChannelContract | null;
  private readonly candidates: { name: string; compiled: CompiledProfile }[];
  /** Automatic mode's seed contract, read without a channel state (see `seedFor`). */
  private readonly seed: ChannelContract | null = null;
  private listed = 0;

  /** `profile`: read every channel with it; null: detect among `candidates` (default: the built-in contracts, in `BUILTIN_CONTRACTS` order). */
  constructor(profile: ContractProfile | null, candidates?: { name: string; compiled: CompiledProfile }[]) {
    if (profile !== null) {
      const compiled = compileProfile(profile);
      this.forced = { compiled, checks: checksOf(compiled), choice: { name: profile.name, confidence: 'given', reason: 'the contract was given (--contract or Settings)' } };
      this.candidates = [];
    } else {
      this.forced = null;
      this.candidates = candidates ?? Object.keys(BUILTIN_CONTRACTS).map((name) => ({ name, compiled: compileProfile(builtinContract(name)!) }));
      const first = this.candidates[0];
      if (candidates === undefined && first !== undefined && first.compiled.stream === null) {
        this.seed = {
          compiled: first.compiled,
          checks: checksOf(first.compiled),
          choice: { name: first.name, confidence: 'high', reason: `its first frame, ${describeFit(first.compiled, first.compiled.event)}, fits ${first.name} alone` },
        };
      }
    }
  }

  /**
   * The hot path of the default fleet: a frame of the seed contract (its event on its channel
   * pattern) on a channel that has no state — nothing else was ever seen on it — is read as the
   * seed's without looking the channel up (no hash of a fresh channel string per frame). A
   * channel that got any other frame first has a state and goes the general way.
   */
  seedFor(channel: string, event: string): ChannelContract | null {
    const seed = this.seed;
    if (seed === null || !fitsContract(seed.compiled, channel, event, null)) return null;
    if (this.channels.size !== 0 && this.channels.has(channel)) return null;
    return seed;
  }

  /** The seed's reading of a channel, when it fits the seed's channel pattern (automatic mode). */
  seedContract(channel: string): ChannelContract | null {
    return this.seed !== null && channelMatches(this.seed.compiled, channel) ? this.seed : null;
  }

  /** True when every channel is read with one given contract. */
  get isForced(): boolean {
    return this.forced !== null;
  }

  /** The channel's contract once chosen (or given). */
  contractOf(channel: string): ChannelContract | undefined {
    return this.channels.get(channel)?.contract ?? this.forced ?? this.seedContract(channel) ?? undefined;
  }

  /** A forgotten session's group is no longer its channel's (an event stream's channel keeps one). */
  releaseGroup(channel: string, group: unknown): void {
    const state = this.channels.get(channel);
    if (state !== undefined && state.group === group) state.group = null;
  }

  /** Whether the last `state` call made the channel's state (its first frame the general way). */
  created = false;

  state(channel: string, at: number, connection: string): ChannelState {
    let state = this.channels.get(channel);
    this.created = state === undefined;
    if (state === undefined) {
      state = { contract: this.forced, streamKey: channelSuffix(channel), group: null, recognised: false, unread: 0, events: [], sample: null, firstAt: at, connection };
      this.channels.set(channel, state);
    }
    return state;
  }

  /** Tries to choose the channel's contract from this frame; returns the choice or null (the frame fits none). */
  detect(state: ChannelState, channel: string, event: string, data: unknown): ChannelContract | null {
    if (isProtocolEvent(event)) return null;
    const fits = this.candidates.filter((candidate) => fitsContract(candidate.compiled, channel, event, data));
    if (fits.length === 0) return null;
    const chosen = fits[0]!;
    const others = fits.slice(1).map((f) => f.name);
    const reason =
      others.length === 0
        ? `its first frame, ${describeFit(chosen.compiled, event)}, fits ${chosen.name} alone`
        : `its first frame, ${describeFit(chosen.compiled, event)}, fits ${chosen.name} and also ${others.join(', ')}: ${chosen.name} comes first`;
    state.contract = { compiled: chosen.compiled, checks: checksOf(chosen.compiled), choice: { name: chosen.name, confidence: others.length === 0 ? 'high' : 'low', reason } };
    return state.contract;
  }

  /** A frame the channel's contract (or every candidate) did not read. */
  unread(state: ChannelState, event: string, data: unknown): void {
    if (state.recognised || isProtocolEvent(event)) return;
    if (state.unread === 0) {
      if (this.listed >= MAX_LISTED_CHANNELS) return;
      this.listed++;
    }
    state.unread++;
    if (state.events.length < MAX_EVENT_NAMES && !state.events.includes(event)) state.events.push(event);
    if (state.sample === null) state.sample = { event, data: sampleText(data) };
  }

  /** Channels that sent frames none of which was read, oldest first. */
  unrecognised(): UnrecognisedChannel[] {
    const list: UnrecognisedChannel[] = [];
    for (const [channel, state] of this.channels) {
      if (state.recognised || state.unread === 0 || state.sample === null) continue;
      list.push({
        channel,
        connection: state.connection,
        frames: state.unread,
        firstAt: state.firstAt,
        events: [...state.events],
        sample: state.sample,
        contract: state.contract?.choice.name ?? null,
      });
    }
    return list;
  }
}

function sampleText(data: unknown): string {
  let text: string;
  try {
    text = typeof data === 'string' ? data : (JSON.stringify(data) ?? String(data));
  } catch {
    text = String(data);
  }
  return text.length > SAMPLE_CHARS ? `${text.slice(0, SAMPLE_CHARS)}…` : text;
}

/** The contract detection chooses for one channel's frames (the seed's when none fits): what a view of one session reads them with. */
export function detectProfile(frames: readonly FrameRecord[]): ContractProfile {
  const detector = new ContractDetector(null);
  for (const frame of frames) {
    if (frame.channel === undefined) continue;
    const state = detector.state(frame.channel, frame.at, frame.connection);
    const contract = detector.detect(state, frame.channel, frame.event, frame.data);
    if (contract !== null) return contract.compiled.profile;
  }
  return DEFAULT_PROFILE;
}
