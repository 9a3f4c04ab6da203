/**
 * Webhook discovery (issue 20, item 4). The reader is checked on hand-signed bodies (the signature
 * as Pusher documents it: hex HMAC-SHA256 of the body with the app secret); the whole path runs
 * against a real soketi configured to send its webhooks to the headless host, with a real
 * pusher-js client as the app's frontend and events published with the official `pusher` SDK.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PusherServer from 'pusher';
import Pusher from 'pusher-js';
import { describe, expect, it } from 'vitest';
import { startHeadlessHost } from '../host';
import { startRuntime } from '../runtime';
import { soketiUnavailableReason, startSoketi } from '../../../test-support/peers/soketi';
import { readWebhook, WEBHOOK_PATH } from './webhooks';

const SECRET = 'webhook-secret';
const sign = (body: string, secret = SECRET) => createHmac('sha256', secret).update(body).digest('hex');
const secretOf = (key: string) => (key === 'app-key' ? SECRET : undefined);

describe('readWebhook', () => {
  const body = JSON.stringify({
    time_ms: 1_700_000_000_000,
    events: [{ name: 'channel_occupied', channel: 'private-ai.a' }, { name: 'channel_vacated', channel: 'private-ai.b' }, { bogus: true }],
  });

  it('reads a signed body: its events, what is not an event left out', () => {
    expect(readWebhook(body, 'app-key', sign(body), secretOf)).toEqual({
      ok: true,
      key: 'app-key',
      timeMs: 1_700_000_000_000,
      events: [
        { name: 'channel_occupied', channel: 'private-ai.a' },
        { name: 'channel_vacated', channel: 'private-ai.b' },
      ],
    });
  });

  it('refuses a wrong signature, an unknown key, missing headers and a body that is not JSON, saying why', () => {
    expect(readWebhook(body, 'app-key', sign(body, 'another-secret'), secretOf)).toMatchObject({ ok: false, status: 401, message: expect.stringMatching(/does not match/) });
    expect(readWebhook(`${body} `, 'app-key', sign(body), secretOf)).toMatchObject({ ok: false, status: 401 });
    expect(readWebhook(body, 'other-key', sign(body), secretOf)).toMatchObject({
      ok: false,
      status: 403,
      message: expect.stringMatching(/no connection profile with app key "other-key"/),
    });
    expect(readWebhook(body, undefined, sign(body), secretOf)).toMatchObject({ ok: false, status: 401, message: expect.stringMatching(/X-Pusher-Key/) });
    expect(readWebhook(body, 'app-key', 'zz', secretOf)).toMatchObject({ ok: false, status: 401, message: expect.stringMatching(/X-Pusher-Signature/) });
    expect(readWebhook('{nope', 'app-key', sign('{nope'), secretOf)).toMatchObject({ ok: false, status: 400, message: 'the body is not JSON' });
  });
});

const skip = soketiUnavailableReason();
if (skip) console.log(`[webhooks] soketi tests skipped: ${skip}`);

async function until(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe.skipIf(skip !== null)('webhooks from soketi drive discovery', () => {
  it('a channel is followed the moment soketi says it is occupied (the next poll is a minute away); a bad signature is refused', async () => {
    const runtime = await startRuntime({
      transport: 'browser',
      version: 'test',
      demo: false,
      journal: { directory: join(mkdtempSync(join(tmpdir(), 'echoscope-webhooks-')), 'journal') },
    });
    const host = await startHeadlessHost({ service: runtime.service, rendererDir: mkdtempSync(join(tmpdir(), 'echoscope-renderer-')) });
    const webhookUrl = new URL(WEBHOOK_PATH, host.url).toString();
    const soketi = await startSoketi({ extraEnv: { SOKETI_DEFAULT_APP_WEBHOOKS: JSON.stringify([{ url: webhookUrl, event_types: ['channel_occupied', 'channel_vacated'] }]) } });
    const frontend = new Pusher(soketi.app.key, { cluster: 'mt1', wsHost: soketi.host, wsPort: soketi.port, forceTLS: false, enabledTransports: ['ws'], disableStats: true });
    try {
      const service = runtime.service;
      await service.invoke('profiles.save', {
        id: 'soketi',
        name: 'soketi',
        kind: 'reverb',
        host: soketi.host,
        port: soketi.port,
        key: soketi.app.key,
        appId: soketi.app.id,
        auth: { mode: 'secret', secret: soketi.app.secret },
        channels: [],
        discover: { prefix: 'ai-stream.', intervalMs: 60_000 },
      });
      await service.invoke('connections.connect', { profileId: 'soketi' });
      const subscribedTo = (channel: string) => service.hub.status('soketi')?.channels.some((c) => c.name === channel && c.status === 'subscribed') === true;
      await until(() => service.hub.status('soketi')?.discovery?.lastPollAt !== null && service.hub.status('soketi')?.state === 'connected', 'the first discovery poll');

      // The app's frontend joins a channel: soketi calls it occupied, EchoScope follows it.
      frontend.subscribe('ai-stream.w1');
      await until(() => subscribedTo('ai-stream.w1'), 'EchoScope to follow ai-stream.w1');
      expect(service.hub.status('soketi')?.discovery?.lastWebhookAt).toEqual(expect.any(Number));
      const publisher = new PusherServer({ appId: soketi.app.id, key: soketi.app.key, secret: soketi.app.secret, host: soketi.host, port: String(soketi.port), useTLS: false });
      await publisher.trigger('ai-stream.w1', 'chunk.delivered', { session_id: 'w1', chunk: 'hi', sequence: 1, state: 'completed', termination_code: 'end_turn' });
      const frames: string[] = [];
      const stop = service.onRecords((record) => {
        if (record.type === 'frame' && record.channel === 'ai-stream.w1') frames.push(record.event);
      });
      await publisher.trigger('ai-stream.w1', 'token', { text: 'again' });
      await until(() => frames.includes('token'), 'the event on the followed channel');
      stop();

      // A webhook that is not signed with the app secret changes nothing.
      const forged = JSON.stringify({ time_ms: Date.now(), events: [{ name: 'channel_occupied', channel: 'ai-stream.forged' }] });
      const refused = await fetch(webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-pusher-key': soketi.app.key, 'x-pusher-signature': sign(forged, 'not-the-secret') },
        body: forged,
      });
      expect(refused.status).toBe(401);
      expect(((await refused.json()) as { error: string }).error).toMatch(/signature does not match/);
      const signed = await fetch(webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-pusher-key': soketi.app.key, 'x-pusher-signature': sign(forged, soketi.app.secret) },
        body: forged,
      });
      expect(await signed.json()).toEqual({ events: 1, discoveries: 1 });
      await until(() => service.hub.status('soketi')?.channels.some((c) => c.name === 'ai-stream.forged') === true, 'the signed one to be followed');
      // Only a POST is a webhook.
      expect((await fetch(webhookUrl)).status).toBe(404);
    } finally {
      frontend.disconnect();
      await soketi.close();
      await host.close();
      await runtime.close();
    }
  }, 60_000);
});
