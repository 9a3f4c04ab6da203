import type { SeededRandom } from '../../../shared/scenario';

/**
 * Event ids as the PHP SDKs make them, time-ordered and deterministic: laravel/ai's
 * `strtolower(Str::uuid7())` (docs/contracts-research.md §1.3) and Prism's `'evt_'.Str::ulid()`
 * (§2.2, upper-case). The time part is the event's planned time after a seeded epoch (a plan has
 * no wall clock); within one millisecond a counter takes the place of ramsey's and Symfony's
 * monotonic increment, so ids increase strictly in generation order within a session — as they
 * do from one PHP process — and sort the same as strings.
 */

export type StreamIdStyle = 'uuid7' | 'ulid';

/** 2026-11-01T00:00:00Z: ids look recent; the seed moves them by whole days. */
const EPOCH_MS = 1_761_955_200_000;
const DAY_MS = 86_400_000;
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function hex(value: number, digits: number): string {
  return value.toString(16).padStart(digits, '0');
}

/** Base32 (Crockford) of a non-negative integer below 32^digits, fixed width. */
function base32(value: number, digits: number): string {
  let out = '';
  let rest = value;
  for (let i = 0; i < digits; i++) {
    out = CROCKFORD[rest % 32]! + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

export class StreamIdSource {
  private counter = 0;
  private readonly epochMs: number;

  constructor(
    private readonly style: StreamIdStyle,
    private readonly random: SeededRandom,
  ) {
    this.epochMs = EPOCH_MS + random.int(0, 364) * DAY_MS;
  }

  /** The next id, for an event generated `t` ms after the session started. */
  next(t: number): string {
    const ms = this.epochMs + Math.floor(t);
    const n = this.counter++;
    if (this.style === 'uuid7') {
      // 48-bit ms · version 7 · a 24-bit counter around the variant nibble (8) · 48 random bits
      const time = hex(ms, 12);
      return `${time.slice(0, 8)}-${time.slice(8)}-7${hex((n >>> 12) & 0xfff, 3)}-8${hex(n & 0xfff, 3)}-${hex(this.random.int(0, 0xffffff), 6)}${hex(this.random.int(0, 0xffffff), 6)}`;
    }
    // ULID: 10 characters of ms, then 16 of "randomness": a 25-bit counter and 55 random bits
    return `${base32(ms, 10)}${base32(n, 5)}${base32(this.random.int(0, 2 ** 30 - 1), 6)}${base32(this.random.int(0, 2 ** 25 - 1), 5)}`;
  }
}

/** The AI SDK's default `generateId` alphabet (`provider-utils/src/generate-id.ts`). */
const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * A Vercel AI SDK id (docs/contracts-research.md §3): 16 random alphanumerics, as the default
 * `generateId` makes a `messageId` or a text part's `id` — not time-ordered. Seeded, so the same
 * plan gives the same ids.
 */
export function vercelId(random: SeededRandom): string {
  let out = '';
  for (let i = 0; i < 16; i++) out += ALPHANUMERIC[random.int(0, ALPHANUMERIC.length - 1)]!;
  return out;
}
