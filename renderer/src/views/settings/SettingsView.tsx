import { useEffect, useState, type FormEvent } from 'react';
import type { AppApi, MonitorSettings } from '../../../../shared/api';
import type { ThemeChoice } from '../../app/theme';
import { BUILTIN_CONTRACTS, type BuiltinContractName } from '../../../../shared/contract/profile';

interface Props {
  api: AppApi;
  settings: MonitorSettings | null;
  onSettings(settings: MonitorSettings): void;
  theme: ThemeChoice;
  onTheme(choice: ThemeChoice): void;
}

/** Detection thresholds and the contract profile (the monitor re-analyzes what it saw when they change), and the theme. */
export function SettingsView({ api, settings, onSettings, theme, onTheme }: Props) {
  return (
    <section className="view" aria-labelledby="settings-title">
      <div className="view-head">
        <h2 id="settings-title">Settings</h2>
      </div>
      {settings ? <ThresholdForm api={api} settings={settings} onSettings={onSettings} /> : <p className="muted">Loading thresholds…</p>}
      <section className="panel" aria-labelledby="theme-title">
        <h3 id="theme-title">Appearance</h3>
        <fieldset className="radio-row">
          <legend>Theme</legend>
          {(['system', 'light', 'dark'] as const).map((choice) => (
            <label key={choice} className="checkbox">
              <input type="radio" name="theme" value={choice} checked={theme === choice} onChange={() => onTheme(choice)} />
              {choice === 'system' ? 'follow the system' : choice}
            </label>
          ))}
        </fieldset>
      </section>
      <ContractForm api={api} />
    </section>
  );
}

function ThresholdForm({ api, settings, onSettings }: { api: AppApi; settings: MonitorSettings; onSettings(settings: MonitorSettings): void }) {
  const [stall, setStall] = useState(String(settings.stallAfterMs / 1000));
  const [orphan, setOrphan] = useState(String(settings.orphanAfterMs / 1000));
  const [reorder, setReorder] = useState(String(settings.reorderWindowMs / 1000));
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = await api.invoke('monitor.settings', {
      stallAfterMs: Math.round(Number(stall) * 1000),
      orphanAfterMs: Math.round(Number(orphan) * 1000),
      reorderWindowMs: Math.round(Number(reorder) * 1000),
    });
    if (!result.ok) return setMessage({ error: true, text: result.error.message });
    onSettings(result.value);
    setMessage({ error: false, text: 'Saved. Sessions were analyzed again with the new thresholds.' });
  };
  return (
    <form className="panel grid-form narrow" onSubmit={(e) => void submit(e)} aria-labelledby="thresholds-title" data-testid="threshold-form">
      <h3 id="thresholds-title">Detection thresholds</h3>
      <label>
        Stall after (seconds of silence)
        <input type="number" min={0.1} step={0.1} value={stall} onChange={(e) => setStall(e.target.value)} required />
        <span className="muted">Clients usually send a heartbeat every 8 s: a longer silence is a stall.</span>
      </label>
      <label>
        Orphaned after (seconds without a terminal event)
        <input type="number" min={1} step={1} value={orphan} onChange={(e) => setOrphan(e.target.value)} required />
      </label>
      <label>
        Reorder window (seconds before a hole is a gap)
        <input type="number" min={0} step={0.1} value={reorder} onChange={(e) => setReorder(e.target.value)} required />
      </label>
      <div className="row">
        <button type="submit">Save thresholds</button>
        {message && (
          <span className={message.error ? 'error' : 'muted'} role={message.error ? 'alert' : 'status'}>
            {message.text}
          </span>
        )}
      </div>
    </form>
  );
}

/** The built-in contracts, as offered in Settings (shared/contract `BUILTIN_CONTRACTS`). */
const BUILTIN_CHOICES: { name: BuiltinContractName; label: string; hint: string }[] = [
  { name: 'echoscope', label: 'EchoScope (chunk.delivered)', hint: 'the seed contract: session_id, sequence, state, termination_code' },
  { name: 'laravel-ai', label: 'Laravel AI SDK', hint: 'laravel/ai broadcasts: stream_start, text_delta, stream_end; no sequence numbers, one session per channel' },
  { name: 'prism', label: 'Prism', hint: 'Prism asBroadcast(): stream_start, text_delta, stream_end with finish_reason; no sequence numbers' },
];

/** The contract profile live analysis uses: edit it as JSON; a profile that cannot work is refused naming the field. */
function ContractForm({ api }: { api: AppApi }) {
  const [text, setText] = useState('');
  const [automatic, setAutomatic] = useState(true);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  useEffect(() => {
    void api.invoke('monitor.profile', {}).then((result) => {
      if (!result.ok) return;
      setText(result.value.profile === null ? '' : JSON.stringify(result.value.profile, null, 2));
      setAutomatic(result.value.automatic);
    });
  }, [api]);
  const apply = async (profile: unknown) => {
    const result = await api.invoke('monitor.profile', { profile });
    if (!result.ok) return setMessage({ error: true, text: result.error.message });
    setText(result.value.profile === null ? '' : JSON.stringify(result.value.profile, null, 2));
    setAutomatic(result.value.automatic);
    setMessage({
      error: false,
      text: result.value.automatic ? 'Each channel’s contract is detected again from its first frames.' : 'Saved. Sessions were analyzed again with this contract.',
    });
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    let profile: unknown;
    try {
      profile = JSON.parse(text);
    } catch (error) {
      return setMessage({ error: true, text: `not JSON: ${error instanceof Error ? error.message : String(error)}` });
    }
    void apply(profile);
  };
  return (
    <form className="panel grid-form" onSubmit={submit} aria-labelledby="contract-title" data-testid="contract-form">
      <h3 id="contract-title">Broadcast contract {automatic && <span className="muted">(detected per channel)</span>}</h3>
      <p className="muted">
        Maps your app's names onto the contract's roles: event name, channel pattern (<code>{'{id}'}</code> marks the session id), payload field names and the state vocabulary
        (e.g. <code>{'"finished": "completed"'}</code>). Streams without sequence numbers (the Laravel AI SDK's, Prism's) are read with a <code>stream</code> section: start from
        one of the built-ins below. The same contract works with <code>echoscope analyze --contract</code>.
      </p>
      <fieldset className="row" data-testid="builtin-contracts">
        <legend>Start from a contract EchoScope knows</legend>
        {BUILTIN_CHOICES.map((choice) => (
          <button key={choice.name} type="button" className="secondary" onClick={() => void apply(BUILTIN_CONTRACTS[choice.name])} title={choice.hint} data-contract={choice.name}>
            {choice.label}
          </button>
        ))}
      </fieldset>
      <label>
        Contract profile (JSON)
        <textarea className="mono" rows={14} value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} data-testid="contract-profile" />
      </label>
      <div className="row">
        <button type="submit">Save contract</button>
        <button type="button" className="secondary" onClick={() => void apply(null)}>
          Detect per channel (default)
        </button>
        {message && (
          <span className={message.error ? 'error' : 'muted'} role={message.error ? 'alert' : 'status'} data-testid="contract-message">
            {message.text}
          </span>
        )}
      </div>
    </form>
  );
}
