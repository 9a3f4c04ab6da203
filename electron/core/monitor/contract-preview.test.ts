import { describe, expect, it } from 'vitest';
import type { ContractPreview } from '../../../shared/api';
import { serializeJournal, type JournalRecord } from '../../../shared/journal';
import { AppService } from '../app';

/**
 * Settings' live preview (`contracts.preview`) through the App API: a hand-written journal of an
 * app whose broadcast renames every field of the seed's contract (and one of an event stream
 * with its own names) is read by a draft contract without changing live analysis.
 */

const T0 = 1_764_669_600_000;
const LEGACY = 'private-ai.L1';

const legacy = (at: number, n: number, status: string, text: string, extra: Record<string, unknown> = {}): JournalRecord => ({
  type: 'frame',
  at: T0 + at,
  connection: 'c1',
  channel: LEGACY,
  event: 'token.streamed',
  data: { sid: 'L1', n, status, text, code: null, ...extra },
});

const journal = (): JournalRecord[] => [
  { type: 'subscription', at: T0, connection: 'c1', channel: LEGACY, status: 'subscribed' },
  { type: 'subscription', at: T0, connection: 'c1', channel: 'presence-lobby', status: 'subscribed' },
  legacy(10, 1, 'streaming', 'Hel'),
  legacy(20, 2, 'streaming', 'lo'),
  legacy(25, 2, 'streaming', 'lo'),
  legacy(30, 3, 'done', '!', { code: 'end_turn' }),
  { type: 'frame', at: T0 + 40, connection: 'c1', channel: 'presence-lobby', event: 'user.joined', data: { user: 7 } },
  // an event stream of another app: its own event and field names
  { type: 'frame', at: T0 + 50, connection: 'c1', channel: 'private-chat.42', event: 'token', data: { uid: 'a', piece: 'Hi' } },
  { type: 'frame', at: T0 + 60, connection: 'c1', channel: 'private-chat.42', event: 'done', data: { uid: 'b', reason: 'stop' } },
];

/** The seed's contract with this app's names. */
const LEGACY_CONTRACT = {
  name: 'legacy',
  event: 'token.streamed',
  fields: { sessionId: 'sid', chunk: 'text', sequence: 'n', state: 'status', terminationCode: 'code' },
  states: { streaming: 'generating', done: 'completed' },
};

function must<T>(result: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

function valid(preview: ContractPreview): Extract<ContractPreview, { valid: true }> {
  if (!preview.valid) throw new Error(preview.error);
  return preview;
}

async function serviceWithJournal(): Promise<AppService> {
  const app = new AppService({ transport: 'browser', version: 't', clock: () => T0 + 1000, monitor: { tickMs: 60_000 } });
  must(await app.invoke('journal.import', { fileName: 'legacy.ndjson', content: serializeJournal(journal(), '2026-12-02T10:00:00Z') }));
  return app;
}

describe('contracts.preview', () => {
  it('a custom contract with renamed fields finds the session the journal holds, and lists what it did not read', async () => {
    const app = await serviceWithJournal();
    try {
      const preview = valid(must(await app.invoke('contracts.preview', { profile: LEGACY_CONTRACT })));
      expect(preview).toMatchObject({ contract: 'legacy', kind: 'sequenced', records: 9, frames: 7, framesRead: 4, channels: 3, channelsRead: 1, framesOnChannelsRead: 4 });
      expect(preview.sessions).toEqual([
        { sessionId: 'L1', channel: LEGACY, status: 'completed', terminationCode: 'end_turn', events: 4, duplicates: 1, replays: 0, violations: 0 },
      ]);
      expect(preview.sessionsTotal).toBe(1);
      expect(preview.unrecognised.map((c) => c.channel).sort()).toEqual(['presence-lobby', 'private-chat.42']);
      expect(preview.unrecognised.find((c) => c.channel === 'presence-lobby')).toMatchObject({ events: ['user.joined'], sample: { event: 'user.joined' } });
      expect(preview.unreadEvents.map((e) => e.event).sort()).toEqual(['done', 'token', 'user.joined']);

      // without the renamed sequence field, each of its frames breaks the contract: said with the reason
      const broken = valid(must(await app.invoke('contracts.preview', { profile: { ...LEGACY_CONTRACT, fields: { ...LEGACY_CONTRACT.fields, sequence: 'seq' } } })));
      expect(broken.violationsTotal).toBe(4);
      expect(broken.violations[0]).toMatchObject({ sessionId: 'L1', kind: 'violation', reason: expect.stringContaining('seq') });
    } finally {
      app.close();
    }
  });

  it('an event-stream contract of the user: its event and field names', async () => {
    const app = await serviceWithJournal();
    try {
      const profile = { name: 'chat', stream: { events: { text: ['.token'], end: ['done'] }, fields: { id: 'uid', text: 'piece' } } };
      const preview = valid(must(await app.invoke('contracts.preview', { profile })));
      expect(preview.kind).toBe('stream');
      expect(preview.sessions.find((s) => s.sessionId === '42')).toMatchObject({ channel: 'private-chat.42', status: 'completed', terminationCode: 'stop', events: 2 });
    } finally {
      app.close();
    }
  });

  it('an invalid draft is answered with the field named, not an error', async () => {
    const app = await serviceWithJournal();
    try {
      const preview = must(await app.invoke('contracts.preview', { profile: { fields: { sequence: 'chunk' } } }));
      expect(preview.valid).toBe(false);
      if (preview.valid) return;
      expect(preview.error).toMatch(/^invalid contract profile: fields\.sequence: "chunk" is already the chunk field/);
      expect(preview.issues).toEqual([{ path: 'fields.sequence', message: '"chunk" is already the chunk field' }]);

      const stream = must(await app.invoke('contracts.preview', { profile: { stream: { events: { text: [], end: ['done'] } } } }));
      expect(stream).toMatchObject({ valid: false, issues: [{ path: 'stream.events.text', message: 'an event-stream contract needs at least one text event' }] });
    } finally {
      app.close();
    }
  });

  it('live analysis is unchanged after a preview: still automatic, the channel still unrecognised, no session', async () => {
    const app = await serviceWithJournal();
    try {
      const before = must(await app.invoke('sessions.list', {}));
      expect(before.rows.map((r) => r.sessionId)).toEqual([]);
      valid(must(await app.invoke('contracts.preview', { profile: LEGACY_CONTRACT })));
      expect(must(await app.invoke('monitor.profile', {}))).toEqual({ profile: null, automatic: true });
      expect(must(await app.invoke('sessions.list', {})).rows).toEqual([]);
      expect(must(await app.invoke('channels.unrecognised', {})).items.map((c) => c.channel)).toContain(LEGACY);

      // null previews what automatic detection makes of the same frames: nothing of this app
      const automatic = valid(must(await app.invoke('contracts.preview', { profile: null })));
      expect(automatic).toMatchObject({ kind: 'automatic', contract: null, framesRead: 0, sessionsTotal: 0 });

      // applied, the same contract finds the session live
      must(await app.invoke('monitor.profile', { profile: LEGACY_CONTRACT }));
      expect(must(await app.invoke('sessions.list', {})).rows).toMatchObject([{ sessionId: 'L1', status: 'completed', duplicates: 1 }]);
    } finally {
      app.close();
    }
  });

  it('reads at most `limit` of the newest records, and never more than 20,000', async () => {
    const app = await serviceWithJournal();
    try {
      const preview = valid(must(await app.invoke('contracts.preview', { profile: LEGACY_CONTRACT, limit: 3 })));
      expect(preview).toMatchObject({ records: 3, frames: 3, framesRead: 0 });
      expect(await app.invoke('contracts.preview', { profile: LEGACY_CONTRACT, limit: 20_001 })).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    } finally {
      app.close();
    }
  });
});
