import { createEventScratch } from '../../contract';
import { ANALYZED, eventAt, FIRST_SEEN, kindAt, type SessionTimeline } from './classify';

/** Reused for every chunk read (a 100k-event text is 100k decodes through the contract). */
const scratch = createEventScratch();

/** The correct text beside the naive one, cut into runs so duplicates and missing parts can be highlighted. */

export type SegmentKind = 'text' | 'duplicate' | 'missing' | 'late' | 'after_terminal';

export interface TextSegment {
  kind: SegmentKind;
  text: string;
  /** Sequence of the run's first chunk (for the tooltip), null for markers. */
  sequence: number | null;
}

/** A text as segments (its first `maxChars` characters when it was cut) and its full length. */
export interface SegmentedText {
  segments: TextSegment[];
  chars: number;
}

/**
 * Runs of chunks, joined once at the end (100k `+=` on a segment cost more than the whole
 * classification). Past `maxChars` only the length is counted: a page showing the first 20,000
 * characters of a 100k-token text does not pay for joining the rest.
 */
class SegmentRuns {
  private readonly runs: { kind: SegmentKind; parts: string[]; sequence: number | null }[] = [];
  private chars = 0;

  constructor(private readonly maxChars: number) {}

  push(kind: SegmentKind, text: string, sequence: number | null): void {
    const room = this.maxChars - this.chars;
    this.chars += text.length;
    if (room <= 0) return;
    const kept = text.length <= room ? text : text.slice(0, room);
    const last = this.runs[this.runs.length - 1];
    if (last && last.kind === kind && kind !== 'missing') last.parts.push(kept);
    else this.runs.push({ kind, parts: [kept], sequence });
  }

  /** Whether `maxChars` are in: the rest of the text would only be counted. */
  get full(): boolean {
    return this.chars >= this.maxChars;
  }

  /** The segments, and the text's full length (given when the caller stopped early and knows it). */
  text(chars = this.chars): SegmentedText {
    return { segments: this.runs.map((run) => ({ kind: run.kind, text: run.parts.join(''), sequence: run.sequence })), chars };
  }
}

/** The chunk of frame `index`, or null when its payload has none. */
function chunkAt(timeline: SessionTimeline, index: number): string | null {
  return eventAt(timeline, index, scratch).chunk;
}

/** Indices of the frames that first showed each sequence, in sequence order. */
function firstSightings(timeline: SessionTimeline): Int32Array {
  const { flags, sequence } = timeline;
  const picked = new Int32Array(flags.length);
  let count = 0;
  let max = 0;
  for (let i = 0; i < flags.length; i++) {
    const s = sequence[i] as number;
    if (((flags[i] as number) & FIRST_SEEN) === 0 || s === 0) continue;
    picked[count++] = i;
    if (s > max) max = s;
  }
  const found = picked.subarray(0, count);
  // Dense sequences (the normal case): placed by sequence in one pass. Sparse ones are sorted.
  if (max > 4 * count + 1024) return Int32Array.from(Array.from(found).sort((a, b) => (sequence[a] as number) - (sequence[b] as number)));
  const slots = new Int32Array(max + 1).fill(-1);
  for (let j = 0; j < count; j++) slots[sequence[found[j] as number] as number] = found[j] as number;
  let at = 0;
  for (let s = 0; s <= max; s++) if ((slots[s] as number) >= 0) picked[at++] = slots[s] as number;
  return picked.subarray(0, at);
}

const missingMarker = (gap: { from: number; to: number }) => `⟨${gap.to === gap.from ? `#${gap.from}` : `#${gap.from}–${gap.to}`} missing⟩`;

/**
 * What a correct client shows: the first chunk of each sequence in sequence order, holes marked.
 * Stops building at `maxChars` (the full length is known from classification).
 */
export function correctTextSegments(timeline: SessionTimeline, gaps: readonly { from: number; to: number }[], maxChars = Number.POSITIVE_INFINITY): SegmentedText {
  const sorted = [...gaps].sort((a, b) => a.from - b.from);
  const out = new SegmentRuns(maxChars);
  let nextGap = 0;
  for (const index of firstSightings(timeline)) {
    if (out.full) break;
    const sequence = timeline.sequence[index] as number;
    for (; nextGap < sorted.length && (sorted[nextGap] as { from: number }).from < sequence; nextGap++)
      out.push('missing', missingMarker(sorted[nextGap] as { from: number; to: number }), (sorted[nextGap] as { from: number }).from);
    out.push(kindAt(timeline, index) === 'out_of_order' ? 'late' : 'text', chunkAt(timeline, index) ?? '', sequence);
  }
  // Every gap lies below a received sequence: each one is in the full text.
  return out.text(timeline.chunkChars.correct + sorted.reduce((sum, gap) => sum + missingMarker(gap).length, 0));
}

/** What a naive client shows: every chunk in arrival order, re-sent ones highlighted. */
export function naiveTextSegments(timeline: SessionTimeline, maxChars = Number.POSITIVE_INFINITY): SegmentedText {
  const out = new SegmentRuns(maxChars);
  for (let i = 0; i < timeline.flags.length && !out.full; i++) {
    const flags = timeline.flags[i] as number;
    if ((flags & ANALYZED) === 0) continue;
    const chunk = chunkAt(timeline, i);
    const kind = kindAt(timeline, i);
    // A violation outranks every other kind: the drawn kind says whether there is one.
    if (chunk === null || kind === 'violation') continue;
    const kinds = timeline.kinds.get(i);
    const segment: SegmentKind = (flags & FIRST_SEEN) === 0 ? 'duplicate' : kinds?.includes('after_terminal') ? 'after_terminal' : kind === 'out_of_order' ? 'late' : 'text';
    const sequence = timeline.sequence[i] as number;
    out.push(segment, chunk, sequence === 0 ? null : sequence);
  }
  return out.text(timeline.chunkChars.naive);
}
