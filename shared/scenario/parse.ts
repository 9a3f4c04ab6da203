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

/** Issues reported per document; a file that is not a scenario at all must not be listed line by line. */
const MAX_ISSUES = 20;
const MAX_MESSAGE = 200;

/**
 * Each issue names the bad field by its path and says what was expected — never a value from
 * the file beyond the field itself (zod's unknown-key issue lists every key of an object: it is
 * split into one issue per key, at most MAX_ISSUES in all).
 */
function issuesOf(error: z.ZodError, prefix: readonly PropertyKey[] = []): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  for (const issue of error.issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) issues.push({ path: formatPath([...path, key.length > 60 ? `${key.slice(0, 60)}…` : key]), message: 'unknown field' });
    } else {
      issues.push({ path: formatPath(path), message: issue.message.length > MAX_MESSAGE ? `${issue.message.slice(0, MAX_MESSAGE)}…` : issue.message });
    }
  }
  if (issues.length <= MAX_ISSUES) return issues;
  return [...issues.slice(0, MAX_ISSUES), { path: '(root)', message: `… and ${issues.length - MAX_ISSUES} more problems` }];
}

const SCENARIO_FIELDS = ['name', 'sessions', 'scenarios'];

/** A document with none of a scenario's own fields is refused as a whole, without listing what it holds. */
function notAScenario(document: unknown): ScenarioIssue | null {
  if (typeof document === 'object' && document !== null && !Array.isArray(document) && SCENARIO_FIELDS.some((field) => field in document)) return null;
  const kind = Array.isArray(document) ? 'a list' : document === null ? 'empty' : typeof document === 'object' ? 'a mapping' : `a ${typeof document}`;
  return { path: '(root)', message: `not a scenario: the document is ${kind} without a name, sessions or scenarios field` };
}

/** One scenario, or a suite `{scenarios: [...]}`, from an already parsed YAML/JSON document. */
export function parseScenarioDocument(document: unknown): ScenarioParseResult {
  const refused = notAScenario(document);
  if (refused) return { ok: false, issues: [refused] };
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
  throw new Error(
    `invalid scenario: ${issuesOf(result.error)
      .map((i) => `${i.path}: ${i.message}`)
      .join('; ')}`,
  );
}
