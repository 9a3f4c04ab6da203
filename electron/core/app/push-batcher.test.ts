import { describe, expect, it } from 'vitest';
import type { FrameRecord } from '../../../shared/journal';
import { PushBatcher } from './push-batcher';
import { VirtualClock } from '../../../test-support/virtual-clock';

const frame = (i: number): FrameRecord => ({ type: 'frame', at: i, connection: 'c', channel: 'ch', event: 'e', data: i });

describe('PushBatcher', () => {
  it('queues until ready, then sends one batch per interval however many records arrive', () => {
    const clock = new VirtualClock();
    const sent: Array<[string, unknown]> = [];
    const batcher = new PushBatcher((push, payload) => sent.push([push, payload]), { intervalMs: 100, timers: clock });
    for (let i = 0; i < 10_000; i += 1) batcher.addRecord(frame(i));
    expect(sent).toHaveLength(0);
    batcher.ready();
    expect(sent).toHaveLength(1);
    for (let i = 0; i < 10_000; i += 1) batcher.addRecord(frame(i));
    clock.advance(99);
    expect(sent).toHaveLength(1);
    clock.advance(1);
    expect(sent).toHaveLength(2);
    clock.advance(1000);
    expect(sent).toHaveLength(2); // nothing new: nothing sent
    batcher.addRecord(frame(0));
    clock.advance(100);
    expect(sent).toHaveLength(3);
    batcher.close();
    expect(clock.pending).toBe(0);
  });

  it('bounds a batch and counts what it dropped', () => {
    const sent: Array<{ items: unknown[]; dropped: number }> = [];
    const batcher = new PushBatcher((_push, payload) => sent.push(payload as { items: unknown[]; dropped: number }), { maxRecords: 100 });
    for (let i = 0; i < 1000; i += 1) batcher.addRecord(frame(i));
    batcher.ready();
    expect(sent[0]?.items).toHaveLength(100);
    expect(sent[0]?.dropped).toBe(900);
    expect((sent[0]?.items[99] as FrameRecord).data).toBe(999);
    batcher.close();
  });
});
