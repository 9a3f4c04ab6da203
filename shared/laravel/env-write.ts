import { parseDotenv, type DotenvEntry, type DotenvError } from './dotenv';

/**
 * The `.env` lines that point a Laravel app (and its Vite-built Echo) at a Pusher-protocol server
 * — EchoScope's mock provider — as `php artisan reverb:install` writes them: the reverb
 * broadcaster, the REVERB_* app and server, and the VITE_REVERB_* twins the frontend reads.
 * Every other line, comment and blank line is kept as it was, line endings included.
 */

export interface EnvTarget {
  host: string;
  port: number;
  appId: string;
  key: string;
  secret: string;
}

export interface EnvChange {
  readonly name: string;
  /** What happened to it: set on an existing line, appended, or already right. */
  readonly action: 'changed' | 'added' | 'kept';
  /** The line it is on in the written file. */
  readonly line: number;
}

export type EnvWriteResult = { ok: true; text: string; changes: EnvChange[] } | { ok: false; errors: DotenvError[] };

/** A value phpdotenv reads back as written: bare when it can be, else double-quoted with its escapes. */
export function dotenvValue(value: string): string {
  if (/^[A-Za-z0-9_.:/@+,-]+$/.test(value)) return value;
  return `"${value
    .replace(/[\\"$]/g, (char) => `\\${char}`)
    .replace(/\r/g, '\\r')
    .replace(/\n/g, '\\n')}"`;
}

interface Line {
  text: string;
  eol: string;
}

interface Wanted {
  name: string;
  /** The literal value, and what phpdotenv reads from the line. */
  value: string;
  /** For a VITE_ twin: the server variable it can refer to as "${NAME}". */
  twinOf?: string;
  /** Only when the file already has it (BROADCAST_DRIVER, REVERB_INTERNAL_*). */
  onlyWhenPresent?: boolean;
}

function wantedLines(target: EnvTarget): Wanted[] {
  const server = {
    REVERB_APP_ID: target.appId,
    REVERB_APP_KEY: target.key,
    REVERB_APP_SECRET: target.secret,
    REVERB_HOST: target.host,
    REVERB_PORT: String(target.port),
    REVERB_SCHEME: 'http',
  };
  return [
    { name: 'BROADCAST_CONNECTION', value: 'reverb' },
    // Laravel 10 and earlier read BROADCAST_DRIVER: set too when the file has it, so either version agrees.
    { name: 'BROADCAST_DRIVER', value: 'reverb', onlyWhenPresent: true },
    ...Object.entries(server).map(([name, value]) => ({ name, value })),
    // Newer Laravel publishes to REVERB_INTERNAL_* when set, ahead of REVERB_HOST/PORT/SCHEME.
    { name: 'REVERB_INTERNAL_HOST', value: target.host, onlyWhenPresent: true },
    { name: 'REVERB_INTERNAL_PORT', value: String(target.port), onlyWhenPresent: true },
    { name: 'REVERB_INTERNAL_SCHEME', value: 'http', onlyWhenPresent: true },
    { name: 'VITE_REVERB_APP_KEY', value: target.key, twinOf: 'REVERB_APP_KEY' },
    { name: 'VITE_REVERB_HOST', value: target.host, twinOf: 'REVERB_HOST' },
    { name: 'VITE_REVERB_PORT', value: String(target.port), twinOf: 'REVERB_PORT' },
    { name: 'VITE_REVERB_SCHEME', value: 'http', twinOf: 'REVERB_SCHEME' },
  ];
}

const HEADER = '# EchoScope mock provider (echoscope mock --write-env)';

/** The file's text with the lines that point it at `target`; a file phpdotenv would refuse is not touched. */
export function pointEnvAtServer(text: string, target: EnvTarget): EnvWriteResult {
  const file = parseDotenv(text);
  if (file.errors.length > 0) return { ok: false, errors: [...file.errors] };
  const bom = text.startsWith('\uFEFF') ? '\uFEFF' : '';
  const parts = text.slice(bom.length).split(/(\r\n|\n|\r)/);
  const lines: Line[] = [];
  for (let i = 0; i < parts.length; i += 2) lines.push({ text: parts[i]!, eol: parts[i + 1] ?? '' });
  // A file ending with a newline splits into a last empty line without one: it is the end, not a line.
  if (lines.length > 0 && lines[lines.length - 1]!.text === '' && lines[lines.length - 1]!.eol === '') lines.pop();
  const eol = text.includes('\r\n') ? '\r\n' : '\n';

  const occurrences = (name: string): DotenvEntry[] => file.entries.filter((entry) => entry.name === name);
  const replacements = new Map<number, { entry: DotenvEntry; text: string }>();
  const appended: string[] = [];
  const outcome = new Map<string, { action: EnvChange['action']; at: DotenvEntry | null }>();
  for (const wanted of wantedLines(target)) {
    const existing = occurrences(wanted.name);
    if (existing.length === 0 && wanted.onlyWhenPresent) continue;
    const firstTwin = wanted.twinOf === undefined ? undefined : occurrences(wanted.twinOf)[0];
    // A twin refers to its server variable ("${REVERB_HOST}", as reverb:install writes it) when that is set above it.
    const refer = (line: number | null) => wanted.twinOf !== undefined && (line === null || (firstTwin !== undefined && firstTwin.line < line));
    const render = (line: number | null) => `${wanted.name}=${refer(line) ? `"\${${wanted.twinOf}}"` : dotenvValue(wanted.value)}`;
    if (existing.length === 0) {
      appended.push(render(null));
      outcome.set(wanted.name, { action: 'added', at: null });
      continue;
    }
    const same = file.variables.get(wanted.name)?.value === wanted.value && existing.every((entry) => entry.value === wanted.value);
    for (const entry of existing) {
      const line = lines[entry.line - 1]!.text;
      const exported = /^\s*export\s/.test(line) ? 'export ' : '';
      replacements.set(entry.line, { entry, text: same ? line : exported + render(entry.line) });
    }
    outcome.set(wanted.name, { action: same ? 'kept' : 'changed', at: existing[0]! });
  }

  // Replace from the bottom so the line numbers above stay right; a multi-line value becomes one line.
  const newLineOf = new Map<number, number>();
  for (const line of [...replacements.keys()].sort((a, b) => b - a)) {
    const { entry, text: replacement } = replacements.get(line)!;
    const span = entry.lastLine - entry.line + 1;
    const last = lines[entry.lastLine - 1]!;
    lines.splice(entry.line - 1, span, { text: replacement, eol: last.eol });
  }
  // Line numbers after the splices: each earlier multi-line value that became one line moves later ones up.
  for (const line of replacements.keys()) {
    let shift = 0;
    for (const [other, { entry }] of replacements) if (other < line) shift += entry.lastLine - entry.line;
    newLineOf.set(line, line - shift);
  }
  if (appended.length > 0) {
    if (lines.length > 0 && lines[lines.length - 1]!.eol === '') lines[lines.length - 1]!.eol = eol;
    if (lines.length > 0 && lines[lines.length - 1]!.text.trim() !== '') lines.push({ text: '', eol });
    lines.push({ text: HEADER, eol });
    for (const line of appended) lines.push({ text: line, eol });
  }
  const changes: EnvChange[] = [];
  let next = lines.length - appended.length + 1;
  for (const [name, { action, at }] of outcome) {
    changes.push({ name, action, line: at === null ? next++ : newLineOf.get(at.line)! });
  }
  const endsWithNewline = /(\r\n|\n|\r)$/.test(text) || appended.length > 0;
  const body = lines.map((line, i) => line.text + (i < lines.length - 1 || endsWithNewline ? line.eol || eol : '')).join('');
  return { ok: true, text: bom + body, changes };
}
