/**
 * Compaction end to end (issue 19): the real headless runtime with its segmented journal in a
 * worker thread (live analysis beside it: the engine thread), the real mock provider, sessions published with the official `pusher` SDK and
 * received by the hub's pusher-js connection. An ended session is compacted to its row; its
 * detail, timeline and raw frames come back from the journal; a late frame brings it back.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Pusher from 'pusher';
import { describe, expect, it } from 'vitest';
import { startMockServer } from '../mock';
import { eventually } from '../../test-support/raw-pusher-client';
import { startRuntime } from './runtime';

/** The project's `eventually`, with this file's longer default wait. */
const until = (check: () => boolean | Promise<boolean>, what: string) => eventually(check, 20_000, what);

describe('compaction on the real runtime and journal', () => {
  it('an ended session is compacted, its detail is read back from the journal, a late frame brings it back', async () => {
    const mock = await startMockServer({ port: 0 });
    const app = mock.apps[0]!;
    const directory = join(mkdtempSync(join(tmpdir(), 'echoscope-compaction-')), 'journal');
    const runtime = await startRuntime({ transport: 'browser', version: 'test', demo: false, journal: { directory }, monitor: { tickMs: 50, compactAfterMs: 400 } });
    const service = runtime.service;
    // The engine thread's state, as the App API and its footprint show it (its monitor is in the other thread).
    const row = async () => {
      const list = await service.invoke('sessions.list', {});
      return list.ok ? list.value.rows.find((r) => r.sessionId === 'k1') : undefined;
    };
    const compacted = async () => {
      const held = await service.engine.footprint();
      return held.summaries === 1 && held.analyzerSessions === 0 && held.heldFrames === 0;
    };
    try {
      await service.invoke('profiles.save', {
        id: 'p',
        name: 'p',
        kind: 'reverb',
        host: mock.host,
        port: mock.port,
        key: app.key,
        auth: { mode: 'secret', secret: app.secret },
        channels: ['private-ai.k1'],
      });
      await service.invoke('connections.connect', { profileId: 'p' });
      await until(() => service.hub.list().some((status) => status.channels.some((channel) => channel.status === 'subscribed')), 'the subscription');
      const pusher = new Pusher({ appId: app.id, key: app.key, secret: app.secret, host: mock.host, port: String(mock.port), useTLS: false });
      const send = (sequence: number, state = 'generating', code: string | null = null) =>
        pusher.trigger('private-ai.k1', 'chunk.delivered', { session_id: 'k1', chunk: state === 'generating' ? `w${sequence} ` : '', sequence, state, termination_code: code });
      // Built: tokens 1, 2, 4 (3 never sent), 2 again, completed at 5.
      for (const sequence of [1, 2, 4, 2]) await send(sequence);
      await send(5, 'completed', 'end_turn');
      await until(async () => (await row())?.status === 'completed', 'the session to complete');
      const live = await service.invoke('sessions.get', { sessionId: 'k1' });
      expect(live.ok && live.value.gaps).toEqual([{ from: 3, to: 3 }]);

      await until(compacted, 'the session to be compacted');
      const back = await service.invoke('sessions.get', { sessionId: 'k1' });
      expect(back.ok && back.value).toEqual(live.ok && live.value);
      expect(back.ok && back.value.text).toBe('w1 w2 w4 ');
      expect(back.ok && back.value.row).toMatchObject({ status: 'completed', duplicates: 1, missing: 1, events: 5 });
      await until(compacted, 'the session to be compacted again');
      const frames = await service.invoke('sessions.frames', { sessionId: 'k1', offset: 0, limit: 50 });
      const sequences = frames.ok ? frames.value.rows.filter((row) => row.frame.event === 'chunk.delivered').map((row) => (row.frame.data as { sequence: number }).sequence) : [];
      expect(sequences).toEqual([1, 2, 4, 2, 5]);
      await until(compacted, 'the session to be compacted once more');

      // Built: token 4 again, after the end.
      await send(4);
      await until(async () => (await row())?.afterTerminal === 1, 'the late frame to count after the terminal event');
      expect(await row()).toMatchObject({ status: 'completed', events: 6, duplicates: 2 });
    } finally {
      await runtime.close();
      await mock.close();
    }
  }, 60_000);
});
