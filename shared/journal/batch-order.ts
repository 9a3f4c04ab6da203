/**
 * Batch ids (docs/journal.md, "Failure order"): a writer numbers its batches 1, 2, 3, … and
 * the journal's thread takes them in that order only. A batch handed over while the one before
 * it failed is refused (it goes again after that one), so a failure can never let a later
 * batch into the journal first; a batch already written (its acknowledgement lost, then sent
 * again) is acknowledged without being written twice.
 */
export interface BatchTag {
  /** The writer's name, unique per writer instance. */
  writer: string;
  /** 1 for its first batch, then one more for each. */
  id: number;
}

/** The error a journal refuses an out-of-order batch with; its code crosses the port as `conflict`. */
export class BatchOrderError extends Error {
  readonly code = 'conflict';
  constructor(message: string) {
    super(message);
    this.name = 'BatchOrderError';
  }
}

/**
 * What the journal's thread knows of each writer's batches: the id it takes next. A writer first
 * seen with id N is expected to go on from N (a journal thread started afresh joins a writer
 * mid-run); from then on only the next id is written.
 */
export class BatchOrder {
  private readonly next = new Map<string, number>();

  /** `write` for the batch that comes next, `written` for one already in the journal; throws {@link BatchOrderError} for one that comes too early. */
  admit(tag: BatchTag): 'write' | 'written' {
    let expected = this.next.get(tag.writer);
    if (expected === undefined) this.next.set(tag.writer, (expected = tag.id));
    if (tag.id < expected) return 'written';
    if (tag.id > expected) throw new BatchOrderError(`batch ${tag.id} of writer ${tag.writer} came before batch ${expected}: refused, to keep the journal in arrival order`);
    return 'write';
  }

  /** Records that `tag`'s batch is in the journal. */
  wrote(tag: BatchTag): void {
    this.next.set(tag.writer, tag.id + 1);
  }
}

/**
 * The line a journal that keeps its batch ids writes after a tagged batch, in the same write:
 * `{"type":"batch","writer":…,"id":…}`. Readers skip it (an unknown record type), exports leave
 * it out; a journal thread started again reads the last one and knows what was written.
 */
export function batchMarkerLine(tag: BatchTag): string {
  return `${JSON.stringify({ type: 'batch', writer: tag.writer, id: tag.id })}\n`;
}

/** The tag of a marker line (without its `\n`), or `undefined` when the line is not one. */
export function parseBatchMarker(line: string): BatchTag | undefined {
  if (!line.startsWith('{"type":"batch"')) return undefined;
  try {
    const value = JSON.parse(line) as { writer?: unknown; id?: unknown };
    return typeof value.writer === 'string' && typeof value.id === 'number' && Number.isSafeInteger(value.id) && value.id > 0 ? { writer: value.writer, id: value.id } : undefined;
  } catch {
    return undefined;
  }
}
