/** What of a writable stream (process.stdout, a pipe) the wait needs. */
export interface OutputStream {
  readonly writableLength: number;
  write(chunk: string, callback: () => void): boolean;
}

/**
 * Resolves once everything written to each stream so far has been handed to the system: the CLI
 * exits only then, so a pipe whose reader is slow (a CI log, `| less`) still gets the end of a
 * long table instead of losing it to the exit.
 */
export function outputFlushed(streams: readonly OutputStream[]): Promise<void> {
  return Promise.all(streams.map(flushed)).then(() => undefined);
}

function flushed(stream: OutputStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.writableLength === 0) resolve();
    else stream.write('', () => resolve());
  });
}
