import type { TimelinePoint } from './timeline-data';

/** The correct text beside the naive one, cut into runs so duplicates and missing parts can be highlighted. */

export type SegmentKind = 'text' | 'duplicate' | 'missing' | 'late' | 'after_terminal';

export interface TextSegment {
  kind: SegmentKind;
  text: string;
  /** Sequence of the run's first chunk (for the tooltip), null for markers. */
  sequence: number | null;
}

function push(out: TextSegment[], kind: SegmentKind, text: string, sequence: number | null): void {
  const last = out[out.length - 1];
  if (last && last.kind === kind && kind !== 'missing') last.text += text;
  else out.push({ kind, text, sequence });
}

/** What a correct client shows: the first chunk of each sequence in sequence order, holes marked. */
export function correctTextSegments(points: readonly TimelinePoint[], gaps: readonly { from: number; to: number }[]): TextSegment[] {
  const first = new Map<number, TimelinePoint>();
  let max = 0;
  for (const point of points) {
    if (!point.firstSeen || point.sequence === null) continue;
    first.set(point.sequence, point);
    if (point.sequence > max) max = point.sequence;
  }
  const gapAt = new Map<number, number>();
  for (const gap of gaps) gapAt.set(gap.from, gap.to);
  const out: TextSegment[] = [];
  for (let sequence = 1; sequence <= max; sequence++) {
    const gapEnd = gapAt.get(sequence);
    if (gapEnd !== undefined) {
      const count = gapEnd - sequence + 1;
      out.push({ kind: 'missing', text: `⟨${count === 1 ? `#${sequence}` : `#${sequence}–${gapEnd}`} missing⟩`, sequence });
      sequence = gapEnd;
      continue;
    }
    const point = first.get(sequence);
    if (!point) continue;
    push(out, point.kind === 'out_of_order' ? 'late' : 'text', point.chunk ?? '', sequence);
  }
  return out;
}

/** What a naive client shows: every chunk in arrival order, re-sent ones highlighted. */
export function naiveTextSegments(points: readonly TimelinePoint[]): TextSegment[] {
  const out: TextSegment[] = [];
  for (const point of points) {
    if (!point.analyzed || point.chunk === null || point.kinds.includes('violation')) continue;
    const kind: SegmentKind = !point.firstSeen ? 'duplicate' : point.kinds.includes('after_terminal') ? 'after_terminal' : point.kind === 'out_of_order' ? 'late' : 'text';
    push(out, kind, point.chunk, point.sequence);
  }
  return out;
}

/** The first `maxChars` characters of a text as segments (a 100k-token text would cost seconds of layout). */
export function limitSegments(segments: readonly TextSegment[], maxChars: number): { segments: TextSegment[]; total: number; cut: boolean } {
  let total = 0;
  for (const segment of segments) total += segment.text.length;
  if (total <= maxChars) return { segments: segments.slice(), total, cut: false };
  const out: TextSegment[] = [];
  let room = maxChars;
  for (const segment of segments) {
    if (room <= 0) break;
    out.push(segment.text.length <= room ? segment : { ...segment, text: segment.text.slice(0, room) });
    room -= segment.text.length;
  }
  return { segments: out, total, cut: true };
}
