import { MessageChannel } from 'node:worker_threads';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { answerJournalRequest, CapturedBatchBuilder, JournalWindowClient, JournalWindowError, type CapturedBatch, type JournalPort } from '.';
import { openJournalStore } from './store';
import { fixtureBatches, journalFixture, runStoreChecks } from '../../test-support/journal-store-checks';

/** Main ↔ journal window over a real MessageChannel, the store on fake-indexeddb. */
async function connected() {
  const store = await openJournalStore({ indexedDB: new IDBFactory(), IDBKeyRange });
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
});
