import { useState, type FormEvent } from 'react';
import type { AppApi, ConnectionStatus, ProfileInput, ProfileView } from '../../../shared/api';
import { ConnectionStatusBadge } from './ConnectionStatusBadge';

interface Props {
  api: AppApi;
  profiles: ProfileView[];
  connections: Record<string, ConnectionStatus>;
  onProfilesChanged(): Promise<void>;
}

/** Connection profiles: add one, connect/disconnect, subscribe to channels, see the last error in words. */
export function ConnectionPanel({ api, profiles, connections, onProfilesChanged }: Props) {
  const [message, setMessage] = useState<string | null>(null);

  const run = async (action: () => Promise<{ ok: boolean; error?: { message: string } }>) => {
    const result = await action();
    setMessage(result.ok ? null : (result.error?.message ?? 'failed'));
  };

  return (
    <section className="panel connections" aria-labelledby="connections-title">
      <h2 id="connections-title">Connections</h2>
      {message && (
        <p className="error" role="alert" data-testid="connection-error">
          {message}
        </p>
      )}
      <ul className="profile-list">
        {profiles.map((profile) => {
          const status = connections[profile.id];
          const live = status && status.state !== 'disconnected' && status.state !== 'failed';
          return (
            <li key={profile.id} data-testid="profile-row" data-profile={profile.id}>
              <div className="profile-head">
                <strong>{profile.name}</strong>
                <span className="muted mono">
                  {profile.kind === 'pusher' ? `cluster ${profile.cluster ?? 'mt1'}` : `${profile.tls ? 'wss' : 'ws'}://${profile.host}:${profile.port}`}
                </span>
                <ConnectionStatusBadge status={status} />
              </div>
              <div className="row">
                {live ? (
                  <button type="button" onClick={() => run(() => api.invoke('connections.disconnect', { profileId: profile.id }))}>
                    Disconnect
                  </button>
                ) : (
                  <button type="button" onClick={() => run(() => api.invoke('connections.connect', { profileId: profile.id }))}>
                    Connect
                  </button>
                )}
                <button
                  type="button"
                  className="secondary"
                  onClick={() =>
                    run(async () => {
                      const result = await api.invoke('profiles.delete', { profileId: profile.id });
                      await onProfilesChanged();
                      return result;
                    })
                  }
                >
                  Delete
                </button>
              </div>
              {status && status.channels.length > 0 && (
                <ul className="channel-list">
                  {status.channels.map((channel) => (
                    <li key={channel.name} data-testid="channel-row" data-status={channel.status}>
                      <span className="mono">{channel.name}</span> <span className={`tag tag-${channel.status}`}>{channel.status}</span>
                      {channel.error && <span className="status-error"> {channel.error.message}</span>}
                    </li>
                  ))}
                </ul>
              )}
              {live && <SubscribeForm onSubscribe={(channel) => run(() => api.invoke('channels.subscribe', { profileId: profile.id, channel }))} />}
            </li>
          );
        })}
      </ul>
      <ProfileForm
        onSave={(input) =>
          run(async () => {
            const result = await api.invoke('profiles.save', input);
            await onProfilesChanged();
            return result;
          })
        }
      />
    </section>
  );
}

function SubscribeForm({ onSubscribe }: { onSubscribe(channel: string): void }) {
  const [channel, setChannel] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (channel.trim()) onSubscribe(channel.trim());
    setChannel('');
  };
  return (
    <form className="row" onSubmit={submit}>
      <label>
        <span className="visually-hidden">Channel to subscribe</span>
        <input value={channel} onChange={(e) => setChannel(e.target.value)} placeholder="private-ai.{sessionId}" aria-label="Channel to subscribe" />
      </label>
      <button type="submit">Subscribe</button>
    </form>
  );
}

function ProfileForm({ onSave }: { onSave(input: ProfileInput): void }) {
  const [id, setId] = useState('local');
  const [host, setHost] = useState('127.0.0.1');
  const [port, setPort] = useState('8080');
  const [key, setKey] = useState('');
  const [authMode, setAuthMode] = useState<'none' | 'secret' | 'endpoint'>('secret');
  const [secret, setSecret] = useState('');
  const [endpoint, setEndpoint] = useState('');
  const [channels, setChannels] = useState('');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const auth =
      authMode === 'secret' ? { mode: 'secret' as const, secret } : authMode === 'endpoint' ? { mode: 'endpoint' as const, url: endpoint, headers: {} } : { mode: 'none' as const };
    onSave({
      id,
      name: id,
      kind: 'reverb',
      host,
      port: Number(port),
      key,
      auth,
      channels: channels
        .split(/[\s,]+/)
        .map((c) => c.trim())
        .filter(Boolean),
    });
  };

  return (
    <details className="profile-form">
      <summary>Add a connection profile</summary>
      <form onSubmit={submit} className="grid-form">
        <label>
          Profile id <input value={id} onChange={(e) => setId(e.target.value)} required />
        </label>
        <label>
          Host <input value={host} onChange={(e) => setHost(e.target.value)} required />
        </label>
        <label>
          Port <input value={port} onChange={(e) => setPort(e.target.value)} inputMode="numeric" required />
        </label>
        <label>
          App key <input value={key} onChange={(e) => setKey(e.target.value)} required />
        </label>
        <label>
          Authorization
          <select value={authMode} onChange={(e) => setAuthMode(e.target.value as typeof authMode)}>
            <option value="secret">sign locally with the app secret</option>
            <option value="endpoint">call the app's auth endpoint</option>
            <option value="none">public channels only</option>
          </select>
        </label>
        {authMode === 'secret' && (
          <label>
            App secret <input type="password" value={secret} onChange={(e) => setSecret(e.target.value)} autoComplete="off" />
          </label>
        )}
        {authMode === 'endpoint' && (
          <label>
            Auth endpoint <input value={endpoint} onChange={(e) => setEndpoint(e.target.value)} placeholder="http://localhost:8000/broadcasting/auth" />
          </label>
        )}
        <label>
          Channels <input value={channels} onChange={(e) => setChannels(e.target.value)} placeholder="private-ai.s1, public-feed" />
        </label>
        <button type="submit">Save profile</button>
      </form>
    </details>
  );
}
