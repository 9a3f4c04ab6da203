import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { DEFAULT_APP, startMockServer, type MockServer } from '../mock/index';
import { EventScheduler } from '../mock/simulator';
import { isHar, MAX_HAR_FILE_BYTES, NdjsonJournalReader, parseHar, sniffJournalFormat, SNIFF_BYTES, type FrameRecord } from '../../shared/journal';
import { EXIT, intOption, stringOption, UsageError, type CliCommand, type CliIo } from './command';
import { DEFAULT_MOCK_PORT } from './mock';

/** Frames a server sent on a channel (not protocol frames, which the mock produces itself). */
function isBroadcast(record: FrameRecord): record is FrameRecord & { channel: string } {
  return record.channel !== undefined && !record.event.startsWith('pusher:') && !record.event.startsWith('pusher_internal:');
}

export const replayCommand: CliCommand = {
  name: 'replay',
  summary: 're-broadcast a recorded NDJSON journal or HAR file through the mock provider with its original timing',
  usage: 'echoscope replay FILE [--speed X] [--port N] [--app-id ID --key KEY --secret S] [--connection C|all] [--immediately] [--keep-open] [--json]',
  details: [
    "FILE is an EchoScope NDJSON journal or a HAR file (a browser's, or `analyze --har-out`'s; told apart by content).",
    'Reproduces a production incident locally: every broadcast frame of the journal is published again on its',
    'channel, with its event name and payload byte for byte (broken JSON included), spaced as it arrived.',
    'By default the replay waits until a client subscribes to one of the journal’s channels, so point your',
    'frontend (or `echoscope watch`) at the printed URL first. Meanwhile the journal’s channels are listed as',
    'occupied by the HTTP API, so `echoscope watch --discover PREFIX` finds them. A journal recorded on several connections holds',
    'each broadcast once per connection: the busiest connection is replayed unless --connection says otherwise.',
    '',
    'Examples:',
    '  echoscope replay incident.ndjson                 # ws://127.0.0.1:6001/app/echoscope-key, real time',
    '  echoscope replay incident.ndjson --speed 10 --port 0 --immediately',
    '',
    'Exit codes: 0 replayed (or stopped), 1 the mock could not start, 2 unusable journal or options.',
  ].join('\n'),
  allowPositionals: true,
  options: {
    speed: { type: 'string', valueName: 'X', description: 'time factor: 2 = twice as fast, 0.5 = half speed', default: '1' },
    port: { type: 'string', short: 'p', valueName: 'n', description: `port, 0 = pick a free one (default: ${DEFAULT_MOCK_PORT})` },
    host: { type: 'string', valueName: 'host', description: 'interface to listen on (default: 127.0.0.1)' },
    'app-id': { type: 'string', valueName: 'id', description: `app id (default: ${DEFAULT_APP.id})` },
    key: { type: 'string', valueName: 'key', description: `app key (default: ${DEFAULT_APP.key})` },
    secret: { type: 'string', valueName: 'secret', description: `app secret (default: ${DEFAULT_APP.secret})` },
    connection: { type: 'string', valueName: 'C|all', description: 'journal connection to replay (default: the one with most frames)' },
    immediately: { type: 'boolean', description: 'start at once instead of waiting for a subscriber' },
    'keep-open': { type: 'boolean', description: 'keep the mock running after the replay, until Ctrl+C' },
    json: { type: 'boolean', description: 'print JSON lines ({"event":"listening"|"started"|"finished",…}) instead of text' },
  },
  async run(args, io) {
    if (args.positionals.length !== 1) throw new UsageError('expected exactly one journal FILE');
    const file = args.positionals[0]!;
    const speed = Number(stringOption(args, 'speed') ?? '1');
    if (!Number.isFinite(speed) || speed <= 0) throw new UsageError(`--speed must be a positive number, got ${JSON.stringify(stringOption(args, 'speed'))}`);
    const frames = await readBroadcasts(file, io);
    if (frames === null) return EXIT.unusable;
    const chosen = chooseConnection(frames, stringOption(args, 'connection'), io);
    if (chosen === null) return EXIT.unusable;
    if (chosen.length === 0) {
      io.err(`echoscope replay: ${file} holds no broadcast frame to replay`);
      return EXIT.unusable;
    }
    const app = {
      id: stringOption(args, 'app-id') ?? DEFAULT_APP.id,
      key: stringOption(args, 'key') ?? DEFAULT_APP.key,
      secret: stringOption(args, 'secret') ?? DEFAULT_APP.secret,
    };
    let server: MockServer;
    try {
      server = await startMockServer({ host: stringOption(args, 'host') ?? '127.0.0.1', port: intOption(args, 'port', DEFAULT_MOCK_PORT, 0, 65535), apps: [app] });
    } catch (error) {
      io.err(`echoscope replay: could not start the mock: ${error instanceof Error ? error.message : String(error)}`);
      return EXIT.failed;
    }
    const json = args.values.json === true;
    const channels = [...new Set(chosen.map((f) => f.channel))];
    const say = (text: string, event: Record<string, unknown>): void => io.out(json ? JSON.stringify(event) : text);
    say(
      `EchoScope replay of ${file}: ${chosen.length} events on ${channels.length} channel${channels.length === 1 ? '' : 's'} at ${speed}× speed\n  WebSocket  ${server.wsUrl}/app/${app.key}?protocol=7  (app ${app.id}, secret ${app.secret})\n  auth endpoint ${server.httpUrl}/broadcasting/auth`,
      {
        event: 'listening',
        host: server.host,
        port: server.port,
        url: `${server.wsUrl}/app/${app.key}?protocol=7`,
        events: chosen.length,
        channels,
      },
    );
    // The journal's channels are listed as occupied from now on (the HTTP API), so `watch --discover` finds them before anyone subscribed.
    const withdraw = server.announceChannels(channels, app.id);
    try {
      if (!args.values.immediately) {
        if (!json)
          io.out(`Waiting for a client to subscribe to ${channels.length === 1 ? channels[0] : `one of ${channels.length} channels: ${channels.join(', ')}`} (Ctrl+C to stop)…`);
        const subscribed = await Promise.race([waitForSubscriber(server, channels).then(() => true), io.stopSignal.then(() => false)]);
        if (!subscribed) return EXIT.ok;
      }
      say('Replaying…', { event: 'started' });
      const result = await Promise.race([play(server, chosen, speed), io.stopSignal.then(() => null)]);
      if (result === null) return EXIT.ok;
      say(`Replayed ${result.published} events in ${(result.elapsedMs / 1000).toFixed(1)} s (p99 timing error ${result.p99ErrorMs.toFixed(1)} ms).`, {
        event: 'finished',
        ...result,
      });
      if (args.values['keep-open']) {
        if (!json) io.out('Still serving; press Ctrl+C to stop.');
        await io.stopSignal;
      }
      return EXIT.ok;
    } finally {
      withdraw();
      await server.close();
    }
  },
};

/** A HAR's received frames (read whole: a HAR is one JSON document), or null after saying why not. */
async function readHarBroadcasts(file: string, io: CliIo): Promise<(FrameRecord & { channel: string })[] | null> {
  let document: unknown;
  try {
    const handle = await open(file, 'r');
    const size = (await handle.stat()).size;
    await handle.close();
    if (size > MAX_HAR_FILE_BYTES) {
      io.err(`echoscope replay: ${file} is a HAR of ${Math.round(size / 1024 / 1024)} MB, over ${MAX_HAR_FILE_BYTES / 1024 / 1024} MB: a HAR is read whole; export NDJSON instead`);
      return null;
    }
    document = JSON.parse((await readFile(file, 'utf8')).replace(/^\uFEFF/, ''));
  } catch (error) {
    io.err(`echoscope replay: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
  if (!isHar(document)) {
    io.err(`echoscope replay: ${file} is neither an EchoScope NDJSON journal nor a HAR file`);
    return null;
  }
  const imported = parseHar(document);
  for (const issue of imported.issues.slice(0, 10)) io.err(`echoscope replay: ${file}: ${issue.message} (skipped)`);
  return imported.records.filter((record): record is FrameRecord & { channel: string } => record.type === 'frame' && isBroadcast(record));
}

async function readBroadcasts(file: string, io: CliIo): Promise<(FrameRecord & { channel: string })[] | null> {
  let head: string;
  try {
    const handle = await open(file, 'r');
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    await handle.close();
    head = buffer.subarray(0, bytesRead).toString('utf8');
  } catch (error) {
    io.err(`echoscope replay: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
  if (sniffJournalFormat(head) === 'har') return readHarBroadcasts(file, io);
  const frames: (FrameRecord & { channel: string })[] = [];
  const reader = new NdjsonJournalReader((record) => {
    if (record.type === 'frame' && isBroadcast(record)) frames.push(record);
  });
  try {
    for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) reader.push(chunk as string);
  } catch (error) {
    io.err(`echoscope replay: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
  const summary = reader.end();
  if (summary.header === null && summary.records === 0) {
    io.err(`echoscope replay: ${file} is not an EchoScope NDJSON journal (no journal record in ${summary.lines} lines)`);
    return null;
  }
  for (const issue of summary.issues.slice(0, 10)) io.err(`echoscope replay: ${file}:${issue.line}: ${issue.message} (skipped)`);
  // Journals are written in arrival order, but merged journals may not be: replay in time order.
  return frames.sort((a, b) => a.at - b.at);
}

function chooseConnection<T extends FrameRecord>(frames: T[], wanted: string | undefined, io: CliIo): T[] | null {
  const counts = new Map<string, number>();
  for (const f of frames) counts.set(f.connection, (counts.get(f.connection) ?? 0) + 1);
  if (wanted === 'all' || counts.size <= 1) return frames;
  if (wanted !== undefined) {
    if (!counts.has(wanted)) {
      io.err(`echoscope replay: no frames on connection "${wanted}"; the journal has ${[...counts.keys()].join(', ')}`);
      return null;
    }
    return frames.filter((f) => f.connection === wanted);
  }
  const busiest = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
  io.err(`echoscope replay: the journal has ${counts.size} connections (${[...counts.keys()].join(', ')}); replaying "${busiest}" (--connection all for every one)`);
  return frames.filter((f) => f.connection === busiest);
}

function waitForSubscriber(server: MockServer, channels: string[]): Promise<void> {
  const wanted = new Set(channels);
  if (channels.some((c) => server.subscriberCount(c) > 0)) return Promise.resolve();
  return new Promise((resolve) => {
    const off = server.onSubscribed((event) => {
      if (!wanted.has(event.channel)) return;
      off();
      // Let the server finish answering the subscribe before the first event goes out.
      setImmediate(resolve);
    });
  });
}

/** Publishes every frame at its original offset / speed on one scheduler; resolves when done. */
function play(server: MockServer, frames: (FrameRecord & { channel: string })[], speed: number): Promise<{ published: number; elapsedMs: number; p99ErrorMs: number }> {
  const scheduler = new EventScheduler();
  const start = scheduler.clock.now();
  const first = frames[0]!.at;
  const errors: number[] = [];
  let published = 0;
  return new Promise((resolve) => {
    frames.forEach((frame, i) => {
      scheduler.at(start + (frame.at - first) / speed, (late) => {
        errors.push(Math.abs(late));
        // `data` is the parsed payload, or the raw string when it was not JSON: either goes out as it came in.
        server.publish({ channel: frame.channel, event: frame.event, data: typeof frame.data === 'string' ? frame.data : JSON.stringify(frame.data) });
        published++;
        if (i === frames.length - 1) {
          errors.sort((a, b) => a - b);
          resolve({ published, elapsedMs: scheduler.clock.now() - start, p99ErrorMs: errors[Math.max(0, Math.ceil(errors.length * 0.99) - 1)] ?? 0 });
        }
      });
    });
  });
}
