#!/usr/bin/env node
// The `echoscope` command: runs the CLI built by `npm run build` (out/main/cli.js).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = fileURLToPath(new URL('../out/main/cli.js', import.meta.url));
if (!existsSync(built)) {
  process.stderr.write('echoscope: the app is not built yet. Run "npm run build" in the EchoScope folder first.\n');
  process.exit(2);
}
await import(built);
