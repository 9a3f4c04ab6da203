import { afterEach, describe, expect, it } from 'vitest';
import { ProfileInputSchema } from '../../../shared/api';
import { startMockServer, type MockServer } from '../../mock';
import { likelyLaravelChannel, wireChannelName } from './channel-names';
import { ConnectionHub } from './connection-hub';

let mock: MockServer | undefined;
let hub: ConnectionHub | undefined;
afterEach(async () => {
  hub?.closeAll();
  await mock?.close();
});

describe("Laravel's channel names", () => {
  it('private and presence prefix names that have none; prefixed names and public profiles are taken as given', () => {
    expect(wireChannelName('ai.x1', 'private')).toBe('private-ai.x1');
    expect(wireChannelName('ai.x1', 'presence')).toBe('presence-ai.x1');
    expect(wireChannelName('private-ai.x1', 'private')).toBe('private-ai.x1');
    expect(wireChannelName('private-encrypted-ai.x1', 'presence')).toBe('private-encrypted-ai.x1');
    expect(wireChannelName('ai.x1', 'public')).toBe('ai.x1');
    expect(wireChannelName('ai.x1')).toBe('ai.x1');
    expect(likelyLaravelChannel('ai.x1')).toBe('private-ai.x1');
    expect(likelyLaravelChannel('presence-room')).toBeUndefined();
  });

  it('a private profile subscribes the private channel for channels given on connect and later through the App API path', async () => {
    mock = await startMockServer({ port: 0 });
    const app = mock.apps[0]!;
    hub = new ConnectionHub({ record: () => undefined, status: () => undefined });
    const profile = ProfileInputSchema.parse({
      id: 'p',
      name: 'p',
      kind: 'reverb',
      host: mock.host,
      port: mock.port,
      key: app.key,
      auth: { mode: 'secret', secret: app.secret },
      channelType: 'private',
      channels: ['ai.a'],
    });
    hub.connect(profile);
    expect(await hub.subscribe('p', 'ai.b')).toMatchObject({ name: 'private-ai.b', status: 'subscribed' });
    expect(await hub.subscribe('p', 'ai.a')).toMatchObject({ name: 'private-ai.a', status: 'subscribed' });
    expect(hub.channels('p').sort()).toEqual(['private-ai.a', 'private-ai.b']);
    expect(hub.unsubscribe('p', 'ai.b')).toMatchObject({ name: 'private-ai.b', status: 'unsubscribed' });
    expect(hub.channels('p')).toEqual(['private-ai.a']);
  });
});
