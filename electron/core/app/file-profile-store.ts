import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ProfileInputSchema, type Profile } from '../../../shared/api';
import { MemoryProfileStore } from './profile-store';

/** Encrypts secrets at rest (Electron: safeStorage, backed by the OS keychain). */
export interface SecretCodec {
  encrypt(plain: string): string;
  decrypt(sealed: string): string;
}

type SealedProfile = Omit<Profile, 'auth' | 'reconcile'> & {
  auth: { mode: 'none' } | { mode: 'secret'; sealedSecret: string } | { mode: 'endpoint'; url: string; sealedHeaders: string };
  reconcile?: { url: string; sealedHeaders: string };
};

/**
 * Profiles persisted as JSON with every secret (app secret, auth and reconcile header values)
 * sealed by the codec; written atomically (temp file + rename) with owner-only permissions.
 */
export class FileProfileStore extends MemoryProfileStore {
  /** Profiles in the file that could not be read back (e.g. sealed on another machine), with why. */
  readonly unreadable: Array<{ id: string; reason: string }> = [];

  constructor(
    private readonly path: string,
    private readonly codec: SecretCodec,
  ) {
    super();
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'));
    } catch {
      return; // no file yet, or unreadable: start empty rather than lose the app
    }
    if (!Array.isArray(raw)) return;
    for (const entry of raw as SealedProfile[]) {
      try {
        super.save(ProfileInputSchema.parse(this.unseal(entry)));
      } catch (error) {
        this.unreadable.push({ id: String(entry?.id), reason: error instanceof Error ? error.message : String(error) });
      }
    }
  }

  override save(profile: Profile): void {
    super.save(profile);
    this.persist();
  }

  override delete(id: string): boolean {
    const deleted = super.delete(id);
    if (deleted) this.persist();
    return deleted;
  }

  private persist(): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const temp = `${this.path}.tmp`;
    writeFileSync(temp, JSON.stringify(this.list().map((p) => this.seal(p)), null, 2), { mode: 0o600 });
    // `mode` applies only to a new file: a temp file left by a crash keeps whatever mode it had.
    chmodSync(temp, 0o600);
    renameSync(temp, this.path);
  }

  private seal(profile: Profile): SealedProfile {
    const { auth, reconcile, ...rest } = profile;
    const sealedAuth: SealedProfile['auth'] =
      auth.mode === 'secret'
        ? { mode: 'secret', sealedSecret: this.codec.encrypt(auth.secret) }
        : auth.mode === 'endpoint'
          ? { mode: 'endpoint', url: auth.url, sealedHeaders: this.codec.encrypt(JSON.stringify(auth.headers)) }
          : { mode: 'none' };
    return { ...rest, auth: sealedAuth, ...(reconcile ? { reconcile: { url: reconcile.url, sealedHeaders: this.codec.encrypt(JSON.stringify(reconcile.headers)) } } : {}) };
  }

  private unseal(entry: SealedProfile): unknown {
    const { auth, reconcile, ...rest } = entry;
    const plainAuth =
      auth.mode === 'secret'
        ? { mode: 'secret', secret: this.codec.decrypt(auth.sealedSecret) }
        : auth.mode === 'endpoint'
          ? { mode: 'endpoint', url: auth.url, headers: JSON.parse(this.codec.decrypt(auth.sealedHeaders)) as unknown }
          : { mode: 'none' };
    return { ...rest, auth: plainAuth, ...(reconcile ? { reconcile: { url: reconcile.url, headers: JSON.parse(this.codec.decrypt(reconcile.sealedHeaders)) as unknown } } : {}) };
  }
}
