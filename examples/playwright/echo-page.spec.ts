import { expect, test as base, type ScenarioInput } from 'echoscope/playwright';
import { serveEchoPage } from './serve-page';

/**
 * The fixture used as a team would use it on their own frontend: a small Echo page (echo-page/)
 * that shows each generation's tokens, either naively (every chunk appended) or one chunk per
 * sequence. The mock plays a scenario; the page's Echo connects to it; the matchers hold what the
 * page received and shows against the scenario's ground truth.
 *
 * Expected values come from how the scenarios were built (electron/mock/scenarios/library.ts for
 * builtin:crash-retry, HEALTHY below), never from EchoScope's own output.
 */

type Render = 'naive' | 'by-sequence';

/** The page under test, opened on the scenario's generations, its Echo pointed at the mock. */
const test = base.extend<{ openPage: (render: Render) => Promise<void> }>({
  openPage: async ({ page, echoscope }, use) => {
    const served = await serveEchoPage(echoscope.echoOptions);
    await use(async (render) => {
      await page.goto(`${served.url}?render=${render}&sessions=${echoscope.sessionIds.join(',')}`);
    });
    await served.close();
  },
});

/** Two generations that stream 30 tokens each and complete: nothing to survive. */
const HEALTHY: ScenarioInput = {
  name: 'healthy',
  seed: 7,
  tokens: 30,
  timing: { ttftMs: { uniform: [5, 15] }, interTokenMs: { lognormal: { p50: 4, p95: 10 } } },
  analyzer: { stallAfterMs: 500, orphanAfterMs: 900 },
  sessions: [{ idPattern: 'answer-{n}', count: 2 }],
};

test.describe('a healthy scenario', () => {
  test.use({ echoscopeOptions: { scenario: HEALTHY } });

  test('the naive page receives and shows each answer once', async ({ echoscope, openPage }) => {
    expect(echoscope.sessionIds).toEqual(['answer-1', 'answer-2']);
    await openPage('naive');
    for (const id of echoscope.sessionIds) {
      const session = echoscope.session(id);
      await expect(session).toHaveStatus('completed');
      await expect(session).toMatchGroundTruth();
      await expect(session).toHaveNoDuplicatesRendered();
      await expect(session).toHaveRenderedCorrectText();
    }
  });
});

test.describe('builtin:crash-retry', () => {
  test.use({ echoscopeOptions: { scenario: 'builtin:crash-retry' } });

  test('the release check fails on the naive page, as it must: it renders the retried tokens again', async ({ echoscope, openPage }) => {
    test.fail(true, 'the naive page appends every chunk, so a crash + retry shows tokens twice');
    await openPage('naive');
    for (const id of echoscope.sessionIds) await expect(echoscope.session(id)).toHaveNoDuplicatesRendered();
  });

  test('on the naive page, Echo got exactly what the mock sent, and the failure names the chunks shown twice', async ({ echoscope, openPage }) => {
    await openPage('naive');
    // library.ts: crash-retry-{1..3} crash after 40 tokens and retry; crash-twice crashes after 20
    // twice; crash-idempotent crashes after 50 with the guard, its record saved at 40 (every 40
    // tokens), so the retry re-sends 41–50.
    const resent: Record<string, string[]> = {
      'crash-retry-1': ['sequences 1–40, re-sent by attempt 2 after the worker crashed'],
      'crash-retry-2': ['sequences 1–40, re-sent by attempt 2 after the worker crashed'],
      'crash-retry-3': ['sequences 1–40, re-sent by attempt 2 after the worker crashed'],
      'crash-twice': ['sequences 1–20, re-sent by attempt 2 after the worker crashed', 'sequences 1–20, re-sent by attempt 3 after the worker crashed'],
      'crash-idempotent': ['sequences 41–50, re-sent by attempt 2 after the worker crashed'],
    };
    expect(echoscope.sessionIds).toEqual(Object.keys(resent));
    for (const id of echoscope.sessionIds) {
      const session = echoscope.session(id);
      // What the page's Echo received is right: the job completed, every broadcast arrived in order.
      await expect(session).toHaveStatus('completed');
      await expect(session).toMatchGroundTruth();
      // What the page shows is not.
      const failure = await expect(session)
        .toHaveNoDuplicatesRendered()
        .then(
          () => null,
          (error: unknown) => (error instanceof Error ? error.message : String(error)),
        );
      expect(failure, `${id}: toHaveNoDuplicatesRendered passed on the naive page`).not.toBeNull();
      for (const line of resent[id]!) expect(failure).toContain(line);
      await expect(session).not.toHaveRenderedCorrectText();
    }
  });

  test('the page that keeps one chunk per sequence survives the crashed jobs', async ({ echoscope, openPage }) => {
    await openPage('by-sequence');
    for (const id of echoscope.sessionIds) {
      const session = echoscope.session(id);
      await expect(session).toHaveStatus('completed');
      await expect(session).toHaveNoDuplicatesRendered();
      await expect(session).toHaveRenderedCorrectText();
    }
  });
});
