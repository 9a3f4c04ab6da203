/** The canonical stream states of DESIGN §4; profiles map an app's vocabulary onto these. */
export const CONTRACT_STATES = ['generating', 'completed', 'truncated', 'errored', 'abandoned'] as const;
export type ContractState = (typeof CONTRACT_STATES)[number];

export type TerminalState = Exclude<ContractState, 'generating'>;
export const TERMINAL_STATES: readonly TerminalState[] = ['completed', 'truncated', 'errored', 'abandoned'];

export function isTerminalState(state: ContractState): state is TerminalState {
  return state !== 'generating';
}
