/**
 * What the analyzer made of each frame: the one fold every view projects (the timeline, its
 * markers, the text segments, the raw-frame table). `Analyzer.ingest` sets
 * `Analyzer.classification` for the frame it was given; the monitor keeps it per frame, so the
 * detail never decodes or judges a frame a second way.
 *
 * Packed in one integer: the flags below in the low bits, the attempt above them.
 */
export const FrameFlag = {
  /** The frame is an event (or a violating event) of a session; unset: ignored (protocol frames, other events). */
  Analyzed: 1,
  /** First time this observation saw the event's sequence (what a correct client keeps). */
  FirstSeen: 2,
  Duplicate: 4,
  /** A duplicate whose chunk differs from the first one seen. */
  Conflict: 8,
  /** The stream restarted here (a replay): the first frame of a new attempt. */
  Restart: 16,
  OutOfOrder: 32,
  AfterTerminal: 64,
  /** The payload breaks the contract (or is oversize). */
  Violation: 128,
  /** The event's state is terminal. */
  Terminal: 256,
} as const;

const ATTEMPT_SHIFT = 9;

/** A frame's classification as one number: flags + attempt. */
export function packClassification(flags: number, attempt: number): number {
  return flags | (attempt << ATTEMPT_SHIFT);
}

export function classificationFlags(packed: number): number {
  return packed & ((1 << ATTEMPT_SHIFT) - 1);
}

/** 1 for the first broadcast, 2 after the first restart, … (0 for a frame that was not analyzed). */
export function classificationAttempt(packed: number): number {
  return packed >>> ATTEMPT_SHIFT;
}
