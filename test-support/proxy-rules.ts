import { expect } from 'vitest';
import type { ProxyFaultsInput } from '../shared/proxy';
import { addSessionScore, emptyScores, type AnomalyCounts } from '../shared/scenario';

/**
 * One rule set with every delivery fault on a 40-event stream, used by the proxy's detection tests
 * for both wires (Pusher, Socket.IO): #3–4 and #20 dropped, #8 sent twice more, #12 held back
 * behind two later events, a 700 ms delay at #26, #30 broken then resent, #34 broken and lost.
 */
export const DELIVERY_FAULTS: ProxyFaultsInput = {
  seed: 11,
  faults: [
    { kind: 'drop', event: 'chunk.delivered', nth: [3, 4, 20] },
    { kind: 'duplicate', event: 'chunk.delivered', nth: [8], copies: 2 },
    { kind: 'reorder', event: 'chunk.delivered', nth: [12], window: 2 },
    { kind: 'delay', event: 'chunk.delivered', nth: [26], delayMs: 700 },
    { kind: 'malformed', event: 'chunk.delivered', nth: [30] },
    { kind: 'malformed', event: 'chunk.delivered', nth: [34], resend: false },
  ],
};

/** Every kind expected or detected is scored precision = recall = 1 (what `check` requires). */
export function expectPerfectDetection(expected: AnomalyCounts, detected: AnomalyCounts): void {
  const scores = addSessionScore(emptyScores(), expected, detected);
  for (const score of Object.values(scores)) {
    if (score.expected === 0 && score.detected === 0) continue;
    expect({ kind: score.kind, precision: score.precision, recall: score.recall }).toEqual({ kind: score.kind, precision: 1, recall: 1 });
  }
}
