import { describe, expect, it } from 'vitest';
import { commands, createAppApi, ProfileInputSchema, pushes, redactProfile, topics, type AppBridge } from './index';

describe('App API schemas', () => {
  it('round-trips a profile through its schema and never exposes the secret in the view', () => {
    const input = { id: 'local', name: 'Local Reverb', kind: 'reverb', host: '127.0.0.1', port: 8080, key: 'k', auth: { mode: 'secret', secret: 's3cret' } } as const;
    const profile = ProfileInputSchema.parse(input);
    expect(ProfileInputSchema.parse(JSON.parse(JSON.stringify(profile)))).toEqual(profile);
    const view = redactProfile(profile);
    expect(view.auth).toEqual({ mode: 'secret', hasSecret: true });
    expect(JSON.stringify(view)).not.toContain('s3cret');
    expect(commands['profiles.save'].response.parse(view)).toEqual(view);
  });

  it('keeps endpoint header values out of the view', () => {
    const profile = ProfileInputSchema.parse({
      id: 'p',
      name: 'p',
      kind: 'reverb',
      key: 'k',
      auth: { mode: 'endpoint', url: 'http://localhost:8000/broadcasting/auth', headers: { Authorization: 'Bearer t0ken' } },
    });
    const view = redactProfile(profile);
    expect(view.auth).toEqual({ mode: 'endpoint', url: 'http://localhost:8000/broadcasting/auth', headerNames: ['Authorization'] });
    expect(JSON.stringify(view)).not.toContain('t0ken');
  });

  it('rejects malformed requests with the path of the bad field', () => {
    const bad = commands['channels.subscribe'].request.safeParse({ profileId: 'demo', channel: 'has space' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['channel']);
    expect(commands['profiles.save'].request.safeParse({ id: 'x', name: 'x', kind: 'reverb', key: '', port: 99999 }).success).toBe(false);
    expect(commands['app.info'].request.safeParse({ unexpected: true }).success).toBe(false);
  });

  it('validates push batches and each topic delta', () => {
    const frame = { type: 'frame', at: 1.5, connection: 'c1', channel: 'private-ai.s1', event: 'chunk.delivered', data: { sequence: 1 } };
    expect(pushes['subscriptions.deltas'].parse({ items: [{ id: 'a-1', delta: { anything: true } }] }).items).toHaveLength(1);
    expect(pushes['subscriptions.deltas'].safeParse({ items: [{ delta: {} }] }).success).toBe(false);
    expect(topics.tail.delta.parse({ items: [frame], dropped: 0 }).items).toHaveLength(1);
    expect(topics.tail.delta.safeParse({ items: [{ type: 'frame' }], dropped: 0 }).success).toBe(false);
  });

  it('validates subscriptions like commands: a topic with its own parameters', () => {
    const subscribe = commands['subscriptions.subscribe'].request;
    expect(subscribe.safeParse({ id: 'a-1', topic: 'session', params: { sessionId: 's1' } }).success).toBe(true);
    expect(subscribe.safeParse({ id: 'a-1', topic: 'session', params: {} }).error?.issues[0]?.path).toEqual(['params', 'sessionId']);
    expect(subscribe.safeParse({ id: 'a-1', topic: 'live', params: { offset: 0, limit: 5000, query: {} } }).success).toBe(false);
    expect(subscribe.safeParse({ id: 'a-1', topic: 'everything', params: {} }).success).toBe(false);
    expect(subscribe.parse({ id: 'a-1', topic: 'tail', params: {} })).toEqual({ id: 'a-1', topic: 'tail', params: { keep: 200 } });
  });
});

describe('createAppApi', () => {
  const bridgeAnswering = (answer: unknown): AppBridge => ({ invoke: async () => answer, on: () => () => undefined, ready: () => undefined });

  it('passes a valid result through', async () => {
    const api = createAppApi(bridgeAnswering({ ok: true, value: [] }));
    await expect(api.invoke('profiles.list', {})).resolves.toEqual({ ok: true, value: [] });
  });

  it('turns a malformed or mistyped answer into an internal error instead of trusting it', async () => {
    expect(await createAppApi(bridgeAnswering('garbage')).invoke('profiles.list', {})).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(await createAppApi(bridgeAnswering({ ok: true, value: 42 })).invoke('profiles.list', {})).toMatchObject({ ok: false, error: { code: 'internal' } });
  });

  it('turns a transport failure into an error result', async () => {
    const api = createAppApi({ invoke: () => Promise.reject(new Error('pipe closed')), on: () => () => undefined, ready: () => undefined });
    expect(await api.invoke('app.info', {})).toMatchObject({ ok: false, error: { code: 'internal', message: expect.stringContaining('pipe closed') } });
  });

  it('drops pushes that do not match their schema and returns an unsubscribe function', () => {
    let deliver: (payload: unknown) => void = () => undefined;
    const api = createAppApi({ invoke: async () => null, on: (_push, listener) => ((deliver = listener), () => (deliver = () => undefined)), ready: () => undefined });
    const seen: unknown[] = [];
    const off = api.on('connections.status', (payload) => seen.push(payload));
    deliver({ items: 'nope' });
    deliver({ items: [] });
    off();
    deliver({ items: [] });
    expect(seen).toEqual([{ items: [] }]);
  });

  it('a listener that throws does not stop the pushes reaching the next one', () => {
    const listeners: ((payload: unknown) => void)[] = [];
    const failures: string[] = [];
    const api = createAppApi(
      { invoke: async () => null, on: (_push, listener) => (listeners.push(listener), () => undefined), ready: () => undefined },
      { onListenerError: (push, error) => failures.push(`${push}: ${(error as Error).message}`) },
    );
    const seen: unknown[] = [];
    api.on('connections.status', () => {
      throw new Error('a view broke');
    });
    api.on('connections.status', (payload) => seen.push(payload));
    // the bridge calls its listeners in turn, as the preload and the WebSocket client do
    for (const listener of listeners) listener({ items: [] });
    expect(seen).toEqual([{ items: [] }]);
    expect(failures).toEqual(['connections.status: a view broke']);
  });
});
