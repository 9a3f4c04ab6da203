import { runCli } from './main';
import { outputFlushed } from './output-flushed';

/** Entry of the `echoscope` binary (built to out/main/cli.js). */
const stopSignal = new Promise<NodeJS.Signals>((resolve) => {
  const stop = (signal: NodeJS.Signals) => resolve(signal);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
});

runCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  stopSignal,
  interactive: process.stderr.isTTY === true,
}).then(
  async (code) => {
    process.exitCode = code;
    // Every command has closed what it owns (journal flushed, servers closed) before returning;
    // background work still winding down (a cancelled scenario check) must not hold the exit —
    // but what was printed must all be out first: a pipe whose reader is slow (a CI log, `| less`)
    // still holds the end of a long table, and process.exit would cut it.
    await outputFlushed([process.stdout, process.stderr]);
    setTimeout(() => process.exit(code), 1500).unref();
  },
  (error: unknown) => {
    process.stderr.write(`echoscope: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
