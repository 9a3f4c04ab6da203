import { useCallback, useEffect, useMemo, useState } from 'react';
import type { AppApi, AppInfo, ConnectionStatus, JournalHealth, MonitorSettings, ProfileView } from '../../shared/api';
import { SessionStore } from './data/session-store';

export interface AppState {
  info: AppInfo | null;
  profiles: ProfileView[];
  connections: Record<string, ConnectionStatus>;
  /** The session rows the views have shown (the Live window's, a detail's): what the announcer hears status changes from. */
  sessions: SessionStore;
  settings: MonitorSettings | null;
  /** The latest connection change worth announcing ("demo: connection unavailable"). */
  connectionMessage: string | null;
  /** The journal's thread, when the host said something about it (restarting, or back after restarts). */
  journalHealth: JournalHealth | null;
  /** A command that failed, said in the alert banner until dismissed (or the same command succeeds again). */
  error: string | null;
  dismissError(): void;
  refreshProfiles(): Promise<void>;
  setSettings(settings: MonitorSettings): void;
}

/**
 * Live state of the app shared by every view, fed by the App API's commands and its global pushes
 * (connection states, the journal's health). What one view shows, it subscribes to itself.
 */
export function useAppState(api: AppApi): AppState {
  const sessions = useMemo(() => new SessionStore(), []);
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [profiles, setProfiles] = useState<ProfileView[]>([]);
  const [connections, setConnections] = useState<Record<string, ConnectionStatus>>({});
  const [settings, setSettings] = useState<MonitorSettings | null>(null);
  const [connectionMessage, setConnectionMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [journalHealth, setJournalHealth] = useState<JournalHealth | null>(null);

  const refreshProfiles = useCallback(async () => {
    const result = await api.invoke('profiles.list', {});
    if (result.ok) {
      setProfiles(result.value);
      // the profiles answer again: an error they caused is over
      setError((current) => (current?.startsWith('profiles.list') ? null : current));
    } else setError(result.error.message);
  }, [api]);

  useEffect(() => {
    const offStatus = api.on('connections.status', ({ items }) => {
      setConnections((previous) => {
        const next = { ...previous };
        for (const status of items) {
          const before = previous[status.profileId];
          if (before && before.state !== status.state) {
            setConnectionMessage(`Connection ${status.profileId} ${status.state}${status.lastError ? `: ${status.lastError.message}` : ''}.`);
          }
          next[status.profileId] = status;
        }
        return next;
      });
    });
    const offJournal = api.on('journal.health', (health) => setJournalHealth(health));
    api.ready();
    void (async () => {
      const [infoResult, connectionsResult, settingsResult] = await Promise.all([
        api.invoke('app.info', {}),
        api.invoke('connections.list', {}),
        api.invoke('monitor.settings', {}),
      ]);
      // A start-up answer that failed is said, never an empty app without a word (the settings).
      const failures = [infoResult, connectionsResult, settingsResult].flatMap((result) => (result.ok ? [] : [result.error.message]));
      if (failures.length > 0) setError([...new Set(failures)].join('; '));
      if (infoResult.ok) setInfo(infoResult.value);
      if (connectionsResult.ok) {
        setConnections((previous) => {
          const next = { ...previous };
          for (const status of connectionsResult.value) next[status.profileId] ??= status;
          return next;
        });
      }
      if (settingsResult.ok) setSettings(settingsResult.value);
      await refreshProfiles();
    })();
    return () => {
      offStatus();
      offJournal();
    };
  }, [api, refreshProfiles]);

  const dismissError = useCallback(() => setError(null), []);
  return { info, profiles, connections, sessions, settings, connectionMessage, journalHealth, error, dismissError, refreshProfiles, setSettings };
}
