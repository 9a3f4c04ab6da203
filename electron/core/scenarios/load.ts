import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { parse as parseYaml, YAMLError } from 'yaml';
import { parseScenarioDocument, type Scenario, type ScenarioIssue } from '../../../shared/scenario';
import { BUILTIN_SCENARIOS, builtinScenario } from '../../mock/scenarios';

/** A suite that cannot be used: every problem with its file and field path. */
export class ScenarioLoadError extends Error {
  override name = 'ScenarioLoadError';
  constructor(
    message: string,
    readonly issues: ScenarioIssue[] = [],
  ) {
    super(issues.length === 0 ? message : `${message}:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`);
  }
}

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** Scenarios from YAML or JSON text (one scenario, or `{scenarios: [...]}`). */
export function parseScenarioText(text: string, origin = 'scenario'): Scenario[] {
  let document: unknown;
  try {
    document = parseYaml(text); // YAML is a superset of JSON
  } catch (error) {
    // Where, never what: the parser's message quotes the offending line of the file.
    throw new ScenarioLoadError(`${origin}: not valid YAML or JSON${syntaxErrorPlace(error)}`);
  }
  const result = parseScenarioDocument(document);
  if (!result.ok) throw new ScenarioLoadError(`${origin}: invalid scenario`, result.issues);
  return result.scenarios;
}

function syntaxErrorPlace(error: unknown): string {
  if (error instanceof YAMLError) {
    const at = error.linePos?.[0];
    return `${at ? ` at line ${at.line}, column ${at.col}` : ''} (${error.code})`;
  }
  return '';
}

export function builtinScenarios(names?: readonly string[]): Scenario[] {
  const inputs =
    names === undefined
      ? [...BUILTIN_SCENARIOS]
      : names.map((name) => {
          const found = builtinScenario(name);
          if (!found) throw new ScenarioLoadError(`no built-in scenario "${name}"; built-ins: ${BUILTIN_SCENARIOS.map((s) => s.name).join(', ')}`);
          return found;
        });
  return inputs.map((input) => parseScenarioText(JSON.stringify(input), `builtin:${input.name}`)[0]!);
}

/**
 * SUITE as `check` and `mock --scenario` take it: `builtin` (the whole library),
 * `builtin:NAME[,NAME]`, a built-in's bare name, a YAML/JSON file, or a folder of them.
 */
export async function loadSuite(spec: string): Promise<Scenario[]> {
  if (spec === 'builtin') return builtinScenarios();
  if (spec.startsWith('builtin:'))
    return builtinScenarios(
      spec
        .slice('builtin:'.length)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    );
  let info;
  try {
    info = await stat(spec);
  } catch {
    if (builtinScenario(spec)) return builtinScenarios([spec]);
    throw new ScenarioLoadError(`${spec}: no such file or folder, and not a built-in scenario (try "builtin")`);
  }
  const files = info.isDirectory()
    ? (await readdir(spec))
        .filter((f) => EXTENSIONS.has(extname(f).toLowerCase()))
        .sort()
        .map((f) => join(spec, f))
    : [spec];
  if (files.length === 0) throw new ScenarioLoadError(`${spec}: the folder holds no .yaml, .yml or .json scenario`);
  const scenarios: Scenario[] = [];
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    scenarios.push(...parseScenarioText(text, info.isDirectory() ? basename(file) : file));
  }
  const names = new Set<string>();
  for (const scenario of scenarios) {
    if (names.has(scenario.name)) throw new ScenarioLoadError(`${spec}: two scenarios are named "${scenario.name}"`);
    names.add(scenario.name);
  }
  return scenarios;
}
