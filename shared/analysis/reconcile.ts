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
}

export interface ReconcileMismatch {
  field: 'last_seq' | 'text' | 'progress';
  expected: unknown;
  received: unknown;
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
  if (expectedText !== null && expectedText !== received.text) {
    mismatches.push({ field: 'text', expected: excerpt(expectedText), received: excerpt(received.text), detail: describeTextDifference(expectedText, received.text) });
  } else if (expectedText === null && accumulated !== null && !received.text.startsWith(accumulated) && !accumulated.startsWith(received.text)) {
    mismatches.push({ field: 'text', expected: excerpt(accumulated), received: excerpt(received.text), detail: `the saved partial text and the received text diverge: ${describeTextDifference(accumulated, received.text)}` });
  }

  const progress = typeof record.progress === 'string' ? record.progress : null;
  if (progress !== null && progress in PROGRESS_TO_STATUS) {
    const expectedStatus = PROGRESS_TO_STATUS[progress] ?? null;
    if (expectedStatus !== null && received.status !== expectedStatus) {
      mismatches.push({
        field: 'progress',
        expected: progress,
        received: received.status,
        detail: received.terminal ? `the record says ${progress} but the client saw ${received.status}` : `the record says ${progress} but no terminal event reached the client (it shows ${received.status})`,
      });
    } else if (expectedStatus === null && received.terminal) {
      mismatches.push({ field: 'progress', expected: progress, received: received.status, detail: `the client saw ${received.status} but the record is still ${progress}` });
    }
  }
  return mismatches;
}

function excerpt(text: string): string {
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}

function describeTextDifference(expected: string, received: string): string {
  let i = 0;
  const n = Math.min(expected.length, received.length);
  while (i < n && expected.charCodeAt(i) === received.charCodeAt(i)) i += 1;
  return `the record has ${expected.length} characters, the client ${received.length}; they differ from character ${i}`;
}
