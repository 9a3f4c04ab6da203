import { describe, expect, it } from 'vitest';
import { AppService } from './app-service';

describe('dispatch through the App service', () => {
  const service = new AppService({ transport: 'browser', version: '9.9.9' });

  it('answers a valid command', async () => {
    expect(await service.invoke('app.info', {})).toEqual({ ok: true, value: { name: 'EchoScope', version: '9.9.9', transport: 'browser', demo: null } });
  });

  it('refuses unknown commands and malformed payloads as data, without throwing', async () => {
    expect(await service.handle('fs.readFile', {})).toMatchObject({ ok: false, error: { code: 'unknown_command' } });
    expect(await service.handle(42, {})).toMatchObject({ ok: false, error: { code: 'unknown_command' } });
    const bad = await service.handle('profiles.save', { id: 'bad id!', kind: 'reverb' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(!bad.ok && bad.error.message).toMatch(/id: use letters/);
    expect(await service.handle('tail.recent', { limit: 'all' })).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
  });

  it('reports service errors with their code', async () => {
    expect(await service.invoke('connections.connect', { profileId: 'missing' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await service.invoke('channels.subscribe', { profileId: 'missing', channel: 'x' })).toMatchObject({ ok: false, error: { code: 'not_connected' } });
  });

  it('stores profiles and lists them redacted', async () => {
    const saved = await service.invoke('profiles.save', { id: 'p1', name: 'P1', kind: 'reverb', key: 'k', auth: { mode: 'secret', secret: 'hidden' } });
    expect(saved.ok).toBe(true);
    const listed = await service.invoke('profiles.list', {});
    expect(JSON.stringify(listed)).not.toContain('hidden');
    expect(await service.invoke('profiles.delete', { profileId: 'p1' })).toEqual({ ok: true, value: { deleted: true } });
  });
});
