/**
 * The dotenv format as Laravel reads it: vlucas/phpdotenv 5 (`Dotenv\Parser` and `Dotenv\Loader`),
 * ported rule for rule so a file reads here as it does in the app — comments, `export`, single
 * and double quotes, escapes in double quotes, multi-line double-quoted values, `${VAR}`
 * interpolation of variables set above, empty values and bare names. phpdotenv stops at the first
 * bad entry and Laravel refuses to boot ("The environment file is invalid!"); here every bad entry
 * is reported with its line, and the good ones are still read so the rest can be checked too.
 */

export interface DotenvEntry {
  readonly name: string;
  /** The entry's first line, 1-based. */
  readonly line: number;
  /** Its last line: later than `line` for a multi-line double-quoted value. */
  readonly lastLine: number;
  /** `export ` written before the name. */
  readonly exported: boolean;
  /**
   * The value as Laravel's repository holds it: quotes and escapes applied, `${VAR}` replaced;
   * null for a bare name (`FOO` without `=`), which phpdotenv reads as "clear FOO".
   */
  readonly value: string | null;
  /** `${NAME}` references left as written because NAME was not set above this entry. */
  readonly unresolved: readonly string[];
}

export interface DotenvError {
  readonly line: number;
  readonly message: string;
  /** The entry's name, when it could be read. */
  readonly name: string | null;
}

export interface DotenvFile {
  /** Every well-formed entry, in file order (a name may occur more than once). */
  readonly entries: readonly DotenvEntry[];
  /** The entry Laravel's `env()` sees for each name: the last one (phpdotenv lets a later line win). */
  readonly variables: ReadonlyMap<string, DotenvEntry>;
  readonly errors: readonly DotenvError[];
}

/** phpdotenv's cause words (EntryParser), each followed here by what to do about it. */
const CAUSE_ADVICE: Record<string, string> = {
  'an unexpected equals': 'the line starts with "=": write NAME=value',
  'an invalid name': 'a name is letters, digits, "_" and "." (after an optional "export ")',
  'a missing closing quote': 'close the quote on the same line (only a double-quoted value may span lines)',
  'an unexpected escape sequence': 'in double quotes phpdotenv knows \\", \\\\, \\$, \\n, \\r, \\t, \\f and \\v; write a literal backslash in single quotes',
  'unexpected whitespace': 'a value with spaces must be quoted ("two words"); a comment after a value needs a space before "#"',
};

/** PHP's trim()/ltrim() set. */
const PHP_TRIM = ' \t\n\r\0\x0B';
/** ctype_space() and PCRE's \s without /u. */
const SPACE = /^[ \t\n\v\f\r]+$/;

function phpTrim(text: string, left = true, right = true): string {
  let start = 0;
  let end = text.length;
  while (left && start < end && PHP_TRIM.includes(text[start]!)) start++;
  while (right && end > start && PHP_TRIM.includes(text[end - 1]!)) end--;
  return text.slice(start, end);
}

/** `Lines::looksLikeMultilineStop`: an unescaped `"` after some character (two on the opening line). */
function looksLikeMultilineStop(line: string, started: boolean): boolean {
  if (line === '"') return true;
  const stripped = line.replaceAll('\\\\', '');
  let count = 0;
  for (let i = 0; i + 1 < stripped.length; i++) if (stripped[i] !== '\\' && stripped[i + 1] === '"') count++;
  return started ? count > 1 : count >= 1;
}

function looksLikeMultilineStart(line: string): boolean {
  return line.includes('="') && !looksLikeMultilineStop(line, true);
}

interface RawEntry {
  text: string;
  line: number;
  lastLine: number;
}

/** `Lines::process`: joins multi-line values, drops blank and comment lines. */
function joinLines(lines: string[], errors: DotenvError[]): RawEntry[] {
  const output: RawEntry[] = [];
  let multiline = false;
  let buffer: string[] = [];
  let bufferStart = 0;
  lines.forEach((line, index) => {
    const started = looksLikeMultilineStart(line);
    if (started) multiline = true;
    let entry: RawEntry = { text: line, line: index + 1, lastLine: index + 1 };
    if (multiline) {
      if (buffer.length === 0) bufferStart = index + 1;
      buffer.push(line);
      if (looksLikeMultilineStop(line, started)) {
        multiline = false;
        entry = { text: buffer.join('\n'), line: bufferStart, lastLine: index + 1 };
        buffer = [];
      }
    }
    const trimmed = phpTrim(entry.text);
    if (!multiline && trimmed !== '' && !trimmed.startsWith('#')) output.push(entry);
  });
  if (multiline) {
    // phpdotenv drops an unclosed value and every line after it without a word; Laravel then sees none of them.
    const first = buffer[0]!;
    errors.push({
      line: bufferStart,
      name: parseName(phpTrim(first.slice(0, first.indexOf('='))))?.name ?? null,
      message:
        `${phpTrim(first.slice(0, first.indexOf('=')))}="… opens a double-quoted value that no later line closes, so phpdotenv silently drops it and every line after it ` +
        `(${bufferStart}–${lines.length}): a value ends at the first line with a " after another character, or a line that is only "`,
    });
  }
  return output;
}

/**
 * `Lexer::lex`: runs of newlines, runs of other whitespace, `\`, `'`, `"`, `#`, `$`, and runs of
 * anything else. PHP's \s (no /u) is ASCII whitespace only: a Unicode space is an ordinary character.
 */
function lex(value: string): string[] {
  return value.match(/[\r\n]+|[ \t\v\f]+|\\|'|"|#|\$|[^ \t\n\v\f\r\\'"#$]+/g) ?? [];
}

const enum State {
  Initial,
  Unquoted,
  SingleQuoted,
  DoubleQuoted,
  Escape,
  Whitespace,
  Comment,
}

interface ParsedValue {
  chars: string;
  /** Offsets of `$` signs that may start a `${VAR}` reference. */
  vars: number[];
}

const CONTROL: Record<string, string> = { f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** `EntryParser::parseValue`; on failure the cause and the offset (in lines) of the token that failed. */
function parseValue(value: string): { ok: true; value: ParsedValue } | { ok: false; cause: string; lineOffset: number } {
  const parsed: ParsedValue = { chars: '', vars: [] };
  if (phpTrim(value) === '') return { ok: true, value: parsed };
  let state: State = State.Initial;
  let lineOffset = 0;
  const append = (chars: string, variable = false) => {
    if (variable) parsed.vars.push(parsed.chars.length);
    parsed.chars += chars;
  };
  for (const token of lex(value)) {
    const space = SPACE.test(token);
    switch (state) {
      case State.Initial:
      case State.Unquoted:
        if (state === State.Initial && token === "'") state = State.SingleQuoted;
        else if (state === State.Initial && token === '"') state = State.DoubleQuoted;
        else if (token === '#') state = State.Comment;
        else if (state === State.Unquoted && space) state = State.Whitespace;
        else {
          append(token, token === '$');
          state = State.Unquoted;
        }
        break;
      case State.SingleQuoted:
        if (token === "'") state = State.Whitespace;
        else append(token);
        break;
      case State.DoubleQuoted:
        if (token === '"') state = State.Whitespace;
        else if (token === '\\') state = State.Escape;
        else append(token, token === '$');
        break;
      case State.Escape:
        if (token === '"' || token === '\\' || token === '$') append(token);
        else {
          const control = CONTROL[token[0]!];
          if (control === undefined) return { ok: false, cause: 'an unexpected escape sequence', lineOffset };
          append(control + token.slice(1));
        }
        state = State.DoubleQuoted;
        break;
      case State.Whitespace:
        if (token === '#') state = State.Comment;
        else if (!space) return { ok: false, cause: 'unexpected whitespace', lineOffset };
        break;
      case State.Comment:
        break;
    }
    lineOffset += token.split('\n').length - 1;
  }
  if (state === State.SingleQuoted || state === State.DoubleQuoted || state === State.Escape) return { ok: false, cause: 'a missing closing quote', lineOffset: 0 };
  return { ok: true, value: parsed };
}

/** `EntryParser::parseName`: an optional `export `, optional quotes, then `[A-Za-z0-9_.]+`. */
function parseName(raw: string): { name: string; exported: boolean } | undefined {
  let name = raw;
  let exported = false;
  // phpdotenv's own test: longer than 8 characters, so `export A=1` keeps "export A" as its (invalid) name.
  if (name.length > 8 && name.startsWith('export') && SPACE.test(name[6]!)) {
    name = phpTrim(name.slice(6), true, false);
    exported = true;
  }
  if (name.length >= 3 && ((name.startsWith('"') && name.endsWith('"')) || (name.startsWith("'") && name.endsWith("'")))) name = name.slice(1, -1);
  return /^[A-Za-z0-9_.]+$/.test(name) ? { name, exported } : undefined;
}

/** `Resolver::resolve`: each `${NAME}` (from the last) replaced by NAME's value when it is set. */
function resolve(parsed: ParsedValue, lookup: (name: string) => string | undefined): { value: string; unresolved: string[] } {
  let text = parsed.chars;
  const unresolved: string[] = [];
  for (const at of [...parsed.vars].sort((a, b) => b - a)) {
    const rest = text.slice(at);
    const match = /^\$\{([A-Za-z0-9_.]+)\}/.exec(rest);
    if (match === null) continue;
    const value = lookup(match[1]!);
    if (value === undefined) {
      unresolved.unshift(match[1]!);
      continue;
    }
    text = text.slice(0, at) + value + rest.slice(match[0].length);
  }
  return { value: text, unresolved };
}

function preview(text: string): string {
  const first = text.split('\n')[0]!;
  return first.length > 60 ? `${first.slice(0, 57)}…` : first;
}

/** Reads a `.env` file's text as Laravel does (phpdotenv 5, immutable repository, nothing set outside the file). */
export function parseDotenv(text: string): DotenvFile {
  const errors: DotenvError[] = [];
  const content = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const entries: DotenvEntry[] = [];
  const repository = new Map<string, string>();
  for (const raw of joinLines(content.split(/\r\n|\n|\r/), errors)) {
    const equals = raw.text.indexOf('=');
    const rawName = equals < 0 ? raw.text : phpTrim(raw.text.slice(0, equals));
    const rawValue = equals < 0 ? null : phpTrim(raw.text.slice(equals + 1));
    const fail = (cause: string, line = raw.line) =>
      errors.push({ line, name: parseName(rawName)?.name ?? null, message: `${cause} in "${preview(phpTrim(raw.text))}": ${CAUSE_ADVICE[cause] ?? ''}` });
    if (rawName === '') {
      fail('an unexpected equals');
      continue;
    }
    const name = parseName(rawName);
    if (name === undefined) {
      fail('an invalid name');
      continue;
    }
    if (rawValue === null) {
      repository.delete(name.name);
      entries.push({ name: name.name, line: raw.line, lastLine: raw.lastLine, exported: name.exported, value: null, unresolved: [] });
      continue;
    }
    const parsed = parseValue(rawValue);
    if (!parsed.ok) {
      fail(parsed.cause, raw.line + parsed.lineOffset);
      continue;
    }
    const resolved = resolve(parsed.value, (reference) => repository.get(reference));
    repository.set(name.name, resolved.value);
    entries.push({ name: name.name, line: raw.line, lastLine: raw.lastLine, exported: name.exported, value: resolved.value, unresolved: resolved.unresolved });
  }
  const variables = new Map<string, DotenvEntry>();
  for (const entry of entries) variables.set(entry.name, entry);
  return { entries, variables, errors: errors.sort((a, b) => a.line - b.line) };
}
