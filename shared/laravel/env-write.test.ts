/**
 * Writing the lines that point a Laravel app at a Pusher-protocol server (the mock): the other
 * lines stay byte for byte, the written ones read back — here and in the real phpdotenv — as the
 * target's credentials and address.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { phpdotenvUnavailable, readWithPhpdotenv } from '../../test-support/laravel/phpdotenv';
import { envConnection } from './env-profile';
import { dotenvValue, pointEnvAtServer, type EnvTarget } from './env-write';
import { parseDotenv } from './dotenv';
import { readLaravelEnv } from './laravel-env';

const fixture = (name: string) => readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'fixtures', `${name}.env`), 'utf8');
const TARGET: EnvTarget = { host: '127.0.0.1', port: 6001, appId: 'echoscope', key: 'echoscope-key', secret: 'echoscope-secret' };
const WRITTEN = /^(export )?(BROADCAST_(CONNECTION|DRIVER)|(VITE_)?REVERB_[A-Z_]+)=/;

function written(text: string, target = TARGET) {
  const result = pointEnvAtServer(text, target);
  if (!result.ok) throw new Error(result.errors.map((e) => e.message).join('; '));
  return result;
}

/** The connection a written file gives, as EchoScope reads it. */
const connectionOf = (text: string) => envConnection(readLaravelEnv(text));

describe('pointing a .env at the mock', () => {
  it('a redis-broadcaster app: the lines are added under a comment, every other line kept as it was', () => {
    const before = fixture('redis');
    const { text, changes } = written(before);
    // BROADCAST_DRIVER=redis (line 7) is set too (Laravel 8 reads it); every other line is as it was
    const expectedStart = before.replace('BROADCAST_DRIVER=redis\n', 'BROADCAST_DRIVER=reverb\n');
    expect(expectedStart).not.toBe(before);
    expect(text.startsWith(expectedStart)).toBe(true);
    expect(text.slice(expectedStart.length)).toBe(
      [
        '',
        '# EchoScope mock provider (echoscope mock --write-env)',
        'BROADCAST_CONNECTION=reverb',
        'REVERB_APP_ID=echoscope',
        'REVERB_APP_KEY=echoscope-key',
        'REVERB_APP_SECRET=echoscope-secret',
        'REVERB_HOST=127.0.0.1',
        'REVERB_PORT=6001',
        'REVERB_SCHEME=http',
        'VITE_REVERB_APP_KEY="${REVERB_APP_KEY}"',
        'VITE_REVERB_HOST="${REVERB_HOST}"',
        'VITE_REVERB_PORT="${REVERB_PORT}"',
        'VITE_REVERB_SCHEME="${REVERB_SCHEME}"',
        '',
      ].join('\n'),
    );
    expect(changes.find((c) => c.name === 'BROADCAST_DRIVER')).toEqual({ name: 'BROADCAST_DRIVER', action: 'changed', line: 7 });
    expect(text.split('\n')[6]).toBe('BROADCAST_DRIVER=reverb');
    expect(changes.find((c) => c.name === 'VITE_REVERB_SCHEME')).toEqual({ name: 'VITE_REVERB_SCHEME', action: 'added', line: text.split('\n').length - 1 });
    const read = connectionOf(text);
    expect(read.problems).toEqual([]);
    expect(read.connection).toEqual({
      kind: 'reverb',
      host: '127.0.0.1',
      port: 6001,
      tls: false,
      key: 'echoscope-key',
      appId: 'echoscope',
      auth: { mode: 'secret', secret: 'echoscope-secret' },
    });
  });

  it('a Reverb app: its lines are set where they are, the VITE_ twins keep referring, and writing again changes nothing', () => {
    const before = fixture('reverb');
    const { text, changes } = written(before);
    const oldLines = before.split('\n');
    const newLines = text.split('\n');
    expect(newLines).toHaveLength(oldLines.length);
    oldLines.forEach((line, i) => {
      if (!WRITTEN.test(line)) expect(newLines[i], `line ${i + 1}`).toBe(line);
    });
    expect(newLines.slice(20, 26)).toEqual([
      'REVERB_APP_ID=echoscope',
      'REVERB_APP_KEY=echoscope-key',
      'REVERB_APP_SECRET=echoscope-secret',
      'REVERB_HOST=127.0.0.1',
      'REVERB_PORT=6001',
      'REVERB_SCHEME=http',
    ]);
    expect(newLines.slice(28, 32)).toEqual(oldLines.slice(28, 32));
    expect(changes.filter((c) => c.action === 'kept').map((c) => c.name)).toEqual(['BROADCAST_CONNECTION', 'REVERB_SCHEME', 'VITE_REVERB_SCHEME']);
    expect(changes.find((c) => c.name === 'VITE_REVERB_HOST')).toEqual({ name: 'VITE_REVERB_HOST', action: 'changed', line: 30 });
    expect(connectionOf(text).connection).toMatchObject({ host: '127.0.0.1', port: 6001, key: 'echoscope-key', auth: { mode: 'secret', secret: 'echoscope-secret' } });
    const again = written(text);
    expect(again.text).toBe(text);
    expect(again.changes.every((c) => c.action === 'kept')).toBe(true);
  });

  it('CRLF endings, export, a twin above its server line, a multi-line value and REVERB_INTERNAL_* are each handled', () => {
    const before = [
      'APP_NAME=App', // 1
      'VITE_REVERB_HOST=old.example.test', // 2: above REVERB_HOST, so it cannot refer to it
      'export REVERB_HOST=old.example.test', // 3
      'REVERB_APP_SECRET="multi', // 4
      'line"', // 5
      'REVERB_INTERNAL_HOST=reverb', // 6
      '# keep me', // 7
    ].join('\r\n');
    const { text, changes } = written(before);
    const lines = text.split('\r\n');
    expect(lines.slice(0, 6)).toEqual([
      'APP_NAME=App',
      'VITE_REVERB_HOST=127.0.0.1',
      'export REVERB_HOST=127.0.0.1',
      'REVERB_APP_SECRET=echoscope-secret',
      'REVERB_INTERNAL_HOST=127.0.0.1',
      '# keep me',
    ]);
    expect(text).not.toMatch(/[^\r]\n/);
    expect(changes.find((c) => c.name === 'REVERB_INTERNAL_HOST')).toEqual({ name: 'REVERB_INTERNAL_HOST', action: 'changed', line: 5 });
    // REVERB_INTERNAL_PORT was not in the file: not added
    expect(changes.some((c) => c.name === 'REVERB_INTERNAL_PORT')).toBe(false);
    expect(connectionOf(text).connection).toMatchObject({ host: '127.0.0.1', port: 6001, key: 'echoscope-key' });
  });

  it('credentials with spaces, quotes, $ and # are quoted so they read back as they are', () => {
    const odd: EnvTarget = { host: 'localhost', port: 7001, appId: 'app 1', key: 'k$y #1 "q"', secret: 'back\\slash ${NOT}' };
    expect(dotenvValue(odd.key)).toBe('"k\\$y #1 \\"q\\""');
    const { text } = written('APP_NAME=x\n', odd);
    expect(connectionOf(text).connection).toMatchObject({
      host: 'localhost',
      port: 7001,
      appId: 'app 1',
      key: 'k$y #1 "q"',
      auth: { mode: 'secret', secret: 'back\\slash ${NOT}' },
    });
  });

  it('a file phpdotenv would refuse is not touched', () => {
    const result = pointEnvAtServer('A=two words\n', TARGET);
    expect(result).toEqual({ ok: false, errors: parseDotenv('A=two words\n').errors });
  });
});

const unavailable = phpdotenvUnavailable();
describe.skipIf(unavailable !== null)('the written files read by the real phpdotenv (PHP)', () => {
  it('Laravel sees the target’s credentials and address', () => {
    const odd: EnvTarget = { host: 'localhost', port: 7001, appId: 'app 1', key: 'k$y #1 "q"', secret: 'back\\slash ${NOT}' };
    const texts = [written(fixture('redis')).text, written(fixture('reverb')).text, written(fixture('pusher')).text, written('APP_NAME=x\n', odd).text];
    const readings = readWithPhpdotenv(texts);
    const expected = (target: EnvTarget) => ({
      BROADCAST_CONNECTION: 'reverb',
      REVERB_APP_ID: target.appId,
      REVERB_APP_KEY: target.key,
      REVERB_APP_SECRET: target.secret,
      REVERB_HOST: target.host,
      REVERB_PORT: String(target.port),
      REVERB_SCHEME: 'http',
      VITE_REVERB_APP_KEY: target.key,
      VITE_REVERB_HOST: target.host,
      VITE_REVERB_PORT: String(target.port),
      VITE_REVERB_SCHEME: 'http',
    });
    readings.forEach((reading, i) => {
      expect(reading.error, `file #${i}`).toBeUndefined();
      expect(reading.variables, `file #${i}`).toMatchObject(expected(i === 3 ? odd : TARGET));
    });
  });
});
