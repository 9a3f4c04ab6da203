/**
 * A Laravel app's .env → EchoScope's connection profile. The fixtures in fixtures/ are
 * hand-written .env files of a Reverb app (Laravel 11, as `php artisan reverb:install` writes
 * it), a Pusher Channels app (Laravel 10) and a redis-broadcaster app (Laravel 8 with
 * laravel-echo-server); each expected profile below was worked out by reading its file with
 * Laravel's config/broadcasting.php and Echo bootstrap in mind, the line numbers counted there.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ProfileInputSchema } from '../api';
import { appRoutes, canDiscover, envConnection, envProfileIdentity, formatEnvProblem, resolveAppUrl, type EnvConnectionResult } from './env-profile';
import { readLaravelEnv, type EnvProblem } from './laravel-env';

const fixture = (name: string) => readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'fixtures', `${name}.env`), 'utf8');
const lines = (...text: string[]) => text.join('\n');
const said = (result: EnvConnectionResult, severity: EnvProblem['severity']) => result.problems.filter((p) => p.severity === severity).map((p) => [p.line, p.message]);

describe('the .env of a Reverb app (Laravel 11)', () => {
  const env = readLaravelEnv(fixture('reverb'));
  const result = envConnection(env);

  it('connects where the frontend’s Echo connects, with the app’s key, signing with its secret', () => {
    expect(result.problems).toEqual([]);
    // VITE_REVERB_* = "${REVERB_*}": localhost:8080 over http; the secret of line 23 signs private channels
    expect(result.connection).toEqual({
      kind: 'reverb',
      host: 'localhost',
      port: 8080,
      tls: false,
      key: 'qa7xq1vwxtzmv8yfbh0k',
      appId: '417263',
      auth: { mode: 'secret', secret: 'ow2ycmvzyx3zd1bsbyhe' },
    });
    expect(result.facts).toEqual([
      'Laravel broadcasts with reverb (BROADCAST_CONNECTION, line 11)',
      "server ws://localhost:8080 as the frontend's Echo connects (VITE_REVERB_HOST, line 30; VITE_REVERB_PORT, line 31; VITE_REVERB_SCHEME, line 32)",
      'app key qa7xq1vwxtzmv8yfbh0k (VITE_REVERB_APP_KEY, line 29)',
      'app id 417263 (REVERB_APP_ID, line 21)',
      'private channels signed with the app secret (REVERB_APP_SECRET, line 23)',
    ]);
    expect(canDiscover(result.connection!)).toBe(true);
  });

  it('APP_URL gives the auth route and the generation record; the Redis prefix is Laravel’s default for "AI Tokens"', () => {
    // APP_URL=http://localhost:8000/ (its slash dropped)
    expect(appRoutes(env)).toEqual({ authEndpoint: 'http://localhost:8000/broadcasting/auth', recordUrl: 'http://localhost:8000/api/generations/{sessionId}' });
    expect(env.redis).toMatchObject({ host: '127.0.0.1', port: 6379, password: null, db: 0, prefix: 'ai_tokens_database_', prefixSource: 'default' });
    expect(envProfileIdentity(env)).toEqual({ id: 'ai-tokens-env', name: 'AI Tokens (.env)' });
  });

  it('is a valid profile once given an id and channels', () => {
    const parsed = ProfileInputSchema.safeParse({ ...envProfileIdentity(env), ...result.connection, discover: { prefix: 'private-ai.' } });
    expect(parsed.success).toBe(true);
  });

  it('explicit values override the file: server, key, secret, an auth endpoint read against APP_URL', () => {
    const overridden = envConnection(env, {
      server: { host: '127.0.0.1', port: 6001, tls: false },
      key: 'other-key',
      authEndpoint: '/broadcasting/auth',
      authHeaders: { Authorization: 'Bearer T' },
    });
    expect(overridden.connection).toEqual({
      kind: 'reverb',
      host: '127.0.0.1',
      port: 6001,
      tls: false,
      key: 'other-key',
      appId: '417263',
      auth: { mode: 'endpoint', url: 'http://localhost:8000/broadcasting/auth', headers: { Authorization: 'Bearer T' } },
    });
    expect(overridden.facts).toContain('server ws://127.0.0.1:6001 (given)');
    // headers alone: the app's own auth route instead of the secret
    expect(envConnection(env, { authHeaders: { Cookie: 'laravel_session=abc' } }).connection!.auth).toEqual({
      mode: 'endpoint',
      url: 'http://localhost:8000/broadcasting/auth',
      headers: { Cookie: 'laravel_session=abc' },
    });
    expect(resolveAppUrl(env, 'broadcasting/auth')).toEqual({ error: expect.stringContaining('neither an http(s) URL nor a path') });
  });
});

describe('the .env of a Pusher Channels app (Laravel 10)', () => {
  const env = readLaravelEnv(fixture('pusher'));
  const result = envConnection(env);

  it('connects to the cluster (PUSHER_HOST is empty), with the app key and secret', () => {
    expect(result.problems).toEqual([]);
    // BROADCAST_DRIVER=pusher (line 7); VITE_PUSHER_HOST="${PUSHER_HOST}" is empty: Echo goes to ws-eu.pusher.com
    expect(result.connection).toEqual({
      kind: 'pusher',
      host: 'ws-eu.pusher.com',
      port: 443,
      tls: true,
      cluster: 'eu',
      key: '9f2c1e7d3b5a4c6e8f01',
      appId: '1712345',
      auth: { mode: 'secret', secret: '1a2b3c4d5e6f7a8b9c0d' },
    });
    expect(result.facts[0]).toBe('Laravel broadcasts with pusher (BROADCAST_DRIVER, line 7)');
    expect(result.facts[1]).toBe('Pusher Channels, cluster eu (VITE_PUSHER_APP_CLUSTER, line 28)');
    expect(env.redis.prefix).toBe('laravel_database_');
  });

  it('a Pusher-protocol server of its own (soketi: PUSHER_HOST set) is connected to on its host and port', () => {
    const soketi = readLaravelEnv(
      fixture('pusher').replace('PUSHER_HOST=\n', 'PUSHER_HOST=127.0.0.1\n').replace('PUSHER_PORT=443', 'PUSHER_PORT=6001').replace('PUSHER_SCHEME=https', 'PUSHER_SCHEME=http'),
    );
    expect(envConnection(soketi).connection).toMatchObject({ kind: 'reverb', host: '127.0.0.1', port: 6001, tls: false, key: '9f2c1e7d3b5a4c6e8f01' });
  });
});

describe('the .env of a redis-broadcaster app (Laravel 8, laravel-echo-server)', () => {
  const env = readLaravelEnv(fixture('redis'));

  it('says the sockets are laravel-echo-server’s, whose address is not in .env, and what to give', () => {
    const result = envConnection(env);
    expect(result.connection).toBeNull();
    const [problem] = result.problems.filter((p) => p.severity === 'error');
    expect(problem).toMatchObject({ line: 7, variable: 'BROADCAST_DRIVER', fields: ['server'] });
    expect(problem!.message).toContain('laravel-echo-server');
    expect(problem!.message).toContain('give its URL');
    // REDIS_PORT=6380 (line 13); "EchoScope Fixture" has no REDIS_PREFIX: Str::slug('EchoScope Fixture', '_').'_database_'
    expect(problem!.message).toContain('127.0.0.1:6380, channels "echoscope_fixture_database_private-ai.{id}"');
    expect(env.redis).toMatchObject({ host: '127.0.0.1', port: 6380, password: null, db: 2, prefix: 'echoscope_fixture_database_' });
  });

  it('given laravel-echo-server’s URL: a socketio profile asking APP_URL’s /broadcasting/auth, and the keyPrefix it needs', () => {
    const result = envConnection(env, { server: { host: '127.0.0.1', port: 6001, tls: false }, appId: 'echoscope', authHeaders: { Authorization: 'Bearer QA' } });
    expect(said(result, 'error')).toEqual([]);
    expect(result.connection).toEqual({
      kind: 'socketio',
      host: '127.0.0.1',
      port: 6001,
      tls: false,
      key: 'laravel-echo-server',
      appId: 'echoscope',
      auth: { mode: 'endpoint', url: 'http://127.0.0.1:8000/broadcasting/auth', headers: { Authorization: 'Bearer QA' } },
    });
    expect(result.facts).toContain('laravel-echo-server relays them: its laravel-echo-server.json needs databaseConfig.redis.keyPrefix "echoscope_fixture_database_"');
    expect(ProfileInputSchema.safeParse({ id: 'x', name: 'x', ...result.connection }).success).toBe(true);
    // without auth headers it still works for the connection, and says why private channels will fail
    const bare = envConnection(env, { server: { host: '127.0.0.1', port: 6001, tls: false } });
    expect(bare.connection).not.toBeNull();
    expect(said(bare, 'warning')).toEqual([[4, expect.stringContaining('answers only a logged-in user')]]);
  });

  it('REDIS_PREFIX, REDIS_URL and a password are read as Laravel reads them', () => {
    const custom = readLaravelEnv(lines('APP_NAME=x', 'REDIS_PREFIX=', 'REDIS_PASSWORD=s3cret', 'REDIS_URL=redis://:pw@cache.internal:6390/3'));
    // an empty REDIS_PREFIX is set (no prefix); REDIS_URL's parts win over REDIS_*
    expect(custom.redis).toMatchObject({ prefix: '', host: 'cache.internal', port: 6390, password: 'pw', db: 3 });
    expect(readLaravelEnv('REDIS_PREFIX=app:').redis).toMatchObject({ prefix: 'app:', prefixSource: { variable: 'REDIS_PREFIX', line: 1 } });
    expect(readLaravelEnv('REDIS_PORT=63a79').problems).toEqual([
      { severity: 'warning', line: 1, variable: 'REDIS_PORT', message: 'REDIS_PORT=63a79 is not a port number (1–65535)', fields: [] },
    ]);
  });
});

describe('a bad .env', () => {
  // fixtures/broken.env, line by line: 1 unquoted space, 3 \q escape, 4 port 80a80, 5 "=oops",
  // 6 ${REVERB_SERVER} set only on line 8, 7 scheme wss, 9 unclosed single quote
  const result = envConnection(readLaravelEnv(fixture('broken')));

  it('names every problem with its line, and builds no profile', () => {
    expect(result.connection).toBeNull();
    const errors = result.problems.filter((p) => p.severity === 'error');
    expect(errors.map((p) => [p.line, p.variable])).toEqual([
      [1, 'APP_NAME'],
      [3, 'REVERB_APP_KEY'],
      [4, 'REVERB_PORT'],
      [5, null],
      [6, 'REVERB_HOST'],
      [7, 'REVERB_SCHEME'],
      [9, 'REVERB_APP_SECRET'],
    ]);
    const text = errors.map((p) => formatEnvProblem('.env', p));
    expect(text[0]).toMatch(/^\.env:1: unexpected whitespace in "APP_NAME=Broken App": .*quoted.*Laravel stops with "The environment file is invalid!"/);
    expect(text[1]).toMatch(/^\.env:3: an unexpected escape sequence in "REVERB_APP_KEY="abc\\qdef""/);
    expect(text[2]).toBe('.env:4: REVERB_PORT=80a80 is not a port number (1–65535)');
    expect(text[3]).toMatch(/^\.env:5: an unexpected equals in "=oops"/);
    expect(text[4]).toBe(
      '.env:6: REVERB_HOST is "${REVERB_SERVER}": phpdotenv replaces ${NAME} only with a variable set above it, and REVERB_SERVER is set only later (line 8): move it above',
    );
    expect(text[5]).toBe('.env:7: REVERB_SCHEME=wss is neither http nor https (Laravel and Echo use TLS only for "https")');
    expect(text[6]).toMatch(/^\.env:9: a missing closing quote in "REVERB_APP_SECRET='unterminated"/);
    // REVERB_APP_KEY's line is refused: it is not said again as missing
    expect(errors.some((p) => p.message.includes('is not set'))).toBe(false);
  });

  it('explicit values make the value problems moot, not the syntax ones', () => {
    const given = envConnection(readLaravelEnv(fixture('broken')), { server: { host: '127.0.0.1', port: 8080, tls: false } });
    expect(given.problems.filter((p) => p.severity === 'error').map((p) => p.line)).toEqual([1, 3, 5, 9]);
  });
});

describe('conflicting and unknown values are named', () => {
  it('BROADCAST_CONNECTION=reverb with only PUSHER_* set', () => {
    const result = envConnection(readLaravelEnv(lines('BROADCAST_CONNECTION=reverb', 'PUSHER_APP_KEY=pk', 'PUSHER_APP_SECRET=ps', 'PUSHER_APP_CLUSTER=eu')));
    expect(result.connection).toBeNull();
    expect(said(result, 'error')).toEqual([[1, 'BROADCAST_CONNECTION=reverb, but no REVERB_* variable is set; PUSHER_APP_KEY is (line 2): is the app on pusher?']]);
    // choosing pusher reads them
    expect(
      envConnection(readLaravelEnv(lines('BROADCAST_CONNECTION=reverb', 'PUSHER_APP_KEY=pk', 'PUSHER_APP_SECRET=ps', 'PUSHER_APP_CLUSTER=eu')), { kind: 'pusher' }).connection,
    ).toMatchObject({
      kind: 'pusher',
      cluster: 'eu',
      key: 'pk',
    });
  });

  it('BROADCAST_CONNECTION and BROADCAST_DRIVER disagreeing: Laravel 11 reads the first, Laravel 10 the second', () => {
    const result = envConnection(
      readLaravelEnv(lines('BROADCAST_DRIVER=pusher', 'BROADCAST_CONNECTION=reverb', 'REVERB_APP_KEY=k', 'REVERB_HOST=localhost', 'REVERB_APP_SECRET=s')),
    );
    expect(result.connection).toMatchObject({ kind: 'reverb', key: 'k' });
    expect(said(result, 'warning')).toEqual([[2, expect.stringMatching(/BROADCAST_CONNECTION=reverb \(line 2\) and BROADCAST_DRIVER=pusher \(line 1\) disagree/)]]);
  });

  it('the frontend’s key is not the one Laravel publishes with', () => {
    const result = envConnection(readLaravelEnv(lines('BROADCAST_CONNECTION=reverb', 'REVERB_APP_KEY=server-key', 'REVERB_HOST=localhost', 'VITE_REVERB_APP_KEY=old-key')));
    expect(said(result, 'error')).toEqual([
      [4, expect.stringMatching(/^the frontend's VITE_REVERB_APP_KEY=old-key \(line 4\) is not Laravel's REVERB_APP_KEY=server-key \(line 2\)/)],
    ]);
    // giving the key explicitly settles it
    expect(
      envConnection(readLaravelEnv(lines('BROADCAST_CONNECTION=reverb', 'REVERB_APP_KEY=server-key', 'REVERB_HOST=localhost', 'VITE_REVERB_APP_KEY=old-key')), {
        key: 'server-key',
      }).connection,
    ).toMatchObject({
      key: 'server-key',
    });
  });

  it('a frontend host other than Laravel’s (Docker, a proxy) is said, and the frontend’s is used', () => {
    const result = envConnection(readLaravelEnv(lines('BROADCAST_CONNECTION=reverb', 'REVERB_APP_KEY=k', 'REVERB_HOST=reverb', 'REVERB_PORT=8080', 'VITE_REVERB_HOST=localhost')));
    expect(result.connection).toMatchObject({ host: 'localhost', port: 8080, tls: true });
    expect(said(result, 'warning')).toContainEqual([
      5,
      expect.stringContaining('the frontend connects with VITE_REVERB_HOST=localhost (line 5), Laravel publishes with REVERB_HOST=reverb (line 3)'),
    ]);
  });

  it('Vite fills a VITE_ reference to a variable set later; a reference to nothing is an error', () => {
    const later = envConnection(readLaravelEnv(lines('BROADCAST_CONNECTION=reverb', 'VITE_REVERB_HOST="${REVERB_HOST}"', 'REVERB_HOST=ws.example.test', 'REVERB_APP_KEY=k')));
    expect(later.connection).toMatchObject({ host: 'ws.example.test' });
    const nothing = envConnection(readLaravelEnv(lines('BROADCAST_CONNECTION=reverb', 'REVERB_APP_KEY=k', 'REVERB_HOST=h', 'VITE_REVERB_SCHEME="${VITE_REVERB_SCHEME}"')));
    expect(said(nothing, 'error')).toEqual([[4, expect.stringContaining('VITE_REVERB_SCHEME refers to itself')]]);
  });

  it('a broadcaster EchoScope cannot watch, one it does not know, and one that broadcasts nothing', () => {
    expect(said(envConnection(readLaravelEnv('BROADCAST_CONNECTION=ably')), 'error')).toEqual([[1, expect.stringContaining('ably is not a server EchoScope can watch')]]);
    expect(said(envConnection(readLaravelEnv('BROADCAST_CONNECTION=reverb-eu')), 'error')).toEqual([
      [1, expect.stringContaining('"reverb-eu" is not a connection EchoScope knows')],
    ]);
    expect(said(envConnection(readLaravelEnv('BROADCAST_CONNECTION=log')), 'error')).toEqual([[1, expect.stringContaining('Laravel writes its broadcasts to the log')]]);
    // log, with a Reverb server described: connected to, and said to get nothing
    const logged = envConnection(readLaravelEnv(lines('BROADCAST_CONNECTION=log', 'REVERB_APP_KEY=k', 'REVERB_HOST=localhost', 'REVERB_APP_SECRET=s')));
    expect(logged.connection).toMatchObject({ kind: 'reverb', key: 'k' });
    expect(said(logged, 'warning')).toEqual([[1, expect.stringContaining('gets no event until BROADCAST_CONNECTION=reverb')]]);
    // nothing set at all: Laravel's default is null
    expect(said(envConnection(readLaravelEnv('APP_NAME=x')), 'error')).toEqual([[null, expect.stringContaining('neither BROADCAST_CONNECTION nor BROADCAST_DRIVER is set')]]);
  });

  it('a variable set twice with different values: Laravel takes the last', () => {
    const result = envConnection(
      readLaravelEnv(lines('BROADCAST_CONNECTION=reverb', 'REVERB_APP_KEY=k', 'REVERB_HOST=localhost', 'REVERB_PORT=8080', 'REVERB_PORT=6001', 'REVERB_APP_SECRET=s')),
    );
    expect(result.connection).toMatchObject({ port: 6001 });
    expect(said(result, 'warning')).toEqual([[5, 'REVERB_PORT is set on lines 4, 5 with different values: Laravel uses the last one (line 5)']]);
  });
});
