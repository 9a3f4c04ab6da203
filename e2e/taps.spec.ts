import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { expect, startServe, test } from './fixtures';

/**
 * Server-side taps in the dashboard (issue 20): the session detail's "who got what" with a tap's
 * line and each client's published-versus-delivered cells, and a profile's tap set in the
 * Connections form and shown with its status. The journal below is built here: the tap read #1–#31
 * (what was published), c1 received all of it 4 ms later, c2 all but #11–#20 9 ms later.
 */
function journal(): string {
  const lines: unknown[] = [{ type: 'header', format: 'echoscope-journal', version: 1, createdAt: '2026-11-22T10:00:00Z' }];
  const t0 = 1_732_262_400_000;
  lines.push({ type: 'connection', at: t0, connection: 'app:tap', tap: 'laravel', state: 'connected' });
  for (const c of ['c1', 'c2']) lines.push({ type: 'subscription', at: t0 + 1, connection: c, channel: 'private-ai.tapped', status: 'subscribed' });
  for (let s = 1; s <= 31; s++) {
    const at = t0 + 100 + s * 20;
    const data = {
      session_id: 'tapped',
      chunk: s === 31 ? '' : `t${s} `,
      sequence: s,
      state: s === 31 ? 'completed' : 'generating',
      termination_code: s === 31 ? 'end_turn' : null,
    };
    const frame = { type: 'frame', channel: 'private-ai.tapped', event: 'chunk.delivered', data };
    lines.push({ ...frame, at, connection: 'app:tap', tap: 'laravel' }, { ...frame, at: at + 4, connection: 'c1' });
    if (s < 11 || s > 20) lines.push({ ...frame, at: at + 9, connection: 'c2' });
  }
  return lines.map((line) => JSON.stringify(line)).join('\n');
}

test('a session a tap saw: each client says what was published and not delivered, and how long after the publish it arrived', async ({ page, served }, testInfo) => {
  await page.goto(`${served.url}#/journal`);
  await page
    .getByTestId('journal-drop')
    .locator('input[type="file"]')
    .setInputFiles({ name: 'tapped.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from(journal()) });
  await expect(page.getByTestId('import-result').getByTestId('imported-session')).toHaveText(['tapped']);

  await page.goto(`${served.url}#/session/tapped`);
  const rows = page.getByTestId('observations').getByTestId('observation-row');
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(0)).toContainText('tap · laravel');
  await expect(rows.nth(0)).toContainText('what was published');
  await expect(rows.nth(1).getByTestId('not-delivered')).toHaveText('0');
  await expect(rows.nth(1).getByTestId('publish-latency')).toHaveText('4.0 ms / 4.0 ms / 4.0 ms');
  await expect(rows.nth(2).getByTestId('not-delivered')).toHaveText('10 (#11–20)');
  await expect(rows.nth(2).getByTestId('not-published')).toHaveText('0');
  await expect(rows.nth(2).getByTestId('publish-latency')).toHaveText('9.0 ms / 9.0 ms / 9.0 ms');
  await page.screenshot({ path: testInfo.outputPath('tapped-session.png'), fullPage: true });

  // The Fleet view: the loss rate of each client vantage over time (c2 lost 10 of 31)
  await page.goto(`${served.url}#/fleet`);
  const chart = page.getByTestId('chart-vantage-loss');
  await expect(chart).toHaveAttribute('data-vantages', '2');
  await expect(chart).toContainText('tapped.ndjson · c2');
  await chart.screenshot({ path: testInfo.outputPath('fleet-vantage-loss.png') });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

const noRedis = spawnSync('redis-server', ['--version']).error ? 'redis-server is not installed (apt-get install -y redis-server)' : null;

test('a profile’s tap is set in the Connections form and shown with its status', async ({ page }, testInfo) => {
  test.skip(noRedis !== null, noRedis ?? '');
  const port = await freePort();
  const redis: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const serve = await startServe(['--demo']);
  try {
    await page.goto(`${serve.app.url}#/connections`);
    const demo = new URL(serve.app.mockUrl!);
    await page.getByRole('button', { name: /new profile/i }).click();
    const form = page.getByTestId('profile-form');
    await form.getByLabel('Profile id').fill('tapped');
    await form.getByLabel('Host').fill(demo.hostname);
    await form.getByLabel('Port').fill(demo.port);
    // the demo's own app key, as its profile row shows it: the connection comes up beside the tap
    const demoKey = (await page.locator('[data-testid="profile-row"][data-profile="demo"] .profile-facts .mono').first().textContent())!;
    await form.getByLabel('App key').fill(demoKey);
    await form.getByLabel('Mode').selectOption('none');
    await form
      .getByTestId('tap-settings')
      .getByLabel(/Redis URL/)
      .fill(`redis://127.0.0.1:${port}`);
    await form
      .getByTestId('tap-settings')
      .getByLabel(/Key prefix/)
      .fill('shop_database_');
    await form.getByTestId('tap-settings').screenshot({ path: testInfo.outputPath('tapped-form.png') });
    await form.getByRole('button', { name: 'Save profile' }).click();
    const row = page.locator('[data-testid="profile-row"][data-profile="tapped"]');
    await expect(row).toContainText(`taps redis://127.0.0.1:${port} (redis broadcaster, prefix "shop_database_")`);
    await row.getByRole('button', { name: 'Connect' }).click();
    await expect(row.getByTestId('tap-status')).toHaveAttribute('data-state', 'connected');
    await expect(row.getByTestId('tap-status')).toContainText(`Tap PSUBSCRIBE shop_database_* on redis://127.0.0.1:${port}: connected`);
    await expect(row.getByTestId('connection-status')).toContainText('connected');
    await page.screenshot({ path: testInfo.outputPath('tapped-profile.png'), fullPage: true });
    // Disconnect stops the tap with the connection
    await row.getByRole('button', { name: 'Disconnect' }).click();
    await expect(row.getByTestId('tap-status')).toHaveCount(0);
  } finally {
    await serve.stop();
    redis.kill('SIGTERM');
  }
});
