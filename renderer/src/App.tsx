import type { AppApi } from '../../shared/api';
import { Announcer } from './app/announcer';
import { routeHref, useRoute, type Route } from './app/route';
import { useTheme } from './app/theme';
import { ConnectionStatusBadge } from './components/ConnectionStatusBadge';
import { useAppState } from './use-app-state';
import { ConnectionsView } from './views/connections/ConnectionsView';
import { FleetView } from './views/fleet/FleetView';
import { ProxyView } from './views/proxy/ProxyView';
import { JournalView } from './views/journal-view/JournalView';
import { LiveView } from './views/live/LiveView';
import { ScenariosView } from './views/scenarios/ScenariosView';
import { SessionDetailView } from './views/session/SessionDetailView';
import { SettingsView } from './views/settings/SettingsView';

const NAV: { route: Route; label: string }[] = [
  { route: { view: 'live' }, label: 'Live' },
  { route: { view: 'fleet' }, label: 'Fleet' },
  { route: { view: 'connections' }, label: 'Connections' },
  { route: { view: 'scenarios' }, label: 'Scenarios' },
  { route: { view: 'journal' }, label: 'Journal' },
  { route: { view: 'proxy' }, label: 'Proxy' },
  { route: { view: 'settings' }, label: 'Settings' },
];

/** Connection badges the header shows before "+N more". */
const MAX_HEADER_CONNECTIONS = 4;

export function App({ api }: { api: AppApi }) {
  const state = useAppState(api);
  const route = useRoute();
  const theme = useTheme();
  // Every connection's state, not one (a second server down must show): the first few, then a count.
  const statuses = Object.values(state.connections).sort((a, b) => a.profileId.localeCompare(b.profileId));
  const shown = statuses.slice(0, MAX_HEADER_CONNECTIONS);
  const current = route.view === 'session' ? 'live' : route.view;

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <h1>
          <span aria-hidden="true" className="logo">
            ◉
          </span>{' '}
          EchoScope
        </h1>
        <nav aria-label="Views">
          <ul className="nav">
            {NAV.map(({ route: target, label }) => (
              <li key={label}>
                <a href={routeHref(target)} aria-current={current === target.view ? 'page' : undefined} className={current === target.view ? 'active' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span className="spacer" />
        <span className="connection-badges" aria-label="Connections">
          {shown.length === 0 ? (
            <ConnectionStatusBadge status={undefined} />
          ) : (
            shown.map((status) => <ConnectionStatusBadge key={status.profileId} status={status} label={status.profileId} />)
          )}
          {statuses.length > shown.length && (
            <a href="#/connections" className="muted" data-testid="more-connections">
              +{statuses.length - shown.length} more
            </a>
          )}
        </span>
        {state.info && (
          <span className="muted version">
            v{state.info.version} · {state.info.transport}
          </span>
        )}
      </header>
      {state.error && (
        <div className="error banner">
          <p role="alert">{state.error}</p>
          <button type="button" className="secondary" onClick={state.dismissError}>
            Dismiss
          </button>
        </div>
      )}
      {state.journalHealth?.state === 'restarting' && (
        <div className="error banner" data-testid="journal-health">
          <p role="alert">
            The journal stopped ({state.journalHealth.message}) and is being started again. Frames keep arriving and are written once it is back; nothing is written twice.
          </p>
        </div>
      )}
      {state.journalHealth?.state === 'ok' && state.journalHealth.restarts > 0 && (
        <div className="banner notice" data-testid="journal-health">
          <p role="status">
            The journal was started again after it stopped ({state.journalHealth.restarts === 1 ? 'once' : `${state.journalHealth.restarts} times`}); what arrived meanwhile was
            written.
          </p>
        </div>
      )}
      <Announcer store={state.sessions} connectionMessage={state.connectionMessage} />
      <main id="main" tabIndex={-1}>
        {route.view === 'live' && <LiveView api={api} store={state.sessions} info={state.info} />}
        {route.view === 'session' && <SessionDetailView api={api} sessionId={route.sessionId} store={state.sessions} settings={state.settings} theme={theme.theme} />}
        {route.view === 'fleet' && <FleetView api={api} connections={state.connections} theme={theme.theme} />}
        {route.view === 'connections' && <ConnectionsView api={api} profiles={state.profiles} connections={state.connections} onProfilesChanged={state.refreshProfiles} />}
        {route.view === 'scenarios' && <ScenariosView api={api} />}
        {route.view === 'journal' && <JournalView api={api} />}
        {route.view === 'proxy' && <ProxyView api={api} info={state.info} />}
        {route.view === 'settings' && <SettingsView api={api} settings={state.settings} onSettings={state.setSettings} theme={theme.choice} onTheme={theme.setChoice} />}
      </main>
    </div>
  );
}
