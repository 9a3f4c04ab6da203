import { runCli } from './main';

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
  (code) => {
    process.exitCode = code;
    // Every command has closed what it owns (journal flushed, servers closed) before returning;
    // background work still winding down (a cancelled scenario check) must not hold the exit.
    setTimeout(() => process.exit(code), 1500).unref();
  },
  (error: unknown) => {
    process.stderr.write(`echoscope: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
