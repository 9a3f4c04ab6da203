import { parseScenarioDocument, type Scenario, type ScenarioContract, type ScenarioInput } from '../shared/scenario';
import { loadSuite, ScenarioLoadError } from '../electron/core/scenarios/load';

/** Which scenario the fixture plays: as `echoscope check` names one, or a scenario object. */
export interface ScenarioChoice {
  /** `builtin:NAME`, a YAML or JSON scenario file, or a scenario object (`ScenarioInput`, validated as a file is). */
  scenario: string | ScenarioInput;
  /** When the file is a suite of several: which scenario of it. */
  name?: string;
  /** Replaces the scenario's seed: other tokens, timings and probabilistic faults, the same kinds of fault. */
  seed?: number;
  /** Replaces what the simulator broadcasts (`echoscope`, `laravel-ai`, `prism`, `vercel-data-stream`); faults a contract cannot show are refused, with why. */
  contract?: ScenarioContract;
}

function validated(document: unknown, origin: string): Scenario[] {
  const result = parseScenarioDocument(document);
  if (!result.ok) throw new ScenarioLoadError(`${origin}: invalid scenario`, result.issues);
  return result.scenarios;
}

/** The one scenario a choice names, validated with its overrides applied; errors name the field. */
export async function resolveScenario(choice: ScenarioChoice): Promise<Scenario> {
  const origin = typeof choice.scenario === 'string' ? choice.scenario : `scenario ${choice.scenario.name ?? '(unnamed)'}`;
  const scenarios = typeof choice.scenario === 'string' ? await loadSuite(choice.scenario) : validated(choice.scenario, origin);
  let scenario: Scenario | undefined;
  if (choice.name !== undefined) {
    scenario = scenarios.find((s) => s.name === choice.name);
    if (scenario === undefined) throw new ScenarioLoadError(`${origin} has no scenario named "${choice.name}"; it has ${scenarios.map((s) => s.name).join(', ')}`);
  } else if (scenarios.length === 1) {
    scenario = scenarios[0]!;
  } else {
    throw new ScenarioLoadError(`${origin} holds ${scenarios.length} scenarios (${scenarios.map((s) => s.name).join(', ')}): say which with \`name\``);
  }
  if (choice.seed === undefined && choice.contract === undefined) return scenario;
  // Overrides go through the schema again: a contract that cannot show a fault is refused as in a file.
  const overridden = { ...scenario, ...(choice.seed === undefined ? {} : { seed: choice.seed }), ...(choice.contract === undefined ? {} : { contract: choice.contract }) };
  return validated(
    JSON.parse(JSON.stringify(overridden)),
    `${origin} with ${[choice.seed === undefined ? '' : `seed ${choice.seed}`, choice.contract === undefined ? '' : `contract ${choice.contract}`].filter(Boolean).join(' and ')}`,
  )[0]!;
}
