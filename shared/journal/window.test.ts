import { MessageChannel } from 'node:worker_threads';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { answerJournalRequest, CapturedBatchBuilder, EXPORT_WINDOW, JournalWindowClient, JournalWindowError, type CapturedBatch, type JournalPort, type ServedJournal } from '.';
import { openJournalStore } from './store';
import { fixtureBatches, journalFixture, runStoreChecks } from '../../test-support/journal-store-checks';

/** Main ↔ journal window over a real MessageChannel, the store on fake-indexeddb. */
async function connected(serve?: (store: ServedJournal) => ServedJournal) {
  const opened = await openJournalStore({ indexedDB: new IDBFactory(), IDBKeyRange });
  const store = serve ? serve(opened) : opened;
  const { port1, port2 } = new MessageChannel();
  port2.on('message', (raw: unknown) => void answerJournalRequest(store, raw, (message) => port2.postMessage(message)));
  const port: JournalPort = {
    post: (request) => port1.postMessage(request),
    onMessage: (listener) => {
      port1.on('message', listener);
      return () => port1.off('message', listener);
    },
  };
  const client = new JournalWindowClient(port);
  port2.postMessage({ kind: 'ready' });
  await client.ready;
  return { client, close: () => (port1.close(), port2.close()) };
}

describe('journal window protocol', () => {
  it('serves the whole Journal interface: the shared checks pass through the port', async () => {
    const { client, close } = await connected();
    const fixture = journalFixture(2000);
    for (const batch of fixtureBatches(fixture)) await client.append(batch);
    expect((await runStoreChecks(client, fixture)).filter((result) => !result.ok)).toEqual([]);
    expect(await client.prune({ maxBytes: 0 }, 0)).toMatchObject({ records: 2000 });
    expect(await client.import(fixture.slice(0, 3))).toBe(3);
    expect(await client.query()).toEqual(fixture.slice(0, 3));
    close();
  });

  it('refuses a malformed request as data, naming the field', async () => {
    const { client, close } = await connected();
    const refused = client.append([{ type: 'frame', at: Number.NaN, connection: 'c', event: 'e', data: 1 } as never]);
    await expect(refused).rejects.toBeInstanceOf(JournalWindowError);
    await expect(refused).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringMatching(/^batch: captured batch item 0: frame record: "at" must be a finite number/) as string,
    });
    const imported = client.import([{ type: 'frame', at: 1, connection: '', event: 'e', data: 1 } as never]);
    await expect(imported).rejects.toMatchObject({ code: 'invalid_request', message: expect.stringMatching(/^records\.0/) as string });
    close();
  });

  it('takes Pusher frames as their wire text, decoded into the same records; refuses a broken batch whole', async () => {
    const { client, close } = await connected();
    const records = journalFixture(50);
    const builder = new CapturedBatchBuilder();
    // As a Pusher server sends them: the data JSON-encoded inside the message.
    for (const record of records)
      builder.add(record, record.type === 'frame' ? JSON.stringify({ event: record.event, channel: record.channel, data: JSON.stringify(record.data) }) : undefined);
    const batch = builder.take();
    expect(batch.items.filter((item) => typeof item === 'string').length).toBe(records.filter((record) => record.type === 'frame').length);
    await client.appendCaptured(batch);
    expect(await client.query()).toEqual(records);

    const first = batch.items.findIndex((item) => typeof item === 'string');
    const broken: [Partial<CapturedBatch>, RegExp][] = [
      [{ items: batch.items.map((item, i) => (i === first ? '{"event":' : item)) }, new RegExp(`item ${first}: wire text does not parse`)],
      [{ items: batch.items.map((item, i) => (i === first ? '{"channel":"c"}' : item)) }, new RegExp(`item ${first}: wire text has no "event" name`)],
      [{ connectionOf: batch.connectionOf.map((index, i) => (i === first ? 9 : index)) }, new RegExp(`item ${first}: names no connection`)],
      [{ ats: new Float64Array(3) }, /"ats" must be a Float64Array as long as "items"/],
    ];
    for (const [change, message] of broken) {
      await expect(client.appendCaptured({ ...batch, ...change })).rejects.toMatchObject({ code: 'invalid_request', message: expect.stringMatching(message) as string });
    }
    expect(await client.count()).toBe(records.length);
    close();
  });

  it('paces an export by what the client took: a slow reader holds the journal at EXPORT_WINDOW pieces ahead, and stopping early cancels it', async () => {
    const PIECES = 60;
    let produced = 0;
    let consumed = 0;
    let mostAhead = 0;
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    // The store's own export with a counter on each piece it is asked for (what the window reads from IndexedDB).
    const counting = (store: ServedJournal): ServedJournal =>
      Object.assign(Object.create(store) as ServedJournal, {
        async *exportNdjson() {
          try {
            for (let i = 0; i < PIECES; i++) {
              produced++;
              mostAhead = Math.max(mostAhead, produced - consumed);
              yield `{"type":"frame","at":${i},"connection":"c1","event":"e"}\n`;
            }
          } finally {
            finish();
          }
        },
      });
    const { client, close } = await connected(counting);
    const turns = () => new Promise<void>((resolve) => setImmediate(resolve));
    for await (const piece of client.exportNdjson('2026-11-22T10:00:00Z')) {
      expect(piece).toContain(`"at":${consumed}`);
      consumed++;
      // A slow reader: the window gets many turns per piece, in which it would run ahead without the pulls.
      for (let i = 0; i < 20; i++) await turns();
    }
    expect(consumed).toBe(PIECES);
    // Pieces asked of the journal and not yet read: the window's credit and the one it holds waiting for it.
    expect(mostAhead).toBeLessThanOrEqual(EXPORT_WINDOW + 1);

    produced = consumed = mostAhead = 0;
    const early = new Promise<void>((resolve) => (finish = resolve));
    for await (const piece of client.exportNdjson('2026-11-22T10:00:00Z')) {
      expect(piece).toContain('"at":');
      if (++consumed === 3) break;
      for (let i = 0; i < 20; i++) await turns();
    }
    await early;
    await finished;
    expect(produced).toBeLessThanOrEqual(3 + EXPORT_WINDOW + 1);
    close();
  });
});
