import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRuntime } from '../core/runtime';
import { startMainProcess } from './main-process';

/** Electron main's entry: the lifecycle is in main-process.ts, everything else in electron/core. */
startMainProcess({ outDir: join(dirname(fileURLToPath(import.meta.url)), '..'), startRuntime });
