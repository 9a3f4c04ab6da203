/**
 * Reconciliation (pure): compares what a client received for a session with the app's stored
 * generation record (`last_seq`, `final_text`/`accumulated_text`, `progress`). The Node side
 * fetches the record; this decides what disagrees and says how, in words.
 */

export interface ReceivedSession {
  status: string;
  maxSequence: number;
  /** The correct client's text (first chunk of each unique sequence, in order). */
  text: string;
  terminal: boolean;
  /**
   * The sequence the client's coverage begins at when it joined late (its text is the stream's
   * tail from there); absent or 1 when it saw the stream from its start.
   */
  joinedAt?: number;
}

export interface ReconcileMismatch {
  field: 'last_seq' | 'text' | 'progress';
  expected: unknown;
  received: unknown;
  /** For `text`: the index of the first character where the texts differ. */
  at?: number;
  detail: string;
}

/** Record progress words → the session status a client should have seen (both the contract's and the job's vocabularies). */
const PROGRESS_TO_STATUS: Record<string, string | null> = {
  completed: 'completed',
  finished: 'completed',
  truncated: 'truncated',
  errored: 'errored',
  failed: 'errored',
  abandoned: 'abandoned',
  cancelled: 'abandoned',
  // Open or dead without a terminal event: the client must not have seen a terminal either.
  queued: null,
  active: null,
  generating: null,
  orphaned: null,
};

export function compareWithRecord(received: ReceivedSession, record: Record<string, unknown>): ReconcileMismatch[] {
  const mismatches: ReconcileMismatch[] = [];

  const lastSeq = record.last_seq;
  if (typeof lastSeq === 'number') {
    // The terminal event takes the next number after the last token: a record counting only tokens is one behind.
    const acceptable = received.terminal ? [received.maxSequence, received.maxSequence - 1] : [received.maxSequence];
    const open = !received.terminal;
    // While a job still runs, the record is checkpointed (every ~40 tokens) and may lag behind what was broadcast.
    const lagging = open && lastSeq < received.maxSequence;
    if (!acceptable.includes(lastSeq) && !lagging) {
      mismatches.push({
        field: 'last_seq',
        expected: lastSeq,
        received: received.maxSequence,
        detail:
          lastSeq > received.maxSequence
            ? `the record saved sequence ${lastSeq} but the client received up to ${received.maxSequence}: ${lastSeq - received.maxSequence} event(s) never arrived`
            : `the client received up to sequence ${received.maxSequence} but the record saved only ${lastSeq}`,
      });
    }
  }

  const finalText = typeof record.final_text === 'string' ? record.final_text : null;
  const accumulated = typeof record.accumulated_text === 'string' ? record.accumulated_text : null;
  const expectedText = finalText ?? (received.terminal ? accumulated : null);
  const late = received.joinedAt !== undefined && received.joinedAt > 1;
  if (late) {
    // A late joiner's text is the tail of the record's: it must end it, and nothing says where it begins.
    if (expectedText !== null && !expectedText.endsWith(received.text)) mismatches.push(tailMismatch(expectedText, received.text, received.joinedAt!));
  } else if (expectedText !== null && expectedText !== received.text) {
    mismatches.push(textMismatch(expectedText, received.text, ''));
  } else if (expectedText === null && accumulated !== null && !received.text.startsWith(accumulated) && !accumulated.startsWith(received.text)) {
    mismatches.push(textMismatch(accumulated, received.text, 'the saved partial text and the received text diverge: '));
  }

  const progress = typeof record.progress === 'string' ? record.progress : null;
  if (progress !== null && progress in PROGRESS_TO_STATUS) {
    const expectedStatus = PROGRESS_TO_STATUS[progress] ?? null;
    if (expectedStatus !== null && received.status !== expectedStatus) {
      mismatches.push({
        field: 'progress',
        expected: progress,
        received: received.status,
        detail: received.terminal
          ? `the record says ${progress} but the client saw ${received.status}`
          : `the record says ${progress} but no terminal event reached the client (it shows ${received.status})`,
      });
    } else if (expectedStatus === null && received.terminal) {
      const detail =
        progress === 'orphaned'
          ? `the record says orphaned (the job died, or its failed() hook gave up on it) but the client saw it end ${received.status}`
          : `the client saw ${received.status} but the record is still ${progress}`;
      mismatches.push({ field: 'progress', expected: progress, received: received.status, detail });
    }
  }
  return mismatches;
}

/** Characters shown before and after the first differing character. */
const BEFORE = 20;
const AFTER = 40;

/** Index of the first character where two texts differ (the shorter one's length when one extends the other). */
export function firstDifference(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i += 1;
  return i;
}

/** A short excerpt of `text` around character `at`, with `…` where it was cut. */
export function excerptAround(text: string, at: number): string {
  const from = Math.max(0, at - BEFORE);
  const to = Math.min(text.length, at + AFTER);
  return `${from > 0 ? '…' : ''}${text.slice(from, to)}${to < text.length ? '…' : ''}`;
}

/**
 * A text mismatch shows both texts where they first differ, not the same leading excerpt on both
 * sides: `expected`/`received` are excerpts around that character, `at` is its index.
 */
function textMismatch(expected: string, received: string, lead: string): ReconcileMismatch {
  const at = firstDifference(expected, received);
  const where =
    at === received.length
      ? `the client's text stops at character ${at} where the record goes on with ${JSON.stringify(expected.slice(at, at + AFTER))}`
      : at === expected.length
        ? `the record's text stops at character ${at} where the client's goes on with ${JSON.stringify(received.slice(at, at + AFTER))}`
        : `they first differ at character ${at}: the record has ${JSON.stringify(excerptAround(expected, at))}, the client ${JSON.stringify(excerptAround(received, at))}`;
  return {
    field: 'text',
    expected: excerptAround(expected, at),
    received: excerptAround(received, at),
    at,
    detail: `${lead}the record has ${expected.length} characters, the client ${received.length}; ${where}`,
  };
}

/**
 * A late joiner's text that is not the end of the record's: compared with the record's last
 * characters of the same length, `at` counts from where that tail begins in the record.
 */
function tailMismatch(expected: string, received: string, joinedAt: number): ReconcileMismatch {
  const from = Math.max(0, expected.length - received.length);
  const tail = expected.slice(from);
  const mismatch = textMismatch(tail, received, '');
  const at = from + (mismatch.at ?? 0);
  return {
    ...mismatch,
    at,
    detail: `the client joined late (at sequence ${joinedAt}), so its ${received.length} characters should be the end of the record's ${expected.length}; they are not: ${
      received.length > expected.length
        ? 'the client received more text than the record has'
        : `compared from the record's character ${from}, they first differ at character ${at}: the record has ${JSON.stringify(excerptAround(expected, at))}, the client ${JSON.stringify(excerptAround(received, at - from))}`
    }`,
  };
}

/**
 * What made a comparison run: the first terminal, a later terminal or after-terminal activity,
 * the settle window, a session gone silent (orphaned: no terminal ever came), a reconnect, a
 * user, the end of a watch.
 */
export const RECONCILE_TRIGGERS = ['terminal', 'activity', 'settled', 'silent', 'reconnect', 'manual', 'end'] as const;
export type ReconcileTrigger = (typeof RECONCILE_TRIGGERS)[number];

/** One comparison with the record, as kept in the history. */
export interface ReconcileCheck {
  checkedAt: number;
  trigger?: ReconcileTrigger;
  ok: boolean;
  error?: string;
  /** Which version of the record was compared: a hash of its fields. */
  recordVersion?: string;
  /** The record's own `last_save_at`, when it has one. */
  savedAt?: unknown;
  mismatches: Array<Omit<ReconcileMismatch, 'field'> & { field: string }>;
}

/** A mismatch an earlier check found that a later one no longer finds. */
export interface ResolvedMismatch {
  field: string;
  detail: string;
  firstSeenAt: number;
  resolvedAt: number;
  /** The record version whose comparison no longer showed it. */
  recordVersion?: string;
}

/** The state of a session's reconciliation: its latest check, every check kept, and what was resolved. */
export interface FollowedRecord extends ReconcileCheck {
  history?: ReconcileCheck[];
  resolved?: ResolvedMismatch[];
}

/** Checks kept per session (the first, then the latest). */
export const RECONCILE_HISTORY_LIMIT = 20;

/** A short, stable version of a record: FNV-1a over its JSON with sorted keys. */
export function recordVersion(record: Record<string, unknown>): string {
  const text = stableJson(record);
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${stableJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Folds a new check into what was known (pure). The history keeps every check (bounded); a
 * mismatch found before and not found by a check that did read the record is *resolved*, kept
 * with when it was first seen and when it went away. A check that could not read the record
 * resolves nothing: the last known mismatches stand, with its error.
 */
export function followRecord<R extends FollowedRecord>(previous: FollowedRecord | null | undefined, next: R): R {
  const { history: _h, resolved: _r, ...check } = next;
  const history = [...(previous?.history ?? (previous ? [stripFollow(previous)] : [])), check as ReconcileCheck];
  if (history.length > RECONCILE_HISTORY_LIMIT) history.splice(1, history.length - RECONCILE_HISTORY_LIMIT);
  const resolved = [...(previous?.resolved ?? [])];
  const lastRead = [...history.slice(0, -1)].reverse().find((entry) => entry.error === undefined);
  let mismatches = next.mismatches;
  if (next.error === undefined) {
    if (lastRead) {
      for (const before of lastRead.mismatches) {
        if (next.mismatches.some((m) => m.field === before.field)) continue;
        resolved.push({
          field: before.field,
          detail: before.detail,
          firstSeenAt: firstSeen(history, before.field, lastRead.checkedAt),
          resolvedAt: next.checkedAt,
          ...(next.recordVersion === undefined ? {} : { recordVersion: next.recordVersion }),
        });
      }
    }
  } else if (lastRead) {
    mismatches = lastRead.mismatches;
  }
  return { ...next, mismatches, ok: next.error === undefined && mismatches.length === 0, history, resolved };
}

function stripFollow(result: FollowedRecord): ReconcileCheck {
  const { history: _h, resolved: _r, ...check } = result;
  return check;
}

/** When a field's current run of mismatches began (the earliest consecutive read check that had it). */
function firstSeen(history: ReconcileCheck[], field: string, fallback: number): number {
  let at = fallback;
  for (let i = history.length - 2; i >= 0; i -= 1) {
    const entry = history[i]!;
    if (entry.error !== undefined) continue;
    if (!entry.mismatches.some((m) => m.field === field)) break;
    at = entry.checkedAt;
  }
  return at;
}
