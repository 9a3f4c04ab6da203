import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { Analyzer, type AnalyzerOptions, type SessionVerdict, type Verdict } from '../../shared/analysis';
import {
  isHar,
  MAX_HAR_FILE_BYTES,
  NdjsonJournalReader,
  parseHar,
  sniffJournalFormat,
  SNIFF_BYTES,
  type JournalIssue,
  type JournalReadSummary,
  type JournalRecord,
} from '../../shared/journal';
import { IngestGuard } from '../core/ingest-guard';
import { isJournalDirectory, listSegments, segmentFile } from '../core/journal/journal-directory';
import { writeHar, type RecordSource } from './analyze-har';
import { CONTRACT_OPTION_HELP, resolveContract } from './contract-option';
import { FAIL_ON_HELP, failOnReport, parseFailOn } from './fail-on';
import { printable } from './terminal-text';
import { THRESHOLD_HELP, thresholdOption } from './duration';
import { EXIT, stringOption, UsageError, type CliCommand, type CliIo } from './command';

/** Warnings printed per file before "… and N more". */
const MAX_PRINTED_ISSUES = 20;

export const analyzeCommand: CliCommand = {
  name: 'analyze',
  summary: 'verdicts for an NDJSON journal (a file or a journal directory) or a HAR file',
  usage: 'echoscope analyze FILE|DIR [--json] [--contract NAME|F] [--fail-on KIND,…|any] [--stall-after MS] [--orphan-after MS] [--har-out PATH [--session ID]]',
  details: [
    'FILE is an EchoScope NDJSON journal or a browser HAR export (told apart by content); DIR a journal directory',
    "(serve's data-dir/journal, or a watch --journal directory), read segment by segment in order.",
    "Each channel's contract is detected from its first frames (echoscope, laravel-ai, prism, vercel-data-stream);",
    'the table says which, with the reason, and lists channels whose frames fit none. --contract NAME|F reads every',
    "channel with one contract instead. The Laravel AI SDK's and Prism's broadcasts carry no sequence numbers: one",
    'session per channel, duplicates by event id, restarts by run id (docs/detection.md).',
    'Broken lines are reported on stderr with their line number and skipped.',
    "--har-out PATH also writes what was read as a HAR 1.2 file (Chrome's _webSocketMessages, one entry per",
    'connection) that DevTools, HAR viewers and `echoscope analyze`/`replay` open; --session ID writes only that',
    "session: its frames, its channels' subscriptions and its connections' changes. The file is written as it is",
    'read (the input is read again once per connection), so its size has no limit.',
    '--fail-on gates a pipeline: exit 1 when a session shows one of the anomaly kinds or statuses named',
    '(e.g. --fail-on replay,gap,errored, or any), saying which on stderr; the verdicts are printed either way.',
    'Exit codes: 0 analyzed, 1 a --fail-on kind or status occurred, 2 the file (or the profile) cannot be read at all.',
  ].join('\n'),
  allowPositionals: true,
  options: {
    json: { type: 'boolean', description: 'print the verdict JSON (DESIGN §5) instead of a table' },
    contract: { type: 'string', valueName: 'NAME|F', description: CONTRACT_OPTION_HELP },
    profile: { type: 'string', valueName: 'F', description: 'contract profile file (JSON or YAML); the same as --contract F' },
    'fail-on': { type: 'string', valueName: 'KIND,…', description: FAIL_ON_HELP },
    'stall-after': { type: 'string', valueName: 'duration', description: `silence that counts as a stall ${THRESHOLD_HELP}`, default: '8s' },
    'orphan-after': { type: 'string', valueName: 'duration', description: `silence before the journal end that makes a session orphaned ${THRESHOLD_HELP}`, default: '5m' },
    'har-out': { type: 'string', valueName: 'PATH', description: 'also write the run as a HAR file (DevTools opens it)' },
    session: { type: 'string', valueName: 'ID', description: 'with --har-out: only this session' },
  },
  async run(args, io) {
    if (args.positionals.length !== 1) throw new UsageError('expected exactly one FILE');
    const file = args.positionals[0]!;
    const options: AnalyzerOptions = {
      stallAfterMs: thresholdOption(args, 'stall-after', 8000),
      orphanAfterMs: thresholdOption(args, 'orphan-after', 300_000),
    };
    const failOnValue = stringOption(args, 'fail-on');
    const failOn = failOnValue === undefined ? undefined : parseFailOn(failOnValue);
    const contract = stringOption(args, 'contract') ?? stringOption(args, 'profile');
    if (contract !== undefined) {
      try {
        options.profile = await resolveContract(contract);
      } catch (error) {
        io.err(`echoscope analyze: ${(error as Error).message}`);
        return EXIT.unusable;
      }
    }
    const harOut = stringOption(args, 'har-out');
    const sessionId = stringOption(args, 'session');
    if (sessionId !== undefined && harOut === undefined) throw new UsageError('--session ID names what --har-out writes: give --har-out PATH too');
    const read: { source?: RecordSource } = {};
    const verdict = await analyzeFile(file, options, io, read);
    if (verdict === null) return EXIT.unusable;
    io.out(args.values.json ? JSON.stringify(verdict, null, 2) : formatVerdictTable(verdict));
    if (harOut !== undefined) {
      if (sessionId !== undefined && !verdict.sessions.some((session) => session.sessionId === sessionId)) {
        io.err(`echoscope analyze: ${file} has no session ${printable(sessionId)}: nothing written to ${harOut}`);
        return EXIT.unusable;
      }
      try {
        const records = await writeHar({
          path: harOut,
          source: read.source!,
          creator: { name: 'EchoScope', version: process.env.npm_package_version ?? '0.1.0' },
          verdict,
          analyzer: options,
          ...(sessionId === undefined ? {} : { sessionId }),
        });
        io.err(`echoscope analyze: wrote ${records} records${sessionId === undefined ? '' : ` of session ${printable(sessionId)}`} as HAR to ${harOut}`);
      } catch (error) {
        io.err(`echoscope analyze: cannot write ${harOut}: ${error instanceof Error ? error.message : String(error)}`);
        return EXIT.unusable;
      }
    }
    const failure = failOn === undefined ? null : failOnReport(verdict, failOn);
    if (failure !== null) {
      io.err(`echoscope analyze: ${failure}`);
      return EXIT.failed;
    }
    return EXIT.ok;
  },
};

type FileKind = 'ndjson' | 'har' | 'directory';

/** A journal directory, else what the file's first 64 KiB say it is (shared/journal/detect.ts). */
async function sniff(path: string): Promise<FileKind> {
  if (isJournalDirectory(path)) return 'directory';
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return sniffJournalFormat(buffer.subarray(0, bytesRead).toString('utf8'));
  } finally {
    await handle.close();
  }
}

function printIssues(file: string, issues: readonly JournalIssue[], total: number, io: CliIo): void {
  for (const issue of issues.slice(0, MAX_PRINTED_ISSUES)) {
    io.err(`echoscope analyze: ${file}${issue.line > 0 ? `:${issue.line}` : ''}: ${printable(issue.message)}`);
  }
  if (total > MAX_PRINTED_ISSUES) io.err(`echoscope analyze: ${file}: … and ${total - MAX_PRINTED_ISSUES} more problems`);
}

/** Streams an NDJSON journal file into `ingest` in bounded memory; its reader's summary, or null (after saying why) when it cannot be read. */
async function readNdjson(file: string, ingest: (record: JournalRecord) => void, io: CliIo): Promise<JournalReadSummary | null> {
  const reader = new NdjsonJournalReader(ingest);
  try {
    for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) reader.push(chunk as string);
  } catch (error) {
    io.err(`echoscope analyze: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
  return reader.end();
}

/** Verdicts for a journal or HAR file, or null (after saying why on stderr) when it cannot be read. */
export async function analyzeFile(file: string, options: AnalyzerOptions, io: CliIo, read: { source?: RecordSource } = {}): Promise<Verdict | null> {
  let kind: FileKind;
  try {
    kind = await sniff(file);
  } catch (error) {
    io.err(`echoscope analyze: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
  const analyzer = new Analyzer(options);
  const guard = new IngestGuard((message) => io.err(`echoscope analyze: ${file}: ${printable(message)}`));
  const ingest = (record: JournalRecord): void => void guard.feed((r) => analyzer.ingest(r), record);
  if (kind === 'directory') {
    // Each segment is a whole journal (its own header); together, in order, they are one.
    const segments = listSegments(file).segments.map((segment) => segmentFile(file, segment));
    let records = 0;
    for (const segment of segments) {
      const summary = await readNdjson(segment, ingest, io);
      if (summary === null) return null;
      records += summary.records;
      printIssues(segment, summary.issues, summary.issueCount, io);
    }
    if (segments.length === 0) {
      io.err(`echoscope analyze: ${file} is a directory without journal segments (00000001.ndjson, …)`);
      return null;
    }
    if (records === 0) io.err(`echoscope analyze: ${file}: the journal holds no records`);
    read.source = { kind: 'ndjson', files: segments };
  } else if (kind === 'har') {
    let text: string;
    try {
      const size = (await stat(file)).size;
      if (size > MAX_HAR_FILE_BYTES) {
        io.err(
          `echoscope analyze: ${file} is a HAR of ${Math.round(size / 1024 / 1024)} MB, over ${MAX_HAR_FILE_BYTES / 1024 / 1024} MB: a HAR is one JSON document, read whole; record an NDJSON journal instead`,
        );
        return null;
      }
      text = await readFile(file, 'utf8');
    } catch (error) {
      io.err(`echoscope analyze: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    }
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch {
      document = undefined;
    }
    if (!isHar(document)) {
      io.err(`echoscope analyze: ${file} is neither an EchoScope journal (NDJSON) nor a HAR file`);
      return null;
    }
    const imported = parseHar(document);
    printIssues(file, imported.issues, imported.issues.length, io);
    if (imported.connections === 0) io.err(`echoscope analyze: ${file}: the HAR holds no WebSocket messages`);
    for (const record of imported.records) ingest(record);
    read.source = { kind: 'har', records: imported.records };
  } else {
    const summary = await readNdjson(file, ingest, io);
    if (summary === null) return null;
    if (summary.header === null && summary.records === 0) {
      io.err(`echoscope analyze: ${file} is neither an EchoScope journal (NDJSON) nor a HAR file (no journal record in ${summary.lines} lines)`);
      return null;
    }
    printIssues(file, summary.issues, summary.issueCount, io);
    read.source = { kind: 'ndjson', files: [file] };
  }
  const end = Number.isFinite(analyzer.lastAt) ? analyzer.lastAt : 0;
  return analyzer.verdicts(end, { endOfJournal: true });
}

const COLUMNS: { title: string; value: (s: SessionVerdict) => string; left?: boolean }[] = [
  { title: 'SESSION', value: (s) => printable(s.sessionId), left: true },
  { title: 'STATUS', value: (s) => printable(s.status), left: true },
  { title: 'EVENTS', value: (s) => String(s.events) },
  { title: 'DUPS', value: (s) => (!s.checks.duplicates ? '—' : String(s.duplicates)) },
  { title: 'REPLAYS', value: (s) => String(s.replays) },
  // '—': the contract cannot tell (a stream without sequence numbers), which is not 0
  { title: 'GAPS', value: (s) => (!s.checks.gaps ? '—' : s.missing === 0 ? '0' : `${s.gaps.length} (${s.missing} missing)`) },
  { title: 'OUT-OF-ORDER', value: (s) => (!s.checks.order ? '—' : String(s.outOfOrder)) },
  { title: 'AFTER-TERMINAL', value: (s) => String(s.afterTerminal) },
  { title: 'VIOLATIONS', value: (s) => String(s.violations) },
  { title: 'P95 INTER-TOKEN', value: (s) => (s.interTokenMs === null ? '-' : `${s.interTokenMs.p95} ms`) },
];

/** Extra columns a verdict needs: which vantage (when several saw anything), where a late join began, what a vantage lost. */
function columnsFor(verdict: Verdict): typeof COLUMNS {
  const vantages = new Set(verdict.sessions.map((s) => `${s.source ?? ''}\u0001${s.connection}`));
  const columns = [...COLUMNS];
  if (verdict.sessions.some((s) => s.contract.name !== 'echoscope')) columns.splice(1, 0, { title: 'CONTRACT', value: (s) => printable(s.contract.name), left: true });
  if (vantages.size > 1) {
    const label = (s: SessionVerdict) => `${s.source === undefined ? s.connection : `${s.source} · ${s.connection}`}${s.tap === undefined ? '' : ' (tap)'}`;
    columns.splice(1, 0, { title: 'VANTAGE', value: (s) => printable(label(s)), left: true });
  }
  if (verdict.sessions.some((s) => s.joinedLate)) columns.push({ title: 'COVERAGE', value: (s) => (s.joinedLate ? `from #${s.coverage.fromSequence}` : 'all'), left: true });
  if (verdict.comparisons.length > 0) columns.push({ title: 'LOST', value: (s) => String(s.deliveryLoss) });
  // Published versus delivered: a client observation of a session a tap saw ('' for the tap itself and other sessions).
  if (verdict.sessions.some((s) => s.published !== undefined)) {
    const ranges = (list: readonly { from: number; to: number }[]) => list.map((r) => (r.from === r.to ? `#${r.from}` : `#${r.from}-${r.to}`)).join(',');
    columns.push(
      {
        title: 'NOT-DELIVERED',
        value: (s) =>
          s.published === undefined
            ? ''
            : s.published.notDeliveredCount === 0
              ? '0'
              : `${s.published.notDeliveredCount} (${ranges(s.published.notDelivered.slice(0, 3))}${s.published.notDelivered.length > 3 ? ',…' : ''})`,
      },
      { title: 'NOT-PUBLISHED', value: (s) => (s.published === undefined ? '' : String(s.published.notPublishedCount)) },
      { title: 'PUBLISH→ARRIVAL P95', value: (s) => (s.published?.publishToArrivalMs ? `${s.published.publishToArrivalMs.p95} ms` : s.published ? '-' : '') },
    );
  }
  return columns;
}

export function formatVerdictTable(verdict: Verdict): string {
  const columns = columnsFor(verdict);
  const rows = verdict.sessions.map((session) => columns.map((column) => column.value(session)));
  // A loop, not Math.max(...rows): spreading 130,000 rows into arguments overflows the stack.
  const widths = columns.map((column) => column.title.length);
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) if (row[i]!.length > widths[i]!) widths[i] = row[i]!.length;
  }
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (columns[i]!.left ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const s = verdict.summary;
  const byStatus = Object.entries(s.byStatus)
    .map(([status, n]) => `${n} ${printable(status)}`)
    .join(', ');
  const seen = s.observations > s.sessions ? ` seen as ${s.observations} observations` : '';
  return [
    line(columns.map((column) => column.title)),
    ...rows.map(line),
    '',
    ...contractLines(verdict),
    `${s.sessions} session${s.sessions === 1 ? '' : 's'}${seen}${byStatus ? ` (${byStatus})` : ''}; ${s.events} events, ${s.duplicates} duplicates, ${s.replays} replays, ${s.missing} missing, ${s.violations} violations, ${s.disconnects} disconnects${s.deliveryLoss > 0 ? `, ${s.deliveryLoss} lost by one vantage and received by another` : ''}`,
  ].join('\n');
}

/** Samples of unrecognised channels printed before "… and N more". */
const MAX_PRINTED_UNRECOGNISED = 10;

/**
 * Which contract each channel was read with and why (one line per contract and reason), and the
 * channels no contract read, each with a sample: detection is never silent (issue 18).
 */
function contractLines(verdict: Verdict): string[] {
  const channels = new Map<string, { choice: SessionVerdict['contract']; channels: Set<string> }>();
  for (const session of verdict.sessions) {
    const { name, confidence, reason } = session.contract;
    const key = `${name}\u0000${confidence}\u0000${confidence === 'given' ? '' : reason.replace(/"[^"]*"/g, '')}`;
    const entry = channels.get(key) ?? { choice: session.contract, channels: new Set<string>() };
    entry.channels.add(session.channel);
    channels.set(key, entry);
  }
  const lines: string[] = [];
  for (const { choice, channels: set } of channels.values()) {
    const how = choice.confidence === 'given' ? 'given with --contract' : `detected, ${choice.confidence} confidence: ${choice.reason}`;
    lines.push(`contract ${printable(choice.name)} for ${set.size} channel${set.size === 1 ? '' : 's'} (${printable(how)})`);
  }
  const unrecognised = verdict.unrecognised;
  for (const channel of unrecognised.slice(0, MAX_PRINTED_UNRECOGNISED)) {
    const read = channel.contract === null ? 'fit no contract' : `were not read by ${channel.contract}`;
    lines.push(
      `unrecognised channel ${printable(channel.channel)}: ${channel.frames} frame${channel.frames === 1 ? '' : 's'} ${read} (${channel.events.map(printable).join(', ')}); first: ${printable(channel.sample.data)}`,
    );
  }
  if (unrecognised.length > MAX_PRINTED_UNRECOGNISED) lines.push(`… and ${unrecognised.length - MAX_PRINTED_UNRECOGNISED} more unrecognised channels (--json lists them all)`);
  if (lines.length > 0) lines.push('');
  return lines;
}
