import { Analyzer, type AnalyzerOptions } from '../../../shared/analysis';
import { ProfileInputSchema, type Profile } from '../../../shared/api';
import type { JournalRecord } from '../../../shared/journal';
import {
  emptyScores,
  isStreamContract,
  forRealServer,
  proxyReceivedAll,
  scenarioProfile,
  STREAM_EVENT_NAMES,
  sessionIdsOf,
  type Scenario,
  type SessionTruth,
} from '../../../shared/scenario';
import { DEFAULT_APP, startMockServer } from '../../mock';
import { startScenario, type SimulatorTarget } from '../../mock/simulator';
import type { GenerationStore } from '../../mock/generations';
import { ServerTarget, type ServerApp } from './server-target';
import { ConnectionHub } from '../hub';
import { FaultProxy } from '../proxy';
import { ProxyFaultsSchema, type ProxyTruth } from '../../../shared/proxy';
import { checkReport, judgeScenario, SessionFrames } from './judge';
import { PublishLog } from './publish-log';
import type { CheckReport, ScenarioCheck, SkippedScenario } from './report';
import { IngestGuard } from '../ingest-guard';
import { AnalyzerMetrics, type MetricsRecorder } from '../metrics';

/**
 * `echoscope check` for one scenario: an embedded mock provider plays it while EchoScope
 * watches exactly as it watches a real app — one ConnectionHub connection per session,
 * subscribed before the session's first token — and every record goes to the same Analyzer
 * the monitor uses. Verdicts are then held against the scenario's `expect` blocks and against
 * the ground truth (every anomaly the injected faults must produce, and nothing else).
 */

export interface CheckOptions {
  /** Longest a scenario may take before it is failed (ms). Default 60 s. */
  timeoutMs?: number;
  /** Called as each scenario finishes (for live output). */
  onScenario?: (result: ScenarioCheck) => void;
  /** Counts chunk gaps as they arrive and each scenario's sessions once it ended (`check --metrics-port`). */
  metrics?: MetricsRecorder;
  /** Every record EchoScope's connections captured, as they arrive (the app journals and analyzes them, so a check's sessions open in the session page). */
  onRecord?: (record: JournalRecord) => void;
  /** When each session's job began (the app's monitor measures TTFT from there, as the check's analyzer does). */
  onSessionStart?: (sessionId: string, at: number) => void;
  /** Names of the check's connections, `{prefix}1`, `{prefix}2`, … (default `check-`): the app gives each run its own, so two runs are two vantages, never one stream replayed. */
  connectionPrefix?: string;
  /**
   * A real Pusher-protocol server to play the scenarios on instead of the embedded mock (`check
   * --url`): published through its HTTP API with this app, watched over its WebSocket (through
   * the fault proxy in front of it for `target: proxy`). Scenarios that need the mock are set aside.
   */
  server?: ServerApp;
}

const now = (): number => performance.timeOrigin + performance.now();

/** Which frames are the session's broadcasts in the scenario's contract (what `publishedOn` counts). */
function broadcastFilter(scenario: Scenario): (event: string) => boolean {
  if (!isStreamContract(scenario.contract)) {
    const name = scenario.event;
    return (event) => event === name;
  }
  const names = new Set(STREAM_EVENT_NAMES[scenario.contract]);
  return (event) => names.has(event);
}

export async function checkScenario(scenario: Scenario, options: CheckOptions = {}): Promise<ScenarioCheck> {
  const started = now();
  const startedAt = new Date().toISOString();
  const timeoutMs = options.timeoutMs ?? 60_000;
  const analyzerOptions: AnalyzerOptions = { ...scenario.analyzer, profile: scenarioProfile(scenario) };
  const isBroadcast = broadcastFilter(scenario);
  const analyzer = new Analyzer(analyzerOptions);
  const metrics = options.metrics ? new AnalyzerMetrics(analyzer, options.metrics) : undefined;
  const errors: string[] = [];
  const played = await playground(scenario, options.server);
  const { target, app, upstream } = played;
  // `target: proxy`: EchoScope watches through the fault proxy, which applies the scenario's rules to what the server sends.
  let proxy: FaultProxy | null = null;
  try {
    if (scenario.target === 'proxy') proxy = await FaultProxy.start({ upstream: upstreamUrl(upstream), faults: scenario.proxy ?? ProxyFaultsSchema.parse({}) });
  } catch (error) {
    await played.close();
    throw error;
  }
  // Through the proxy, the judge places a client's sockets in the published stream by what was published.
  const published = proxy === null ? null : new PublishLog();
  const watched: WatchedServer = proxy === null ? upstream : { kind: 'reverb', host: '127.0.0.1', port: Number(new URL(proxy.url).port), tls: false };
  const received = new Map<string, number>();
  const frames = new SessionFrames();
  const changed = new Set<() => void>();
  const profiles = new Map<string, { profile: Profile; channel: string }>();
  let watching = true;
  const withDigests = (sessions: readonly SessionTruth[]): SessionTruth[] => sessions.map((session) => ({ ...session, publishedDigests: published!.digests(session.channel) }));

  const guard = new IngestGuard((message) => errors.push(message));
  const hub: ConnectionHub = new ConnectionHub({
    record(record) {
      options.onRecord?.(record);
      guard.feed((r) => {
        const key = analyzer.ingest(r);
        metrics?.ingested(key);
        return key;
      }, record);
      if (record.type === 'frame' && record.channel !== undefined && isBroadcast(record.event)) {
        frames.add(record);
        received.set(record.channel, (received.get(record.channel) ?? 0) + 1);
        for (const listener of changed) listener();
      }
    },
    status(status) {
      // A fatal close code stops pusher-js for good; the watcher reconnects, as a resilient client would.
      const watched = profiles.get(status.profileId);
      if (!watching || !watched || status.state !== 'disconnected') return;
      setImmediate(() => {
        if (!watching) return;
        hub.connect(watched.profile);
        void hub.subscribe(watched.profile.id, watched.channel);
      });
    },
  });

  const run = startScenarioAfterSubscribing();
  try {
    const active = await run;
    const failure = target instanceof ServerTarget ? target.failure : new Promise<string>(() => undefined);
    const outcome = await within(Promise.race([active.done.then(() => ({ failed: null })), failure.then((message) => ({ failed: message }))]), timeoutMs);
    if (outcome === null) {
      active.stop();
      errors.push(`timed out after ${timeoutMs} ms (${JSON.stringify(active.progress())})`);
    } else if (outcome.failed !== null) {
      active.stop();
      errors.push(outcome.failed);
    }
    // Judge only once every event the server sent has reached EchoScope.
    const arrived =
      (outcome !== null && outcome.failed !== null) ||
      (proxy === null
        ? await waitFor(() => active.truth.sessions.every((s) => (received.get(s.channel) ?? 0) >= active.publishedOn(s.channel)), 10_000)
        : await pollFor(() => proxySettled(proxy!.truth(), withDigests(active.truth.sessions), (channel) => received.get(channel) ?? 0), 10_000));
    if (!arrived)
      errors.push(proxy === null ? 'not every published event reached EchoScope within 10 s' : 'not every published event went through the proxy to EchoScope within 10 s');
    const verdict = analyzer.verdicts(now(), { endOfJournal: true });
    metrics?.final(verdict.sessions);
    watching = false;
    return judgeScenario({
      scenario,
      truth: proxy === null ? active.truth : { ...active.truth, sessions: withDigests(active.truth.sessions), proxy: proxy.truth() },
      verdict,
      times: (sessionId) => analyzer.sessionTimes(sessionId),
      frames,
      generation: (sessionId) => target.generations.get(sessionId),
      analyzer: analyzerOptions,
      errors,
      startedAt,
      durationMs: now() - started,
      emitTiming: active.timing(),
    });
  } finally {
    watching = false;
    hub.closeAll();
    await proxy?.close();
    await played.close();
  }

  async function startScenarioAfterSubscribing() {
    const sessionIds = scenario.sessions.flatMap((group, g) => sessionIdsOf(scenario.name, group, g));
    await Promise.all(
      sessionIds.map(async (sessionId, i) => {
        const channel = `${scenario.channelPrefix}${sessionId}`;
        const profile = ProfileInputSchema.parse({
          id: `${options.connectionPrefix ?? 'check-'}${i + 1}`,
          name: `check ${sessionId}`,
          ...watched,
          ...(scenario.keepAlive === undefined ? {} : { keepAlive: scenario.keepAlive }),
          key: app.key,
          appId: app.id,
          auth: { mode: 'secret', secret: app.secret },
        });
        profiles.set(profile.id, { profile, channel });
        hub.connect(profile);
        const status = await hub.subscribe(profile.id, channel, 10_000);
        if (status.status !== 'subscribed') throw new Error(`EchoScope could not subscribe to ${channel}: ${status.status}${status.error ? ` (${status.error.message})` : ''}`);
        if (target instanceof ServerTarget) target.subscribed(channel);
      }),
    );
    // The run knows when each job began: TTFT is measured from there (the subscription came before it).
    return startScenario(published === null ? target : published.around(target), scenario, {
      appId: app.id,
      waitForSubscriber: true,
      onSessionStart: (sessionId, at) => {
        analyzer.setStart(sessionId, at, 'run');
        options.onSessionStart?.(sessionId, at);
      },
    });
  }

  function waitFor(condition: () => boolean, ms: number): Promise<boolean> {
    if (condition()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        changed.delete(check);
        resolve(false);
      }, ms);
      const check = (): void => {
        if (!condition()) return;
        clearTimeout(timer);
        changed.delete(check);
        resolve(true);
      };
      changed.add(check);
    });
  }
}

/** Where EchoScope's watchers connect: the server itself, or the proxy in front of it. */
type WatchedServer = Pick<Profile, 'kind' | 'host' | 'port' | 'tls'> & { cluster?: string };

interface Playground {
  target: SimulatorTarget & { generations: GenerationStore };
  app: { id: string; key: string; secret: string };
  upstream: WatchedServer;
  close(): Promise<void>;
}

/** The server a scenario plays on: a fresh embedded mock with the scenario's app, or the real server given. */
async function playground(scenario: Scenario, server: ServerApp | undefined): Promise<Playground> {
  if (server !== undefined) {
    const upstream: WatchedServer =
      server.kind === 'pusher'
        ? { kind: 'pusher', host: server.host, port: server.port, tls: true, cluster: server.cluster ?? 'mt1' }
        : { kind: 'reverb', host: server.host, port: server.port, tls: server.tls };
    return { target: new ServerTarget(server), app: { id: server.appId, key: server.key, secret: server.secret }, upstream, close: async () => undefined };
  }
  const app = scenario.app ?? DEFAULT_APP;
  const mock = await startMockServer({ port: 0, apps: [app] });
  return { target: mock, app, upstream: { kind: 'reverb', host: '127.0.0.1', port: mock.port, tls: false }, close: () => mock.close() };
}

/** The WebSocket address the proxy forwards to (Pusher Channels: its cluster's host). */
function upstreamUrl(server: WatchedServer): string {
  if (server.kind === 'pusher') return `wss://ws-${server.cluster ?? 'mt1'}.pusher.com:443`;
  return `${server.tls ? 'wss' : 'ws'}://${server.host}:${server.port}`;
}

/**
 * Through the proxy: every event the server published on each session's channel reached the
 * proxy on one of the client's sockets (or went to nobody while it came back), went out or was
 * dropped, and every delivery reached EchoScope's connection.
 */
function proxySettled(truth: ProxyTruth, sessions: readonly SessionTruth[], receivedOn: (channel: string) => number): boolean {
  return sessions.every((session) => {
    if (!proxyReceivedAll(session, truth) && !lostWhileAway(truth, session.channel)) return false;
    let delivered = 0;
    for (const client of truth.clients) {
      for (const event of client.events) {
        if (event.channel !== session.channel) continue;
        delivered += event.deliveries.length;
        // still held or delayed, unless dropped or its socket is gone (closed by a disconnect before it went out)
        if (event.deliveries.length === 0 && !event.faults.some((fault) => fault.kind === 'drop') && client.closedAt === undefined) return false;
      }
    }
    return receivedOn(session.channel) >= delivered;
  });
}

/** A socket of the channel was closed by the proxy and nothing has come for it since `QUIET_MS`: what the server published meanwhile went to nobody. */
function lostWhileAway(truth: ProxyTruth, channel: string): boolean {
  let last = Number.NEGATIVE_INFINITY;
  let closed = false;
  for (const client of truth.clients) {
    for (const moment of client.moments) if (moment.kind === 'disconnect' && moment.channel === channel) closed = true;
    for (const event of client.events) if (event.channel === channel) last = Math.max(last, event.receivedAt, ...event.deliveries.map((d) => d.at));
  }
  return closed && now() - last >= QUIET_MS;
}

/** How long a channel's stream stays silent after a disconnect before the check takes the rest as lost. */
const QUIET_MS = 1000;

async function pollFor(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = now() + ms;
  while (!condition()) {
    if (now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

async function within<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs scenarios one after another (they share two cores with everything else) and sums up. */
export async function runCheck(suite: string, scenarios: readonly Scenario[], options: CheckOptions = {}): Promise<CheckReport> {
  const started = now();
  const startedAt = new Date().toISOString();
  const results: ScenarioCheck[] = [];
  const skipped: SkippedScenario[] = [];
  for (const built of scenarios) {
    const play = options.server === undefined ? null : forRealServer(built);
    if (play !== null && play.reason !== null) skipped.push({ name: built.name, reason: play.reason, sessions: play.setAside, ran: play.scenario !== null });
    const scenario = play === null ? built : play.scenario;
    if (scenario === null) continue;
    let result: ScenarioCheck;
    try {
      result = await checkScenario(scenario, options);
    } catch (error) {
      result = {
        name: scenario.name,
        description: scenario.description,
        seed: scenario.seed,
        passed: false,
        startedAt: new Date().toISOString(),
        durationMs: 0,
        errors: [error instanceof Error ? error.message : String(error)],
        sessions: [],
        scores: emptyScores(),
        truth: { version: 1, scenario: scenario.name, seed: scenario.seed, contract: scenario.contract, sessions: [] },
        emitTiming: { error: null, samples: 0 },
      };
    }
    results.push(result);
    options.onScenario?.(result);
  }
  return checkReport(suite, results, startedAt, now() - started, skipped);
}
