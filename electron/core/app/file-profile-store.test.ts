import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProfileInputSchema } from '../../../shared/api';
import { FileProfileStore, type SecretCodec } from './file-profile-store';

/** A reversible stand-in for Electron's safeStorage (which needs the OS keychain). */
const codec: SecretCodec = { encrypt: (s) => `sealed:${Buffer.from(s).toString('base64')}`, decrypt: (s) => Buffer.from(s.slice('sealed:'.length), 'base64').toString() };

describe('FileProfileStore', () => {
  it('persists profiles with every secret sealed, and reads them back', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'echoscope-profiles-')), 'profiles.json');
    const store = new FileProfileStore(path, codec);
    const withSecret = ProfileInputSchema.parse({
      id: 'a',
      name: 'A',
      kind: 'reverb',
      key: 'k',
      appId: '1',
      auth: { mode: 'secret', secret: 'top-secret' },
      reconcile: { url: 'http://x/{sessionId}', headers: { Authorization: 'Bearer rec-token' } },
    });
    const withEndpoint = ProfileInputSchema.parse({
      id: 'b',
      name: 'B',
      kind: 'socketio',
      key: 'k',
      auth: { mode: 'endpoint', url: 'http://app/broadcasting/auth', headers: { Cookie: 'session=cookie-value' } },
    });
    store.save(withSecret);
    store.save(withEndpoint);
    const file = readFileSync(path, 'utf8');
    for (const secret of ['top-secret', 'rec-token', 'cookie-value']) expect(file).not.toContain(secret);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const reopened = new FileProfileStore(path, codec);
    expect(reopened.get('a')).toEqual(withSecret);
    expect(reopened.get('b')).toEqual(withEndpoint);
    expect(reopened.delete('a')).toBe(true);
    expect(new FileProfileStore(path, codec).list().map((p) => p.id)).toEqual(['b']);
  });

  it('keeps going, and says which, when a profile cannot be unsealed', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'echoscope-profiles-')), 'profiles.json');
    new FileProfileStore(path, codec).save(ProfileInputSchema.parse({ id: 'a', name: 'A', kind: 'reverb', key: 'k', auth: { mode: 'secret', secret: 's' } }));
    const broken = new FileProfileStore(path, {
      encrypt: codec.encrypt,
      decrypt: () => {
        throw new Error('keychain locked');
      },
    });
    expect(broken.list()).toEqual([]);
    expect(broken.unreadable).toEqual([{ id: 'a', reason: 'keychain locked' }]);
  });

  it('moves a file it cannot read whole aside, keeps what it could read, and never overwrites the original', () => {
    const dir = mkdtempSync(join(tmpdir(), 'echoscope-profiles-'));
    const path = join(dir, 'profiles.json');
    const store = new FileProfileStore(path, codec);
    store.save(ProfileInputSchema.parse({ id: 'a', name: 'A', kind: 'reverb', key: 'k', auth: { mode: 'none' } }));
    store.save(ProfileInputSchema.parse({ id: 'b', name: 'B', kind: 'reverb', key: 'k', auth: { mode: 'secret', secret: 's' } }));
    const original = readFileSync(path, 'utf8');
    const now = () => new Date('2026-12-02T08:00:00.123Z');
    const locked = new FileProfileStore(
      path,
      {
        encrypt: codec.encrypt,
        decrypt: () => {
          throw new Error('keychain locked');
        },
      },
      { now },
    );
    expect(locked.movedAside).toEqual({ path: `${path}.unreadable-2026-12-02T08-00-00-123Z`, reason: '1 profile(s) could not be read: b (keychain locked)' });
    expect(locked.list().map((p) => p.id)).toEqual(['a']);
    expect(existsSync(path)).toBe(false);
    locked.save(ProfileInputSchema.parse({ id: 'c', name: 'C', kind: 'reverb', key: 'k', auth: { mode: 'none' } }));
    expect(readFileSync(locked.movedAside!.path, 'utf8')).toBe(original);

    // Not JSON, at the same instant: a second name, never over the first.
    writeFileSync(path, '{"truncated');
    const broken = new FileProfileStore(path, codec, { now });
    expect(broken.movedAside?.path).toBe(`${path}.unreadable-2026-12-02T08-00-00-123Z-2`);
    expect(broken.movedAside?.reason).toMatch(/not valid JSON/);
    expect(readdirSync(dir).sort()).toEqual(['profiles.json.unreadable-2026-12-02T08-00-00-123Z', 'profiles.json.unreadable-2026-12-02T08-00-00-123Z-2']);
    expect(new FileProfileStore(join(dir, 'missing.json'), codec).movedAside).toBeUndefined();
  });

  it('writes the file 0600 even over a temp file a crash left world-readable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'echoscope-profiles-'));
    const path = join(dir, 'profiles.json');
    writeFileSync(`${path}.tmp`, '[]', { mode: 0o644 });
    chmodSync(`${path}.tmp`, 0o644);
    new FileProfileStore(path, codec).save(ProfileInputSchema.parse({ id: 'a', name: 'A', kind: 'reverb', key: 'k', auth: { mode: 'secret', secret: 's' } }));
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });
});
