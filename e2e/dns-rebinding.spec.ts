/**
 * DNS rebinding, in Chromium: a page on a foreign name that resolves to 127.0.0.1 (here by
 * --host-resolver-rules, as a rebinding DNS server would make it) is same-origin with itself,
 * not with the dashboard. The headless host must give it nothing: no page, no token, no bridge.
 */
import { CHROMIUM_ARGS, chromiumPath } from './chromium';
import { expect, startServe, test } from './fixtures';

test.use({ launchOptions: { executablePath: chromiumPath(), args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP rebind.test 127.0.0.1'] } });

test('a page on a name rebound to 127.0.0.1 gets no token and cannot open the bridge', async ({ page, request }) => {
  const server = await startServe();
  try {
    const { port } = new URL(server.app.url);
    const realPage = await (await request.get(server.app.url)).text();
    const token = /name="echoscope-bridge-token" content="([0-9a-f]+)"/.exec(realPage)?.[1];
    expect(token).toMatch(/^[0-9a-f]{48}$/);

    const rebound = await page.goto(`http://rebind.test:${port}/`);
    expect(rebound?.status()).toBe(421);
    expect(await page.content()).not.toContain('echoscope-bridge-token');

    // What the attacker's script can do from its own origin: fetch the dashboard, open the bridge
    // (even holding the real token, which it could not read), and read what comes back.
    const attempt = await page.evaluate(
      async ({ port, token }) => {
        const fetched = await fetch('/', { cache: 'no-store' });
        const body = await fetched.text();
        const bridge = await new Promise<string>((resolve) => {
          const ws = new WebSocket(`ws://rebind.test:${port}/bridge?token=${token}`);
          ws.onopen = () => resolve('open');
          ws.onclose = (event) => resolve(`closed ${event.code}`);
        });
        return { status: fetched.status, leaked: body.includes('echoscope-bridge-token'), bridge };
      },
      { port, token: token! },
    );
    expect(attempt).toEqual({ status: 421, leaked: false, bridge: 'closed 1006' });

    // The same browser on the loopback address gets the dashboard, and the bridge opens there.
    await page.goto(server.app.url);
    const ownToken = await page.locator('meta[name="echoscope-bridge-token"]').getAttribute('content');
    const own = await page.evaluate(
      (token) =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(`ws://${location.host}/bridge?token=${token}`);
          ws.onopen = () => resolve('open');
          ws.onclose = (event) => resolve(`closed ${event.code}`);
        }),
      ownToken!,
    );
    expect(own).toBe('open');
    // …and the dashboard's own transport works there: the demo connection's state arrives by push.
    await expect(page.locator('[data-testid="connection-status"][data-state="connected"]').first()).toBeVisible();
  } finally {
    await server.stop();
  }
});
