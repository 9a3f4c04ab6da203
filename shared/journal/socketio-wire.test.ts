/**
 * The Socket.IO 2 wire as laravel-echo-server and laravel-echo write it (engine.io 3 framing,
 * socket.io-parser 3 packets). Expected records are the ones EchoScope's own Socket.IO connection
 * writes for the same messages (electron/core/hub/socketio-connection.ts).
 */
import { describe, expect, it } from 'vitest';
import { readEngineIoMessage, socketIoEventOf, SocketIoWireJournal } from './socketio-wire';

describe('readEngineIoMessage', () => {
  it('reads the engine.io type, the socket id of the open packet, and a socket.io packet with its namespace and ack id', () => {
    expect(readEngineIoMessage('0{"sid":"abc","upgrades":[],"pingInterval":25000,"pingTimeout":5000}')).toEqual({ ok: true, engine: 'open', sid: 'abc' });
    expect(readEngineIoMessage('2')).toEqual({ ok: true, engine: 'ping' });
    expect(readEngineIoMessage('3probe')).toEqual({ ok: true, engine: 'pong' });
    expect(readEngineIoMessage('40')).toEqual({ ok: true, engine: 'message', packet: { type: 'connect', nsp: '/', head: '40', body: undefined } });
    expect(readEngineIoMessage('42/admin,17["x",{"a":1}]')).toEqual({
      ok: true,
      engine: 'message',
      packet: { type: 'event', nsp: '/admin', head: '42/admin,17', body: ['x', { a: 1 }] },
    });
    expect(readEngineIoMessage('451-["up",{"_placeholder":true,"num":0}]')).toMatchObject({ ok: true, packet: { type: 'binary_event', head: '451-' } });
    expect(readEngineIoMessage('{"event":"pusher:ping"}')).toMatchObject({ ok: false });
    expect(readEngineIoMessage('')).toMatchObject({ ok: false });
    // a packet cut mid-JSON: socket.io-client drops it as a parser error; here it has no body
    expect(readEngineIoMessage('42["chunk.delivered","c",{"a"')).toMatchObject({ ok: true, packet: { type: 'event', body: undefined } });
  });

  it('reads a broadcast as (event, channel, data) and another emit as (event, data)', () => {
    const event = (text: string) => {
      const message = readEngineIoMessage(text);
      return message.ok && message.engine === 'message' ? socketIoEventOf(message.packet) : undefined;
    };
    expect(event('42["App\\\\Events\\\\Chunk","private-ai.s1",{"sequence":1}]')).toEqual({
      event: 'App\\Events\\Chunk',
      channel: 'private-ai.s1',
      data: { sequence: 1 },
      args: ['private-ai.s1', { sequence: 1 }],
    });
    expect(event('42["notice",{"n":1}]')).toEqual({ event: 'notice', channel: undefined, data: { n: 1 }, args: [{ n: 1 }] });
    expect(event('43["ack"]')).toBeUndefined();
  });
});

describe('SocketIoWireJournal', () => {
  it('journals a socket as EchoScope’s own Socket.IO connection does: connected with the open packet’s id, subscriptions from the client’s emits, every event a frame', () => {
    const journal = new SocketIoWireJournal('proxy:1');
    const read = (text: string, direction: 'receive' | 'send', at: number) => journal.records(readEngineIoMessage(text), direction, at);
    expect(read('0{"sid":"s-1"}', 'receive', 1)).toEqual([]);
    expect(read('40', 'receive', 2)).toEqual([{ type: 'connection', at: 2, connection: 'proxy:1', state: 'connected', socketId: 's-1' }]);
    expect(read('42["subscribe",{"channel":"private-ai.s1","auth":{"headers":{}}}]', 'send', 3)).toEqual([
      { type: 'subscription', at: 3, connection: 'proxy:1', channel: 'private-ai.s1', status: 'subscribed' },
    ]);
    expect(read('2', 'send', 4)).toEqual([]);
    expect(read('3', 'receive', 5)).toEqual([]);
    expect(read('42["chunk.delivered","private-ai.s1",{"sequence":1}]', 'receive', 6)).toEqual([
      { type: 'frame', at: 6, connection: 'proxy:1', channel: 'private-ai.s1', event: 'chunk.delivered', data: { sequence: 1 } },
    ]);
    expect(read('42["subscription_error","private-ai.s2",403]', 'receive', 7)).toEqual([
      { type: 'frame', at: 7, connection: 'proxy:1', channel: 'private-ai.s2', event: 'subscription_error', data: 403 },
      { type: 'subscription', at: 7, connection: 'proxy:1', channel: 'private-ai.s2', status: 'failed', code: 403, error: "the app's auth endpoint answered HTTP 403" },
    ]);
    expect(read('42["unsubscribe",{"channel":"private-ai.s1"}]', 'send', 8)).toEqual([
      { type: 'subscription', at: 8, connection: 'proxy:1', channel: 'private-ai.s1', status: 'unsubscribed' },
    ]);
  });

  it('a WebSocket upgrading a long-polling session is connected from the client’s upgrade packet, with the session’s id', () => {
    const journal = new SocketIoWireJournal('proxy:1', 'polled-sid');
    expect(journal.records(readEngineIoMessage('2probe'), 'send', 1)).toEqual([]);
    expect(journal.records(readEngineIoMessage('5'), 'send', 2)).toEqual([{ type: 'connection', at: 2, connection: 'proxy:1', state: 'connected', socketId: 'polled-sid' }]);
  });
});
