/**
 * The two clients of the Laravel stack: the app's own frontend (laravel-echo + socket.io-client 2,
 * as Laravel's docs set it up for laravel-echo-server) and EchoScope's headless core through its App
 * API (electron/core/app AppService), with a `socketio` profile as a user would write it: auth
 * through the app's /broadcasting/auth with the bearer header, discovery with laravel-echo-server's
 * API key, reconciliation against the app's /api/generations/{sessionId}.
 */
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
  close(): void;
}

/** The app's browser, subscribed to `Echo.private('ai.{sessionId}')`; resolves once a probe broadcast reached it. */
export async function startFrontend(stack: LaravelStack, sessionId: string): Promise<Frontend> {
  const echo = new Echo({ broadcaster: 'socket.io', host: `http://${stack.les.host}:${stack.les.port}`, client: io, auth: { headers: { Authorization: `Bearer ${QA_TOKEN}` } }, transports: ['websocket'] });
  let received = 0;
  let probed = false;
  echo.private(`ai.${sessionId}`).listen('.chunk.delivered', () => void received++).listen('.echoscope.probe', () => (probed = true));
  // laravel-echo-server acknowledges no subscription: the frontend is in once a probe reaches it
  // (it joins the room after the app authorized it).
  try {
    await waitFor('the frontend to join its channel', async () => {
      if (!probed) await stack.les.broadcast(`private-ai.${sessionId}`, 'echoscope.probe', {});
      return probed;
    }, 15_000);
  } catch (error) {
    echo.disconnect();
    throw error;
  }
  return { received: () => received, close: () => echo.disconnect() };
}

export interface EchoScopeHost {
  service: AppService;
  records: JournalRecord[];
  /** Resolves once every connection receives probes on the session's channel (discovered it, and is in). */
  ready(sessionId: string): Promise<void>;
  /** `chunk.delivered` frames one connection received for a session. */
  frames(connection: string, sessionId: string): FrameRecord[];
  detail(sessionId: string, connection?: string): Promise<SessionDetail>;
  reconcile(sessionId: string, connection?: string): Promise<ReconcileResult>;
  close(): void;
}

export async function startEchoScope(stack: LaravelStack, ids: string[], options: { settleMs?: number; stallAfterMs?: number; orphanAfterMs?: number } = {}): Promise<EchoScopeHost> {
  const service = new AppService({ transport: 'browser', version: 'laravel-suite' });
  const records: JournalRecord[] = [];
  service.onRecords((record) => void records.push(record));
  const must = <T>(result: { ok: true; value: T } | { ok: false; error: { message: string } }): T => {
    if (!result.ok) throw new Error(result.error.message);
    return result.value;
  };
  if (options.stallAfterMs !== undefined || options.orphanAfterMs !== undefined) {
    must(await service.invoke('monitor.settings', { ...(options.stallAfterMs !== undefined ? { stallAfterMs: options.stallAfterMs } : {}), ...(options.orphanAfterMs !== undefined ? { orphanAfterMs: options.orphanAfterMs } : {}) }));
  }
  const auth = { Authorization: `Bearer ${QA_TOKEN}` };
  for (const id of ids) {
    const profile = ProfileInputSchema.parse({
      id, name: id, kind: 'socketio', host: stack.les.host, port: stack.les.port, key: 'unused', appId: LES_CLIENT.appId,
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
      await waitFor('EchoScope to discover and join the channel', async () => {
        if (ids.every((id) => framesOf(id, sessionId, 'echoscope.probe').length > 0)) return true;
        await stack.les.broadcast(`private-ai.${sessionId}`, 'echoscope.probe', {});
        return false;
      }, 20_000);
    },
    frames: (connection, sessionId) => framesOf(connection, sessionId),
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
