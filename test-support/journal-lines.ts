/**
 * Test support: a journal file read line by line as any NDJSON tool would — every line one
 * JSON object, no blank lines, the file ending with a newline. Not product code (STYLE 18).
 */
export interface JournalLineReport {
  lines: number;
  blank: number[];
  /** 1-based line numbers and what JSON.parse said. */
  invalid: Array<{ line: number; text: string; error: string }>;
  endsWithNewline: boolean;
  records: Array<Record<string, unknown>>;
}

export function readJournalLines(text: string): JournalLineReport {
  const endsWithNewline = text.endsWith('\n');
  const lines = (endsWithNewline ? text.slice(0, -1) : text).split('\n');
  const report: JournalLineReport = { lines: lines.length, blank: [], invalid: [], endsWithNewline, records: [] };
  lines.forEach((line, i) => {
    if (line.trim().length === 0) {
      report.blank.push(i + 1);
      return;
    }
    try {
      report.records.push(JSON.parse(line) as Record<string, unknown>);
    } catch (error) {
      report.invalid.push({ line: i + 1, text: line.slice(0, 200), error: error instanceof Error ? error.message : String(error) });
    }
  });
  return report;
}

/** The same Pusher script every writer's test plays: frames with and without `data`, a contract session that completes. */
export function scriptWithoutData(channel: string): Array<Record<string, unknown>> {
  const id = channel.slice(channel.lastIndexOf('.') + 1);
  const payload = (sequence: number, chunk: string, state: string, code: string | null) => JSON.stringify({ session_id: id, chunk, sequence, state, termination_code: code });
  return [
    { event: 'chunk.delivered', channel, data: payload(1, 'Hel', 'generating', null) },
    // A channel event without data, and a connection-level one without channel or data.
    { event: 'app.notice', channel },
    { event: 'pusher:ping' },
    { event: 'chunk.delivered', channel, data: payload(2, 'lo', 'generating', null) },
    { event: 'chunk.delivered', channel, data: payload(3, '', 'completed', 'end_turn') },
  ];
}
