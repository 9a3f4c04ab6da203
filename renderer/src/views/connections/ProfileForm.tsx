import { useState, type FormEvent } from 'react';
import type { ProfileInput, ProfileView } from '../../../../shared/api';
import type { EnvDraft } from './EnvImport';

type Kind = ProfileInput['kind'];
type AuthMode = 'none' | 'secret' | 'endpoint';

/** "Name: value" lines ⇄ a header map (values are never shown back: the renderer only knows the names). */
function parseHeaders(text: string): { headers: Record<string, string>; error: string | null } {
  const headers: Record<string, string> = {};
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (!line) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) return { headers, error: `header line ${index + 1} needs "Name: value"` };
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return { headers, error: null };
}

interface Props {
  /** The profile being edited, or null to create one. */
  editing: ProfileView | null;
  /** A new profile's values to start from (Import from .env). */
  draft?: EnvDraft | undefined;
  onSave(input: ProfileInput): Promise<boolean>;
  onCancel(): void;
}

/** Create or edit a connection profile: server kind and address, key, auth, channels, discovery, reconciliation. */
export function ProfileForm({ editing, draft, onSave, onCancel }: Props) {
  const start = draft?.profile;
  const startAuth = start?.auth;
  const [id, setId] = useState(editing?.id ?? start?.id ?? '');
  const [name, setName] = useState(editing?.name ?? start?.name ?? '');
  const [kind, setKind] = useState<Kind>(editing?.kind ?? start?.kind ?? 'reverb');
  const [host, setHost] = useState(editing?.host ?? start?.host ?? '127.0.0.1');
  const [port, setPort] = useState(String(editing?.port ?? start?.port ?? 8080));
  const [tls, setTls] = useState(editing?.tls ?? start?.tls ?? false);
  const [cluster, setCluster] = useState(editing?.cluster ?? start?.cluster ?? 'mt1');
  const [key, setKey] = useState(editing?.key ?? start?.key ?? '');
  const [appId, setAppId] = useState(editing?.appId ?? start?.appId ?? '');
  const [authMode, setAuthMode] = useState<AuthMode>(editing?.auth.mode ?? startAuth?.mode ?? 'secret');
  const [secret, setSecret] = useState(startAuth?.mode === 'secret' ? startAuth.secret : '');
  const [endpoint, setEndpoint] = useState(editing?.auth.mode === 'endpoint' ? editing.auth.url : startAuth?.mode === 'endpoint' ? startAuth.url : '');
  const [authHeaders, setAuthHeaders] = useState(
    startAuth?.mode === 'endpoint'
      ? Object.entries(startAuth.headers ?? {})
          .map(([header, value]) => `${header}: ${value}`)
          .join('\n')
      : '',
  );
  const [channels, setChannels] = useState(editing?.channels.join(', ') ?? start?.channels?.join(', ') ?? '');
  const startDiscover = editing?.discover ?? start?.discover;
  const [discover, setDiscover] = useState(startDiscover !== undefined);
  const [prefix, setPrefix] = useState(startDiscover?.prefix ?? 'private-ai.');
  const [interval, setIntervalMs] = useState(String(startDiscover?.intervalMs ?? 2000));
  const [leave, setLeave] = useState(startDiscover?.leave ?? true);
  const [grace, setGrace] = useState(String(startDiscover?.graceMs ?? 10_000));
  const [apiKey, setApiKey] = useState('');
  const [channelType, setChannelType] = useState<'public' | 'private' | 'presence'>(editing?.channelType ?? start?.channelType ?? 'public');
  const [reconcileUrl, setReconcileUrl] = useState(editing?.reconcile?.url ?? '');
  const [reconcileHeaders, setReconcileHeaders] = useState('');
  // A stored tap URL with a password comes back redacted: it is entered again, like the secret.
  const storedTapUrl = editing?.tap?.url;
  const tapPasswordKept = storedTapUrl?.includes(':***@') ?? false;
  const [tapUrl, setTapUrl] = useState(tapPasswordKept ? '' : (storedTapUrl ?? ''));
  const [tapFormat, setTapFormat] = useState<'laravel' | 'reverb'>(editing?.tap?.format ?? 'laravel');
  const [tapPrefix, setTapPrefix] = useState(editing?.tap?.prefix ?? 'laravel_database_');
  const [tapChannel, setTapChannel] = useState(editing?.tap?.channel ?? 'reverb');
  const [tapAppId, setTapAppId] = useState(editing?.tap?.appId ?? '');
  const [problem, setProblem] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const auth = parseHeaders(authHeaders);
    const rec = parseHeaders(reconcileHeaders);
    if (auth.error || rec.error) return setProblem(auth.error ?? rec.error);
    const input: ProfileInput = {
      id: id.trim(),
      name: name.trim() || id.trim(),
      kind,
      key: key.trim(),
      tls,
      auth: authMode === 'secret' ? { mode: 'secret', secret } : authMode === 'endpoint' ? { mode: 'endpoint', url: endpoint.trim(), headers: auth.headers } : { mode: 'none' },
      channels: channels
        .split(/[\s,]+/)
        .map((c) => c.trim())
        .filter(Boolean),
      channelType,
    };
    if (kind === 'pusher') input.cluster = cluster.trim() || 'mt1';
    else {
      input.host = host.trim();
      input.port = Number(port);
    }
    if (appId.trim()) input.appId = appId.trim();
    if (discover) input.discover = { prefix: prefix.trim(), intervalMs: Number(interval), leave, graceMs: Number(grace), ...(apiKey.trim() ? { apiKey: apiKey.trim() } : {}) };
    if (reconcileUrl.trim()) input.reconcile = { url: reconcileUrl.trim(), headers: rec.headers };
    if (tapUrl.trim()) {
      input.tap =
        tapFormat === 'laravel'
          ? { url: tapUrl.trim(), format: 'laravel', prefix: tapPrefix.trim() }
          : { url: tapUrl.trim(), format: 'reverb', channel: tapChannel.trim(), ...(tapAppId.trim() ? { appId: tapAppId.trim() } : {}) };
    }
    setProblem(null);
    await onSave(input);
  };

  const keptHeaders = editing?.auth.mode === 'endpoint' ? editing.auth.headerNames : [];
  return (
    <form className="panel profile-form grid-form" onSubmit={(e) => void submit(e)} aria-labelledby="profile-form-title" data-testid="profile-form">
      <h3 id="profile-form-title">{editing ? `Edit ${editing.name}` : draft ? `New connection profile from ${draft.fileName}` : 'New connection profile'}</h3>
      {draft && !editing && <p className="muted">Filled in from {draft.fileName}: check the values, add channels to subscribe or keep discovery, and save.</p>}
      <div className="form-row">
        <label>
          Profile id
          <input
            value={id}
            onChange={(e) => setId(e.target.value)}
            required
            pattern="[A-Za-z0-9_.\-]+"
            readOnly={editing !== null}
            title="letters, digits, dot, dash or underscore"
          />
        </label>
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} placeholder="Reverb (local)" />
        </label>
        <label>
          Server
          <select value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
            <option value="reverb">Reverb / soketi / sockudo / mock (Pusher protocol)</option>
            <option value="pusher">Pusher Channels</option>
            <option value="socketio">laravel-echo-server (Socket.IO)</option>
          </select>
        </label>
      </div>
      <div className="form-row">
        {kind === 'pusher' ? (
          <label>
            Cluster
            <input value={cluster} onChange={(e) => setCluster(e.target.value)} placeholder="mt1, eu, …" />
          </label>
        ) : (
          <>
            <label>
              Host
              <input value={host} onChange={(e) => setHost(e.target.value)} required />
            </label>
            <label>
              Port
              <input value={port} onChange={(e) => setPort(e.target.value)} inputMode="numeric" pattern="[0-9]+" required />
            </label>
          </>
        )}
        <label className="checkbox">
          <input type="checkbox" checked={tls} onChange={(e) => setTls(e.target.checked)} /> TLS (wss)
        </label>
      </div>
      <div className="form-row">
        <label>
          App key
          <input value={key} onChange={(e) => setKey(e.target.value)} required />
        </label>
        <label>
          App id <span className="muted">(for discovery)</span>
          <input value={appId} onChange={(e) => setAppId(e.target.value)} />
        </label>
      </div>
      <fieldset>
        <legend>Private and presence channel authorization</legend>
        <label>
          Mode
          <select value={authMode} onChange={(e) => setAuthMode(e.target.value as AuthMode)}>
            <option value="secret">sign locally with the app secret</option>
            <option value="endpoint">call the app's auth endpoint</option>
            <option value="none">public channels only</option>
          </select>
        </label>
        {authMode === 'secret' && (
          <label>
            App secret {editing?.auth.mode === 'secret' && editing.auth.hasSecret && <span className="muted">(stored; never shown back — enter it again to save)</span>}
            <input type="password" value={secret} onChange={(e) => setSecret(e.target.value)} autoComplete="off" required />
          </label>
        )}
        {authMode === 'endpoint' && (
          <>
            <label>
              Auth endpoint
              <input type="url" value={endpoint} onChange={(e) => setEndpoint(e.target.value)} placeholder="http://localhost:8000/broadcasting/auth" required />
            </label>
            <label>
              Headers, one per line <span className="muted">{keptHeaders.length > 0 ? `(stored: ${keptHeaders.join(', ')} — enter them again to keep them)` : ''}</span>
              <textarea
                value={authHeaders}
                onChange={(e) => setAuthHeaders(e.target.value)}
                rows={3}
                placeholder={'Authorization: Bearer …\nCookie: laravel_session=…\nX-CSRF-TOKEN: …'}
              />
            </label>
          </>
        )}
      </fieldset>
      <label>
        Channels to subscribe on connect
        <input value={channels} onChange={(e) => setChannels(e.target.value)} placeholder="private-ai.s1, public-feed" />
      </label>
      <label>
        Channels without a prefix are read as
        <select value={channelType} onChange={(e) => setChannelType(e.target.value as typeof channelType)} data-testid="channel-type">
          <option value="public">public channels, as given</option>
          <option value="private">private, as Laravel writes them: ai.x1 is private-ai.x1 (Echo.private)</option>
          <option value="presence">presence: ai.x1 is presence-ai.x1 (Echo.join)</option>
        </select>
      </label>
      <fieldset>
        <legend>Channel discovery</legend>
        <label className="checkbox">
          <input type="checkbox" checked={discover} onChange={(e) => setDiscover(e.target.checked)} /> Follow new channels as they appear (needs app id and the app secret; on
          laravel-echo-server, app id and an API key of its clients)
        </label>
        {discover && (
          <div className="form-row">
            <label className="checkbox">
              <input type="checkbox" checked={leave} onChange={(e) => setLeave(e.target.checked)} /> Leave a channel once its session ended or nobody else is on it
            </label>
            <label>
              Leave after the end (ms)
              <input value={grace} onChange={(e) => setGrace(e.target.value)} inputMode="numeric" pattern="[0-9]+" disabled={!leave} />
            </label>
            {kind === 'socketio' && (
              <label>
                API key <span className="muted">{editing?.discover?.hasApiKey ? '(stored — enter it again to keep it)' : ''}</span>
                <input value={apiKey} onChange={(e) => setApiKey(e.target.value)} autoComplete="off" />
              </label>
            )}
            <label>
              Prefix
              <input value={prefix} onChange={(e) => setPrefix(e.target.value)} required />
            </label>
            <label>
              Poll every (ms)
              <input value={interval} onChange={(e) => setIntervalMs(e.target.value)} inputMode="numeric" pattern="[0-9]+" />
            </label>
          </div>
        )}
      </fieldset>
      <fieldset>
        <legend>Reconciliation (optional)</legend>
        <label>
          Generation record URL
          <input value={reconcileUrl} onChange={(e) => setReconcileUrl(e.target.value)} placeholder={draft?.recordUrl ?? 'http://127.0.0.1:8000/api/generations/{sessionId}'} />
        </label>
        {draft?.recordUrl && reconcileUrl !== draft.recordUrl && (
          <div className="row">
            <button type="button" className="secondary" onClick={() => setReconcileUrl(draft.recordUrl ?? '')}>
              Use the app’s record route (APP_URL)
            </button>
          </div>
        )}
        {reconcileUrl && (
          <label>
            Headers, one per line
            <textarea value={reconcileHeaders} onChange={(e) => setReconcileHeaders(e.target.value)} rows={2} placeholder="Authorization: Bearer QA_TOKEN" />
          </label>
        )}
      </fieldset>
      <fieldset data-testid="tap-settings">
        <legend>Server-side tap (optional)</legend>
        <p className="muted">
          Read what the app publishes from its Redis, as a vantage of its own: every event on every channel, none subscribed, compared with what this connection receives.
        </p>
        <div className="form-row">
          <label>
            Redis URL {tapPasswordKept && <span className="muted">(stored with a password — enter it again to keep the tap)</span>}
            <input value={tapUrl} onChange={(e) => setTapUrl(e.target.value)} placeholder="redis://127.0.0.1:6379" autoComplete="off" pattern="rediss?://.+" />
          </label>
          <label>
            What to read
            <select value={tapFormat} onChange={(e) => setTapFormat(e.target.value as 'laravel' | 'reverb')}>
              <option value="laravel">Laravel's redis broadcaster (laravel-echo-server)</option>
              <option value="reverb">Reverb's scaling channel</option>
            </select>
          </label>
          {tapFormat === 'laravel' ? (
            <label>
              Key prefix <span className="muted">(REDIS_PREFIX)</span>
              <input value={tapPrefix} onChange={(e) => setTapPrefix(e.target.value)} />
            </label>
          ) : (
            <>
              <label>
                Channel <span className="muted">(REVERB_SCALING_CHANNEL)</span>
                <input value={tapChannel} onChange={(e) => setTapChannel(e.target.value)} required />
              </label>
              <label>
                Reverb app id <span className="muted">(optional)</span>
                <input value={tapAppId} onChange={(e) => setTapAppId(e.target.value)} />
              </label>
            </>
          )}
        </div>
      </fieldset>
      {problem && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
      <div className="row">
        <button type="submit">{editing ? 'Save changes' : 'Save profile'}</button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
