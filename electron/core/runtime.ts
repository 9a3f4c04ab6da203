import { startMockServer, type MockServer } from '../mock';
import { ProfileInputSchema, type AppInfo, type Profile } from '../../shared/api';
import { AppService, type ProfileStore } from './app';
import { startDemoFeed, type DemoFeed } from './demo/demo-feed';

export interface RuntimeOptions {
  transport: AppInfo['transport'];
  version: string;
  /** Start the embedded mock provider with a demo mix and watch it. */
  demo: boolean;
  /** Port of the embedded mock provider (0 = pick a free one). */
  mockPort?: number;
  profiles?: ProfileStore;
}

export interface Runtime {
  service: AppService;
  mock: MockServer | undefined;
  close(): Promise<void>;
}

export const DEMO_PROFILE_ID = 'demo';

/** Assembles the core for a host (Electron main or the headless `serve`): the App service and, optionally, the demo. */
export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  let mock: MockServer | undefined;
  let feed: DemoFeed | undefined;
  if (options.demo) {
    mock = await startMockServer({ host: '127.0.0.1', port: options.mockPort ?? 0 });
  }
  const app = mock?.apps[0];
  const service = new AppService({
    transport: options.transport,
    version: options.version,
    demo: mock && app ? { url: mock.httpUrl, appId: app.id, key: app.key } : null,
    ...(options.profiles ? { profiles: options.profiles } : {}),
    ...(mock ? { mockCounters: () => mock!.counters() } : {}),
  });
  if (mock && app) {
    const profile: Profile = ProfileInputSchema.parse({
      id: DEMO_PROFILE_ID,
      name: 'Embedded demo',
      kind: 'reverb',
      host: mock.host,
      port: mock.port,
      key: app.key,
      appId: app.id,
      auth: { mode: 'secret', secret: app.secret },
    });
    const saved = await service.invoke('profiles.save', profile);
    if (!saved.ok) throw new Error(`demo profile rejected: ${saved.error.message}`);
    await service.invoke('connections.connect', { profileId: DEMO_PROFILE_ID });
    feed = startDemoFeed({
      httpHost: mock.host,
      httpPort: mock.port,
      appId: app.id,
      key: app.key,
      secret: app.secret,
      beforeSession: (channel) => service.hub.subscribe(DEMO_PROFILE_ID, channel, 5000),
    });
  }
  return {
    service,
    mock,
    close: async () => {
      feed?.stop();
      service.close();
      await mock?.close();
    },
  };
}
