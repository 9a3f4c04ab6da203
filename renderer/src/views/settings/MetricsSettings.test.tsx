// @vitest-environment jsdom
/**
 * Settings → Metrics against a REAL host: the App service with the runtime's MetricsOutputs (a
 * real /metrics server on 127.0.0.1), behind the same typed API the window uses. Turning the
 * switch on serves /metrics, a port someone else holds shows the host's refusal and leaves the
 * switch off, and ECHOSCOPE_METRICS_PORT disables the switch and says it decides.
 */
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { request } from 'node:http';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AppService } from '../../../../electron/core/app';
import { MetricsOutputs, MetricsRecorder, type MetricsOutputsOptions } from '../../../../electron/core/metrics';
import { createAppApi, type AppApi } from '../../../../shared/api';
import { startOtlpReceiver } from '../../../../test-support/otlp-receiver';
import { MetricsSettings } from './MetricsSettings';

const checked = (element: HTMLElement) => (element as HTMLInputElement).checked;
const disabled = (element: HTMLElement) => (element as HTMLInputElement).disabled;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  cleanup();
  for (const step of cleanups.splice(0).reverse()) await step();
});

async function host(options: Partial<MetricsOutputsOptions> = {}): Promise<AppApi> {
  const outputs = new MetricsOutputs({ recorder: new MetricsRecorder(), version: 't', onNotice: () => undefined, ...options });
  await outputs.start();
  const service = new AppService({ transport: 'electron', version: 't', monitor: { tickMs: 60_000 }, metrics: outputs });
  cleanups.push(
    () => service.close(),
    () => outputs.close(),
  );
  return createAppApi({ invoke: (command, payload) => service.handle(command, payload), on: () => () => undefined, ready: () => undefined });
}

function holdPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server: Server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      cleanups.push(() => new Promise<void>((done) => server.close(() => done())));
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}

function scrape(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    request(url, (response) => {
      let body = '';
      response.on('data', (part: Buffer) => (body += part.toString()));
      response.on('end', () => resolve(body));
    })
      .on('error', reject)
      .end();
  });
}

describe('Settings → Metrics', () => {
  it('the switch serves /metrics on 127.0.0.1:PORT at once, and turning it off stops it', async () => {
    render(<MetricsSettings api={await host()} />);
    const toggle = await screen.findByRole('switch', { name: /Serve Prometheus metrics on 127\.0\.0\.1/ });
    expect(checked(toggle)).toBe(false);
    expect(screen.getByTestId('metrics-server-status').textContent).toBe('Not served.');
    fireEvent.change(screen.getByLabelText('Prometheus port'), { target: { value: '0' } });
    fireEvent.click(toggle);
    await waitFor(() => expect(checked(screen.getByRole('switch'))).toBe(true));
    const link = screen.getByRole('link');
    expect(link.getAttribute('href')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(await scrape(link.getAttribute('href')!)).toContain('# TYPE echoscope_sessions_total counter');
    fireEvent.click(screen.getByRole('switch'));
    await waitFor(() => expect(checked(screen.getByRole('switch'))).toBe(false));
    expect(screen.getByTestId('metrics-server-status').textContent).toBe('Not served.');
  });

  it('a busy port shows the host’s refusal and the switch stays off', async () => {
    const busy = await holdPort();
    render(<MetricsSettings api={await host()} />);
    fireEvent.change(await screen.findByLabelText('Prometheus port'), { target: { value: String(busy) } });
    fireEvent.click(screen.getByRole('switch'));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(new RegExp(`cannot listen on 127\\.0\\.0\\.1:${busy}.*EADDRINUSE`));
    expect(checked(screen.getByRole('switch'))).toBe(false);
  });

  it('a value that is not a port is said, not sent', async () => {
    render(<MetricsSettings api={await host({ initial: { serve: true, port: 0 } })} />);
    fireEvent.change(await screen.findByLabelText('Prometheus port'), { target: { value: '70000' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save port' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/70000 is not a port/);
    expect(checked(screen.getByRole('switch'))).toBe(true);
  });

  it('ECHOSCOPE_METRICS_PORT decides: the switch is disabled and the view says the environment set it', async () => {
    render(<MetricsSettings api={await host({ environment: { variable: 'ECHOSCOPE_METRICS_PORT', port: 0, host: '127.0.0.1' } })} />);
    const toggle = await screen.findByRole('switch');
    expect(checked(toggle)).toBe(true);
    expect(disabled(toggle)).toBe(true);
    expect(screen.getByTestId('metrics-server-status').textContent).toMatch(/Set by the environment: ECHOSCOPE_METRICS_PORT=0.*Serving http:\/\/127\.0\.0\.1:\d+\/metrics/);
  });

  it('an OTLP endpoint is saved and shown as pushing; an endpoint the host refuses is said', async () => {
    const receiver = await startOtlpReceiver();
    cleanups.push(() => receiver.close());
    render(<MetricsSettings api={await host({ otlp: { intervalMs: 60_000 } })} />);
    const field = await screen.findByTestId('metrics-otlp-endpoint');
    fireEvent.change(field, { target: { value: 'ftp://collector/v1/metrics' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save endpoint' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/http:\/\/ or https:\/\//);
    fireEvent.change(field, { target: { value: receiver.url } });
    fireEvent.click(screen.getByRole('button', { name: 'Save endpoint' }));
    await waitFor(() => expect(screen.getByTestId('metrics-otlp-status').textContent).toMatch(/^Pushing to .* \((0 pushes|1 push) so far\)$/));
    // The first push goes at once (not an interval later), decoded by the receiver.
    await receiver.received(1, 10_000);
  });
});
