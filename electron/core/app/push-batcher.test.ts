import { describe, expect, it } from 'vitest';
import type { FrameRecord } from '../../../shared/journal';
import { PushBatcher } from './push-batcher';
import { FrameTail } from './frame-tail';
import { TailTopic } from './topics/tail-topic';
import { VirtualClock } from '../../../test-support/virtual-clock';

const frame = (i: number): FrameRecord => ({ type: 'frame', at: i, connection: 'c', channel: 'ch', event: 'e', data: i });

/** A receiver subscribed to the record tail, and the topic the records are published on. */
function subscribedReceiver(maxRecords?: number, clock?: VirtualClock) {
  const sent: Array<[string, unknown]> = [];
  const batcher = new PushBatcher((push, payload) => sent.push([push, payload]), { intervalMs: 100, ...(clock ? { timers: clock } : {}) });
  const topic = new TailTopic(new FrameTail(), maxRecords);
  batcher.addSubscription('t', topic.open({ keep: 200 }).subscription);
  return { sent, batcher, topic };
}

describe('PushBatcher', () => {
  it('queues until ready, then sends one batch per interval however many records arrive', () => {
    const clock = new VirtualClock();
    const { sent, batcher, topic } = subscribedReceiver(undefined, clock);
    for (let i = 0; i < 10_000; i += 1) topic.publish(frame(i));
    expect(sent).toHaveLength(0);
    batcher.ready();
    expect(sent).toHaveLength(1);
    for (let i = 0; i < 10_000; i += 1) topic.publish(frame(i));
    clock.advance(99);
    expect(sent).toHaveLength(1);
    clock.advance(1);
    expect(sent).toHaveLength(2);
    clock.advance(1000);
    expect(sent).toHaveLength(2); // nothing new: nothing sent
    topic.publish(frame(0));
    clock.advance(100);
    expect(sent).toHaveLength(3);
    expect(sent.every(([push]) => push === 'subscriptions.deltas')).toBe(true);
    batcher.close();
    expect(clock.pending).toBe(0);
  });

  it('bounds a batch and counts what it dropped', () => {
    const { sent, batcher, topic } = subscribedReceiver(100);
    for (let i = 0; i < 1000; i += 1) topic.publish(frame(i));
    batcher.ready();
    const [[, payload]] = sent as [[string, { items: Array<{ id: string; delta: { items: FrameRecord[]; dropped: number } }> }]];
    const delta = payload.items[0]!.delta;
    expect(payload.items[0]!.id).toBe('t');
    expect(delta.items).toHaveLength(100);
    expect(delta.dropped).toBe(900);
    expect(delta.items[99]!.data).toBe(999);
    batcher.close();
  });

  it('sends nothing for a receiver without subscriptions, and closing one leaves its topic', () => {
    const clock = new VirtualClock();
    const { sent, batcher, topic } = subscribedReceiver(undefined, clock);
    batcher.ready();
    expect(topic.size).toBe(1);
    expect(batcher.removeSubscription('t')).toBe(true);
    expect(batcher.removeSubscription('t')).toBe(false);
    expect(topic.size).toBe(0);
    for (let i = 0; i < 100; i += 1) topic.publish(frame(i));
    clock.advance(1000);
    expect(sent).toHaveLength(0);
    batcher.addSubscription('u', topic.open({ keep: 1 }).subscription);
    batcher.close();
    expect([topic.size, batcher.subscriptionCount, batcher.closed]).toEqual([0, 0, true]);
  });
});
