/**
 * The contract with pusher-js's internals (issue 19, item 8): each reliance of
 * pusher-js-internals.ts checked on the installed pusher-js against a real server (our mock
 * provider; events sent with the official `pusher` SDK). An upgrade of pusher-js that changes
 * what the adapter relies on fails here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Pusher from 'pusher-js';
import PusherServer from 'pusher';
import { afterEach, describe, expect, it } from 'vitest';
import { startMockServer, type MockServer } from '../../mock';
import { decodedByAdapter, forgetClient, interceptMessages, PINNED_PUSHER_JS, silenceUnboundEvents } from './pusher-js-internals';

const ROOT = join(import.meta.dirname, '../../..');
type PusherLog = ((message: string) => void) | undefined;
/** pusher-js's logger reads `log` on its core class, the parent of the exported PusherWithEncryption. */
const pusherStatics = Object.getPrototypeOf(Pusher) as { log: PusherLog };

let mock: MockServer | undefined;
const clients: Pusher[] = [];
afterEach(async () => {
  pusherStatics.log = undefined;
  for (const client of clients.splice(0)) {
    client.disconnect();
    forgetClient(client);
  }
  await mock?.close();
  mock = undefined;
});

function client(server: MockServer): Pusher {
  const app = server.apps[0]!;
  const pusher = new Pusher(app.key, { cluster: 'mt1', wsHost: server.host, wsPort: server.port, forceTLS: false, enabledTransports: ['ws'], disableStats: true });
  clients.push(pusher);
  return pusher;
}

function trigger(server: MockServer, channel: string, event: string, data: unknown): Promise<unknown> {
  const app = server.apps[0]!;
  return new PusherServer({ appId: app.id, key: app.key, secret: app.secret, host: server.host, port: String(server.port), useTLS: false }).trigger(channel, event, data);
}

function subscribed(pusher: Pusher, channel: string): Promise<void> {
  return new Promise((resolve) => pusher.subscribe(channel).bind('pusher:subscription_succeeded', () => resolve()));
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('pusher-js internals the hub relies on', () => {
  it('the installed pusher-js is the pinned one, and package.json pins it exactly', () => {
    const installed = JSON.parse(readFileSync(join(ROOT, 'node_modules/pusher-js/package.json'), 'utf8')) as { version: string };
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(installed.version).toBe(PINNED_PUSHER_JS);
    expect(manifest.dependencies['pusher-js']).toBe(PINNED_PUSHER_JS);
  });

  it('Pusher.instances keeps every client until forgetClient takes it out', async () => {
    mock = await startMockServer({ port: 0 });
    const pusher = client(mock);
    expect(Pusher.instances).toContain(pusher);
    forgetClient(pusher);
    expect(Pusher.instances).not.toContain(pusher);
  });

  it('an event with no callback goes to the channel’s failThrough, which logs it; silenced, it does not', async () => {
    mock = await startMockServer({ port: 0 });
    const pusher = client(mock);
    await subscribed(pusher, 'contract-fail-through');
    const logged: string[] = [];
    pusherStatics.log = (message) => logged.push(message);
    await trigger(mock, 'contract-fail-through', 'unbound.before', { n: 1 });
    await until(() => logged.some((line) => line.includes('No callbacks on contract-fail-through for unbound.before')), 'pusher-js to report the unbound event');
    silenceUnboundEvents(pusher, 'contract-fail-through');
    await trigger(mock, 'contract-fail-through', 'unbound.after', { n: 2 });
    await trigger(mock, 'contract-fail-through', 'marker', { n: 3 });
    await until(() => logged.some((line) => line.includes('marker')), 'the marker event');
    expect(logged.some((line) => line.includes('No callbacks on contract-fail-through for unbound.after'))).toBe(false);
  });

  it('intercepted, a channel event is the object pusher-js builds itself, and its wire text comes first', async () => {
    mock = await startMockServer({ port: 0 });
    const corpus: Array<{ event: string; data: unknown }> = [
      { event: 'chunk.delivered', data: { session_id: 's1', chunk: 'héllo "world"', sequence: 1, nested: { a: [1, 2, { b: null }] } } },
      { event: 'text_delta', data: 'not json at all' },
      { event: 'number.string', data: '42' },
      { event: 'json.in.string', data: JSON.stringify({ inner: true }) },
      { event: 'empty.object', data: {} },
    ];
    /** What the connection's 'message' listeners get for the corpus, with or without pusher-js decoding for itself. */
    const receive = async (pusherDecodes: boolean) => {
      pusherStatics.log = pusherDecodes ? () => undefined : undefined;
      const pusher = client(mock!);
      const texts: Array<string | undefined> = [];
      const messages: Array<{ event: string; channel?: unknown; data?: unknown; text: string | undefined }> = [];
      pusher.connection.bind('state_change', ({ current }: { current: string }) => {
        if (current === 'connected') interceptMessages(pusher, (text) => texts.push(text));
      });
      pusher.connection.bind('message', (message: { event: string; channel?: unknown; data?: unknown }) => {
        if (message.channel === 'contract-decode' && !message.event.startsWith('pusher')) messages.push({ ...message, text: texts[texts.length - 1] });
      });
      await subscribed(pusher, 'contract-decode');
      const before = decodedByAdapter();
      for (const { event, data } of corpus) await trigger(mock!, 'contract-decode', event, data);
      await until(() => messages.length === corpus.length, 'the corpus');
      pusher.disconnect();
      return { messages, decodedHere: decodedByAdapter() - before };
    };
    const byPusher = await receive(true);
    const byAdapter = await receive(false);
    // Which path ran: pusher-js decoded everything itself the first time, the adapter the second.
    expect(byPusher.decodedHere).toBe(0);
    expect(byAdapter.decodedHere).toBe(corpus.length);
    expect(byAdapter.messages.map(({ text: _text, ...message }) => message)).toEqual(byPusher.messages.map(({ text: _text, ...message }) => message));
    // Each message's wire text is given before the message itself.
    for (const message of byAdapter.messages) expect(JSON.parse(message.text!)).toMatchObject({ event: message.event, channel: 'contract-decode' });
    expect(byAdapter.messages.map((message) => message.event)).toEqual(corpus.map((entry) => entry.event));
  });
});
