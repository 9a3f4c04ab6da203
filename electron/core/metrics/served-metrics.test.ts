import { mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../../shared/journal';
import { startHeadlessHost, type HeadlessHost } from '../host';
import { startRuntime, type Runtime } from '../runtime';
import { MetricsRecorder, startMetricsServer } from './index';

const chunk = (at: number, session: string, sequence: number, state = 'generating'): JournalRecord => ({
  type: 'frame',
  at,
  connection: 'c1',
  channel: `private-ai.${session}`,
  event: 'chunk.delivered',
  data: { session_id: session, chunk: state === 'generating' ? `t${sequence}` : '', sequence, state, termination_code: state === 'generating' ? null : 'max_tokens' },
});

function get(port: number, path: string, host = `127.0.0.1:${port}`): Promise<{ status: number; type: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, path, headers: { host } }, (response) => {
      let body = '';
      response.on('data', (part: Buffer) => (body += part.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, type: response.headers['content-type'], body }));
    });
    request.on('error', reject);
    request.end();
  });
}

describe('serve: /metrics on the dashboard host', () => {
  let runtime: Runtime;
  let host: HeadlessHost;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'echoscope-metrics-host-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><html><head></head><body></body></html>');
    const metrics = new MetricsRecorder();
    runtime = await startRuntime({ transport: 'browser', version: 't', demo: false, metrics });
    host = await startHeadlessHost({ service: runtime.service, rendererDir: dir, port: 0, metrics });
  });
  afterAll(async () => {
    await host.close();
    await runtime.close();
  });

  it('answers with Prometheus text of what the monitor saw, behind the same Host check as the dashboard', async () => {
    const t = Date.now();
    // Captured here, analyzed in the engine thread, counted into this recorder through its relay.
    for (const record of [chunk(t, 'm1', 1), chunk(t + 5, 'm1', 2), chunk(t + 30, 'm1', 3, 'truncated')]) runtime.service.capture(record);
    let response = await get(host.port, '/metrics');
    for (let tries = 0; !response.body.includes('echoscope_sessions_total{status="truncated"') && tries < 200; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      response = await get(host.port, '/metrics');
    }
    expect(response.status).toBe(200);
    expect(response.type).toContain('text/plain');
    expect(response.body).toContain('echoscope_sessions_total{status="truncated",echoscope_contract="echoscope"} 1');
    // Two gaps (5 ms, 25 ms): one ≤ 0.01 s, both ≤ 0.04 s.
    expect(response.body).toContain('gen_ai_client_operation_time_per_output_chunk_seconds_bucket{le="0.01",gen_ai_operation_name="chat",echoscope_contract="echoscope"} 1');
    expect(response.body).toContain('gen_ai_client_operation_time_per_output_chunk_seconds_bucket{le="0.04",gen_ai_operation_name="chat",echoscope_contract="echoscope"} 2');
    expect(response.body).not.toContain('m1');
    // A DNS-rebound name gets what the dashboard gives it: 421, no figures.
    const rebound = await get(host.port, '/metrics', `evil.example:${host.port}`);
    expect(rebound.status).toBe(421);
    expect(rebound.body).not.toContain('echoscope_sessions_total');
  });
});

describe('the metrics server of watch and check', () => {
  it('serves /metrics only, and says when a scrape came after it was asked', async () => {
    const recorder = new MetricsRecorder();
    const server = await startMetricsServer(recorder, { port: 0 });
    try {
      expect((await get(server.port, '/')).status).toBe(404);
      const scraped = server.nextScrape(10_000);
      const response = await get(server.port, '/metrics');
      expect(response.status).toBe(200);
      expect(response.body).toContain('# TYPE gen_ai_client_operation_duration_seconds histogram');
      expect(await scraped).toBe(true);
      expect(await server.nextScrape(1)).toBe(false);
    } finally {
      await server.close();
    }
  });
});
