import type { SessionRow } from '../shared/api';

/**
 * A session row as the host sends it (the contract's SessionRowSchema), for renderer tests:
 * a clean session of `events` tokens on `private-ai.{sessionId}`; `overrides` say what differs.
 */
export function sessionRow(sessionId: string, overrides: Partial<SessionRow> = {}): SessionRow {
  return {
    sessionId,
    channel: `private-ai.${sessionId}`,
    status: 'streaming',
    terminalStates: [],
    terminationCode: null,
    events: 3,
    uniqueSequences: 3,
    maxSequence: 3,
    duplicates: 0,
    conflicts: 0,
    replays: 0,
    outOfOrder: 0,
    afterTerminal: 0,
    missing: 0,
    stalls: 0,
    violations: 0,
    disconnects: 0,
    deliveryLoss: 0,
    attempts: 1,
    lastAttempt: null,
    joinedLate: false,
    checks: { gaps: true, order: true, duplicates: true },
    contract: { name: 'echoscope', confidence: 'high', reason: 'its first frame fits echoscope alone' },
    coverage: { subscribedAt: null, fromSequence: null },
    ttftMs: null,
    ttftFrom: null,
    durationMs: null,
    interTokenMs: null,
    deliveryMs: null,
    connection: 'demo',
    observations: 1,
    anomalyKinds: [],
    firstAt: 1_000,
    lastAt: 1_200,
    terminalAt: null,
    ...overrides,
  };
}
