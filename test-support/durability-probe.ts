/**
 * Test support for the kill -9 durability test (host-journal.test.ts), run as a child:
 *
 *   node --import tsx test-support/durability-probe.ts DIRECTORY [EVENTS]
 *
 * Streams EVENTS token frames (default 1,000,000: it is meant to be killed mid-stream) through
 * a JournalWriter into a HostJournal on DIRECTORY (small segments, so kills land around
 * roll-overs too) and prints `ack <total>` after each acknowledged batch, `total` counting the
 * events the journal held before. stdout to a pipe is synchronous on Linux, so a printed ack
 * happened after its fsync. Event i is the frame with `sequence` i + 1 of session `p{i % 7}`:
 * the ground truth is the count.
 */
import type { JournalRecord } from '../shared/journal/index';
import { HostJournal } from '../electron/core/journal/host-journal';
import { JournalWriter } from '../electron/core/journal/journal-writer';

export function probeEvent(i: number): JournalRecord {
  const session = `p${i % 7}`;
  return {
    type: 'frame',
    at: 1_732_262_400_000 + i * 0.5,
    connection: 'probe',
    channel: `private-ai.${session}`,
    event: 'chunk.delivered',
    data: { session_id: session, chunk: `token ${i} `.repeat(4), sequence: i + 1, state: 'generating', termination_code: null },
  };
}

async function main(): Promise<void> {
  const [directory, events = '1000000'] = process.argv.slice(2);
  if (directory === undefined) throw new Error('usage: durability-probe.ts DIRECTORY [EVENTS]');
  const journal = await HostJournal.open({ directory, segmentBytes: 400_000, chunkBytes: 64_000, onWarning: (message) => process.stderr.write(`${message}\n`) });
  const start = await journal.count();
  const writer = new JournalWriter(journal, { flushMs: 10, maxBatch: 500 });
  writer.onAck((ack) => process.stdout.write(`ack ${start + ack.total}\n`));
  const total = Number(events);
  for (let i = 0; i < total; i++) {
    writer.add(probeEvent(start + i));
    // About 100 events a millisecond, so batches stay small and a kill lands among many of them.
    if (i % 100 === 99) await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await writer.close();
  await journal.close();
  process.stdout.write('done\n');
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
