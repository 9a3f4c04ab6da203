import type { AppApi } from '../../shared/api';
import { ConnectionPanel } from './components/ConnectionPanel';
import { ConnectionStatusBadge } from './components/ConnectionStatusBadge';
import { LiveTail } from './components/LiveTail';
import { useAppState } from './use-app-state';

export function App({ api }: { api: AppApi }) {
  const state = useAppState(api);
  const statuses = Object.values(state.connections);
  const primary = statuses.find((status) => status.state === 'connected') ?? statuses[0];

  return (
    <div className="app">
      <header className="app-header">
        <h1>EchoScope</h1>
        <ConnectionStatusBadge status={primary} />
        {state.info && <span className="muted">v{state.info.version} · {state.info.transport}</span>}
      </header>
      {state.info?.demo && (
        <p className="hint" role="note">
          Watching the embedded demo provider at <code>{state.info.demo.url}</code>. To watch your own server, add a
          connection profile below (Reverb/soketi host and port, or a Pusher cluster) — or run{' '}
          <code>echoscope watch --url ws://host:port --key KEY</code>.
        </p>
      )}
      {state.error && (
        <p className="error" role="alert">
          {state.error}
        </p>
      )}
      <main className="layout">
        <ConnectionPanel api={api} profiles={state.profiles} connections={state.connections} onProfilesChanged={state.refreshProfiles} />
        <LiveTail frames={state.tail} dropped={state.droppedFromTail} />
      </main>
    </div>
  );
}
