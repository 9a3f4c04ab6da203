import { useMemo, useState, type ChangeEvent } from 'react';
import type { ProfileInput } from '../../../../shared/api';
import {
  appRoutes,
  canDiscover,
  envConnection,
  envProfileIdentity,
  readLaravelEnv,
  type EnvField,
  type EnvKind,
  type EnvOverrides,
  type EnvProblem,
} from '../../../../shared/laravel';

/** What the import hands to the profile form: the profile to start from, and the app's record route for reconciliation. */
export interface EnvDraft {
  profile: ProfileInput;
  /** APP_URL's generation record route, offered (not set) for reconciliation. */
  recordUrl: string | null;
  fileName: string;
}

interface Props {
  onUse(draft: EnvDraft): void;
  onCancel(): void;
}

/** The form controls below that settle each part of the profile, for "or …" after a problem. */
const HERE: Partial<Record<EnvField, string>> = { server: 'the server URL below', broadcaster: 'the connection to read below' };

function describe(problem: EnvProblem): string {
  const where = problem.line === null ? '' : `line ${problem.line}: `;
  const fix = problem.severity === 'error' && problem.fields.length > 0 && problem.fields.every((field) => HERE[field] !== undefined);
  return `${where}${problem.message}${fix ? ` (or give ${problem.fields.map((field) => HERE[field]).join(' and ')})` : ''}`;
}

/** `ws://host:port` (or http/https for laravel-echo-server) as the server part of a profile; null when it is not such a URL. */
function parseServer(text: string): EnvOverrides['server'] | null {
  try {
    const url = new URL(text);
    if (!['ws:', 'wss:', 'http:', 'https:'].includes(url.protocol)) return null;
    const tls = url.protocol === 'wss:' || url.protocol === 'https:';
    return { host: url.hostname, port: url.port ? Number(url.port) : tls ? 443 : 80, tls };
  } catch {
    return null;
  }
}

/** A picked file's text (UTF-8), through FileReader: every window that can pick a file has it. */
function readText(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(typeof reader.result === 'string' ? reader.result : '');
    reader.onerror = () => reject(reader.error ?? new Error('the file could not be read'));
    reader.readAsText(file, 'utf-8');
  });
}

/**
 * "Import from .env": the user picks (or pastes) their Laravel app's .env; it is read here, in the
 * window, as the app reads it (shared/laravel) — nothing leaves the window until the profile is
 * saved. What it says, what is wrong (by line) and the profile it makes are shown; "Use these
 * values" opens the profile form filled in, to check and save.
 */
export function EnvImport({ onUse, onCancel }: Props) {
  const [text, setText] = useState('');
  const [fileName, setFileName] = useState('.env');
  const [serverUrl, setServerUrl] = useState('');
  const [kind, setKind] = useState<EnvKind | 'file'>('file');
  const [readError, setReadError] = useState<string | null>(null);

  const server = serverUrl.trim() === '' ? undefined : parseServer(serverUrl.trim());
  const reading = useMemo(() => {
    if (text.trim() === '') return null;
    const env = readLaravelEnv(text);
    const given = serverUrl.trim() === '' ? null : parseServer(serverUrl.trim());
    const overrides: EnvOverrides = { ...(kind === 'file' ? {} : { kind }), ...(given ? { server: given } : {}) };
    return { env, result: envConnection(env, overrides) };
  }, [text, kind, serverUrl]);

  const pick = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (!file) return;
    try {
      setText(await readText(file));
      setFileName(file.name);
      setReadError(null);
    } catch (error) {
      setReadError(`cannot read ${file.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  const errors = reading?.result.problems.filter((p) => p.severity === 'error') ?? [];
  const warnings = reading?.result.problems.filter((p) => p.severity === 'warning') ?? [];
  const connection = reading?.result.connection ?? null;

  const use = () => {
    if (!reading || !connection) return;
    const profile: ProfileInput = {
      ...envProfileIdentity(reading.env),
      ...connection,
      ...(canDiscover(connection) ? { discover: { prefix: 'private-ai.' } } : {}),
    };
    onUse({ profile, recordUrl: appRoutes(reading.env)?.recordUrl ?? null, fileName });
  };

  return (
    <section className="panel grid-form env-import" aria-labelledby="env-import-title" data-testid="env-import">
      <h3 id="env-import-title">Import from a Laravel .env</h3>
      <p className="muted">
        The file is read here, as the app reads it (phpdotenv, config/broadcasting.php): EchoScope connects where the app’s frontend Echo does, with its key, and signs private
        channels with its secret. Nothing is sent anywhere until you save the profile.
      </p>
      <div className="form-row">
        <label>
          The app’s .env file
          <input type="file" onChange={(e) => void pick(e)} data-testid="env-file" />
        </label>
        <label>
          Connection to read
          <select value={kind} onChange={(e) => setKind(e.target.value as EnvKind | 'file')} data-testid="env-kind">
            <option value="file">as the file says (BROADCAST_CONNECTION)</option>
            <option value="reverb">reverb (REVERB_*)</option>
            <option value="pusher">pusher (PUSHER_*)</option>
            <option value="socketio">redis, through laravel-echo-server</option>
          </select>
        </label>
        <label>
          Server URL <span className="muted">(optional, instead of the file’s: a redis-broadcaster app’s laravel-echo-server)</span>
          <input value={serverUrl} onChange={(e) => setServerUrl(e.target.value)} placeholder="http://127.0.0.1:6001" aria-invalid={server === null} data-testid="env-server" />
        </label>
      </div>
      <label>
        or paste it
        <textarea
          value={text}
          onChange={(e) => setText(e.target.value)}
          rows={4}
          spellCheck={false}
          placeholder={'BROADCAST_CONNECTION=reverb\nREVERB_APP_KEY=…'}
          data-testid="env-text"
        />
      </label>
      {readError && (
        <p className="error" role="alert">
          {readError}
        </p>
      )}
      {server === null && (
        <p className="error" role="alert">
          The server URL must look like ws://host:port (or http:// for laravel-echo-server).
        </p>
      )}
      {reading && (
        <>
          {errors.length > 0 && (
            <div className="error" role="alert" data-testid="env-errors">
              <p>
                {fileName}: {errors.length === 1 ? 'one problem' : `${errors.length} problems`} to fix before a profile can be made:
              </p>
              <ul>
                {errors.map((problem, i) => (
                  <li key={i} data-line={problem.line ?? undefined}>
                    {describe(problem)}
                  </li>
                ))}
              </ul>
            </div>
          )}
          {warnings.length > 0 && (
            <ul className="tone-warn" role="status" data-testid="env-warnings">
              {warnings.map((problem, i) => (
                <li key={i} data-line={problem.line ?? undefined}>
                  ⚠ {describe(problem)}
                </li>
              ))}
            </ul>
          )}
          {connection && (
            <ul className="muted" data-testid="env-facts">
              {reading.result.facts.map((fact) => (
                <li key={fact}>{fact}</li>
              ))}
            </ul>
          )}
        </>
      )}
      <div className="row">
        <button type="button" onClick={use} disabled={!connection}>
          Use these values
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </section>
  );
}
