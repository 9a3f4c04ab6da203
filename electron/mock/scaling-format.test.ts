/**
 * The mock's nodes write Reverb's scaling messages: EchoScope's tap reads them back
 * (`readScalingMessage`), and PHP reads them as Reverb's PusherPubSubIncomingMessageHandler does
 * (json_decode, then unserialize() of `application` allowing only Laravel\Reverb\Application) —
 * the stand-in class has Reverb 1.10's name and properties (test-support/peers/php).
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readScalingMessage } from '../core/taps';
import { readScaling, reverbApplicationId, scalingMessage, serializeApplication, terminateMessage, type ScalingApplication } from './scaling-format';

const app: ScalingApplication = { id: 'app-ünï', key: 'key-1', secret: 'secret-1', pingInterval: 120, activityTimeout: 120, maxMessageSize: 10_000, maxConnections: 10_000 };
const data = { session_id: 's1', chunk: 'Hél🙂', sequence: 1, state: 'generating', termination_code: null };

describe("the scaling message a node writes is the one Reverb's nodes and EchoScope's tap read", () => {
  it('an HTTP API event: the tap reads each channel, the data parsed, the left-out socket named', () => {
    const text = scalingMessage(serializeApplication(app), { event: 'chunk.delivered', channels: ['private-ai.s1', 'audit'], data: JSON.stringify(data) }, '12.34');
    expect(readScalingMessage(text, 'app-ünï')).toEqual({
      events: [
        { channel: 'private-ai.s1', event: 'chunk.delivered', data, exceptSocketId: '12.34' },
        { channel: 'audit', event: 'chunk.delivered', data, exceptSocketId: '12.34' },
      ],
    });
    expect(readScalingMessage(text, 'another-app')).toEqual({ ignored: 'a message of Reverb app "app-ünï", not "another-app"' });
  });

  it('a client event: one channel, its sender left out; the node reads back what it wrote, user_id included', () => {
    const text = scalingMessage(serializeApplication(app), { event: 'client-typing', channel: 'presence-room', data: '{"who":"bob"}', user_id: 'bob' }, '5.6');
    expect(readScalingMessage(text)).toEqual({ events: [{ channel: 'presence-room', event: 'client-typing', data: { who: 'bob' }, exceptSocketId: '5.6' }] });
    expect(readScaling(text)).toEqual({
      type: 'message',
      appId: 'app-ünï',
      channels: ['presence-room'],
      event: 'client-typing',
      data: '{"who":"bob"}',
      userId: 'bob',
      exceptSocketId: '5.6',
    });
  });

  it("reads Reverb's own shapes: a client event's data as an object, terminate, and leaves metrics alone", () => {
    const application = serializeApplication(app);
    const reverbWhisper = JSON.stringify({ type: 'message', application, payload: { event: 'client-x', channel: 'private-a', data: { a: 1 } }, socket_id: '1.2' });
    expect(readScaling(reverbWhisper)).toEqual({ type: 'message', appId: 'app-ünï', channels: ['private-a'], event: 'client-x', data: '{"a":1}', exceptSocketId: '1.2' });
    expect(readScaling(terminateMessage(application, 'bob'))).toEqual({ type: 'terminate', appId: 'app-ünï', userId: 'bob' });
    expect(readScaling(JSON.stringify({ type: 'metrics', application, payload: 'O:…' }))).toEqual({ ignored: 'a "metrics" message' });
    expect(readScaling('nope')).toEqual({ ignored: 'not JSON' });
  });

  it('the application id is read back by its UTF-8 byte length', () => {
    expect(reverbApplicationId(serializeApplication(app))).toBe('app-ünï');
    expect(serializeApplication(app)).toContain(`s:5:"\u0000*\u0000id";s:${Buffer.byteLength('app-ünï')}:"app-ünï";`);
  });
});

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '../../test-support/peers/php/serialize-application.php');
const phpReason = spawnSync('php', ['--version']).error ? 'php is not installed (apt-get install -y php-cli)' : null;
if (phpReason) console.log(`[mock scaling] PHP check skipped: ${phpReason}`);

describe.skipIf(phpReason !== null)("PHP reads the node's message as Reverb does", () => {
  it("application is byte for byte PHP's serialize() of the Application, unserialize() gives that object back, payload and socket_id as written", () => {
    for (const maxConnections of [10_000, null]) {
      const given = { ...app, maxConnections };
      const payload = { event: 'chunk.delivered', channels: ['private-ai.s1'], data: JSON.stringify(data) };
      const message = scalingMessage(serializeApplication(given), payload, '12.34');
      const run = spawnSync('php', [SCRIPT], { input: JSON.stringify({ app: given, message }), timeout: 20_000 });
      expect(run.stderr.toString()).toBe('');
      const php = JSON.parse(run.stdout.toString()) as { serialized: string; decoded: Record<string, unknown> };
      expect(serializeApplication(given)).toBe(php.serialized);
      expect(php.decoded).toEqual({ type: 'message', class: 'Laravel\\Reverb\\Application', id: 'app-ünï', equal: true, payload, socket_id: '12.34' });
    }
  });
});
