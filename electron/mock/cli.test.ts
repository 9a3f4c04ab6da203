/** `echoscope mock`: the ready line, options over the config file, clean stop on the signal. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/main';
import { RawPusherClient } from '../../test-support/raw-pusher-client';

function harness(): { out: string[]; err: string[]; stop: () => void; io: Parameters<typeof runCli>[1]; ready: Promise<string> } {
  const out: string[] = [];
  const err: string[] = [];
  let stop: () => void = () => undefined;
  let ready: (line: string) => void = () => undefined;
  const readyLine = new Promise<string>((resolve) => (ready = resolve));
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => (stop = () => resolve('SIGTERM')));
  return {
    out,
    err,
    stop,
    ready: readyLine,
    io: {
      out: (line) => {
        out.push(line);
        ready(line);
      },
      err: (line) => err.push(line),
      stopSignal,
    },
  };
}

describe('echoscope mock', () => {
  it('prints exactly one JSON ready line, serves, and stops on the signal', async () => {
    const h = harness();
    const exit = runCli(['mock', '--port', '0', '--json', '--key', 'k1', '--secret', 's1'], h.io);
    const ready = JSON.parse(await h.ready) as { event: string; host: string; port: number };
    expect(ready).toMatchObject({ event: 'listening', host: '127.0.0.1' });
    const client = await RawPusherClient.connect(`ws://127.0.0.1:${ready.port}/app/k1?protocol=7`);
    h.stop();
    expect(await exit).toBe(0);
    await client.closed;
    expect(h.out).toHaveLength(1);
  });

  it('reads several apps from a config file; options override it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'echoscope-mock-'));
    const file = join(dir, 'mock.json');
    await writeFile(
      file,
      JSON.stringify({
        port: 1,
        apps: [
          { id: 'a', key: 'ka', secret: 'sa' },
          { id: 'b', key: 'kb', secret: 'sb' },
        ],
        limits: { clientEventRate: 5 },
      }),
    );
    const h = harness();
    const exit = runCli(['mock', '--config', file, '--port', '0', '--json'], h.io);
    const { port } = JSON.parse(await h.ready) as { port: number };
    const b = await RawPusherClient.connect(`ws://127.0.0.1:${port}/app/kb?protocol=7`);
    expect(b.socketId).toMatch(/^\d+\.\d+$/);
    h.stop();
    expect(await exit).toBe(0);
  });

  it('rejects a bad config file and a bad auth policy as usage errors (exit 2)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'echoscope-mock-'));
    const file = join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ apps: [{ id: 'a' }] }));
    const h = harness();
    expect(await runCli(['mock', '--config', file], h.io)).toBe(2);
    expect(h.err.join('\n')).toMatch(/apps\.0\.key/);
    const h2 = harness();
    expect(await runCli(['mock', '--auth-policy', 'maybe'], h2.io)).toBe(2);
  });
});
