/**
 * The dotenv format as phpdotenv 5 reads it. The expected values below follow phpdotenv's rules
 * (its EntryParser's states, its Lines' multi-line test, its Resolver), each case built to show
 * one rule; the second half asks the real phpdotenv (Debian's php-vlucas-phpdotenv, under PHP)
 * to read the same texts, and a seeded corpus of generated files, and compares.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { phpdotenvUnavailable, readWithPhpdotenv } from '../../test-support/laravel/phpdotenv';
import { parseDotenv } from './dotenv';
import { laravelEnvValue } from './laravel-env';
import { laravelSlug } from './slug';

const values = (text: string) => {
  const file = parseDotenv(text);
  expect(file.errors).toEqual([]);
  return Object.fromEntries([...file.variables].map(([name, entry]) => [name, entry.value]));
};
const errorLines = (text: string) => parseDotenv(text).errors.map((e) => [e.line, e.message.slice(0, e.message.indexOf(' in "'))]);

describe('the dotenv format, as phpdotenv reads it', () => {
  it('comments, blank lines, export, empty values and bare names', () => {
    const text = ['# a comment', '', '   ', 'A=1 # trailing comment', 'export EXPORTED=yes', 'EMPTY=', 'SPACES=   ', 'BARE', '  # indented comment', 'B=x#y'].join('\n');
    expect(values(text)).toEqual({ A: '1', EXPORTED: 'yes', EMPTY: '', SPACES: '', BARE: null, B: 'x' });
    expect(parseDotenv(text).variables.get('EXPORTED')).toMatchObject({ exported: true, line: 5 });
  });

  it('single quotes keep everything, double quotes take \\" \\\\ \\$ \\n \\t and interpolate', () => {
    const text = [
      'NAME=app',
      'SINGLE=\'a \\n ${NAME} "b"\'',
      'DOUBLE="a\\tb \\"c\\" \\\\ \\$NAME ${NAME}"',
      'UNQUOTED=${NAME}-x\\y',
      'QUOTED_NAME=1',
      '"QUOTED"=2',
      'HASH="a # b" # c',
    ].join('\n');
    expect(values(text)).toEqual({
      NAME: 'app',
      SINGLE: 'a \\n ${NAME} "b"',
      DOUBLE: 'a\tb "c" \\ $NAME app',
      UNQUOTED: 'app-x\\y',
      QUOTED_NAME: '1',
      QUOTED: '2',
      HASH: 'a # b',
    });
  });

  it('${VAR} takes the value set above; a variable set later, unset or cleared stays as written', () => {
    const file = parseDotenv(['A="${B}"', 'B=1', 'C="${B}${B}-${A}-${X}"', 'B=2', 'B', 'D=${B}', 'SELF="${SELF}"'].join('\n'));
    expect(Object.fromEntries([...file.variables].map(([n, e]) => [n, e.value]))).toEqual({ A: '${B}', B: null, C: '11-${B}-${X}', D: '${B}', SELF: '${SELF}' });
    expect(file.variables.get('C')!.unresolved).toEqual(['X']);
    expect(file.variables.get('A')!.unresolved).toEqual(['B']);
    expect(file.variables.get('D')!.unresolved).toEqual(['B']);
  });

  it('a later line wins; line numbers count every line', () => {
    const file = parseDotenv('A=1\n\n# x\nA=2\n');
    expect(file.variables.get('A')).toMatchObject({ value: '2', line: 4 });
    expect(file.entries.map((e) => e.line)).toEqual([1, 4]);
  });

  it('double-quoted values span lines; CRLF, CR and a BOM are read as the file store reads them', () => {
    const file = parseDotenv('\uFEFFKEY="-----BEGIN-----\r\nabc\r\n# not a comment\r\n-----END-----"\r\nNEXT=1\rLAST=2');
    expect(file.errors).toEqual([]);
    expect(file.variables.get('KEY')).toMatchObject({ value: '-----BEGIN-----\nabc\n# not a comment\n-----END-----', line: 1, lastLine: 4 });
    expect(file.variables.get('NEXT')).toMatchObject({ value: '1', line: 5 });
    expect(file.variables.get('LAST')).toMatchObject({ value: '2', line: 6 });
  });

  it('names every bad line with its number and phpdotenv’s reason, and still reads the good ones', () => {
    const text = [
      'GOOD=1', // 1
      'SPACE=two words', // 2
      '=value', // 3
      'bad-name=1', // 4
      'export X=1', // 5: phpdotenv strips "export" only from names longer than 8 characters
      'ESC="a\\qb"', // 6
      "OPEN='abc", // 7
      'MULTI="line one', // 8
      'line two', // 9
      'line \\x three"', // 10: the bad escape is on the third line of the value
      'AFTER=2', // 11
    ].join('\n');
    expect(errorLines(text)).toEqual([
      [2, 'unexpected whitespace'],
      [3, 'an unexpected equals'],
      [4, 'an invalid name'],
      [5, 'an invalid name'],
      [6, 'an unexpected escape sequence'],
      [7, 'a missing closing quote'],
      [10, 'an unexpected escape sequence'],
    ]);
    const file = parseDotenv(text);
    expect(Object.fromEntries([...file.variables].map(([n, e]) => [n, e.value]))).toEqual({ GOOD: '1', AFTER: '2' });
    expect(file.errors.find((e) => e.line === 6)!.message).toContain('\\n, \\r, \\t');
    expect(file.errors.map((e) => e.name)).toEqual(['SPACE', null, null, null, 'ESC', 'OPEN', 'MULTI']);
  });

  it('a double-quoted value no line closes is an error here (phpdotenv drops it and every line after it without a word)', () => {
    const file = parseDotenv('A=1\nKEY="never closed\nB=2\nC=3');
    expect(file.errors).toHaveLength(1);
    expect(file.errors[0]).toMatchObject({ line: 2, name: 'KEY' });
    expect(file.errors[0]!.message).toMatch(/drops it and every line after it \(2–4\)/);
    expect([...file.variables.keys()]).toEqual(['A']);
  });
});

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = readdirSync(join(here, 'fixtures'))
  .filter((name) => name.endsWith('.env'))
  .map((name) => readFileSync(join(here, 'fixtures', name), 'utf8'));

/** Hand-written texts for the rules above (each also in a case there), read by phpdotenv too. */
const RULES = [
  'A=1 # c\nexport EXPORTED=yes\nEMPTY=\nBARE\nB=x#y\n"QUOTED"=2',
  'NAME=app\nSINGLE=\'a \\n ${NAME}\'\nDOUBLE="a\\tb \\"c\\" \\\\ \\$NAME ${NAME}"\nUNQUOTED=${NAME}-x\\y',
  'A="${B}"\nB=1\nC="${B}${B}-${A}-${X}"\nB=2\nB\nD=${B}',
  '\uFEFFKEY="-----BEGIN-----\r\nabc\r\n# not a comment\r\n-----END-----"\r\nNEXT=1\rLAST=2',
  'P=\'"quoted"\'\nQ=null\nR=(true)\nS=empty\nT=FALSE\nU="(null)"',
  'SPACE=two words',
  '=value',
  'export X=1',
  'ESC="a\\qb"',
  "OPEN='abc",
  'MULTI="line one\nline \\x two"',
  'U=café\u00a0x',
  'APP_NAME="Straße @ Ærø – v2"',
];

/** Generated files: lines from fragments that exercise quotes, escapes, comments, interpolation and spacing. */
const tricky = fc.constantFrom('export ', '=', '"', "'", '\\', '\\n', '\\"', '\\$', '$', '${A}', '${B}', '#', ' ', '\t', 'é', '(', ')', '\n', '\r\n', '.');
const plain = fc.constantFrom('A', 'B', 'x', 'yz', '1', '-', ':', '/');
const fragment = fc.oneof({ arbitrary: plain, weight: 3 }, { arbitrary: tricky, weight: 2 });
const name = fc.constantFrom('A', 'B', 'C', 'VITE_A', 'export AAAAA', 'A.B', ' A', '#', '', 'a-b');
const equals = fc.constantFrom('=', '=', '="', '="', "='", '= ', '');
const line = fc.tuple(name, equals, fc.array(fragment, { maxLength: 6 })).map(([n, eq, rest]) => n + eq + rest.join(''));
const generatedFiles = fc.sample(
  fc.array(line, { minLength: 1, maxLength: 6 }).map((lines) => lines.join('\n')),
  { numRuns: 800, seed: 20261204 },
);

const phpCause = (message: string) => /Encountered (.+?) at \[/.exec(message)?.[1];
const ourCause = (message: string) => message.slice(0, message.indexOf(' in "'));

const unavailable = phpdotenvUnavailable();
if (unavailable && process.env.ECHOSCOPE_REQUIRE_LARAVEL) throw new Error(`phpdotenv must be compared with here (ECHOSCOPE_REQUIRE_LARAVEL) but cannot: ${unavailable}`);
if (unavailable) console.log(`[dotenv] the comparison with PHP's phpdotenv is skipped: ${unavailable}`);

describe.skipIf(unavailable !== null)('the same texts read by the real phpdotenv (PHP)', () => {
  const texts = [...RULES, ...fixtures, ...generatedFiles];
  const readings = unavailable === null ? readWithPhpdotenv(texts) : [];

  it('gives the same variables, refuses the same files for the same first reason, and Laravel’s env() and Str::slug agree', () => {
    let accepted = 0;
    let refused = 0;
    let dropped = 0;
    texts.forEach((text, i) => {
      const php = readings[i]!;
      const ours = parseDotenv(text);
      const context = `file #${i}: ${JSON.stringify(text)}`;
      if (php.error !== undefined) {
        refused++;
        expect(ours.errors.length, context).toBeGreaterThan(0);
        expect(ourCause(ours.errors[0]!.message), context).toBe(phpCause(php.error));
        return;
      }
      const variables = Object.fromEntries([...ours.variables].map(([name, entry]) => [name, entry.value]));
      if (ours.errors.length > 0) {
        // Only the unclosed double-quoted value: phpdotenv dropped it and the lines after it.
        dropped++;
        expect(ours.errors, context).toHaveLength(1);
        expect(ours.errors[0]!.message, context).toContain('no later line closes');
        const from = ours.errors[0]!.line;
        const kept = Object.fromEntries(ours.entries.filter((e) => e.line < from).map((e) => [e.name, e.value]));
        expect(php.variables, context).toEqual(kept);
        return;
      }
      accepted++;
      expect(variables, context).toEqual(php.variables);
      const env = Object.fromEntries([...ours.variables].map(([name, entry]) => [name, laravelEnvValue(entry)]));
      expect(env, context).toEqual(php.env);
      const appName = env.APP_NAME === undefined ? 'laravel' : env.APP_NAME === null ? '' : env.APP_NAME === true ? '1' : env.APP_NAME === false ? '' : env.APP_NAME;
      expect(laravelSlug(appName).slug, context).toBe(php.slug);
    });
    console.log(`[dotenv] ${accepted} files read alike, ${refused} refused alike, ${dropped} with an unclosed value`);
    // the corpus exercises all three outcomes, not one of them
    expect(accepted).toBeGreaterThan(50);
    expect(refused).toBeGreaterThan(50);
    expect(dropped).toBeGreaterThan(5);
  });
});
