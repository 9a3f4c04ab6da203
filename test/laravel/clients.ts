/**
 * The two clients of the Laravel stack: the app's own frontend (laravel-echo + socket.io-client 2,
 * as Laravel's docs set it up for laravel-echo-server) and EchoScope's headless core through its App
 * API (electron/core/app AppService), with a `socketio` profile as a user would write it: auth
 * through the app's /broadcasting/auth with the bearer header, discovery with laravel-echo-server's
 * API key, reconciliation against the app's /api/generations/{sessionId}.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Echo from 'laravel-echo';
import io from 'socket.io-client';
import { ProfileInputSchema } from '../../shared/api';
import type { SessionDetail, ReconcileResult } from '../../shared/api';
import type { FrameRecord, JournalRecord } from '../../shared/journal';
import { AppService } from '../../electron/core/app';
import { LES_CLIENT, QA_TOKEN, waitFor, type LaravelStack } from './stack';

export interface Frontend {
  /** `chunk.delivered` events received. */
  received(): number;
  /** `echoscope.probe` broadcasts received (the harness's "are you in?"). */
  probes(): number;
  close(): void;
}

/** The app's browser, subscribed to `Echo.private('ai.{sessionId}')`; resolves once a probe broadcast reached it. */
export async function startFrontend(stack: LaravelStack, sessionId: string): Promise<Frontend> {
  const echo = new Echo({
    broadcaster: 'socket.io',
    host: `http://${stack.les.host}:${stack.les.port}`,
    client: io,
    auth: { headers: { Authorization: `Bearer ${QA_TOKEN}` } },
    transports: ['websocket'],
  });
  let received = 0;
  let probes = 0;
  echo
    .private(`ai.${sessionId}`)
    .listen('.chunk.delivered', () => void received++)
    .listen('.echoscope.probe', () => void probes++);
  // laravel-echo-server acknowledges no subscription: the frontend is in once a probe reaches it
  // (it joins the room after the app authorized it).
  try {
    await waitFor(
      'the frontend to join its channel',
      async () => {
        if (probes === 0) await stack.les.broadcast(`private-ai.${sessionId}`, 'echoscope.probe', {});
        return probes > 0;
      },
      15_000,
    );
  } catch (error) {
    echo.disconnect();
    throw error;
  }
  return { received: () => received, probes: () => probes, close: () => echo.disconnect() };
}

export interface EchoScopeHost {
  service: AppService;
  records: JournalRecord[];
  /** Resolves once every connection receives probes on the session's channel (discovered it, and is in). */
  ready(sessionId: string): Promise<void>;
  /** `chunk.delivered` frames one connection received for a session. */
  frames(connection: string, sessionId: string): FrameRecord[];
  /** Probes one connection received on the session's channel. */
  probes(connection: string, sessionId: string): number;
  detail(sessionId: string, connection?: string): Promise<SessionDetail>;
  reconcile(sessionId: string, connection?: string): Promise<ReconcileResult>;
  close(): void;
}

export async function startEchoScope(
  stack: LaravelStack,
  ids: string[],
  options: { settleMs?: number; stallAfterMs?: number; orphanAfterMs?: number } = {},
): Promise<EchoScopeHost> {
  const service = new AppService({ transport: 'browser', version: 'laravel-suite' });
  const records: JournalRecord[] = [];
  service.onRecords((record) => void records.push(record));
  const must = <T>(result: { ok: true; value: T } | { ok: false; error: { message: string } }): T => {
    if (!result.ok) throw new Error(result.error.message);
    return result.value;
  };
  if (options.stallAfterMs !== undefined || options.orphanAfterMs !== undefined) {
    must(
      await service.invoke('monitor.settings', {
        ...(options.stallAfterMs !== undefined ? { stallAfterMs: options.stallAfterMs } : {}),
        ...(options.orphanAfterMs !== undefined ? { orphanAfterMs: options.orphanAfterMs } : {}),
      }),
    );
  }
  const auth = { Authorization: `Bearer ${QA_TOKEN}` };
  for (const id of ids) {
    const profile = ProfileInputSchema.parse({
      id,
      name: id,
      kind: 'socketio',
      host: stack.les.host,
      port: stack.les.port,
      key: 'unused',
      appId: LES_CLIENT.appId,
      auth: { mode: 'endpoint', url: `${stack.appUrl}/broadcasting/auth`, headers: auth },
      discover: { prefix: 'private-ai.', apiKey: LES_CLIENT.key, intervalMs: 500 },
      reconcile: { url: `${stack.appUrl}/api/generations/{sessionId}`, headers: auth, ...(options.settleMs !== undefined ? { settleMs: options.settleMs } : {}) },
    });
    must(await service.invoke('profiles.save', profile));
    must(await service.invoke('connections.connect', { profileId: id }));
  }
  const framesOf = (connection: string, sessionId: string, event = 'chunk.delivered') =>
    records.filter((r): r is FrameRecord => r.type === 'frame' && r.connection === connection && r.channel === `private-ai.${sessionId}` && r.event === event);
  const vantageOf = async (sessionId: string, connection?: string) => {
    if (connection === undefined) return undefined;
    const detail = must(await service.invoke('sessions.get', { sessionId }));
    const observation = detail.observations.find((o) => o.connection === connection);
    if (!observation) throw new Error(`no observation of ${sessionId} on ${connection}: ${detail.observations.map((o) => o.connection).join(', ')}`);
    return observation.vantage;
  };
  return {
    service,
    records,
    async ready(sessionId) {
      await waitFor(
        'EchoScope to discover and join the channel',
        async () => {
          if (ids.every((id) => framesOf(id, sessionId, 'echoscope.probe').length > 0)) return true;
          await stack.les.broadcast(`private-ai.${sessionId}`, 'echoscope.probe', {});
          return false;
        },
        20_000,
      );
    },
    frames: (connection, sessionId) => framesOf(connection, sessionId),
    probes: (connection, sessionId) => framesOf(connection, sessionId, 'echoscope.probe').length,
    async detail(sessionId, connection) {
      const vantage = await vantageOf(sessionId, connection);
      return must(await service.invoke('sessions.get', { sessionId, ...(vantage ? { vantage } : {}) }));
    },
    async reconcile(sessionId, connection) {
      const vantage = await vantageOf(sessionId, connection);
      return must(await service.invoke('sessions.reconcile', { sessionId, ...(vantage ? { vantage } : {}) }));
    },
    close: () => service.close(),
  };
}

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ECHOSCOPE_BIN = join(PROJECT_ROOT, 'bin/echoscope.js');

/** Null when `echoscope watch` can run (the app is built: `npm run build`); otherwise why not. */
export function watchUnavailableReason(): string | null {
  return existsSync(join(PROJECT_ROOT, 'out/main/index.js')) ? null : 'EchoScope is not built (out/ missing): run "npm run build" first';
}

export interface VerdictJson {
  sessions: Array<Record<string, unknown> & { sessionId: string; connection: string; gaps: Array<{ from: number; to: number }> }>;
  reconciliation?: Array<{ sessionId: string; result: ReconcileResult }>;
}

export interface Watch {
  journal: string;
  /** `chunk.delivered` frames of the session in watch's journal so far. */
  frames(sessionId: string): FrameRecord[];
  probes(sessionId: string): number;
  ready(sessionId: string): Promise<void>;
  /** Ctrl-C: watch prints its verdict JSON and exits. */
  stop(): Promise<VerdictJson>;
  /** `echoscope analyze --json` of watch's journal. */
  analyze(): Promise<VerdictJson>;
}

function runCli(args: string[], timeoutMs: number): { child: ChildProcess; done: Promise<{ code: number | null; out: string; err: string }> } {
  const child = spawn(process.execPath, [ECHOSCOPE_BIN, ...args], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = new Promise<{ code: number | null; out: string; err: string }>((resolveDone) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolveDone({ code, out, err });
    }),
  );
  return { child, done };
}

/** `echoscope watch --json` on laravel-echo-server as a user would run it, with discovery, a journal and reconciliation. */
export function startWatch(stack: LaravelStack, dir: string, options: { stallAfterMs?: number; orphanAfterMs?: number } = {}): Watch {
  const journal = join(dir, `watch-${Date.now()}.ndjson`);
  // the journal does not carry the thresholds: analyze is given the same ones
  const thresholds = [
    ...(options.stallAfterMs !== undefined ? ['--stall-after', String(options.stallAfterMs)] : []),
    ...(options.orphanAfterMs !== undefined ? ['--orphan-after', String(options.orphanAfterMs)] : []),
  ];
  const auth = `Authorization: Bearer ${QA_TOKEN}`;
  const args = [
    'watch',
    '--kind',
    'socketio',
    '--url',
    `http://${stack.les.host}:${stack.les.port}`,
    '--key',
    'unused',
    '--app-id',
    LES_CLIENT.appId,
    '--api-key',
    LES_CLIENT.key,
    '--discover',
    'private-ai.',
    '--poll-interval',
    '500',
    '--auth-endpoint',
    `${stack.appUrl}/broadcasting/auth`,
    '--auth-header',
    auth,
    '--reconcile',
    `${stack.appUrl}/api/generations/{sessionId}`,
    '--reconcile-header',
    auth,
    '--reconcile-settle',
    '1s',
    '--journal',
    journal,
    '--json',
    '--for',
    '120s',
  ];
  const { child, done } = runCli([...args, ...thresholds], 150_000);
  const records = (): JournalRecord[] =>
    existsSync(journal)
      ? readFileSync(journal, 'utf8')
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .flatMap((l) => {
            try {
              return [JSON.parse(l) as JournalRecord];
            } catch {
              return [];
            }
          })
      : [];
  const framesOf = (sessionId: string, event = 'chunk.delivered') =>
    records().filter((r): r is FrameRecord => r.type === 'frame' && r.channel === `private-ai.${sessionId}` && r.event === event);
  const parse = (what: string, result: { code: number | null; out: string; err: string }): VerdictJson => {
    if (result.code !== 0) throw new Error(`${what} exited with ${result.code}: ${result.err.slice(-1500)}`);
    return JSON.parse(result.out) as VerdictJson;
  };
  return {
    journal,
    frames: (sessionId) => framesOf(sessionId),
    probes: (sessionId) => framesOf(sessionId, 'echoscope.probe').length,
    async ready(sessionId) {
      await waitFor(
        'echoscope watch to discover and join the channel',
        async () => {
          if (child.exitCode !== null) throw new Error(`echoscope watch exited early: ${(await done).err.slice(-1500)}`);
          if (framesOf(sessionId, 'echoscope.probe').length > 0) return true;
          await stack.les.broadcast(`private-ai.${sessionId}`, 'echoscope.probe', {});
          return false;
        },
        20_000,
      );
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGINT');
      return parse('echoscope watch', await done);
    },
    async analyze() {
      return parse('echoscope analyze', await runCli(['analyze', journal, '--json', ...thresholds], 30_000).done);
    },
  };
}
