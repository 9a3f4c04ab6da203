import { z } from 'zod';
import type { SeededRandom } from './random';

/**
 * A delay or count distribution, as scenario files spell it:
 * `25` (fixed), `{fixed: 25}`, `{uniform: [10, 40]}`, `{lognormal: {p50: 20, p95: 60}}`.
 * Lognormal is given by two percentiles because that is how people know their provider's
 * latency ("median 20 ms, p95 60 ms"), not by μ and σ.
 */
export const DistributionSchema = z.union([
  z.number().min(0),
  z.strictObject({ fixed: z.number().min(0) }),
  z
    .strictObject({ uniform: z.tuple([z.number().min(0), z.number().min(0)]) })
    .refine((d) => d.uniform[0] <= d.uniform[1], { message: 'uniform: [min, max] needs min ≤ max', path: ['uniform'] }),
  z
    .strictObject({ lognormal: z.strictObject({ p50: z.number().positive(), p95: z.number().positive() }) })
    .refine((d) => d.lognormal.p95 >= d.lognormal.p50, { message: 'lognormal: p95 must be ≥ p50', path: ['lognormal', 'p95'] }),
]);
export type Distribution = z.infer<typeof DistributionSchema>;

/** z-score of the 95th percentile of a standard normal. */
const Z95 = 1.6448536269514722;

export function sample(distribution: Distribution, random: SeededRandom): number {
  if (typeof distribution === 'number') return distribution;
  if ('fixed' in distribution) return distribution.fixed;
  if ('uniform' in distribution) {
    const [min, max] = distribution.uniform;
    return min + random.next() * (max - min);
  }
  const mu = Math.log(distribution.lognormal.p50);
  const sigma = (Math.log(distribution.lognormal.p95) - mu) / Z95;
  return Math.exp(mu + sigma * random.normal());
}

/** Integer sample, at least `min` (token counts, start offsets in whole ms). */
export function sampleInt(distribution: Distribution, random: SeededRandom, min = 0): number {
  return Math.max(min, Math.round(sample(distribution, random)));
}

/** The mean, for summaries and capacity estimates. */
export function meanOf(distribution: Distribution): number {
  if (typeof distribution === 'number') return distribution;
  if ('fixed' in distribution) return distribution.fixed;
  if ('uniform' in distribution) return (distribution.uniform[0] + distribution.uniform[1]) / 2;
  const mu = Math.log(distribution.lognormal.p50);
  const sigma = (Math.log(distribution.lognormal.p95) - mu) / Z95;
  return Math.exp(mu + (sigma * sigma) / 2);
}
