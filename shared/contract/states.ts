import { z } from 'zod';

/**
 * The vocabularies of DESIGN §4 and §5, defined once: every other list of states, statuses or
 * terminal states (API schemas, scenario expectations, the renderer's filters and charts) is
 * derived from these.
 */

/** The canonical states a terminal event can end a stream with. */
export const TerminalStateSchema = z.enum(['completed', 'truncated', 'errored', 'abandoned']);
export type TerminalState = z.infer<typeof TerminalStateSchema>;
export const TERMINAL_STATES: readonly TerminalState[] = TerminalStateSchema.options;

/** The canonical stream states of a payload; profiles map an app's vocabulary onto these. */
export const ContractStateSchema = z.enum(['generating', ...TerminalStateSchema.options]);
export type ContractState = z.infer<typeof ContractStateSchema>;
export const CONTRACT_STATES: readonly ContractState[] = ContractStateSchema.options;

/** What a session is: ended by a terminal state, or still open — streaming, stalled (silent past the stall threshold), orphaned (past the orphan threshold). */
export const SessionStatusSchema = z.enum(['streaming', 'stalled', 'orphaned', ...TerminalStateSchema.options]);
export type SessionStatus = z.infer<typeof SessionStatusSchema>;
export const SESSION_STATUSES: readonly SessionStatus[] = SessionStatusSchema.options;

/** Statuses that need a look: every one but a clean `completed` and a healthy `streaming`. */
export const ALARMING_STATUSES: readonly SessionStatus[] = SESSION_STATUSES.filter((status) => status !== 'completed' && status !== 'streaming');

export function isTerminalState(state: ContractState): state is TerminalState {
  return state !== 'generating';
}

export function isSessionStatus(value: string): value is SessionStatus {
  return (SESSION_STATUSES as readonly string[]).includes(value);
}
