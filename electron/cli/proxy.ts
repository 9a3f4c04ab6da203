import { readFile, writeFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { Analyzer, type AnalyzerOptions } from '../../shared/analysis';
import { describeZodError } from '../../shared/api';
import { parseFaultSpec, PROXY_FAULT_KINDS, PROXY_PROTOCOLS, ProxyFaultsSchema, ProxyProtocolSchema, type ProxyFaults } from '../../shared/proxy';
import { preciseNow } from '../core/clock';
import { PROXY_CONTROL_PATH, FaultProxy } from '../core/proxy';
import { formatVerdictTable } from './analyze';
import { EXIT, intOption, stringOption, UsageError, type CliCommand } from './command';
import { CONTRACT_OPTION_HELP, resolveContract } from './contract-option';
import { parseDuration, THRESHOLD_HELP, thresholdOption } from './duration';
import { printable } from './terminal-text';
import { openWatchJournal, type WatchJournal } from './watch-journal';

/**
 * `echoscope proxy`: the fault proxy in front of a real server — Pusher protocol (Reverb, soketi,
 * Pusher) or Socket.IO (laravel-echo-server, `--protocol socketio`). Clients connect here instead
 * of to the server; EchoScope journals what each client socket received,
 * injects the rules' faults, and at the end prints the verdicts of what the clients were given
 * and writes the ground truth of what it did.
 */
export const proxyCommand: CliCommand = {
  name: 'proxy',
  summary:
    'a fault-injecting proxy in front of a real server (Pusher protocol or Socket.IO): journals every client socket, drops/duplicates/reorders/delays/breaks events on purpose',
  usage: 'echoscope proxy --listen PORT --upstream ws://HOST:PORT [--protocol pusher|socketio] [--fault "KIND key=value …"]… [--faults FILE] [--journal FILE] [--truth FILE]',
  details: [
    'Point your frontend (or a Playwright test) at ws://127.0.0.1:PORT instead of the server: the same',
    'key, path and auth. Each client socket is one observation (proxy:1, proxy:2, …).',
    '',
    "laravel-echo-server (Socket.IO 2): --protocol socketio, and Echo's host set to http://127.0.0.1:PORT.",
    "Give Echo transports: ['websocket']: HTTP long-polling is passed on to the server, but only what a",
    'client receives on a WebSocket is journaled and faulted.',
    '',
    `Fault kinds: ${PROXY_FAULT_KINDS.join(', ')}. A rule chooses channel events by channel=PATTERN`,
    'and event=PATTERN (* is any run of characters), then nth=N,M (positions per client and channel)',
    'or probability=P (seeded), and clients=1,2 (sockets in the order they connected). Fields:',
    '  duplicate copies=N · reorder window=N maxHoldMs=MS · delay delayMs=MS · malformed resend=false',
    '  disconnect code=4000-4999 reason=TEXT · ping-silence durationMs=MS',
    '',
    'Examples:',
    '  echoscope proxy --listen 6002 --upstream ws://127.0.0.1:6001 --fault "drop event=chunk.delivered nth=3,7"',
    '  echoscope proxy --listen 6002 --upstream ws://127.0.0.1:8080 --faults faults.yaml --journal run.ndjson --truth truth.json',
    '  echoscope proxy --listen 6002 --upstream ws://127.0.0.1:6001 --protocol socketio --fault "delay event=chunk.delivered nth=5 delayMs=900"',
    '',
    `While it runs: GET http://127.0.0.1:PORT${PROXY_CONTROL_PATH} (status), …/truth, and PUT …/faults`,
    '(application/json, {seed?, faults: [...]}) to change the rules at run time.',
    '',
    'Exit codes: 0 stopped (Ctrl-C or --for), 1 the journal or the truth could not be written, 2 bad options.',
  ].join('\n'),
  options: {
    listen: { type: 'string', description: 'port the clients connect to (0 picks one and prints it)', valueName: 'port' },
    host: { type: 'string', description: 'address to listen on', valueName: 'host', default: '127.0.0.1' },
    upstream: { type: 'string', description: "the real server's WebSocket address (ws:// or wss://host:port)", valueName: 'url' },
    protocol: { type: 'string', description: `the server's wire: ${PROXY_PROTOCOLS.join(' or ')} (laravel-echo-server)`, valueName: 'name', default: 'pusher' },
    fault: { type: 'string', multiple: true, description: 'a fault rule, "KIND key=value …" (repeatable)', valueName: 'rule' },
    faults: { type: 'string', description: 'a rule set file (YAML or JSON: {seed, faults: [...]}); --fault rules are added to it', valueName: 'file' },
    seed: { type: 'string', description: 'seed of the probability draws (overrides the file’s)', valueName: 'n' },
    journal: { type: 'string', description: 'record every client socket to this NDJSON journal file or journal directory', valueName: 'file|dir' },
    truth: { type: 'string', description: 'write the ground truth (what was done to which event, per client) here when the proxy stops', valueName: 'file' },
    for: { type: 'string', description: 'stop after this long (30s, 5m); default: until Ctrl-C', valueName: 'duration' },
    contract: { type: 'string', description: CONTRACT_OPTION_HELP, valueName: 'name|file' },
    'stall-after': { type: 'string', description: `silence before a session counts as stalled ${THRESHOLD_HELP}`, valueName: 'duration', default: '8s' },
    json: { type: 'boolean', description: 'print the verdict JSON instead of the table' },
    quiet: { type: 'boolean', short: 'q', description: 'no per-client lines on stderr' },
  },
  async run(args, io) {
    const upstream = stringOption(args, 'upstream');
    if (upstream === undefined) throw new UsageError('--upstream is required: the address of the real server, e.g. ws://127.0.0.1:8080');
    if (args.values.listen === undefined) throw new UsageError('--listen is required: the port your clients connect to instead of the server');
    const port = intOption(args, 'listen', 0, 0, 65_535);
    const protocol = ProxyProtocolSchema.safeParse(stringOption(args, 'protocol') ?? 'pusher');
    if (!protocol.success) throw new UsageError(`--protocol ${stringOption(args, 'protocol')}: one of ${PROXY_PROTOCOLS.join(', ')}`);
    const faults = await faultsFromArgs(args.values);
    const analyzerOptions: AnalyzerOptions = { stallAfterMs: thresholdOption(args, 'stall-after', 8000) };
    const contract = stringOption(args, 'contract');
    if (contract !== undefined) {
      try {
        analyzerOptions.profile = await resolveContract(contract);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
    }
    const duration = stringOption(args, 'for');
    const forMs = duration === undefined ? undefined : parseDuration(duration, 'for');
    const quiet = args.values.quiet === true;
    const say = (line: string) => io.err(`echoscope proxy: ${printable(line)}`);

    const journalPath = stringOption(args, 'journal');
    let journal: WatchJournal | undefined;
    let failed: string | undefined;
    if (journalPath !== undefined) {
      try {
        journal = await openWatchJournal(journalPath, say);
      } catch (error) {
        throw new UsageError(`--journal ${journalPath}: ${(error as Error).message}`);
      }
      journal.onError((error) => (failed ??= `cannot write the journal ${journalPath}: ${error.message}`));
    }
    const analyzer = new Analyzer(analyzerOptions);
    let proxy: FaultProxy;
    try {
      proxy = await FaultProxy.start({
        upstream,
        protocol: protocol.data,
        host: stringOption(args, 'host') ?? '127.0.0.1',
        port,
        faults,
        record: (record) => {
          analyzer.ingest(record);
          journal?.add(record);
          if (!quiet && record.type === 'connection' && (record.state === 'connecting' || record.state === 'disconnected')) {
            say(
              `${record.connection} ${record.state === 'connecting' ? 'connected' : `closed${record.code === undefined ? '' : ` (${record.code}${record.reason ? ` ${record.reason}` : ''})`}`}`,
            );
          }
        },
        log: say,
      });
    } catch (error) {
      await journal?.close();
      const message = error instanceof Error ? error.message : String(error);
      throw new UsageError(message.startsWith('--upstream') ? message : `--listen ${port}: cannot listen (${message})`);
    }
    say(
      `listening at ${proxy.url} → ${proxy.upstream}${proxy.protocol === 'socketio' ? ' (Socket.IO)' : ''} · ${faults.faults.length} fault rule${faults.faults.length === 1 ? '' : 's'} · control ${proxy.url.replace(/^ws:/, 'http:')}${PROXY_CONTROL_PATH}`,
    );

    await new Promise<void>((resolve) => {
      const timer = forMs === undefined ? undefined : setTimeout(resolve, forMs);
      void io.stopSignal.then(() => {
        if (timer !== undefined) clearTimeout(timer);
        resolve();
      });
    });
    await proxy.close();
    try {
      await journal?.close();
    } catch (error) {
      failed ??= `cannot write the journal ${journalPath}: ${(error as Error).message}`;
    }
    const truthPath = stringOption(args, 'truth');
    if (truthPath !== undefined) {
      try {
        await writeFile(truthPath, `${JSON.stringify(proxy.truth(), null, 2)}\n`);
      } catch (error) {
        failed ??= `cannot write the ground truth ${truthPath}: ${(error as Error).message}`;
      }
    }
    const end = Number.isFinite(analyzer.lastAt) ? analyzer.lastAt : preciseNow();
    const verdict = analyzer.verdicts(end, { endOfJournal: true });
    io.out(args.values.json === true ? JSON.stringify(verdict, null, 2) : formatVerdictTable(verdict));
    if (failed !== undefined) {
      say(failed);
      return EXIT.failed;
    }
    return EXIT.ok;
  },
};

/** The rule set: the file's (if any), the `--fault` rules after it, `--seed` over both; every rule checked by the schema. */
async function faultsFromArgs(values: Record<string, unknown>): Promise<ProxyFaults> {
  const file = typeof values.faults === 'string' ? values.faults : undefined;
  let document: { seed?: unknown; faults?: unknown[] } = {};
  if (file !== undefined) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new UsageError(`--faults ${file}: ${(error as Error).message}`);
    }
    let parsed: unknown;
    try {
      parsed = parseYaml(text);
    } catch (error) {
      throw new UsageError(`--faults ${file}: not YAML or JSON (${(error as Error).message.split('\n')[0]})`);
    }
    if (Array.isArray(parsed)) document = { faults: parsed };
    else if (typeof parsed === 'object' && parsed !== null) document = parsed as typeof document;
    else throw new UsageError(`--faults ${file}: expected {seed, faults: [...]} or a list of rules`);
  }
  const specs = Array.isArray(values.fault) ? values.fault.filter((v): v is string => typeof v === 'string') : [];
  const rules: unknown[] = [...(Array.isArray(document.faults) ? document.faults : document.faults === undefined ? [] : [document.faults])];
  for (const spec of specs) {
    const read = parseFaultSpec(spec);
    if (!read.ok) throw new UsageError(`--fault "${spec}": ${read.message}`);
    rules.push(read.rule);
  }
  const seed = typeof values.seed === 'string' ? Number(values.seed) : document.seed;
  const parsed = ProxyFaultsSchema.safeParse({ ...document, ...(seed === undefined ? {} : { seed }), faults: rules });
  if (!parsed.success) {
    const fromFile = file === undefined ? 0 : Array.isArray(document.faults) ? document.faults.length : 0;
    const issue = describeZodError(parsed.error).replace(/^faults\.(\d+)/, (_m, i: string) =>
      Number(i) < fromFile ? `--faults ${file}: faults[${i}]` : `--fault "${specs[Number(i) - fromFile]}"`,
    );
    throw new UsageError(issue);
  }
  return parsed.data;
}
