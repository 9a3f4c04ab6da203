import { hashSeed } from '../scenario/random';
import { isMomentFault, isProtocolEvent, patternRegExp, type ProxyFault, type ProxyFaultKind, type ProxyFaults } from './faults';

/**
 * What the fault proxy does to one frame for one client socket: a pure decision from the rules,
 * the client's number, the channel, the event and how many matching events the channel had.
 * The proxy (electron/core/proxy) carries it out on the wire and records it as ground truth.
 *
 * Where several rules land on one event: `drop` excludes every other delivery fault; `malformed`
 * excludes `reorder` and `duplicate`; `duplicate` excludes `reorder`. `delay` combines with all
 * but `drop`; moment faults (`disconnect`, `ping-silence`) act after the event, whatever it became.
 */

export interface AppliedFault {
  kind: ProxyFaultKind;
  /** Index of the rule in the rule set that chose the event. */
  rule: number;
  /** The event's position among the events the rule matches on this channel. */
  position: number;
}

export interface FrameDecision {
  drop: boolean;
  /** Extra copies sent right after the event. */
  copies: number;
  reorder: { window: number; maxHoldMs: number } | null;
  /** The event and what follows it on the socket wait this long first. */
  delayMs: number;
  malformed: { resend: boolean } | null;
  /** Close the client socket after the event. */
  disconnect: { code: number; reason: string } | null;
  /** From after the event, no ping or pong passes for this long. */
  pingSilenceMs: number;
  faults: AppliedFault[];
}

interface CompiledRule {
  rule: ProxyFault;
  index: number;
  channel: RegExp | null;
  event: RegExp | null;
  nth: ReadonlySet<number> | null;
  clients: ReadonlySet<number> | null;
}

function compile(rule: ProxyFault, index: number): CompiledRule {
  return {
    rule,
    index,
    channel: rule.channel === undefined || rule.channel === '*' ? null : patternRegExp(rule.channel),
    event: rule.event === undefined || rule.event === '*' ? null : patternRegExp(rule.event),
    nth: rule.nth === undefined ? null : new Set(rule.nth),
    clients: rule.clients === undefined ? null : new Set(rule.clients),
  };
}

/** A client socket's faults: counts each rule's matching events per channel. */
export class ClientFaultPlan {
  private readonly rules: CompiledRule[];
  /** `rule\0channel` → matching events so far. */
  private readonly counts = new Map<string, number>();
  private readonly seed: number;

  constructor(
    faults: ProxyFaults,
    /** The client's number: 1, 2, … in the order the proxy accepted them. */
    readonly client: number,
  ) {
    this.seed = faults.seed;
    this.rules = faults.faults.map(compile).filter((c) => c.clients === null || c.clients.has(client));
  }

  get empty(): boolean {
    return this.rules.length === 0;
  }

  /** The decision for one received frame, or null when no rule touches it. */
  decide(channel: string | undefined, event: string): FrameDecision | null {
    if (this.rules.length === 0 || channel === undefined || isProtocolEvent(event)) return null;
    let decision: FrameDecision | null = null;
    const chosen: Array<{ compiled: CompiledRule; position: number }> = [];
    for (const compiled of this.rules) {
      if (compiled.channel !== null && !compiled.channel.test(channel)) continue;
      if (compiled.event !== null && !compiled.event.test(event)) continue;
      const key = `${compiled.index}\u0000${channel}`;
      const position = (this.counts.get(key) ?? 0) + 1;
      this.counts.set(key, position);
      if (this.picks(compiled, channel, position)) chosen.push({ compiled, position });
    }
    if (chosen.length === 0) return null;
    decision = { drop: false, copies: 0, reorder: null, delayMs: 0, malformed: null, disconnect: null, pingSilenceMs: 0, faults: [] };
    const has = (kind: ProxyFaultKind) => chosen.some((c) => c.compiled.rule.kind === kind);
    for (const { compiled, position } of chosen) {
      const rule = compiled.rule;
      const applied = (): void => void decision.faults.push({ kind: rule.kind, rule: compiled.index, position });
      switch (rule.kind) {
        case 'drop':
          if (!decision.drop) applied();
          decision.drop = true;
          break;
        case 'duplicate':
          if (has('drop') || has('malformed')) break;
          decision.copies += rule.copies;
          applied();
          break;
        case 'reorder':
          if (has('drop') || has('malformed') || has('duplicate') || decision.reorder !== null) break;
          decision.reorder = { window: rule.window, maxHoldMs: rule.maxHoldMs };
          applied();
          break;
        case 'delay':
          if (has('drop')) break;
          decision.delayMs = Math.max(decision.delayMs, rule.delayMs);
          applied();
          break;
        case 'malformed':
          if (has('drop') || decision.malformed !== null) break;
          decision.malformed = { resend: rule.resend };
          applied();
          break;
        case 'disconnect':
          if (decision.disconnect !== null) break;
          decision.disconnect = { code: rule.code, reason: rule.reason };
          applied();
          break;
        case 'ping-silence':
          decision.pingSilenceMs = Math.max(decision.pingSilenceMs, rule.durationMs);
          applied();
          break;
      }
    }
    return decision;
  }

  private picks(compiled: CompiledRule, channel: string, position: number): boolean {
    const rule = compiled.rule;
    if (compiled.nth !== null) return compiled.nth.has(position);
    if (rule.probability !== undefined) return hashSeed(this.seed, `${compiled.index}\u0000${this.client}\u0000${channel}\u0000${position}`) / 4294967296 < rule.probability;
    // Neither: a delivery fault acts on every matching event, a moment fault once, on the first.
    return isMomentFault(rule.kind) ? position === 1 : true;
  }
}
