import { describe, expect, it, vi } from 'vitest';
import type { FrameRecord } from '../../../shared/journal';
import { PushBatcher } from './push-batcher';

const frame = (i: number): FrameRecord => ({ type: 'frame', at: i, connection: 'c', channel: 'ch', event: 'e', data: i });

describe('PushBatcher', () => {
  it('queues until ready, then sends one batch per interval however many records arrive', () => {
    vi.useFakeTimers();
    const sent: Array<[string, unknown]> = [];
    const batcher = new PushBatcher((push, payload) => sent.push([push, payload]), { intervalMs: 100 });
    for (let i = 0; i < 10_000; i += 1) batcher.addRecord(frame(i));
    expect(sent).toHaveLength(0);
    batcher.ready();
    expect(sent).toHaveLength(1);
    for (let i = 0; i < 10_000; i += 1) batcher.addRecord(frame(i));
    vi.advanceTimersByTime(100);
    expect(sent).toHaveLength(2);
    vi.advanceTimersByTime(1000);
    expect(sent).toHaveLength(2);
    batcher.close();
    vi.useRealTimers();
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
