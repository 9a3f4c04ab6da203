import type { Page } from '@playwright/test';
import { analyzeJournal, resolveOptions, type SessionVerdict } from '../shared/analysis';
import { scenarioProfile, type SessionTruth } from '../shared/scenario';
import type { PageJournal } from './page-journal';
import type { EchoscopeProvider } from './provider';

/**
 * One session of the scenario as one page saw it: what its Echo received (journal records and the
 * verdict EchoScope's analyzer gives them), what the mock published on its channel, its ground
 * truth, and what the page shows for it. The matchers read it; a test can too.
 */

/** Reads the text a page shows for a session. */
export type RenderReader = (page: Page, sessionId: string) => Promise<string>;

/** The default reader: the text of the element marked `data-echoscope-session="ID"`. */
export const readMarkedElement: RenderReader = async (page, sessionId) => {
  const marked = page.locator(`[data-echoscope-session="${sessionId.replace(/["\\]/g, '\\$&')}"]`);
  const count = await marked.count();
  if (count === 0) {
    throw new Error(
      `the page (${page.url()}) has no element [data-echoscope-session="${sessionId}"]: mark the element that shows a session's text with that attribute, or give the fixture a \`render(page, sessionId)\` that reads it`,
    );
  }
  return (await marked.first().textContent()) ?? '';
};

/** Where a session stands once the fixture stopped waiting for it. */
export interface Settled {
  /** The simulator published everything it will, and the page's Echo received at least as many broadcasts on the channel. */
  complete: boolean;
  published: number;
  received: number;
  /** Why it is not complete, in words that say what to check; empty when complete. */
  problem: string;
}

const now = (): number => performance.timeOrigin + performance.now();

export class EchoscopeSession {
  readonly channel: string;

  constructor(
    readonly sessionId: string,
    readonly page: Page,
    private readonly provider: EchoscopeProvider,
    private readonly journal: PageJournal,
    private readonly render: RenderReader,
  ) {
    this.channel = provider.channel(sessionId);
  }

  /** What the page is, for messages. */
  get where(): string {
    return `the page's Echo (${this.journal.pageUrl()})`;
  }

  /** The session's ground truth: what the simulator sent and which faults it applied. */
  truth(): SessionTruth {
    const truth = this.provider.truth;
    if (truth === null) throw new Error('the scenario is not playing: call `await echoscope.play()` first (the fixture was given `autoPlay: false`)');
    const session = truth.sessions.find((s) => s.sessionId === this.sessionId);
    if (session === undefined) throw new Error(`no session "${this.sessionId}" in scenario ${truth.scenario}; its sessions: ${truth.sessions.map((s) => s.sessionId).join(', ')}`);
    return session;
  }

  /** The page side's verdict now: EchoScope's analyzer over what the page's Echo received, with the scenario's contract and thresholds. */
  verdict(): SessionVerdict | undefined {
    const scenario = this.provider.scenario;
    const verdict = analyzeJournal(this.journal.records, { ...scenario.analyzer, profile: scenarioProfile(scenario), endMs: now() });
    return verdict.sessions.find((s) => s.sessionId === this.sessionId && s.connection === this.journal.connection);
  }

  /** The broadcasts the page's Echo received on the channel, and the ones the mock published there. */
  wire(): { received: ReturnType<PageJournal['broadcastsOn']>; published: ReturnType<EchoscopeProvider['publishedOn']> } {
    return { received: this.journal.broadcastsOn(this.channel), published: this.provider.publishedOn(this.channel) };
  }

  /** What the page shows for the session (the fixture's `render`). */
  rendered(): Promise<string> {
    return this.render(this.page, this.sessionId);
  }

  /**
   * Waits until the simulator has published everything for the session and the page's Echo has
   * received as many broadcasts on its channel — woken by each frame, never by a clock — or the
   * timeout.
   */
  async settle(timeoutMs: number): Promise<Settled> {
    this.truth();
    const complete = (): boolean => this.provider.sessionDone(this.sessionId) && this.journal.broadcastsOn(this.channel).length >= this.provider.publishedOn(this.channel).length;
    if (!complete()) {
      await new Promise<void>((resolve) => {
        const check = (): void => {
          if (!complete()) return;
          finish();
        };
        const offJournal = this.journal.onChange(check);
        const offProvider = this.provider.onChange(check);
        const timer = setTimeout(() => finish(), timeoutMs);
        const finish = (): void => {
          clearTimeout(timer);
          offJournal();
          offProvider();
          resolve();
        };
      });
    }
    const published = this.provider.publishedOn(this.channel).length;
    const received = this.journal.broadcastsOn(this.channel).length;
    return { complete: complete(), published, received, problem: complete() ? '' : this.whyIncomplete(timeoutMs, published, received) };
  }

  /**
   * Waits until a verdict can no longer change with time alone: a terminal status, or orphaned, or
   * (for a stream left open) the analyzer's orphan threshold after its last event. Returns the
   * verdict then, or at the deadline.
   */
  async finalVerdict(deadline: number, wanted: (verdict: SessionVerdict | undefined) => boolean): Promise<SessionVerdict | undefined> {
    const thresholds = resolveOptions(this.provider.scenario.analyzer);
    for (;;) {
      const verdict = this.verdict();
      if (wanted(verdict) || verdict === undefined || verdict.status === 'orphaned' || verdict.terminalStates.length > 0) return verdict;
      const received = this.journal.broadcastsOn(this.channel);
      const lastAt = received[received.length - 1]?.at ?? now();
      const next = [lastAt + thresholds.stallAfterMs, lastAt + thresholds.orphanAfterMs].find((at) => at > now());
      if (next === undefined || next > deadline) return verdict;
      // The status moves at these thresholds (DESIGN §5): judged again just past the next one, or at a new frame.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, next - now() + 5);
        const off = this.journal.onChange(done);
        function done(): void {
          clearTimeout(timer);
          off();
          resolve();
        }
      });
    }
  }

  private whyIncomplete(timeoutMs: number, published: number, received: number): string {
    const phase = this.provider.sessionPhase(this.sessionId);
    const subscriptions = this.journal.subscriptions();
    const lines = [
      `after ${timeoutMs} ms ${this.where} had received ${received} of the ${published} broadcasts the mock has published on ${this.channel} (the simulator: ${phase}).`,
    ];
    if (phase === 'waiting' || phase === 'scheduled' || phase === 'queued') {
      lines.push(
        subscriptions.includes(this.channel)
          ? 'The session has not started yet.'
          : `The mock is waiting for a subscriber on ${this.channel}: the page never subscribed to it (it subscribed to ${subscriptions.length === 0 ? 'nothing — is it connected to the mock? see echoscope.connection / echoscope.echoOptions' : subscriptions.join(', ')}).`,
      );
    } else if (!subscriptions.includes(this.channel)) {
      lines.push(`The page's Echo never had a confirmed subscription to ${this.channel} (it subscribed to ${subscriptions.length === 0 ? 'nothing' : subscriptions.join(', ')}).`);
    } else if (received < published) {
      lines.push('The page lost broadcasts the mock sent: did it unsubscribe or leave the channel before the end?');
    }
    return lines.join(' ');
  }
}
