import { useState, type FormEvent } from 'react';
import type { AppApi, MonitorSettings } from '../../../../shared/api';
import type { ThemeChoice } from '../../app/theme';
import { ContractSettings } from './ContractSettings';
import { MetricsSettings } from './MetricsSettings';

interface Props {
  api: AppApi;
  settings: MonitorSettings | null;
  onSettings(settings: MonitorSettings): void;
  theme: ThemeChoice;
  onTheme(choice: ThemeChoice): void;
}

/** Detection thresholds and the contract profile (the monitor re-analyzes what it saw when they change), where metrics go, and the theme. */
export function SettingsView({ api, settings, onSettings, theme, onTheme }: Props) {
  return (
    <section className="view" aria-labelledby="settings-title">
      <div className="view-head">
        <h2 id="settings-title">Settings</h2>
      </div>
      {settings ? <ThresholdForm api={api} settings={settings} onSettings={onSettings} /> : <p className="muted">Loading thresholds…</p>}
      <MetricsSettings api={api} />
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
      <ContractSettings api={api} />
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
        <span className="muted" data-testid="cli-stall">
          On the command line: <code>--stall-after {stall}s</code>
        </span>
      </label>
      <label>
        Orphaned after (seconds without a terminal event)
        <input type="number" min={1} step={1} value={orphan} onChange={(e) => setOrphan(e.target.value)} required />
        <span className="muted" data-testid="cli-orphan">
          On the command line: <code>--orphan-after {orphan}s</code>
        </span>
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
