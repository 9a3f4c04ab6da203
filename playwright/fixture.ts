import { test as base, type BrowserContext, type Page } from '@playwright/test';
import { serializeJournal, type JournalRecord } from '../shared/journal';
import type { GroundTruth, Scenario } from '../shared/scenario';
import { CAPTURE_BINDING, installWireCapture, type WireEntry } from './page-capture';
import { PageJournal } from './page-journal';
import { EchoscopeProvider, type EchoscopeConnection, type EchoscopeEchoOptions } from './provider';
import { resolveScenario, type ScenarioChoice } from './scenario-option';
import { EchoscopeSession, readMarkedElement, type RenderReader } from './session';

/**
 * The `echoscope` fixture: a mock provider playing a scenario for one test, the page's own Echo
 * watched from inside the page, and the sessions as the matchers read them (docs/playwright.md).
 */

export interface EchoscopeOptions extends ScenarioChoice {
  /** The mock's port; default 0 (a free one). Fix it when the app under test is built with its port (VITE_REVERB_PORT). */
  port?: number;
  /** Start playing when the fixture is set up (each session still waits for a subscriber on its channel); false: `await echoscope.play()`. Default true. */
  autoPlay?: boolean;
  /** Reads what the page shows for a session; default the text of the element marked `data-echoscope-session="ID"`. */
  render?: RenderReader;
}

export interface Echoscope {
  /** The scenario played, as validated (defaults filled in). */
  readonly scenario: Scenario;
  /** Its session ids, in order (a page shows a generation by id). */
  readonly sessionIds: readonly string[];
  /** Where the app connects: `wsHost`, `wsPort`, `key`, `cluster`, `forceTLS: false`, `authEndpoint`, … */
  readonly connection: EchoscopeConnection;
  /** `new Echo({ ...echoscope.echoOptions, Pusher })`. */
  readonly echoOptions: EchoscopeEchoOptions;
  /** The `.env` lines that point a Laravel app and its Vite-built Echo (VITE_REVERB_*) at the mock. */
  readonly env: readonly string[];
  /** The channel a session streams on (`private-ai.{id}` by default). */
  channel(sessionId: string): string;
  /** Starts the scenario, once (automatic unless `autoPlay: false`). */
  play(): Promise<void>;
  /** What the simulator sent and which faults it applied (null before playing). */
  readonly truth: GroundTruth | null;
  /** A session as `page` (default the test's page) saw it, for `expect(…).toHaveStatus(…)` and the other matchers. */
  session(sessionId: string, page?: Page): EchoscopeSession;
  /** The journal records of what `page`'s Echo received (NDJSON v1 records, one per line when written out). */
  journal(page?: Page): readonly JournalRecord[];
}

interface Fixtures {
  echoscopeOptions: EchoscopeOptions | undefined;
  echoscope: Echoscope;
}

/** One journal per page of the context, made as the page's capture first reports. */
class ContextCapture {
  private readonly journals = new Map<Page, PageJournal>();

  journalOf(page: Page): PageJournal {
    let journal = this.journals.get(page);
    if (journal === undefined) {
      journal = new PageJournal(`page-${this.journals.size + 1}`, () => page.url());
      this.journals.set(page, journal);
    }
    return journal;
  }

  all(): PageJournal[] {
    return [...this.journals.values()];
  }

  async install(context: BrowserContext): Promise<void> {
    await context.exposeBinding(CAPTURE_BINDING, ({ page }, entry: WireEntry) => {
      if (page !== undefined && page !== null) this.journalOf(page).add(entry);
    });
    await context.addInitScript(installWireCapture, CAPTURE_BINDING);
  }
}

export const test = base.extend<Fixtures>({
  echoscopeOptions: [undefined, { option: true }],

  echoscope: async ({ echoscopeOptions, context, page }, use, testInfo) => {
    if (echoscopeOptions === undefined) {
      throw new Error("the echoscope fixture needs a scenario: test.use({ echoscopeOptions: { scenario: 'builtin:crash-retry' } })");
    }
    const scenario = await resolveScenario(echoscopeOptions);
    const provider = await EchoscopeProvider.start(scenario, echoscopeOptions.port);
    const capture = new ContextCapture();
    try {
      await capture.install(context);
      const render = echoscopeOptions.render ?? readMarkedElement;
      const echoscope: Echoscope = {
        scenario,
        sessionIds: provider.sessionIds,
        connection: provider.connection,
        echoOptions: provider.echoOptions,
        env: provider.env,
        channel: (sessionId) => provider.channel(sessionId),
        play: () => {
          provider.play();
          return Promise.resolve();
        },
        get truth() {
          return provider.truth;
        },
        session: (sessionId, on = page) => new EchoscopeSession(sessionId, on, provider, capture.journalOf(on), render),
        journal: (on = page) => capture.journalOf(on).records,
      };
      if (echoscopeOptions.autoPlay !== false) provider.play();
      await use(echoscope);
    } finally {
      // Kept with a failing test (STYLE 9): what each page received and what the mock meant to send.
      if (testInfo.status !== testInfo.expectedStatus) {
        for (const journal of capture.all()) {
          await testInfo.attach(`echoscope-${journal.connection}.ndjson`, {
            body: serializeJournal(journal.records, new Date().toISOString()),
            contentType: 'application/x-ndjson',
          });
        }
        if (provider.truth !== null) await testInfo.attach('echoscope-ground-truth.json', { body: JSON.stringify(provider.truth, null, 2), contentType: 'application/json' });
      }
      await provider.close();
    }
  },
});
