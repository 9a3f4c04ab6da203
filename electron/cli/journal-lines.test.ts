/**
 * Journal files from the Node writers, read line by line: `watch --journal` (the real binary)
 * and `serve`'s journal file (the runtime `serve` starts, its worker thread writing the file).
 * The server sends frames without `data` — soketi's `pusher_internal:subscription_succeeded`,
 * a channel event and a protocol message without it — so every line must still be JSON, with
 * no blank ones, and the App API must hand those frames to the views (the Raw frames table).
 * Electron's journal window path is tested in renderer/src/journal/port-server.test.ts.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAppApi, type AppBridge, type CommandName } from '../../shared/api';
import { parseNdjsonJournal } from '../../shared/journal';
import { ensureCliBuilt, runEchoscope } from '../../test-support/cli-process';
import { readJournalLines, scriptWithoutData } from '../../test-support/journal-lines';
import { startScriptedPusherServer, type ScriptedPusherServer } from '../../test-support/scripted-pusher-server';
import { startRuntime } from '../core/runtime';

let server: ScriptedPusherServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});
beforeAll(() => ensureCliBuilt(), 120_000);

async function fileContains(file: string, text: string, times = 1, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let content = '';
    try {
      content = readFileSync(file, 'utf8');
    } catch {
      // Not created yet.
    }
    if (content.split(text).length - 1 >= times) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${times}× ${text} in ${file}:\n${content.slice(-2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** What every writer's journal must be, for the script the server played on `channel`. */
function expectValidJournal(text: string, channel: string): void {
  const report = readJournalLines(text);
  expect(report.invalid).toEqual([]);
  expect(report.blank).toEqual([]);
  expect(report.endsWithNewline).toBe(true);
  expect(report.records[0]).toMatchObject({ type: 'header', format: 'echoscope-journal' });
  const frames = report.records.filter((record) => record.type === 'frame');
  const withoutData = frames.filter((frame) => !('data' in frame) || frame.data === null);
  expect(withoutData.map((frame) => frame.event).sort()).toEqual(['app.notice', 'pusher:ping', 'pusher_internal:subscription_succeeded']);
  expect(withoutData.find((frame) => frame.event === 'pusher_internal:subscription_succeeded')).toMatchObject({ channel });
  expect(frames.filter((frame) => frame.event === 'chunk.delivered')).toHaveLength(3);
  // And EchoScope's own reader agrees, line for line.
  // (serve's segments also hold a batch id line after each batch: not a record, skipped by readers.)
  const parsed = parseNdjsonJournal(text);
  expect(parsed.summary.issues).toEqual([]);
  const markers = report.records.filter((record) => record.type === 'batch');
  for (const marker of markers) expect(Object.keys(marker).sort()).toEqual(['id', 'type', 'writer']);
  expect(parsed.summary.records).toBe(report.records.length - 1 - markers.length);
}

describe('every journal line is JSON, with frames that have no data', () => {
  it('watch --journal (the real binary)', async () => {
    server = await startScriptedPusherServer(scriptWithoutData);
    const journal = join(mkdtempSync(join(tmpdir(), 'echoscope-lines-')), 'watch.ndjson');
    const run = runEchoscope([
      'watch',
      '--url',
      `ws://${server.host}:${server.port}`,
      '--key',
      'k',
      '--secret',
      's',
      '--channel',
      'private-ai.nd1',
      '--journal',
      journal,
      '--quiet',
    ]);
    await fileContains(journal, '"chunk.delivered"', 3);
    run.signal('SIGINT');
    const exit = await run.exited;
    expect(exit.code).toBe(0);
    expectValidJournal(readFileSync(journal, 'utf8'), 'private-ai.nd1');
  }, 40_000);

  it("serve's journal segment, and the App API hands the frames without data to the Raw frames view", async () => {
    server = await startScriptedPusherServer(scriptWithoutData);
    const directory = join(mkdtempSync(join(tmpdir(), 'echoscope-lines-')), 'journal');
    // The journal's first (here its only) segment file.
    const file = join(directory, '00000001.ndjson');
    const warnings: string[] = [];
    const runtime = await startRuntime({ transport: 'browser', version: 'test', demo: false, journal: { directory }, onWarning: (message) => warnings.push(message) });
    try {
      // As the dashboard in a browser sees it: through JSON (the WebSocket bridge) and the API's response schemas.
      const bridge: AppBridge = {
        invoke: async (command, request) => JSON.parse(JSON.stringify(await runtime.service.invoke(command as CommandName, request as never))) as unknown,
        on: () => () => undefined,
        ready: () => undefined,
      };
      const api = createAppApi(bridge);
      const saved = await api.invoke('profiles.save', {
        id: 'scripted',
        name: 'scripted',
        kind: 'reverb',
        host: server.host,
        port: server.port,
        tls: false,
        key: 'k',
        auth: { mode: 'secret', secret: 's' },
        channels: ['private-ai.nd2'],
      });
      expect(saved.ok).toBe(true);
      expect((await api.invoke('connections.connect', { profileId: 'scripted' })).ok).toBe(true);
      await fileContains(file, '"chunk.delivered"', 3);
      await fileContains(file, '"app.notice"');

      const frames = await api.invoke('sessions.frames', { sessionId: 'nd2', offset: 0, limit: 50 });
      expect(frames.ok ? frames.value.rows.map((row) => row.frame.event) : frames.error).toEqual(
        expect.arrayContaining(['pusher_internal:subscription_succeeded', 'app.notice', 'chunk.delivered']) as string[],
      );
    } finally {
      await runtime.close();
    }
    expect(warnings).toEqual([]);
    expectValidJournal(readFileSync(file, 'utf8'), 'private-ai.nd2');
  }, 40_000);
});
