import type { TimelinePoint } from './classify';

/** The correct text beside the naive one, cut into runs so duplicates and missing parts can be highlighted. */

export type SegmentKind = 'text' | 'duplicate' | 'missing' | 'late' | 'after_terminal';

export interface TextSegment {
  kind: SegmentKind;
  text: string;
  /** Sequence of the run's first chunk (for the tooltip), null for markers. */
  sequence: number | null;
}

/** Runs of chunks, joined once at the end (100k `+=` on a segment cost more than the whole classification). */
class SegmentRuns {
  private readonly runs: { kind: SegmentKind; parts: string[]; sequence: number | null }[] = [];

  push(kind: SegmentKind, text: string, sequence: number | null): void {
    const last = this.runs[this.runs.length - 1];
    if (last && last.kind === kind && kind !== 'missing') last.parts.push(text);
    else this.runs.push({ kind, parts: [text], sequence });
  }

  segments(): TextSegment[] {
    return this.runs.map((run) => ({ kind: run.kind, text: run.parts.join(''), sequence: run.sequence }));
  }
}

/** What a correct client shows: the first chunk of each sequence in sequence order, holes marked. */
export function correctTextSegments(points: readonly TimelinePoint[], gaps: readonly { from: number; to: number }[]): TextSegment[] {
  // Indexed by sequence: an array is several times faster than a Map for 100k dense sequences.
  const first: (TimelinePoint | undefined)[] = [];
  let max = 0;
  for (const point of points) {
    if (!point.firstSeen || point.sequence === null) continue;
    first[point.sequence] = point;
    if (point.sequence > max) max = point.sequence;
  }
  const gapAt = new Map<number, number>();
  for (const gap of gaps) gapAt.set(gap.from, gap.to);
  const out = new SegmentRuns();
  for (let sequence = 1; sequence <= max; sequence++) {
    const gapEnd = gapAt.get(sequence);
    if (gapEnd !== undefined) {
      const count = gapEnd - sequence + 1;
      out.push('missing', `⟨${count === 1 ? `#${sequence}` : `#${sequence}–${gapEnd}`} missing⟩`, sequence);
      sequence = gapEnd;
      continue;
    }
    const point = first[sequence];
    if (!point) continue;
    out.push(point.kind === 'out_of_order' ? 'late' : 'text', point.chunk ?? '', sequence);
  }
  return out.segments();
}

/** What a naive client shows: every chunk in arrival order, re-sent ones highlighted. */
export function naiveTextSegments(points: readonly TimelinePoint[]): TextSegment[] {
  const out = new SegmentRuns();
  for (const point of points) {
    if (!point.analyzed || point.chunk === null || point.kinds.includes('violation')) continue;
    const kind: SegmentKind = !point.firstSeen ? 'duplicate' : point.kinds.includes('after_terminal') ? 'after_terminal' : point.kind === 'out_of_order' ? 'late' : 'text';
    out.push(kind, point.chunk, point.sequence);
  }
  return out.segments();
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
