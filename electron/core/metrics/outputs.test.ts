import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { MetricsSettings, MetricsState } from '../../../shared/api';
import { startOtlpReceiver, type OtlpReceiver } from '../../../test-support/otlp-receiver';
import { startRuntime, type Runtime } from '../runtime';

let runtime: Runtime | undefined;
let blocker: Server | undefined;
let receiver: OtlpReceiver | undefined;
afterEach(async () => {
  await runtime?.close();
  await receiver?.close();
  await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
  runtime = blocker = receiver = undefined;
});

/** A port someone else holds. */
function holdPort(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address ? address.port : 0 });
    });
  });
}

async function configure(update: Partial<MetricsSettings>): Promise<MetricsState> {
  const result = await runtime!.service.invoke('metrics.configure', update);
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

const scrape = async (url: string) => (await fetch(url)).text();

describe('metrics settings over the App API: applied live', () => {
  it('the switch starts and stops a real /metrics server, and moving the port moves it', async () => {
    const saved: MetricsSettings[] = [];
    runtime = await startRuntime({ transport: 'browser', version: 't', demo: false, metricsOutputs: { store: { load: () => undefined, save: (s) => saved.push(s) } } });
    const off = await runtime.service.invoke('metrics.state', {});
    expect(off).toMatchObject({ ok: true, value: { settings: { serve: false, otlpEndpoint: null }, prometheus: { state: 'off', url: null }, otlp: { state: 'off' } } });

    const on = await configure({ serve: true, port: 0 });
    expect(on.prometheus.state).toBe('serving');
    const url = on.prometheus.url!;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(await scrape(url)).toContain('# TYPE echoscope_sessions_total counter');

    // Another port: the server moves there, the old one stops answering.
    const { server, port } = await holdPort();
    await new Promise<void>((resolve) => server.close(() => resolve())); // free again, for us
    const moved = await configure({ port });
    expect(moved.prometheus.url).toBe(`http://127.0.0.1:${port}/metrics`);
    expect(await scrape(moved.prometheus.url!)).toContain('echoscope_anomalies_total');
    await expect(fetch(url)).rejects.toThrow();

    const stopped = await configure({ serve: false });
    expect(stopped.prometheus).toEqual({ state: 'off', url: null, error: null });
    await expect(fetch(moved.prometheus.url!)).rejects.toThrow();
    expect(saved.map((s) => [s.serve, s.port])).toEqual([
      [true, 0],
      [true, port],
      [false, port],
    ]);
  });

  it('a busy port is refused as data (listen_failed), the settings unchanged and the running server kept', async () => {
    runtime = await startRuntime({ transport: 'browser', version: 't', demo: false, metricsOutputs: {} });
    const serving = await configure({ serve: true, port: 0 });
    const held = await holdPort();
    blocker = held.server;
    const refused = await runtime.service.invoke('metrics.configure', { port: held.port });
    expect(refused).toMatchObject({ ok: false, error: { code: 'listen_failed', message: expect.stringMatching(new RegExp(`127\\.0\\.0\\.1:${held.port}.*EADDRINUSE`)) } });
    const state = await runtime.service.invoke('metrics.state', {});
    expect(state).toMatchObject({ ok: true, value: { settings: { serve: true, port: 0 }, prometheus: { state: 'serving', url: serving.prometheus.url } } });
    expect(await scrape(serving.prometheus.url!)).toContain('echoscope_sessions_total');
    // A value out of range never reaches the service.
    expect(await runtime.service.invoke('metrics.configure', { port: 70000 })).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(await runtime.service.invoke('metrics.configure', { otlpEndpoint: 'ftp://x/v1/metrics' })).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
  });

  it('a stored switch whose port is taken at start is shown as failed, and the app runs', async () => {
    const held = await holdPort();
    blocker = held.server;
    const warnings: string[] = [];
    runtime = await startRuntime({
      transport: 'browser',
      version: 't',
      demo: false,
      onWarning: (w) => warnings.push(w),
      metricsOutputs: { store: { load: () => ({ serve: true, port: held.port }), save: () => undefined } },
    });
    const state = await runtime.service.invoke('metrics.state', {});
    expect(state).toMatchObject({ ok: true, value: { prometheus: { state: 'failed', url: null, error: expect.stringContaining('EADDRINUSE') } } });
    expect(warnings.filter((w) => w.includes(`127.0.0.1:${held.port}`))).toHaveLength(1);
  });

  it('an OTLP endpoint set in Settings starts pushing at once, and clearing it stops', async () => {
    receiver = await startOtlpReceiver();
    runtime = await startRuntime({ transport: 'browser', version: 't', demo: false, metricsOutputs: { otlp: { intervalMs: 100 } } });
    const on = await configure({ otlpEndpoint: receiver.url });
    expect(on.otlp).toMatchObject({ state: 'exporting', endpoint: receiver.url, intervalMs: 100 });
    await receiver.received(1, 10_000);
    expect(receiver.exports[0]!.metrics.map((m) => m.name)).toContain('echoscope.sessions');
    const off = await configure({ otlpEndpoint: null });
    expect(off.otlp.state).toBe('off');
  });
});
