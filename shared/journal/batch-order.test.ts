import { MessageChannel } from 'node:worker_threads';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { BatchOrder, BatchOrderError, capturedBatchOf, JournalWindowClient, JournalWindowError, serveJournal } from '.';
import { openJournalStore } from './store';
import { journalFixture } from '../../test-support/journal-store-checks';

describe('BatchOrder', () => {
  it('takes a writer from the id it first shows, then only the next one; earlier ids are already written', () => {
    const order = new BatchOrder();
    expect(order.admit({ writer: 'w', id: 4 })).toBe('write');
    expect(() => order.admit({ writer: 'w', id: 5 })).toThrow(BatchOrderError); // 4 is not written yet
    order.wrote({ writer: 'w', id: 4 });
    expect(order.admit({ writer: 'w', id: 4 })).toBe('written');
    expect(order.admit({ writer: 'w', id: 3 })).toBe('written');
    expect(() => order.admit({ writer: 'w', id: 6 })).toThrow(/batch 6 of writer w came before batch 5/);
    expect(order.admit({ writer: 'w', id: 5 })).toBe('write');
    // Writers are independent.
    expect(order.admit({ writer: 'other', id: 1 })).toBe('write');
  });

  it('through the journal protocol: a batch sent again is acknowledged and not written twice; one too early is refused as a conflict', async () => {
    const store = await openJournalStore({ indexedDB: new IDBFactory(), IDBKeyRange });
    const { port1, port2 } = new MessageChannel();
    port2.on(
      'message',
      serveJournal(Promise.resolve(store), (message) => port2.postMessage(message)),
    );
    const client = new JournalWindowClient({
      post: (request) => port1.postMessage(request),
      onMessage: (listener) => {
        port1.on('message', listener);
        return () => port1.off('message', listener);
      },
    });
    await client.ready;
    const records = journalFixture(30);
    await client.appendCaptured(capturedBatchOf(records.slice(0, 10)), { writer: 'w', id: 1 });
    // Its acknowledgement was lost; the writer sends it again.
    await client.appendCaptured(capturedBatchOf(records.slice(0, 10)), { writer: 'w', id: 1 });
    const early = client.appendCaptured(capturedBatchOf(records.slice(20, 30)), { writer: 'w', id: 3 });
    await expect(early).rejects.toBeInstanceOf(JournalWindowError);
    await expect(early).rejects.toMatchObject({ code: 'conflict' });
    await client.appendCaptured(capturedBatchOf(records.slice(10, 20)), { writer: 'w', id: 2 });
    await client.appendCaptured(capturedBatchOf(records.slice(20, 30)), { writer: 'w', id: 3 });
    expect(await client.query()).toEqual(records);
    await client.close();
    port1.close();
    port2.close();
  });
});
