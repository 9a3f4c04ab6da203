import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parseNdjsonJournal, type CapturedBatch, type Journal, type JournalRecord } from '../../../shared/journal';
import { fixtureBatches, journalFixture, runStoreChecks } from '../../../test-support/journal-store-checks';
import { probeEvent } from '../../../test-support/durability-probe';
import { HostJournal, type HostJournalOptions } from './host-journal';
import { JournalWriter } from './journal-writer';
import { settle, VirtualClock } from '../../../test-support/virtual-clock';

const fixture = journalFixture(5000);
const directories: string[] = [];

function journalPath(): string {
  const directory = mkdtempSync(join(tmpdir(), 'echoscope-host-journal-'));
  directories.push(directory);
  return join(directory, 'journal.ndjson');
}

afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

/** Small window and segments, so queries cross from the file into Dexie. */
function open(file: string, options: Partial<HostJournalOptions> = {}): Promise<HostJournal> {
  return HostJournal.open({ file, windowBytes: 150_000, segmentBytes: 64_000, onWarning: () => undefined, ...options });
}

async function fill(journal: HostJournal, records: readonly JournalRecord[]): Promise<void> {
  for (const batch of fixtureBatches(records)) await journal.append(batch);
}

describe('HostJournal (fake-indexeddb window + NDJSON file)', () => {
  it('passes the shared checks while most history lives only in the file', async () => {
    const journal = await open(journalPath());
    await fill(journal, fixture);
    expect((await runStoreChecks(journal, fixture)).filter((result) => !result.ok)).toEqual([]);
    await journal.close();
  });

  it('passes them with everything in the window too', async () => {
    const journal = await open(journalPath(), { windowBytes: 64 << 20 });
    await fill(journal, fixture);
    expect((await runStoreChecks(journal, fixture)).filter((result) => !result.ok)).toEqual([]);
    await journal.close();
  });

  it('writes NDJSON v1 and re-loads everything on restart', async () => {
    const file = journalPath();
    const first = await open(file);
    await fill(first, fixture.slice(0, 3000));
    await first.close();
    const parsed = parseNdjsonJournal(readFileSync(file, 'utf8'));
    expect(parsed.summary).toMatchObject({ header: { format: 'echoscope-journal', version: 1 }, records: 3000, issueCount: 0, tornLastLine: false });

    const second = await open(file);
    expect(second.load).toMatchObject({ records: 3000, issueCount: 0, tornLastLine: false });
    await fill(second, fixture.slice(3000));
    await second.close();
    const third = await open(file);
    expect((await runStoreChecks(third, fixture)).filter((result) => !result.ok)).toEqual([]);
    await third.close();
  });

  it('detects a torn last line, warns, skips it and cuts the file so appends stay valid', async () => {
    const file = journalPath();
    const first = await open(file);
    await fill(first, fixture.slice(0, 1000));
    await first.close();
    appendFileSync(file, '{"type":"frame","at":17322624');
    const warnings: string[] = [];
    const second = await open(file, { onWarning: (message) => warnings.push(message) });
    expect(second.load).toMatchObject({ records: 1000, tornLastLine: true, truncatedBytes: 29 });
    expect(warnings.join('\n')).toMatch(/torn last line/);
    await second.append(fixture.slice(1000, 1010));
    await second.close();
    const text = readFileSync(file, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(parseNdjsonJournal(text).summary).toMatchObject({ records: 1010, issueCount: 0 });
  });

  it('reports broken lines in the middle by number and keeps going', async () => {
    const file = journalPath();
    const first = await open(file);
    await first.append(fixture.slice(0, 10));
    await first.close();
    appendFileSync(file, 'garbage\n');
    const second = await open(file);
    await second.append(fixture.slice(10, 20));
    await second.close();
    const warnings: string[] = [];
    const third = await open(file, { onWarning: (message) => warnings.push(message) });
    expect(third.load.issues).toEqual([{ line: 12, message: expect.stringMatching(/not JSON/) as string }]);
    expect(warnings).toHaveLength(1);
    expect(await third.query()).toEqual(fixture.slice(0, 20));
    await third.close();
  });

  it('retention drops whole segments from the start, rewrites the file, and stays consistent after restart', async () => {
    const file = journalPath();
    const journal = await open(file);
    await fill(journal, fixture);
    const before = await journal.stats();
    const pruned = await journal.prune({ maxBytes: Math.floor(before.bytes / 2) }, before.newestAt!);
    expect(pruned.records).toBeGreaterThan(0);
    const after = await journal.stats();
    expect(after.bytes).toBeLessThanOrEqual(before.bytes / 2);
    const kept = fixture.slice(pruned.records);
    expect(await journal.query()).toEqual(kept);
    // An age limit that keeps everything left drops nothing.
    expect((await journal.prune({ maxAgeMs: 1e9 }, after.newestAt!)).records).toBe(0);
    await journal.append(fixture.slice(0, 5));
    await journal.close();
    const reopened = await open(file);
    expect(reopened.load.issueCount).toBe(0);
    expect(await reopened.query()).toEqual([...kept, ...fixture.slice(0, 5)]);
    const sessions = await reopened.sessions();
    expect(sessions.reduce((sum, session) => sum + session.records, 0)).toBeLessThanOrEqual(kept.length + 5);
    await reopened.close();
  });
});

describe('JournalWriter', () => {
  it('batches records and acknowledges each batch once it is durable', async () => {
    const journal = await open(journalPath());
    const writer = new JournalWriter(journal, { flushMs: 20, maxBatch: 100 });
    const acks: number[] = [];
    writer.onAck((ack) => acks.push(ack.count));
    for (const record of fixture.slice(0, 250)) writer.add(record);
    await writer.flush();
    expect(acks.reduce((sum, count) => sum + count, 0)).toBe(250);
    expect(acks.length).toBeLessThanOrEqual(4);
    expect(writer.acknowledged).toBe(250);
    expect(await journal.query()).toEqual(fixture.slice(0, 250));
    // A lone record goes out within flushMs, without a flush() call.
    const acked = new Promise<number>((resolve) => writer.onAck((ack) => resolve(ack.total)));
    writer.add(fixture[250]!);
    expect(await acked).toBe(251);
    await writer.close();
    await journal.close();
  });

  it('hands wire text only to a journal in another thread; one beside it gets the records', async () => {
    const record = fixture.find((r) => r.type === 'frame')!;
    const wire = '{"event":"not what the record says"}';
    const beside: JournalRecord[][] = [];
    const besideWriter = new JournalWriter({ append: async (records: readonly JournalRecord[]) => void beside.push([...records]) } as unknown as Journal);
    besideWriter.add(record, wire);
    await besideWriter.flush();
    expect(beside).toEqual([[record]]);

    const across: CapturedBatch[] = [];
    const acrossWriter = new JournalWriter({
      append: () => Promise.reject(new Error('records go as a captured batch')),
      appendCaptured: async (batch: CapturedBatch) => void across.push(batch),
    } as unknown as Journal);
    acrossWriter.add(fixture[0]!);
    acrossWriter.add(record, wire);
    await acrossWriter.flush();
    expect(across).toHaveLength(1);
    expect(across[0]!.items).toEqual([fixture[0], wire]);
    expect(across[0]!.ats[1]).toBe(record.at);
    expect(across[0]!.connections[across[0]!.connectionOf[1]!]).toBe(record.connection);
  });

  it('keeps two batches in flight, acknowledges them in order, and retries a failed one without losing a record', async () => {
    // A journal whose appends finish when the test says (the worker's disk, in slow motion).
    const calls: { batch: JournalRecord[]; done: boolean; finish(error?: Error): void }[] = [];
    const stored: JournalRecord[] = [];
    const slow = {
      append: (batch: JournalRecord[]) =>
        new Promise<void>((resolve, reject) =>
          calls.push({
            batch,
            done: false,
            finish(error) {
              this.done = true;
              if (error) return reject(error);
              stored.push(...batch);
              resolve();
            },
          }),
        ),
    } as unknown as Journal;
    const clock = new VirtualClock();
    const writer = new JournalWriter(slow, { flushMs: 5, maxBatch: 100, clock: clock.now, timers: clock });
    const acks: number[] = [];
    const errors: string[] = [];
    writer.onAck((ack) => acks.push(ack.count));
    writer.onError((error) => errors.push(error.message));
    for (const record of fixture.slice(0, 250)) writer.add(record);
    await clock.advanceAsync(5);
    // Two batches handed over before either finished; the third waits, past its flushMs.
    expect(calls.map((call) => call.batch.length)).toEqual([100, 100]);
    calls[1]!.finish();
    await settle();
    expect(acks).toEqual([]); // the second waits for the first
    calls[0]!.finish(new Error('disk full'));
    await settle();
    expect(errors).toEqual(['disk full']);
    expect(acks).toEqual([100]);
    // The failed batch goes again, first (after flushMs), alone; what came after it follows.
    expect(calls).toHaveLength(2);
    await clock.advanceAsync(5);
    expect(calls.map((call) => call.batch.length)).toEqual([100, 100, 100]);
    expect(calls[2]!.batch).toEqual(calls[0]!.batch);
    const flushed = writer.flush();
    for (let i = 0; i < 10 && writer.acknowledged < 250; i++) {
      for (const call of calls) if (!call.done) call.finish();
      await clock.advanceAsync(5);
    }
    await flushed;
    expect(writer.acknowledged).toBe(250);
    expect(stored).toHaveLength(250);
    expect(new Set(stored)).toEqual(new Set(fixture.slice(0, 250)));
  });
});

describe('JournalWriter timing', () => {
  it('hands a batch over as soon as a slot frees when its records have already waited flushMs', async () => {
    const clock = new VirtualClock();
    const calls: { batch: JournalRecord[]; finish(): void }[] = [];
    const slow = { append: (batch: JournalRecord[]) => new Promise<void>((resolve) => calls.push({ batch, finish: resolve })) } as unknown as Journal;
    const writer = new JournalWriter(slow, { flushMs: 20, maxInFlight: 1, clock: clock.now, timers: clock });
    writer.add(fixture[0]!);
    await clock.advanceAsync(20);
    expect(calls).toHaveLength(1);
    writer.add(fixture[1]!);
    // Its 20 ms pass while the only slot is taken.
    await clock.advanceAsync(25);
    expect(calls).toHaveLength(1);
    calls[0]!.finish();
    await settle(); // no time passes: handed over in the acknowledgement itself, not on a timer
    // Not another flushMs on top: it has waited long enough.
    expect(calls.map((call) => call.batch)).toEqual([[fixture[0]], [fixture[1]]]);
    // A record that has not waited flushMs yet still waits the rest of it.
    writer.add(fixture[2]!);
    await clock.advanceAsync(5);
    calls[1]!.finish();
    await clock.advanceAsync(14);
    expect(calls).toHaveLength(2);
    await clock.advanceAsync(1);
    expect(calls.map((call) => call.batch)).toEqual([[fixture[0]], [fixture[1]], [fixture[2]]]);
    calls[2]!.finish();
    await writer.flush();
    expect(writer.acknowledged).toBe(3);
  });
});

describe('kill -9 durability', () => {
  it('every acknowledged event survives SIGKILL mid-stream; a torn last line is detected and skipped', async () => {
    const file = journalPath();
    const probe = fileURLToPath(new URL('../../../test-support/durability-probe.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', probe, file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let acknowledged = 0;
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve, reject) => {
      child.once('exit', () => reject(new Error('the probe exited before it was killed')));
      createInterface({ input: child.stdout }).on('line', (line) => {
        const match = /^ack (\d+)$/.exec(line);
        if (match === null) return;
        acknowledged = Math.max(acknowledged, Number(match[1]));
        // Thousands acknowledged, the stream still running: kill it now.
        if (acknowledged >= 5000) {
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    expect(await exited).toBe('SIGKILL');

    // A kill between write() and the newline reaching the page cache is rare; make sure the torn case is exercised.
    const raw = readFileSync(file, 'utf8');
    const tornByKill = !raw.endsWith('\n');
    if (!tornByKill) appendFileSync(file, JSON.stringify(probeEvent(999_999)).slice(0, 40));

    const warnings: string[] = [];
    const journal = await HostJournal.open({ file, onWarning: (message) => warnings.push(message) });
    expect(journal.load.tornLastLine).toBe(true);
    expect(warnings.some((message) => /torn last line/.test(message))).toBe(true);
    expect(journal.load.issueCount).toBe(0);
    const count = await journal.count();
    expect(count).toBeGreaterThanOrEqual(acknowledged);
    // Every acknowledged event is there, in order, exactly as sent.
    const recovered = await journal.query({ limit: acknowledged });
    expect(recovered).toHaveLength(acknowledged);
    for (let i = 0; i < acknowledged; i++) {
      if (JSON.stringify(recovered[i]) !== JSON.stringify(probeEvent(i))) throw new Error(`event ${i} differs after recovery`);
    }
    // The file was cut to its last good line: appending continues a valid journal.
    await journal.append([probeEvent(count)]);
    await journal.close();
    const after = parseNdjsonJournal(readFileSync(file, 'utf8'));
    expect(after.summary).toMatchObject({ records: count + 1, issueCount: 0, tornLastLine: false });
  }, 60_000);
});
