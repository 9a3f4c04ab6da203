import { createHmac } from 'node:crypto';
import Pusher from 'pusher';
import PusherClient from 'pusher-js';
import { expect, test } from './fixtures';

/**
 * The Proxy view on `echoscope serve` with its demo mock as the server: a rule set in the form,
 * the proxy started, a real pusher-js client streaming through it, the rule changed while it
 * runs; the session the proxied client was given shows in Live with what the rule took away.
 * Expected counts come from what the test published and the rules it typed.
 */
test('the Proxy view: start in front of the demo server, rules applied live, the proxied client a session in Live', async ({ page, served }, testInfo) => {
  const mock = new URL(served.mockUrl!);
  const sdk = new Pusher({ appId: 'echoscope', key: 'echoscope-key', secret: 'echoscope-secret', host: mock.hostname, port: mock.port, useTLS: false });

  await page.goto(`${served.url}#/proxy`);
  const state = page.getByTestId('proxy-state');
  await expect(state).toContainText('Not running');
  await expect(page.getByLabel('Server (upstream)')).toHaveValue(/^ws:\/\/127\.0\.0\.1:\d+$/);
  await page.getByRole('button', { name: 'Add a rule' }).click();
  await page.getByLabel('rule 1 event').fill('chunk.delivered');
  await page.getByLabel('rule 1 positions').fill('2,3');
  // a bad rule is named before anything starts
  await page.getByLabel('rule 1 fault').selectOption('delay');
  await page.getByLabel('rule 1 delay (ms)').fill('-5');
  await page.getByRole('button', { name: 'Start the proxy' }).click();
  await expect(page.getByTestId('proxy-message')).toContainText('rule 1: delayMs');
  await page.getByLabel('rule 1 fault').selectOption('drop');
  await page.getByRole('button', { name: 'Start the proxy' }).click();
  await expect(state).toContainText('Running');
  const url = await page.getByTestId('proxy-url').textContent();
  const port = Number(new URL(url!).port);

  // the auth the app's /broadcasting/auth would give, signed for the socket id the server gave through the proxy
  const sign = (socketId: string, channel: string) => `echoscope-key:${createHmac('sha256', 'echoscope-secret').update(`${socketId}:${channel}`).digest('hex')}`;
  const client = new PusherClient('echoscope-key', {
    cluster: 'mt1',
    wsHost: '127.0.0.1',
    wsPort: port,
    forceTLS: false,
    enabledTransports: ['ws'],
    disableStats: true,
    channelAuthorization: { endpoint: 'unused', transport: 'ajax', customHandler: (p, callback) => callback(null, { auth: sign(p.socketId, p.channelName) }) },
  });
  const got: number[] = [];
  await new Promise<void>((resolve) => client.subscribe('private-ai.px').bind('pusher:subscription_succeeded', () => resolve()));
  client.channel('private-ai.px')!.bind('chunk.delivered', (data: { sequence: number }) => got.push(data.sequence));
  const send = (sequence: number, state = 'generating') =>
    sdk.trigger('private-ai.px', 'chunk.delivered', {
      session_id: 'px',
      sequence,
      state,
      chunk: state === 'generating' ? `t${sequence} ` : '',
      termination_code: state === 'generating' ? null : 'end_turn',
    });
  for (const sequence of [1, 2, 3, 4]) await send(sequence);
  await expect.poll(() => got.length).toBe(2);
  await expect(page.getByTestId('proxy-applied-drop')).toHaveText('2');
  await expect(page.getByTestId('proxy-clients')).toHaveText('1');

  // while it runs: the drop becomes a duplicate of the next event
  await page.getByLabel('rule 1 fault').selectOption('duplicate');
  await page.getByLabel('rule 1 positions').fill('1');
  await page.getByRole('button', { name: 'Apply the rules now' }).click();
  await expect(page.getByTestId('proxy-in-force')).toHaveText('in force: duplicate');
  await send(5);
  await send(6, 'completed');
  await expect.poll(() => got).toEqual([1, 4, 5, 5, 6]);
  await page.screenshot({ path: testInfo.outputPath('proxy-view.png'), fullPage: true });

  await page.goto(`${served.url}#/live`);
  const row = page.locator('[data-testid="session-row"][data-session="px"]');
  await expect(row.getByTestId('session-status')).toHaveText(/completed/);
  await page.goto(`${served.url}#/session/px`);
  // what the rules took away and added: #2–3 dropped, #5 twice
  const detail = page.getByTestId('session-detail');
  await expect(detail).toContainText(/Missing\s*2/);
  await expect(detail).toContainText(/Duplicates\s*1/);
  await expect(detail).toContainText('2 missing: #2–3');
  client.disconnect();

  await page.goto(`${served.url}#/proxy`);
  await page.getByRole('button', { name: 'Stop the proxy' }).click();
  await expect(state).toContainText('Not running');
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: "Download the last run's ground truth" }).click();
  const { readFileSync } = await import('node:fs');
  const truth = JSON.parse(readFileSync(await (await download).path(), 'utf8')) as { clients: Array<{ events: Array<{ deliveries: unknown[] }> }> };
  expect(truth.clients[0]!.events.map((e) => e.deliveries.length)).toEqual([1, 0, 0, 1, 2, 1]);
});
