import { useCallback, useEffect, useState } from 'react';
import type { AppApi, AppInfo, ConnectionStatus, ProfileView } from '../../shared/api';
import type { FrameRecord } from '../../shared/journal';

export const TAIL_LIMIT = 500;

export interface AppState {
  info: AppInfo | null;
  profiles: ProfileView[];
  connections: Record<string, ConnectionStatus>;
  tail: FrameRecord[];
  droppedFromTail: number;
  error: string | null;
  refreshProfiles(): Promise<void>;
}

/** Live state of the dashboard, fed by the App API's commands and batched pushes. */
export function useAppState(api: AppApi): AppState {
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [profiles, setProfiles] = useState<ProfileView[]>([]);
  const [connections, setConnections] = useState<Record<string, ConnectionStatus>>({});
  const [tail, setTail] = useState<FrameRecord[]>([]);
  const [droppedFromTail, setDropped] = useState(0);
  const [error, setError] = useState<string | null>(null);

  const refreshProfiles = useCallback(async () => {
    const result = await api.invoke('profiles.list', {});
    if (result.ok) setProfiles(result.value);
    else setError(result.error.message);
  }, [api]);

  useEffect(() => {
    const offStatus = api.on('connections.status', ({ items }) => {
      setConnections((previous) => {
        const next = { ...previous };
        for (const status of items) next[status.profileId] = status;
        return next;
      });
    });
    const offRecords = api.on('journal.records', ({ items, dropped }) => {
      const frames = items.filter((record): record is FrameRecord => record.type === 'frame');
      if (frames.length > 0) setTail((previous) => [...previous, ...frames].slice(-TAIL_LIMIT));
      if (dropped > 0) setDropped((count) => count + dropped);
    });
    api.ready();
    void (async () => {
      const [infoResult, connectionsResult, tailResult] = await Promise.all([
        api.invoke('app.info', {}),
        api.invoke('connections.list', {}),
        api.invoke('tail.recent', { limit: 200 }),
      ]);
      if (infoResult.ok) setInfo(infoResult.value);
      else setError(infoResult.error.message);
      if (connectionsResult.ok) {
        setConnections((previous) => {
          const next = { ...previous };
          for (const status of connectionsResult.value) next[status.profileId] ??= status;
          return next;
        });
      }
      if (tailResult.ok) setTail((previous) => (previous.length > 0 ? previous : tailResult.value));
      await refreshProfiles();
    })();
    return () => {
      offStatus();
      offRecords();
    };
  }, [api, refreshProfiles]);

  return { info, profiles, connections, tail, droppedFromTail, error, refreshProfiles };
}
