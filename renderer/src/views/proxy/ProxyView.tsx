import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { describeZodError, type AppApi, type AppInfo, type ProxyStatusView } from '../../../../shared/api';
import { PROXY_FAULT_KINDS, ProxyFaultsSchema, type ProxyFaultKind, type ProxyProtocol } from '../../../../shared/proxy';
import { downloadText } from '../../data/download';
import { formatCount } from '../../data/format';

/** One rule as the form holds it: text fields, turned into a rule when applied (the schema names what is wrong). */
interface RuleDraft {
  kind: ProxyFaultKind;
  channel: string;
  event: string;
  choose: 'nth' | 'probability' | 'every';
  nth: string;
  probability: string;
  clients: string;
  /** The kind's own value: copies, window, delayMs, code, durationMs; resend for malformed. */
  value: string;
}

/** The field each kind takes besides its selection, with its default. */
const KIND_FIELD: Record<ProxyFaultKind, { name: string; label: string; placeholder: string } | null> = {
  drop: null,
  duplicate: { name: 'copies', label: 'copies', placeholder: '1' },
  reorder: { name: 'window', label: 'later events first', placeholder: '2' },
  delay: { name: 'delayMs', label: 'delay (ms)', placeholder: '900' },
  malformed: { name: 'resend', label: 'resend intact', placeholder: 'true' },
  disconnect: { name: 'code', label: 'close code', placeholder: '4200' },
  'ping-silence': { name: 'durationMs', label: 'silence (ms)', placeholder: '5000' },
};

const KIND_HELP: Record<ProxyFaultKind, string> = {
  drop: 'never delivered',
  duplicate: 'delivered again right after',
  reorder: 'held until later events of the channel went out',
  delay: 'it and everything after it on the socket wait (a latency spike)',
  malformed: 'data cut mid-JSON',
  disconnect: 'the client socket is closed after it',
  'ping-silence': 'no ping or pong passes after it',
};

const emptyRule = (): RuleDraft => ({ kind: 'drop', channel: '', event: '', choose: 'nth', nth: '3', probability: '0.1', clients: '', value: '' });

const numbers = (text: string) =>
  text
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '')
    .map(Number);

function ruleOf(draft: RuleDraft): Record<string, unknown> {
  const rule: Record<string, unknown> = { kind: draft.kind };
  if (draft.channel.trim() !== '') rule.channel = draft.channel.trim();
  if (draft.event.trim() !== '') rule.event = draft.event.trim();
  if (draft.choose === 'nth') rule.nth = numbers(draft.nth);
  if (draft.choose === 'probability') rule.probability = draft.probability.trim() === '' ? Number.NaN : Number(draft.probability);
  if (draft.clients.trim() !== '') rule.clients = numbers(draft.clients);
  const field = KIND_FIELD[draft.kind];
  const value = draft.value.trim();
  if (field !== null && value !== '') rule[field.name] = field.name === 'resend' ? value !== 'false' : Number(value);
  else if (field !== null && (draft.kind === 'delay' || draft.kind === 'ping-silence')) rule[field.name] = Number(field.placeholder);
  return rule;
}

/** A rule set from the form, or what is wrong with it in words (`rule 2: delayMs: …`). */
function ruleSetOf(rules: readonly RuleDraft[], seed: string): { ok: true; value: unknown } | { ok: false; error: string } {
  const parsed = ProxyFaultsSchema.safeParse({ seed: seed.trim() === '' ? 1 : Number(seed), faults: rules.map(ruleOf) });
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, error: describeZodError(parsed.error).replace(/faults\.(\d+)\.?/g, (_m, i: string) => `rule ${Number(i) + 1}: `) };
}

/** The fault proxy: start it in front of a server, point a frontend at it, change its rules while it runs. */
export function ProxyView({ api, info }: { api: AppApi; info: AppInfo | null }) {
  const [status, setStatus] = useState<ProxyStatusView | null>(null);
  const [upstream, setUpstream] = useState('');
  const [protocol, setProtocol] = useState<ProxyProtocol>('pusher');
  const [port, setPort] = useState('0');
  const [seed, setSeed] = useState('1');
  const [rules, setRules] = useState<RuleDraft[]>([]);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const [truth, setTruth] = useState<unknown>(null);

  const refresh = useCallback(async () => {
    const result = await api.invoke('proxy.status', {});
    if (result.ok) setStatus(result.value);
  }, [api]);

  useEffect(() => {
    void refresh();
    const timer = setInterval(() => void refresh(), 1000);
    return () => clearInterval(timer);
  }, [refresh]);

  useEffect(() => {
    // The demo's address is its HTTP API's; its WebSocket is on the same port.
    if (upstream === '' && info?.demo) setUpstream(info.demo.url.replace(/^http/, 'ws'));
  }, [info, upstream]);

  const start = async (event: FormEvent) => {
    event.preventDefault();
    const faults = ruleSetOf(rules, seed);
    if (!faults.ok) return setMessage({ error: true, text: faults.error });
    const result = await api.invoke('proxy.start', { upstream: upstream.trim(), protocol, port: port.trim() === '' ? 0 : Number(port), faults: faults.value as never });
    if (!result.ok) return setMessage({ error: true, text: result.error.message });
    setStatus(result.value);
    setTruth(null);
    setMessage({ error: false, text: `Listening at ${result.value.url}.` });
  };

  const apply = async () => {
    const faults = ruleSetOf(rules, seed);
    if (!faults.ok) return setMessage({ error: true, text: faults.error });
    const result = await api.invoke('proxy.faults', faults.value as never);
    if (!result.ok) return setMessage({ error: true, text: result.error.message });
    setStatus(result.value);
    setMessage({ error: false, text: `${result.value.faults.faults.length} rule${result.value.faults.faults.length === 1 ? '' : 's'} in force; positions count afresh.` });
  };

  const stop = async () => {
    const result = await api.invoke('proxy.stop', {});
    if (!result.ok) return setMessage({ error: true, text: result.error.message });
    setStatus(null);
    setTruth(result.value.truth);
    setMessage({ error: false, text: 'Stopped: its clients were closed (1001). The ground truth of the run can be downloaded.' });
  };

  const update = (index: number, change: Partial<RuleDraft>) => setRules((list) => list.map((rule, i) => (i === index ? { ...rule, ...change } : rule)));
  const running = status !== null;
  const wsPort = status ? new URL(status.url).port : '';

  return (
    <section className="view" aria-labelledby="proxy-title">
      <div className="view-head">
        <h2 id="proxy-title">Fault proxy</h2>
        <span className="muted">between a real server (Reverb, soketi, Pusher, the mock) and your frontend: faults on the events you choose</span>
      </div>

      <section className="panel" aria-labelledby="proxy-state-title" data-testid="proxy-state">
        <h3 id="proxy-state-title">{running ? 'Running' : 'Not running'}</h3>
        {status ? (
          <>
            <p>
              Clients connect to <code data-testid="proxy-url">{status.url}</code> instead of <code>{status.upstream}</code>: same key and auth. For Laravel Echo:{' '}
              {status.protocol === 'socketio' ? (
                <code>host: &apos;http://127.0.0.1:{wsPort}&apos;, transports: [&apos;websocket&apos;]</code>
              ) : (
                <>
                  <code>wsHost: &apos;127.0.0.1&apos;, wsPort: {wsPort}</code> (<code>VITE_REVERB_PORT={wsPort}</code>)
                </>
              )}
              .
            </p>
            <dl className="stats compact">
              <div className="stat">
                <dt>clients</dt>
                <dd data-testid="proxy-clients">{formatCount(status.clients)}</dd>
              </div>
              <div className="stat">
                <dt>open now</dt>
                <dd>{formatCount(status.open)}</dd>
              </div>
              {PROXY_FAULT_KINDS.map((kind) => (
                <div className="stat" key={kind}>
                  <dt>{kind}</dt>
                  <dd data-testid={`proxy-applied-${kind}`}>{formatCount(status.applied[kind])}</dd>
                </div>
              ))}
            </dl>
            <p className="muted">
              Each client socket is a vantage in Live and in a session&apos;s observations: <code>{status.connectionPrefix}:1</code>, <code>{status.connectionPrefix}:2</code>, …
            </p>
            <div className="row">
              <button type="button" className="secondary danger" onClick={() => void stop()}>
                Stop the proxy
              </button>
            </div>
          </>
        ) : (
          <form className="form-row" onSubmit={(e) => void start(e)} aria-label="Start the proxy">
            <label>
              Server (upstream)
              <input value={upstream} onChange={(e) => setUpstream(e.target.value)} placeholder="ws://127.0.0.1:8080" size={34} required />
            </label>
            <label>
              Protocol
              <select value={protocol} onChange={(e) => setProtocol(e.target.value as ProxyProtocol)} data-testid="proxy-protocol">
                <option value="pusher">Pusher (Reverb, soketi, Pusher)</option>
                <option value="socketio">Socket.IO (laravel-echo-server)</option>
              </select>
            </label>
            <label>
              Listen on port <span className="muted">(0: any free)</span>
              <input value={port} onChange={(e) => setPort(e.target.value)} inputMode="numeric" size={6} />
            </label>
            <button type="submit">Start the proxy</button>
            {truth !== null && (
              <button
                type="button"
                className="secondary"
                onClick={() => downloadText(`echoscope-proxy-truth-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, JSON.stringify(truth, null, 2), 'application/json')}
              >
                Download the last run&apos;s ground truth
              </button>
            )}
          </form>
        )}
        {message && (
          <p className={message.error ? 'error' : 'muted'} role={message.error ? 'alert' : 'status'} data-testid="proxy-message">
            {message.text}
          </p>
        )}
      </section>

      <section className="panel" aria-labelledby="proxy-rules-title">
        <h3 id="proxy-rules-title">Rules</h3>
        <p className="muted">
          A rule picks channel events by channel and event pattern (<code>*</code> = anything; empty = all), then by position on each channel (<code>3,7</code>), by seeded
          probability, or every one; <em>clients</em> limits it to sockets 1, 2, … in connection order.
        </p>
        <table className="rules" data-testid="proxy-rules">
          <thead>
            <tr>
              <th>fault</th>
              <th>channel</th>
              <th>event</th>
              <th>choose</th>
              <th>clients</th>
              <th>value</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rules.map((rule, index) => {
              const field = KIND_FIELD[rule.kind];
              return (
                <tr key={index} data-testid="proxy-rule">
                  <td>
                    <select
                      aria-label={`rule ${index + 1} fault`}
                      value={rule.kind}
                      onChange={(e) => update(index, { kind: e.target.value as ProxyFaultKind, value: '' })}
                      title={KIND_HELP[rule.kind]}
                    >
                      {PROXY_FAULT_KINDS.map((kind) => (
                        <option key={kind} value={kind}>
                          {kind}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    <input
                      aria-label={`rule ${index + 1} channel`}
                      value={rule.channel}
                      onChange={(e) => update(index, { channel: e.target.value })}
                      placeholder="private-ai.*"
                      size={14}
                    />
                  </td>
                  <td>
                    <input
                      aria-label={`rule ${index + 1} event`}
                      value={rule.event}
                      onChange={(e) => update(index, { event: e.target.value })}
                      placeholder="chunk.delivered"
                      size={14}
                    />
                  </td>
                  <td>
                    <select aria-label={`rule ${index + 1} choose by`} value={rule.choose} onChange={(e) => update(index, { choose: e.target.value as RuleDraft['choose'] })}>
                      <option value="nth">positions</option>
                      <option value="probability">probability</option>
                      <option value="every">every (moments: the first)</option>
                    </select>{' '}
                    {rule.choose === 'nth' && (
                      <input aria-label={`rule ${index + 1} positions`} value={rule.nth} onChange={(e) => update(index, { nth: e.target.value })} size={8} />
                    )}
                    {rule.choose === 'probability' && (
                      <input aria-label={`rule ${index + 1} probability`} value={rule.probability} onChange={(e) => update(index, { probability: e.target.value })} size={5} />
                    )}
                  </td>
                  <td>
                    <input aria-label={`rule ${index + 1} clients`} value={rule.clients} onChange={(e) => update(index, { clients: e.target.value })} placeholder="all" size={5} />
                  </td>
                  <td>
                    {field === null ? (
                      <span className="muted">—</span>
                    ) : (
                      <label className="inline">
                        <span className="muted">{field.label}</span>
                        <input
                          aria-label={`rule ${index + 1} ${field.label}`}
                          value={rule.value}
                          onChange={(e) => update(index, { value: e.target.value })}
                          placeholder={field.placeholder}
                          size={6}
                        />
                      </label>
                    )}
                  </td>
                  <td>
                    <button
                      type="button"
                      className="secondary small-button"
                      aria-label={`remove rule ${index + 1}`}
                      onClick={() => setRules((list) => list.filter((_, i) => i !== index))}
                    >
                      ×
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {rules.length === 0 && <p className="muted">No rules: everything passes through untouched, byte for byte.</p>}
        <div className="row">
          <button type="button" className="secondary" onClick={() => setRules((list) => [...list, emptyRule()])}>
            Add a rule
          </button>
          <label className="inline">
            seed <input aria-label="seed" value={seed} onChange={(e) => setSeed(e.target.value)} size={6} />
          </label>
          {running && (
            <button type="button" onClick={() => void apply()}>
              Apply the rules now
            </button>
          )}
          {status && status.faults.faults.length > 0 && (
            <span className="muted" data-testid="proxy-in-force">
              in force: {status.faults.faults.map((f) => f.kind).join(', ')}
            </span>
          )}
        </div>
      </section>
    </section>
  );
}
