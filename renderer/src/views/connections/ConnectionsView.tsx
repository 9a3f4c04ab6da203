import { useState, type FormEvent } from 'react';
import type { AppApi, ConnectionStatus, ProfileInput, ProfileView, Result } from '../../../../shared/api';
import { ConnectionStatusBadge } from '../../components/ConnectionStatusBadge';
import { LiveTail } from '../../components/LiveTail';
import { countOf, formatClock, formatCount } from '../../data/format';
import { EnvImport, type EnvDraft } from './EnvImport';
import { ProfileForm } from './ProfileForm';

interface Props {
  api: AppApi;
  profiles: ProfileView[];
  connections: Record<string, ConnectionStatus>;
  onProfilesChanged(): Promise<void>;
}

function describeServer(profile: ProfileView): string {
  if (profile.kind === 'pusher') return `Pusher Channels, cluster ${profile.cluster ?? 'mt1'}`;
  const url = `${profile.tls ? 'wss' : 'ws'}://${profile.host}:${profile.port}`;
  return profile.kind === 'socketio' ? `laravel-echo-server ${url.replace(/^ws/, 'http')}` : url;
}

function describeAuth(profile: ProfileView): string {
  switch (profile.auth.mode) {
    case 'none':
      return 'public channels only';
    case 'secret':
      return profile.auth.hasSecret ? 'signed with the app secret' : 'app secret missing';
    case 'endpoint':
      return `auth endpoint ${profile.auth.url}${profile.auth.headerNames.length > 0 ? ` (${profile.auth.headerNames.join(', ')})` : ''}`;
  }
}

/** Connection profiles: create, edit, delete, connect, subscribe — and what went wrong, in words. */
export function ConnectionsView({ api, profiles, connections, onProfilesChanged }: Props) {
  const [message, setMessage] = useState<string | null>(null);
  const [editing, setEditing] = useState<ProfileView | 'new' | null>(null);
  const [importing, setImporting] = useState(false);
  // A new profile's values from "Import from .env", until it is saved or cancelled.
  const [draft, setDraft] = useState<EnvDraft | null>(null);
  const closeForm = () => {
    setEditing(null);
    setDraft(null);
  };
  // Channels subscribed by hand here stay in view even when discovery adds hundreds.
  const [pinned, setPinned] = useState<ReadonlySet<string>>(new Set());

  const run = async <T,>(action: () => Promise<Result<T>>): Promise<boolean> => {
    const result = await action();
    setMessage(result.ok ? null : result.error.message);
    return result.ok;
  };

  const save = async (input: ProfileInput) => {
    const saved = await run(() => api.invoke('profiles.save', input));
    await onProfilesChanged();
    if (saved) closeForm();
    return saved;
  };

  return (
    <section className="view" aria-labelledby="connections-title">
      <div className="view-head">
        <h2 id="connections-title">Connections</h2>
        <span className="spacer" />
        {editing === null && !importing && (
          <>
            <button type="button" onClick={() => setEditing('new')}>
              New profile
            </button>
            <button type="button" className="secondary" onClick={() => setImporting(true)}>
              Import from .env
            </button>
          </>
        )}
      </div>
      {message && (
        <p className="error" role="alert" data-testid="connection-error">
          {message}
        </p>
      )}
      {importing && (
        <EnvImport
          onUse={(values) => {
            setDraft(values);
            setImporting(false);
            setEditing('new');
          }}
          onCancel={() => setImporting(false)}
        />
      )}
      {editing !== null && (
        <ProfileForm
          key={editing === 'new' ? `new-${draft?.profile.id ?? ''}` : editing.id}
          editing={editing === 'new' ? null : editing}
          draft={editing === 'new' ? (draft ?? undefined) : undefined}
          onSave={save}
          onCancel={closeForm}
        />
      )}
      <ul className="profile-list">
        {profiles.map((profile) => {
          const status = connections[profile.id];
          // A running tap (its status is there until it is stopped) keeps the profile live: Disconnect stops both.
          const live = status !== undefined && ((status.state !== 'disconnected' && status.state !== 'failed') || status.tap !== undefined);
          return (
            <li key={profile.id} className="panel" data-testid="profile-row" data-profile={profile.id}>
              <div className="profile-head">
                <strong>{profile.name}</strong>
                <span className="muted mono">{profile.id}</span>
                <ConnectionStatusBadge status={status} />
              </div>
              <p className="muted profile-facts">
                {describeServer(profile)} · key <span className="mono">{profile.key}</span> · {describeAuth(profile)}
                {profile.discover ? ` · discovers ${profile.discover.prefix}* every ${profile.discover.intervalMs} ms` : ''}
                {profile.reconcile ? ` · reconciles with ${profile.reconcile.url}` : ''}
                {profile.tap
                  ? ` · taps ${profile.tap.url} (${profile.tap.format === 'laravel' ? `redis broadcaster, prefix "${profile.tap.prefix}"` : `Reverb scaling channel "${profile.tap.channel}"`})`
                  : ''}
              </p>
              {status?.lastError && (
                <p className="error" data-testid="last-error">
                  Last error ({status.lastError.code.replace('_', ' ')}): {status.lastError.message}
                </p>
              )}
              {status?.discovery && (
                <p className={status.discovery.error ? 'error' : 'muted'} data-testid="discovery-status">
                  Discovery of <span className="mono">{status.discovery.prefix}</span>: {countOf(status.discovery.channels, 'channel')}
                  {status.discovery.released ? `, ${status.discovery.released} let go (session ended or nobody else on it)` : ''}
                  {status.discovery.lastPollAt !== null ? `, last poll ${formatClock(status.discovery.lastPollAt)}` : ', not polled yet'}
                  {status.discovery.error ? ` — ${status.discovery.error}` : ''}
                </p>
              )}
              {status?.tap && (
                <p className={status.tap.error ? 'error' : 'muted'} data-testid="tap-status" data-state={status.tap.state}>
                  Tap <span className="mono">{status.tap.watching}</span> on <span className="mono">{status.tap.url}</span>: {status.tap.state},{' '}
                  {countOf(status.tap.events, 'event')} read
                  {status.tap.ignored > 0 ? `, ${status.tap.ignored} messages ignored (${status.tap.firstIgnored ?? ''})` : ''}
                  {status.tap.error ? ` — ${status.tap.error}` : ''}
                </p>
              )}
              {status?.channels
                .filter((c) => c.warning)
                .map((c) => (
                  <p key={c.name} className="tone-warn" role="status" data-testid="channel-warning">
                    ⚠ {c.warning}
                  </p>
                ))}
              <div className="row">
                {live ? (
                  <button type="button" onClick={() => void run(() => api.invoke('connections.disconnect', { profileId: profile.id }))}>
                    Disconnect
                  </button>
                ) : (
                  <button type="button" onClick={() => void run(() => api.invoke('connections.connect', { profileId: profile.id }))}>
                    Connect
                  </button>
                )}
                <button type="button" className="secondary" onClick={() => setEditing(profile)}>
                  Edit
                </button>
                <button
                  type="button"
                  className="secondary danger"
                  onClick={() => {
                    if (!window.confirm(`Delete the profile "${profile.name}"?`)) return;
                    void run(async () => {
                      const result = await api.invoke('profiles.delete', { profileId: profile.id });
                      await onProfilesChanged();
                      return result;
                    });
                  }}
                >
                  Delete
                </button>
              </div>
              {status && status.channels.length > 0 && <ChannelList channels={status.channels} pinned={pinned} />}
              {live && (
                <SubscribeForm
                  onSubscribe={(channel) => {
                    setPinned((previous) => new Set(previous).add(channel));
                    void run(() => api.invoke('channels.subscribe', { profileId: profile.id, channel }));
                  }}
                />
              )}
            </li>
          );
        })}
      </ul>
      <LiveTail api={api} />
    </section>
  );
}

const RECENT_CHANNELS = 5;

/** Failed, hand-subscribed and the most recent channels in view; the rest behind a disclosure. */
function ChannelList({ channels, pinned }: { channels: ConnectionStatus['channels']; pinned: ReadonlySet<string> }) {
  const recent = new Set(channels.slice(-RECENT_CHANNELS).map((c) => c.name));
  const shown = channels.filter((c) => c.status === 'failed' || pinned.has(c.name) || recent.has(c.name));
  const hidden = channels.filter((c) => !shown.includes(c));
  const failed = channels.filter((c) => c.status === 'failed').length;
  const item = (channel: ConnectionStatus['channels'][number]) => (
    <li key={channel.name} data-testid="channel-row" data-status={channel.status}>
      <span className="mono">{channel.name}</span> <span className={`tag tag-${channel.status}`}>{channel.status}</span>
      {channel.error && <span className="status-error"> {channel.error.message}</span>}
    </li>
  );
  return (
    <div className="channels">
      <p className="muted">
        {countOf(channels.length, 'channel')}: {formatCount(channels.filter((c) => c.status === 'subscribed').length)} subscribed
        {failed > 0 ? `, ${formatCount(failed)} failed` : ''}
      </p>
      <ul className="channel-list">{shown.map(item)}</ul>
      {hidden.length > 0 && (
        <details>
          <summary>{formatCount(hidden.length)} more</summary>
          <ul className="channel-list">{hidden.map(item)}</ul>
        </details>
      )}
    </div>
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
