import type { z } from 'zod';
import { ScenarioSchema, ScenarioSuiteSchema, type Scenario } from './schema';

export interface ScenarioIssue {
  /** Dotted path of the bad field: `sessions[0].faults[1].afterTokens`. */
  path: string;
  message: string;
}

export type ScenarioParseResult = { ok: true; scenarios: Scenario[] } | { ok: false; issues: ScenarioIssue[] };

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out.length === 0 ? String(key) : `.${String(key)}`;
  }
  return out.length === 0 ? '(root)' : out;
}

function issuesOf(error: z.ZodError, prefix: readonly PropertyKey[] = []): ScenarioIssue[] {
  return error.issues.map((issue) => ({ path: formatPath([...prefix, ...issue.path]), message: issue.message }));
}

/** One scenario, or a suite `{scenarios: [...]}`, from an already parsed YAML/JSON document. */
export function parseScenarioDocument(document: unknown): ScenarioParseResult {
  if (typeof document === 'object' && document !== null && 'scenarios' in document) {
    const suite = ScenarioSuiteSchema.safeParse(document);
    if (!suite.success) return { ok: false, issues: issuesOf(suite.error) };
    const names = new Set<string>();
    for (const [i, scenario] of suite.data.scenarios.entries()) {
      if (names.has(scenario.name)) return { ok: false, issues: [{ path: `scenarios[${i}].name`, message: `duplicate scenario name "${scenario.name}"` }] };
      names.add(scenario.name);
    }
    return { ok: true, scenarios: suite.data.scenarios };
  }
  const single = ScenarioSchema.safeParse(document);
  if (!single.success) return { ok: false, issues: issuesOf(single.error) };
  return { ok: true, scenarios: [single.data] };
}

/** One scenario; throws an Error listing every bad field by path. */
export function parseScenario(document: unknown): Scenario {
  const result = ScenarioSchema.safeParse(document);
  if (result.success) return result.data;
  throw new Error(`invalid scenario: ${issuesOf(result.error).map((i) => `${i.path}: ${i.message}`).join('; ')}`);
}
