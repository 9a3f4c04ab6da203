import { useEffect, useState, type FormEvent } from 'react';
import type { AppApi, MetricsSettings as Settings, MetricsState } from '../../../../shared/api';
import { countOf, formatCount } from '../../data/format';

/**
 * Settings → Metrics: `/metrics` for Prometheus on a port of its own, and an OTLP endpoint. The
 * host applies a change at once (no restart) and refuses a port it cannot have: the message shows
 * here and the switch stays as it was. ECHOSCOPE_METRICS_PORT, when set, decides the server.
 */
export function MetricsSettings({ api }: { api: AppApi }) {
  const [state, setState] = useState<MetricsState | null>(null);
  const [unavailable, setUnavailable] = useState<string | null>(null);
  const [port, setPort] = useState('');
  const [endpoint, setEndpoint] = useState('');
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const show = (next: MetricsState) => {
    setState(next);
    setPort(String(next.settings.port));
    setEndpoint(next.settings.otlpEndpoint ?? '');
  };

  useEffect(() => {
    let live = true;
    void api.invoke('metrics.state', {}).then((result) => {
      if (!live) return;
      if (result.ok) show(result.value);
      else setUnavailable(result.error.message);
    });
    return () => {
      live = false;
    };
  }, [api]);

  // While pushing, the push count and a failing collector are read again every few seconds (the fields are left as typed).
  const exporting = state !== null && state.otlp.state !== 'off';
  useEffect(() => {
    if (!exporting) return;
    const timer = setInterval(() => {
      void api.invoke('metrics.state', {}).then((result) => result.ok && setState(result.value));
    }, 2000);
    return () => clearInterval(timer);
  }, [api, exporting]);

  const apply = async (update: Partial<Settings>, done: string) => {
    setBusy(true);
    const result = await api.invoke('metrics.configure', update);
    setBusy(false);
    if (!result.ok) return setMessage({ error: true, text: result.error.message });
    show(result.value);
    setMessage({ error: false, text: done });
  };

  if (unavailable !== null) {
    return (
      <section className="panel" aria-labelledby="metrics-title" data-testid="metrics-settings">
        <h3 id="metrics-title">Metrics</h3>
        <p className="muted">This host keeps no metrics settings ({unavailable}).</p>
      </section>
    );
  }
  if (state === null) {
    return (
      <section className="panel" aria-labelledby="metrics-title" data-testid="metrics-settings">
        <h3 id="metrics-title">Metrics</h3>
        <p className="muted">Loading…</p>
      </section>
    );
  }

  const env = state.environment;
  const portNumber = Number(port);
  const portValid = port.trim() !== '' && Number.isInteger(portNumber) && portNumber >= 0 && portNumber <= 65535;
  const submitPort = (event: FormEvent) => {
    event.preventDefault();
    if (!portValid) return setMessage({ error: true, text: `${port || 'An empty value'} is not a port: use 0–65535 (0: a free port).` });
    void apply({ port: portNumber }, state.settings.serve ? `Serving on port ${portNumber === 0 ? 'a free port' : portNumber}.` : 'Port saved.');
  };
  const submitEndpoint = (event: FormEvent) => {
    event.preventDefault();
    const value = endpoint.trim();
    void apply({ otlpEndpoint: value === '' ? null : value }, value === '' ? 'OTLP export is off.' : 'Endpoint saved: a first push was sent.');
  };

  return (
    <section className="panel grid-form narrow" aria-labelledby="metrics-title" data-testid="metrics-settings">
      <h3 id="metrics-title">Metrics</h3>
      <p className="muted">
        The GenAI latency histograms and EchoScope&apos;s counters (docs/metrics.md). Changes apply at once.
        {state.dashboardPath !== null && (
          <>
            {' '}
            This dashboard&apos;s host also answers <code>{state.dashboardPath}</code> on its own port.
          </>
        )}
      </p>
      <form className="row" onSubmit={submitPort} aria-label="Prometheus">
        <label className="checkbox">
          <input
            type="checkbox"
            role="switch"
            aria-checked={env ? true : state.settings.serve}
            checked={env ? true : state.settings.serve}
            disabled={env !== null || busy || (!state.settings.serve && !portValid)}
            onChange={(e) =>
              void apply({ serve: e.target.checked, ...(portValid ? { port: portNumber } : {}) }, e.target.checked ? 'Serving Prometheus metrics.' : 'Prometheus metrics are off.')
            }
            data-testid="metrics-serve"
          />
          Serve Prometheus metrics on 127.0.0.1:
        </label>
        <input
          type="text"
          inputMode="numeric"
          aria-label="Prometheus port"
          className="port-input"
          value={env ? String(env.port) : port}
          disabled={env !== null || busy}
          onChange={(e) => setPort(e.target.value)}
          data-testid="metrics-port"
        />
        <button type="submit" disabled={env !== null || busy || String(state.settings.port) === port}>
          Save port
        </button>
      </form>
      <p className="muted" data-testid="metrics-server-status" role={state.prometheus.state === 'failed' ? 'alert' : undefined}>
        {env ? (
          <>
            Set by the environment: <code>{`${env.variable}=${env.port}`}</code> (unset it to use this switch).{' '}
          </>
        ) : null}
        {state.prometheus.state === 'serving' && state.prometheus.url ? (
          <>
            Serving <a href={state.prometheus.url}>{state.prometheus.url}</a>
          </>
        ) : state.prometheus.state === 'failed' ? (
          <span className="error">Not served: {state.prometheus.error}</span>
        ) : (
          'Not served.'
        )}
      </p>
      <form className="grid-form" onSubmit={submitEndpoint} aria-label="OTLP">
        <label>
          OTLP endpoint (OpenTelemetry Collector, OTLP/HTTP)
          <input
            type="url"
            placeholder="http://127.0.0.1:4318/v1/metrics"
            value={endpoint}
            disabled={busy}
            onChange={(e) => setEndpoint(e.target.value)}
            data-testid="metrics-otlp-endpoint"
          />
          <span className="muted">
            Empty: off. Pushed every {Math.round((state.otlp.intervalMs ?? 15_000) / 1000)} s; a collector that does not answer is tried again at the next push.
          </span>
        </label>
        <div className="row">
          <button type="submit" disabled={busy || endpoint.trim() === (state.settings.otlpEndpoint ?? '')}>
            Save endpoint
          </button>
          <span className={state.otlp.state === 'failing' ? 'error' : 'muted'} data-testid="metrics-otlp-status">
            {state.otlp.state === 'off'
              ? 'OTLP export is off.'
              : state.otlp.state === 'failing'
                ? `Failing: ${state.otlp.lastError} (${formatCount(state.otlp.failures)} of ${countOf(state.otlp.exports, 'push', 'pushes')} failed)`
                : `Pushing to ${state.otlp.endpoint} (${state.otlp.exports} push${state.otlp.exports === 1 ? '' : 'es'} so far)`}
          </span>
        </div>
      </form>
      {message && (
        <p className={message.error ? 'error' : 'muted'} role={message.error ? 'alert' : 'status'} data-testid="metrics-message">
          {message.text}
        </p>
      )}
    </section>
  );
}
