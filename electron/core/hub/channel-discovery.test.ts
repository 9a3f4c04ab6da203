import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../test-support/virtual-clock';
import { ChannelDiscovery, type ChannelOccupancy, type ChannelSource } from './channel-discovery';

/** A server whose channel list the test sets; `infos` counts per-channel questions. */
function server() {
  const listed = new Map<string, ChannelOccupancy>();
  const infos: string[] = [];
  const source: ChannelSource = {
    list: async () => new Map(listed),
    info: async (channel) => (infos.push(channel), { subscriptionCount: listed.get(channel)?.subscriptionCount ?? 0 }),
  };
  return { listed, infos, source };
}

function discovery(source: ChannelSource, options: { leave?: boolean; graceMs?: number } = {}) {
  const timers = new VirtualClock();
  const subscribed = new Set<string>();
  const events: string[] = [];
  // A poll interval the test never reaches: it polls by hand.
  const d = new ChannelDiscovery(
    source,
    { prefix: 'private-ai.', intervalMs: 3_600_000, ...options },
    {
      added: (c) => events.push(`+${c}`),
      removed: (c, reason) => (subscribed.delete(c), events.push(`-${c} (${reason})`)),
      subscribed: () => subscribed,
      changed: () => undefined,
    },
    () => 0,
    timers,
  );
  return { d, timers, subscribed, events };
}

describe('ChannelDiscovery leaves what it no longer needs', () => {
  it("leaves an ended session's channel after the grace period; every event on it postpones that", async () => {
    const s = server();
    s.listed.set('private-ai.a', { subscriptionCount: 2 });
    const { d, timers, subscribed, events } = discovery(s.source, { graceMs: 1000 });
    await d.poll();
    subscribed.add('private-ai.a');
    d.sessionEnded('private-ai.a');
    timers.advance(999);
    d.activity('private-ai.a'); // an after-terminal event, a retry
    timers.advance(999);
    expect(events).toEqual(['+private-ai.a']);
    timers.advance(1);
    expect(events).toEqual(['+private-ai.a', '-private-ai.a (session ended)']);
    // Still listed (the frontend stays): not taken again; once it is gone and back, it is a new channel to follow.
    await d.poll();
    expect(events).toHaveLength(2);
    expect(d.current()).toMatchObject({ channels: 0, released: 1 });
    s.listed.delete('private-ai.a');
    await d.poll();
    s.listed.set('private-ai.a', { subscriptionCount: 1 });
    await d.poll();
    expect(events.at(-1)).toBe('+private-ai.a');
  });

  it('leaves a channel nobody else is on only when its own subscription was counted, on two polls in a row', async () => {
    const s = server();
    s.listed.set('private-ai.b', { subscriptionCount: 1 }); // the frontend alone, before EchoScope joined
    const { d, subscribed, events } = discovery(s.source);
    await d.poll();
    await d.poll(); // EchoScope's subscription is not confirmed yet: the 1 is the frontend
    expect(events).toEqual(['+private-ai.b']);
    subscribed.add('private-ai.b');
    s.listed.set('private-ai.b', { subscriptionCount: 2 });
    await d.poll();
    s.listed.set('private-ai.b', { subscriptionCount: 1 }); // the frontend left
    await d.poll();
    expect(events).toEqual(['+private-ai.b']);
    await d.poll();
    expect(events).toEqual(['+private-ai.b', '-private-ai.b (vacated by everyone else)']);
  });

  it("asks for one channel's count when the list does not carry it (Pusher Channels), only for its confirmed channels", async () => {
    const s = server();
    s.listed.set('private-ai.c', {});
    s.listed.set('private-ai.d', {});
    const { d, subscribed } = discovery(s.source);
    await d.poll();
    subscribed.add('private-ai.c');
    await d.poll();
    expect(s.infos).toEqual(['private-ai.c']);
  });

  it('with leave off, stays on ended and lonely channels', async () => {
    const s = server();
    s.listed.set('private-ai.e', { subscriptionCount: 1 });
    const { d, timers, subscribed, events } = discovery(s.source, { leave: false, graceMs: 10 });
    await d.poll();
    subscribed.add('private-ai.e');
    d.sessionEnded('private-ai.e');
    timers.advance(100);
    await d.poll();
    await d.poll();
    expect(events).toEqual(['+private-ai.e']);
  });
});
