/**
 * The headless host's journal thread (its engine thread: the journal and live analysis), supervised: killed mid-run (terminated from outside, as a
 * crash looks to the supervisor), it is started again; the App service tells every window
 * (`journal.health` pushes, `journal.stats`); every record added meanwhile is in the journal
 * exactly once and in order. Real runtime, real worker thread, real segment files.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JournalHealth } from '../../../shared/api';
import { parseNdjsonJournal, type JournalRecord } from '../../../shared/journal';
import { startRuntime } from '../runtime';

function frame(i: number): JournalRecord {
  return {
    type: 'frame',
    at: 1_700_000_000_000 + i,
    connection: 'c1',
    channel: `private-ai.r${i % 5}`,
    event: 'chunk.delivered',
    data: { session_id: `r${i % 5}`, chunk: `t${i}`, sequence: Math.floor(i / 5) + 1, state: 'generating', termination_code: null },
  };
}

async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the journal thread, supervised', () => {
  it('killed mid-run, it is started again, the windows are told, and no record is lost or written twice', async () => {
    const directory = join(mkdtempSync(join(tmpdir(), 'echoscope-supervised-')), 'journal');
    const warnings: string[] = [];
    const runtime = await startRuntime({ transport: 'browser', version: 'test', demo: false, journal: { directory }, onWarning: (message) => warnings.push(message) });
    const health: JournalHealth[] = [];
    const target = runtime.service.addPushTarget((push, payload) => {
      if (push === 'journal.health') health.push(payload as JournalHealth);
    });
    target.ready();
    const journal = runtime.journal!;
    const records = Array.from({ length: 6000 }, (_, i) => frame(i));
    try {
      for (const record of records.slice(0, 2000)) journal.append(record);
      await journal.writer.flush();
      // Batches in flight when the thread dies: added, handed over, not yet acknowledged.
      for (const record of records.slice(2000, 4000)) journal.append(record);
      await runtime.journalWorker!.crash();
      for (const record of records.slice(4000)) journal.append(record);
      await until(() => health.some((h) => h.state === 'restarting'), 'the windows to hear the journal is restarting');
      await until(() => health.some((h) => h.state === 'ok' && h.restarts === 1), 'the journal thread to be back');
      await journal.writer.flush();
      const stats = await runtime.service.invoke('journal.stats', {});
      expect(stats.ok && stats.value.health).toEqual({ state: 'ok', restarts: 1, message: null });
      expect(stats.ok && stats.value.records).toBe(records.length);
    } finally {
      await runtime.close();
    }
    expect(health.find((h) => h.state === 'restarting')?.message).toMatch(/engine thread ended/);
    expect(warnings.some((message) => /engine thread ended .*starting it again/.test(message))).toBe(true);
    const onDisk = readdirSync(directory)
      .filter((name) => /^\d{8}\.ndjson$/.test(name))
      .sort()
      .flatMap((name) => parseNdjsonJournal(readFileSync(join(directory, name), 'utf8')).records);
    expect(onDisk).toEqual(records);
  }, 60_000);
});
