import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

/**
 * A user contract built in Settings' form (issue 18, item 2): an app that broadcasts the seed's
 * contract under its own names (`token.streamed`, the sequence as `n`, the chunk as `text`) is
 * not read automatically. Picking Custom and renaming the fields, the live preview finds its
 * session in the recorded frames; "Use this contract" makes live analysis read it.
 */
const T0 = Date.parse('2026-12-02T10:00:00Z');
const CHANNEL = 'private-ai.legacy-1';
const frame = (at: number, n: number, state: string, text: string) =>
  JSON.stringify({
    type: 'frame',
    at: T0 + at,
    connection: 'app',
    channel: CHANNEL,
    event: 'token.streamed',
    data: { session_id: 'legacy-1', n, text, state, termination_code: state === 'completed' ? 'end_turn' : null },
  });
const journal = Buffer.from(
  [
    JSON.stringify({ type: 'subscription', at: T0, connection: 'app', channel: CHANNEL, status: 'subscribed' }),
    frame(10, 1, 'generating', 'Hello'),
    frame(20, 2, 'generating', ', '),
    frame(25, 2, 'generating', ', '),
    frame(30, 3, 'generating', 'world'),
    frame(40, 4, 'completed', '!'),
  ].join('\n') + '\n',
);

/** The whole page in one tall viewport (a full-page capture would paint the sticky header and preview mid-page), then back to 1280×800. */
async function shoot(page: Page, path: string): Promise<void> {
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: 1280, height });
  await page.screenshot({ path });
  await page.setViewportSize({ width: 1280, height: 800 });
}

test('Custom contract: renamed fields, the preview finds the session, applied it is read live', async ({ page, served }, testInfo) => {
  await page.goto(`${served.url}#/journal`);
  await page.getByTestId('journal-drop').locator('input[type="file"]').setInputFiles({ name: 'legacy.ndjson', mimeType: 'application/x-ndjson', buffer: journal });
  await expect(page.getByTestId('import-message')).toContainText('Imported 6 records');

  await page.goto(`${served.url}#/settings`);
  const form = page.getByTestId('contract-form');
  await expect(form.getByTestId('contract-active')).toContainText('Automatic');
  const preview = form.getByTestId('contract-preview');
  // automatic detection does not read this app's frames: its channel is listed as not read
  await expect(preview.getByTestId('preview-unread-channel').filter({ hasText: CHANNEL })).toBeVisible();

  await form.getByRole('radio', { name: /^Custom/ }).check();
  const custom = form.getByTestId('contract-custom').locator(':scope > [data-section="sequenced"]');
  await custom.getByLabel('Event name', { exact: true }).fill('token.streamed');
  await expect(preview.getByTestId('preview-violations')).toContainText('sequence is missing');
  // the same word for two roles: the host names the field
  await custom.getByLabel('Sequence number', { exact: true }).fill('chunk');
  await expect(form.getByTestId('contract-issues')).toContainText('fields.sequence');
  await expect(custom.locator('[data-path="fields.sequence"]').getByTestId('field-error')).toContainText('already the chunk field');
  await shoot(page, testInfo.outputPath('contract-form-error-light.png'));

  await custom.getByLabel('Sequence number', { exact: true }).fill('n');
  await custom.getByLabel('Chunk (token text)', { exact: true }).fill('text');
  const row = preview.locator('[data-testid="preview-session"][data-session="legacy-1"]');
  await expect(row.getByTestId('preview-status')).toHaveAttribute('data-status', 'completed');
  await expect(row).toContainText(CHANNEL);
  await expect(preview.getByTestId('preview-frames-read')).toContainText('5');
  await expect(form.getByTestId('contract-issues')).toHaveCount(0);
  await shoot(page, testInfo.outputPath('contract-form-light.png'));
  // what a 1280×800 window shows: the form scrolled to its fields, the preview kept in view beside them
  await custom.getByLabel('Sequence number', { exact: true }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: testInfo.outputPath('contract-form-viewport-light.png') });

  await form.getByRole('button', { name: 'Use this contract' }).click();
  await expect(form.getByTestId('contract-message')).toContainText('Saved');
  await expect(form.getByTestId('contract-active')).toContainText('Custom');
  await expect(form.getByTestId('contract-in-use')).toBeVisible();

  await page.getByRole('radio', { name: 'dark' }).check();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await shoot(page, testInfo.outputPath('contract-form-dark.png'));
  await custom.getByLabel('Sequence number', { exact: true }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: testInfo.outputPath('contract-form-viewport-dark.png') });
  await custom.getByLabel('Sequence number', { exact: true }).fill('text');
  await expect(form.getByTestId('contract-issues')).toContainText('fields.sequence');
  await shoot(page, testInfo.outputPath('contract-form-error-dark.png'));
  await custom.getByLabel('Sequence number', { exact: true }).fill('n');
  await page.getByRole('radio', { name: 'light' }).check();

  // an event stream's form: a built-in copied into Custom, the fields a stream does not read greyed
  await form.getByRole('radio', { name: /^Laravel AI SDK/ }).check();
  await form.getByRole('button', { name: 'Edit a copy as a custom contract' }).click();
  await expect(form.getByTestId('contract-custom')).toHaveAttribute('data-kind', 'stream');
  await form.getByTestId('contract-unused').locator('summary').click();
  await expect(form.getByTestId('contract-unused').getByLabel('Sequence number', { exact: true })).toBeDisabled();
  await form.locator('.contract-json summary').click();
  await expect(form.getByTestId('contract-profile')).toHaveValue(/"invocation_id"/);
  await shoot(page, testInfo.outputPath('contract-form-stream-light.png'));

  await page.goto(`${served.url}#/live`);
  const live = page.locator('[data-testid="session-row"][data-session="legacy-1"]');
  await expect(live.getByTestId('session-status')).toHaveText(/completed/);

  // The session page reads the frames with the given contract: points at their `n` (1 2 3), the
  // redelivered #2 a duplicate marker, the terminal at #4, the text; its export holds its frames.
  await page.goto(`${served.url}#/session/legacy-1`);
  const detail = page.getByTestId('session-detail');
  await expect(detail.getByTestId('session-contract')).not.toContainText('detected');
  const timeline = page.getByTestId('chart-timeline');
  await expect(timeline.locator('[data-kind="event"]')).toHaveAttribute('data-points', '3');
  await expect(timeline.locator('[data-kind="duplicate"]')).toHaveAttribute('data-sequence', '2');
  await expect(timeline.locator('[data-kind="terminal"]')).toHaveAttribute('data-sequence', '4');
  await expect(page.getByTestId('text-comparison')).toContainText('Hello, world!');
  const download = page.waitForEvent('download');
  await detail.getByRole('button', { name: 'Export NDJSON' }).click();
  // Streamed by the host as a download (the page never holds the file), with the session's filter.
  expect((await download).url()).toMatch(/\/journal\/export\?token=[^&]+&sessionId=legacy-1&format=ndjson$/);
  const file = await (await download).path();
  const { readFileSync } = await import('node:fs');
  const exported = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { type: string; data?: { n?: number } });
  expect(exported.filter((r) => r.type === 'frame').map((r) => r.data?.n)).toEqual([1, 2, 2, 3, 4]);

  // As HAR (issue 21, item 5): one WebSocket entry, whose received messages are the session's frames as the
  // server sent them (payload JSON inside the Pusher frame), at their arrival times in epoch seconds.
  const harDownload = page.waitForEvent('download');
  await detail.getByRole('button', { name: 'Export HAR' }).click();
  expect((await harDownload).url()).toMatch(/\/journal\/export\?token=[^&]+&sessionId=legacy-1&format=har$/);
  expect((await harDownload).suggestedFilename()).toMatch(/^echoscope-legacy-1-.*\.har$/);
  const har = JSON.parse(readFileSync(await (await harDownload).path(), 'utf8')) as {
    log: {
      version: string;
      creator: { name: string };
      entries: Array<{ _resourceType: string; response: { status: number }; _webSocketMessages: Array<{ type: string; time: number; opcode: number; data: string }> }>;
    };
  };
  expect(har.log.version).toBe('1.2');
  expect(har.log.creator.name).toBe('EchoScope');
  expect(har.log.entries).toHaveLength(1);
  const [entry] = har.log.entries;
  expect([entry!._resourceType, entry!.response.status]).toEqual(['websocket', 101]);
  const messages = entry!._webSocketMessages.map((m) => ({ ...m, data: JSON.parse(m.data) as { event: string; channel: string; data: string } }));
  expect(messages.map((m) => [m.type, m.opcode, Math.round(m.time * 1000 - T0), m.data.event, m.data.channel])).toEqual(
    [10, 20, 25, 30, 40].map((at) => ['receive', 1, at, 'token.streamed', CHANNEL]),
  );
  expect(messages.map((m) => (JSON.parse(m.data.data) as { n: number; text: string }).text)).toEqual(['Hello', ', ', ', ', 'world', '!']);
});
