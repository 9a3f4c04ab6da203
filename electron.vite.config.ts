import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

const root = import.meta.dirname;

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      // laravel-echo is ESM-only: bundle it (and pusher-js) so main never require()s it.
      externalizeDeps: { exclude: ['laravel-echo', 'pusher-js'] },
      rolldownOptions: {
        input: {
          index: resolve(root, 'electron/main/index.ts'),
          // The `echoscope` command and headless host share main's build.
          cli: resolve(root, 'electron/cli/index.ts'),
          // The headless host's journal runs in a worker thread (electron/core/journal/journal-worker-host.ts finds it here).
          'journal-worker': resolve(root, 'electron/core/journal/journal-worker.ts'),
          // `serve`'s engine: its journal and live analysis in one worker thread (journal-worker-host.ts `startEngineWorker`).
          'engine-worker': resolve(root, 'electron/core/engine/engine-worker.ts'),
          // The desktop app's engine: live analysis in a thread of its own, fed by main (journal-worker-host.ts `startAnalysisWorker`).
          'analysis-worker': resolve(root, 'electron/core/engine/analysis-worker.ts'),
          // `echoscope/playwright` (package.json `exports`): the fixture for the user's own frontend, run by their Playwright.
          playwright: resolve(root, 'playwright/index.ts'),
        },
        // A devDependency: the user's Playwright must be the one the fixture extends, never a bundled copy.
        external: [/^@playwright\/test(\/|$)/, /^playwright(-core)?(\/|$)/],
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rolldownOptions: {
        input: {
          index: resolve(root, 'electron/preload/index.ts'),
          // The hidden journal window's preload: only forwards main's MessagePort to the page.
          journal: resolve(root, 'electron/preload/journal.ts'),
        },
        // Sandboxed preloads must be CommonJS.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    plugins: [react()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      minify: true,
      rolldownOptions: {
        input: {
          index: resolve(root, 'renderer/index.html'),
          // The hidden journal window (DESIGN §2): owns the Dexie journal in Electron.
          journal: resolve(root, 'renderer/journal.html'),
        },
      },
    },
  },
});
