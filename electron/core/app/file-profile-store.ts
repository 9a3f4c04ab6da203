import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
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
 * A file that cannot be read whole (not JSON, or a profile that cannot be unsealed, e.g. sealed
 * on another machine or with a locked keychain) is moved aside before anything is saved, so the
 * next save never overwrites what could not be read: `movedAside` says where and why.
 */
export class FileProfileStore extends MemoryProfileStore {
  /** Profiles in the file that could not be read back (e.g. sealed on another machine), with why. */
  readonly unreadable: Array<{ id: string; reason: string }> = [];
  /** Where an unreadable file was moved, and why. */
  readonly movedAside: { path: string; reason: string } | undefined;

  constructor(
    private readonly path: string,
    private readonly codec: SecretCodec,
    options: { now?: () => Date } = {},
  ) {
    super();
    const reason = this.load();
    if (reason !== undefined) this.movedAside = { path: moveAside(path, (options.now ?? (() => new Date()))()), reason };
  }

  /** Loads what can be read; returns why the file must be moved aside, if it must. */
  private load(): string | undefined {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // no file yet
      return `the file cannot be read: ${error instanceof Error ? error.message : String(error)}`;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      return `the file is not valid JSON: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (!Array.isArray(raw)) return 'the file does not hold a list of profiles';
    for (const entry of raw as SealedProfile[]) {
      try {
        super.save(ProfileInputSchema.parse(this.unseal(entry)));
      } catch (error) {
        this.unreadable.push({ id: String(entry?.id), reason: error instanceof Error ? error.message : String(error) });
      }
    }
    if (this.unreadable.length === 0) return undefined;
    return `${this.unreadable.length} profile(s) could not be read: ${this.unreadable.map((u) => `${u.id} (${u.reason})`).join(', ')}`;
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
    writeFileSync(
      temp,
      JSON.stringify(
        this.list().map((p) => this.seal(p)),
        null,
        2,
      ),
      { mode: 0o600 },
    );
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

/** Renames the file to `<path>.unreadable-<timestamp>` (never over another file) and returns the new path; throws if it cannot. */
function moveAside(path: string, now: Date): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  let target = `${path}.unreadable-${stamp}`;
  for (let n = 2; existsSync(target); n++) target = `${path}.unreadable-${stamp}-${n}`;
  renameSync(path, target);
  return target;
}
