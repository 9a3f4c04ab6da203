import { builtinContract, type ContractProfile } from '../contract';
import { isStreamContract } from './contracts';
import type { Scenario } from './schema';

/**
 * The contract the scenario's simulator speaks, for the analyzer: given explicitly, never left to
 * a default or a guess. `check` and the Playwright fixture read what they received with it.
 */
export function scenarioProfile(scenario: Scenario): ContractProfile {
  const profile = builtinContract(scenario.contract);
  if (profile === undefined) throw new Error(`no built-in contract named ${scenario.contract}`);
  // The seed's event may be renamed by the scenario (`event`); a stream names its own events.
  return isStreamContract(scenario.contract) ? profile : { ...profile, event: scenario.event };
}
