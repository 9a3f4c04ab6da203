import { pointEnvAtServer } from '../shared/laravel';
import { sessionIdsOf, type GroundTruth, type Scenario } from '../shared/scenario';
import { DEFAULT_APP, startMockServer, type MockApp, type MockServer, type PublishRequest } from '../electron/mock';
import { startScenario, type ScenarioRun, type SimulatorTarget } from '../electron/mock/simulator';
import type { WireBroadcast } from './page-journal';

/**
 * The mock provider a test's page connects to, playing one scenario: where it listens (as Echo
 * options and as the `.env` lines a Laravel app reads), and the mock's own view of the run — every
 * broadcast it published per channel, and the ground truth of what the simulator sent.
 */

/** Where the app under test connects: the fields Echo and pusher-js take. */
export interface EchoscopeConnection {
  wsHost: string;
  wsPort: number;
  wssPort: number;
  key: string;
  cluster: string;
  forceTLS: false;
  enabledTransports: ['ws'];
  /** The mock's Laravel-style channel auth (private and presence channels) when the app has no backend of its own. */
  authEndpoint: string;
  /** The mock's HTTP API (Pusher REST), for a backend that publishes itself. */
  httpUrl: string;
  appId: string;
  secret: string;
}

/** `new Echo(echoOptions)` (add `Pusher` or set `window.Pusher`): the reverb broadcaster pointed at the mock. */
export interface EchoscopeEchoOptions {
  broadcaster: 'reverb';
  key: string;
  wsHost: string;
  wsPort: number;
  wssPort: number;
  forceTLS: false;
  enabledTransports: ['ws'];
  authEndpoint: string;
}

const now = (): number => performance.timeOrigin + performance.now();

export class EchoscopeProvider {
  readonly connection: EchoscopeConnection;
  readonly echoOptions: EchoscopeEchoOptions;
  /** The `.env` lines that point a Laravel app (and its Vite-built Echo: VITE_REVERB_*) at the mock. */
  readonly env: string[];
  readonly sessionIds: string[];
  private run: ScenarioRun | null = null;
  private readonly published = new Map<string, WireBroadcast[]>();
  private readonly listeners = new Set<() => void>();

  private constructor(
    readonly scenario: Scenario,
    readonly server: MockServer,
    readonly app: MockApp,
  ) {
    const host = server.host;
    this.connection = {
      wsHost: host,
      wsPort: server.port,
      wssPort: server.port,
      key: app.key,
      cluster: 'mt1',
      forceTLS: false,
      enabledTransports: ['ws'],
      authEndpoint: `${server.httpUrl}/broadcasting/auth`,
      httpUrl: server.httpUrl,
      appId: app.id,
      secret: app.secret,
    };
    this.echoOptions = {
      broadcaster: 'reverb',
      key: app.key,
      wsHost: host,
      wsPort: server.port,
      wssPort: server.port,
      forceTLS: false,
      enabledTransports: ['ws'],
      authEndpoint: this.connection.authEndpoint,
    };
    const written = pointEnvAtServer('', { host, port: server.port, appId: app.id, key: app.key, secret: app.secret });
    this.env = written.ok ? written.text.split('\n').filter((line) => line !== '' && !line.startsWith('#')) : [];
    this.sessionIds = scenario.sessions.flatMap((group, g) => sessionIdsOf(scenario.name, group, g));
  }

  /** Starts the mock on 127.0.0.1 (port 0: a free one) serving the scenario's app. */
  static async start(scenario: Scenario, port = 0): Promise<EchoscopeProvider> {
    const app = scenario.app ?? DEFAULT_APP;
    const server = await startMockServer({ host: '127.0.0.1', port, apps: [app] });
    return new EchoscopeProvider(scenario, server, app);
  }

  channel(sessionId: string): string {
    return `${this.scenario.channelPrefix}${sessionId}`;
  }

  get playing(): boolean {
    return this.run !== null;
  }

  /** Starts the scenario (once): each session waits for a subscriber on its channel, as the scenario says. */
  play(): void {
    if (this.run !== null) return;
    const server = this.server;
    // The simulator's narrow target (SimulatorTarget): the mock itself, its publishes also kept as the mock's view.
    const target: SimulatorTarget = {
      generations: server.generations,
      publish: (request) => {
        this.keep(request);
        return server.publish(request);
      },
      subscriberCount: (channel, appId) => server.subscriberCount(channel, appId),
      onSubscribed: (listener) => server.onSubscribed(listener),
      closeConnections: (filter, code, reason) => server.closeConnections(filter, code, reason),
      silencePings: (filter, durationMs) => server.silencePings(filter, durationMs),
    };
    this.run = startScenario(target, this.scenario, { appId: this.app.id });
    void this.run.done.then(() => this.changed());
  }

  /** What the simulator sent and which faults it applied (null before `play`). */
  get truth(): GroundTruth | null {
    return this.run?.truth ?? null;
  }

  /** Whether the session has published everything it ever will (its job's steps all ran). */
  sessionDone(sessionId: string): boolean {
    const phase = this.run?.phaseOf(sessionId);
    return phase === 'dead' || phase === 'resolved';
  }

  /** Where the session is in the simulator: `waiting` means no one subscribed to its channel yet. */
  sessionPhase(sessionId: string): string {
    return this.run?.phaseOf(sessionId) ?? 'not playing';
  }

  /** The broadcasts the mock published on a channel, in publish order. */
  publishedOn(channel: string): readonly WireBroadcast[] {
    return this.published.get(channel) ?? [];
  }

  /** Called when the mock publishes and when the run ends; returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.run?.stop();
    await this.server.close();
  }

  private keep(request: PublishRequest): void {
    const channels = request.channels ?? (request.channel === undefined ? [] : [request.channel]);
    const data = typeof request.data === 'string' ? request.data : JSON.stringify(request.data);
    for (const channel of channels) {
      const list = this.published.get(channel) ?? [];
      list.push({ at: now(), event: request.event, data });
      this.published.set(channel, list);
    }
    this.changed();
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
