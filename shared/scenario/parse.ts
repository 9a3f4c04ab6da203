import { z } from 'zod';
import { nearestWord } from '../text/nearest';
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

let knownFields: Set<string> | undefined;

/**
 * Every field name a scenario file can use (the objects' keys and the counted fields of
 * `expect.counts`), read off the schema once: what "did you mean" picks from.
 */
function fieldNames(): Set<string> {
  if (knownFields !== undefined) return knownFields;
  const names = new Set<string>();
  const seen = new Set<unknown>();
  const walk = (schema: z.ZodType): void => {
    if (seen.has(schema)) return;
    seen.add(schema);
    if (schema instanceof z.ZodObject) {
      for (const [key, value] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
        names.add(key);
        walk(value);
      }
      return;
    }
    if (schema instanceof z.ZodEnum) return;
    const def = (schema as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
    // a record's key enum names fields too (`counts: {duplicates: …}`)
    const keyType = def.keyType;
    if (keyType instanceof z.ZodEnum) for (const option of keyType.options) names.add(String(option));
    for (const field of ['innerType', 'element', 'in', 'out', 'valueType']) {
      const inner = def[field];
      if (inner instanceof z.ZodType) walk(inner);
    }
    if (Array.isArray(def.options)) for (const option of def.options) if (option instanceof z.ZodType) walk(option);
  };
  walk(ScenarioSuiteSchema);
  return (knownFields = names);
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
      for (const key of issue.keys) {
        const near = key.length > 60 ? undefined : nearestWord(key, fieldNames(), 2);
        issues.push({
          path: formatPath([...path, key.length > 60 ? `${key.slice(0, 60)}…` : key]),
          message: near === undefined ? 'unknown field' : `unknown field (did you mean "${near}"?)`,
        });
      }
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
