import { useEffect, useState } from 'react';

/** Hash routes: bookmarkable and reloadable in the browser and in Electron alike (no history API server). */
export type Route =
  | { view: 'live' }
  | { view: 'session'; sessionId: string }
  | { view: 'fleet' }
  | { view: 'connections' }
  | { view: 'scenarios' }
  | { view: 'journal' }
  | { view: 'proxy' }
  | { view: 'settings' };

export type ViewName = Route['view'];

const VIEWS: readonly ViewName[] = ['live', 'session', 'fleet', 'connections', 'scenarios', 'journal', 'proxy', 'settings'];

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/');
  const view = parts[0] ?? '';
  if (view === 'session' && parts[1]) return { view: 'session', sessionId: decodeURIComponent(parts.slice(1).join('/')) };
  if ((VIEWS as readonly string[]).includes(view) && view !== 'session') return { view } as Route;
  return { view: 'live' };
}

export function routeHref(route: Route): string {
  return route.view === 'session' ? `#/session/${encodeURIComponent(route.sessionId)}` : `#/${route.view}`;
}

export const sessionHref = (sessionId: string) => routeHref({ view: 'session', sessionId });

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}
