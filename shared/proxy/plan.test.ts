import { describe, expect, it } from 'vitest';
import { describeZodError } from '../api';
import { parseFaultSpec, patternRegExp, ProxyFaultsSchema, type ProxyFaultsInput } from './faults';
import { ClientFaultPlan } from './plan';

const plan = (input: ProxyFaultsInput, client = 1) => new ClientFaultPlan(ProxyFaultsSchema.parse(input), client);
const kinds = (p: ClientFaultPlan, channel: string, event: string) => p.decide(channel, event)?.faults.map((f) => f.kind) ?? [];

describe('the proxy fault plan', () => {
  it('counts nth per channel among the events a rule matches, never protocol frames', () => {
    const p = plan({ faults: [{ kind: 'drop', channel: 'private-ai.*', event: 'chunk.delivered', nth: [2] }] });
    expect(p.decide('private-ai.a', 'pusher_internal:subscription_succeeded')).toBeNull();
    expect(kinds(p, 'private-ai.a', 'chunk.delivered')).toEqual([]);
    expect(kinds(p, 'private-ai.a', 'other')).toEqual([]); // not matched: not counted
    expect(kinds(p, 'private-ai.b', 'chunk.delivered')).toEqual([]); // b's first
    expect(kinds(p, 'private-ai.a', 'chunk.delivered')).toEqual(['drop']); // a's second
    expect(kinds(p, 'private-ai.b', 'chunk.delivered')).toEqual(['drop']);
    expect(kinds(p, 'public', 'chunk.delivered')).toEqual([]);
    expect(p.decide('private-ai.a', 'chunk.delivered')).toBeNull();
  });

  it('draws by probability from the seed: the same seed and client give the same events, another seed others', () => {
    const draws = (seed: number, client: number) => {
      const p = plan({ seed, faults: [{ kind: 'drop', probability: 0.3 }] }, client);
      return Array.from({ length: 400 }, () => kinds(p, 'c', 'e').length);
    };
    const first = draws(5, 1);
    expect(draws(5, 1)).toEqual(first);
    expect(draws(6, 1)).not.toEqual(first);
    expect(draws(5, 2)).not.toEqual(first);
    const share = first.reduce((a, b) => a + b, 0) / first.length;
    expect(share).toBeGreaterThan(0.2);
    expect(share).toBeLessThan(0.4);
  });

  it('limits a rule to the clients it names; a moment fault without nth acts once, on the first event', () => {
    const rules: ProxyFaultsInput = { faults: [{ kind: 'disconnect', clients: [2], code: 4100 }] };
    expect(kinds(plan(rules, 1), 'c', 'e')).toEqual([]);
    const second = plan(rules, 2);
    expect(second.decide('c', 'e')).toMatchObject({ disconnect: { code: 4100 } });
    expect(second.decide('c', 'e')).toBeNull();
  });

  it('resolves rules that meet on one event: drop wins, malformed excludes duplicate and reorder, delay and moments combine', () => {
    const p = plan({
      faults: [
        { kind: 'duplicate', nth: [1, 2, 3] },
        { kind: 'drop', nth: [1] },
        { kind: 'malformed', nth: [2] },
        { kind: 'reorder', nth: [3] },
        { kind: 'delay', nth: [1, 3], delayMs: 50 },
        { kind: 'ping-silence', nth: [1], durationMs: 10 },
      ],
    });
    expect(p.decide('c', 'e')).toMatchObject({ drop: true, copies: 0, delayMs: 0, pingSilenceMs: 10 });
    expect(p.decide('c', 'e')).toMatchObject({ drop: false, copies: 0, malformed: { resend: true }, reorder: null });
    expect(p.decide('c', 'e')).toMatchObject({ copies: 1, reorder: null, delayMs: 50 });
  });

  it('reads a rule from the command line, and the schema names what is wrong', () => {
    expect(parseFaultSpec('duplicate event=chunk.delivered nth=3,7 copies=2')).toEqual({ ok: true, rule: { kind: 'duplicate', event: 'chunk.delivered', nth: [3, 7], copies: 2 } });
    expect(parseFaultSpec('malformed resend=false probability=0.5')).toEqual({ ok: true, rule: { kind: 'malformed', resend: false, probability: 0.5 } });
    expect(parseFaultSpec('drop nth')).toEqual({ ok: false, message: '"nth": expected key=value' });
    const bad = (rule: unknown) => {
      const parsed = ProxyFaultsSchema.safeParse({ faults: [rule] });
      return parsed.success ? 'accepted' : describeZodError(parsed.error);
    };
    expect(bad({ kind: 'explode' })).toMatch(/faults\.0\.kind/);
    expect(bad({ kind: 'drop', nth: [1], probability: 0.5 })).toMatch(/nth or by probability/);
    expect(bad({ kind: 'drop', nth: [0] })).toMatch(/faults\.0\.nth\.0/);
    expect(bad({ kind: 'disconnect', code: 1000 })).toMatch(/faults\.0\.code/);
    expect(bad({ kind: 'delay' })).toMatch(/delayMs/);
    expect(bad({ kind: 'drop', every: 2 })).toMatch(/every/);
  });

  it('patterns: * is any run, everything else literal', () => {
    expect(patternRegExp('private-ai.*').test('private-ai.r1')).toBe(true);
    expect(patternRegExp('private-ai.*').test('private-aiXr1')).toBe(false);
    expect(patternRegExp('App\\Events\\*').test('App\\Events\\TokenStreamed')).toBe(true);
    expect(patternRegExp('a(b)').test('a(b)')).toBe(true);
  });
});
