import type { FrameRecord } from '../../../shared/journal';

/** The last N frames, for a renderer that opens mid-stream. A ring: O(1) per frame, bounded memory. */
export class FrameTail {
  private readonly ring: Array<FrameRecord | undefined>;
  private next = 0;
  private size = 0;

  constructor(private readonly capacity = 5000) {
    this.ring = new Array<FrameRecord | undefined>(capacity);
  }

  push(frame: FrameRecord): void {
    this.ring[this.next] = frame;
    this.next = (this.next + 1) % this.capacity;
    if (this.size < this.capacity) this.size += 1;
  }

  /** The most recent `limit` frames (that `matches`, when given), oldest first. */
  recent(limit: number, matches: (frame: FrameRecord) => boolean = () => true): FrameRecord[] {
    const newestFirst: FrameRecord[] = [];
    for (let i = 1; i <= this.size && newestFirst.length < limit; i += 1) {
      const frame = this.ring[(this.next - i + this.capacity) % this.capacity];
      if (frame && matches(frame)) newestFirst.push(frame);
    }
    return newestFirst.reverse();
  }
}
