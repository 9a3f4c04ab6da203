import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { MetricsSettingsSchema, type MetricsSettings } from '../../../shared/api';

/**
 * The app's settings kept between runs (the desktop app's userData/settings.json), one key per
 * part: `metrics` today. Keys it does not know are kept as they are; written atomically (temp file +
 * rename), owner-only. A file that cannot be read is said by `load` and replaced at the next save.
 */
export class SettingsFile {
  constructor(private readonly path: string) {}

  private read(): Record<string, unknown> {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
    const raw: unknown = JSON.parse(text);
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`${this.path} does not hold an object`);
    return raw as Record<string, unknown>;
  }

  private write(all: Record<string, unknown>): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const temp = `${this.path}.tmp`;
    writeFileSync(temp, JSON.stringify(all, null, 2), { mode: 0o600 });
    chmodSync(temp, 0o600);
    renameSync(temp, this.path);
  }

  /** The metrics settings as a MetricsSettingsStore. */
  readonly metrics = {
    load: (): Partial<MetricsSettings> | undefined => {
      const stored = this.read().metrics;
      if (stored === undefined) return undefined;
      const parsed = MetricsSettingsSchema.partial().safeParse(stored);
      if (!parsed.success) throw new Error(`the metrics settings in ${this.path} are not valid: ${parsed.error.issues[0]?.message ?? 'unknown'}`);
      return parsed.data;
    },
    save: (settings: MetricsSettings): void => {
      let all: Record<string, unknown>;
      try {
        all = this.read();
      } catch {
        all = {}; // unreadable: replaced whole, as `load` said
      }
      this.write({ ...all, metrics: settings });
    },
  };
}
