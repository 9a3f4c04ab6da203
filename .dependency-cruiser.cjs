/**
 * The layers of DESIGN §3 as an ALLOWLIST (VS Code's `code-import-patterns`, STYLE 17): each rule
 * below says what one folder may import — its own files, the layers under it, the npm packages it
 * needs and the Node builtins it uses. Any import no rule allows is an error (`allowedSeverity`),
 * type-only imports included (`tsPreCompilationDeps`): a type from `ws` in `shared` is as wrong as
 * a value. `npm run lint:deps` runs it; `scripts/check-layers.js` proves the rules bite.
 *
 * Paths are matched unanchored for packages (`(^|/)node_modules/ws/`) so a symlinked or hoisted
 * node_modules resolves the same. Node builtins are matched with or without the `node:` prefix.
 */

/** `(^|/)node_modules/(a|b)/` — one or more npm packages (scoped names included). */
const npm = (...names) => `(^|/)node_modules/(${names.map((n) => n.replace(/[.]/g, '\\.')).join('|')})/`;
/** Node builtins by name, `node:` prefix optional, subpaths (`fs/promises`) included. */
const builtins = (...names) => `^(node:)?(${names.join('|')})(/|$)`;
/** Any Node builtin. */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- dependency-cruiser reads its config as CommonJS
const NODE_BUILTIN = builtins(...require('node:module').builtinModules.filter((name) => !name.startsWith('_')));
const core = (...names) => ({ dependencyTypes: ['core'], path: builtins(...names) });

const TEST = '\\.test\\.tsx?$';

// Layers (production code only; tests are matched by TEST and get their own rules below).
const SHARED = '^shared/';
const MOCK = '^electron/mock/';
const CORE = '^electron/core/';
const CLI = '^electron/cli/';
const MAIN = '^electron/main/';
const PRELOAD = '^electron/preload/';
const RENDERER_JOURNAL = '^renderer/src/journal/';
/** The engine beside its journal, run by `serve`'s engine thread and by the desktop app's journal window. */
const ENGINE_HOST = '^electron/core/engine/engine-host\\.ts$';
const RENDERER = '^renderer/src/';
const TEST_SUPPORT = '^test-support/';

/** Test kits and the real clients tests drive the app and the mock with (never product). */
const TEST_PACKAGES = npm(
  'vitest',
  'fast-check',
  'fake-indexeddb',
  'dexie',
  '@xmldom/xmldom',
  '@testing-library/react',
  '@testing-library/dom',
  'jsdom',
  'ws',
  'pusher',
  'pusher-js',
  'laravel-echo',
  'socket.io-client',
  'yaml',
  'zod',
);

/** One allowlist entry: modules under `from` (tests excluded unless `tests`) may import `to`. */
const allow = (comment, from, to, { tests = false, fromNot = [] } = {}) => ({
  comment,
  from: { path: from, pathNot: tests ? fromNot : [TEST, ...fromNot] },
  to,
});

module.exports = {
  allowedSeverity: 'error',
  allowed: [
    // ── shared: pure TypeScript (no Node, no DOM, no Electron) ──────────────────────────────
    allow('shared imports only shared and zod', SHARED, { path: [SHARED, npm('zod')] }),
    allow('dexie belongs to the journal store (IndexedDB in the journal window; fake-indexeddb only in tests)', '^shared/journal/', {
      path: npm('dexie'),
    }),

    // ── electron/mock: the mock provider (Node, no electron) ────────────────────────────────
    allow('mock imports mock and shared', MOCK, { path: [MOCK, SHARED] }),
    allow('the mock serves sockets (ws) and validates its config file (zod)', MOCK, { path: npm('ws', 'zod') }),
    allow('the mock is an HTTP + WebSocket server that signs and reads its config file', MOCK, core('crypto', 'fs', 'http', 'net', 'stream')),
    allow("only the mock's link to the fleet talks to Redis (ioredis): several nodes share one scaling channel, as Reverb's do", '^electron/mock/scaling\\.ts$', {
      path: npm('ioredis'),
    }),

    // ── electron/core: Node services (no electron, no renderer) ─────────────────────────────
    allow('core imports core, the mock (check runs the simulator) and shared', CORE, { path: [CORE, MOCK, SHARED] }),
    allow('core serves the bridge, signs channel auth, writes journals and runs the journal worker', CORE, core('crypto', 'fs', 'http', 'net', 'path', 'url', 'worker_threads')),
    allow('only the hub opens provider connections (and asks the HTTP API for channels)', '^electron/core/hub/', {
      path: npm('laravel-echo', 'pusher-js', 'socket.io-client', 'pusher'),
    }),
    allow('only the headless host serves the WebSocket bridge', '^electron/core/host/', { path: npm('ws') }),
    allow('the fault proxy speaks WebSocket to clients and to the real server', '^electron/core/proxy/', { path: npm('ws') }),
    allow("the fault proxy passes Socket.IO long-polling on to a wss:// server's https", '^electron/core/proxy/polling-pass\\.ts$', core('https')),
    allow('scenario files are YAML', '^electron/core/scenarios/', { path: npm('yaml') }),
    allow('only the metrics module renders Prometheus text (prom-client)', '^electron/core/metrics/', { path: npm('prom-client') }),
    allow('only the metrics module pushes OTLP (the OpenTelemetry SDK and its exporter)', '^electron/core/metrics/', {
      path: npm('@opentelemetry/api', '@opentelemetry/core', '@opentelemetry/resources', '@opentelemetry/sdk-metrics', '@opentelemetry/exporter-metrics-otlp-proto'),
    }),
    allow('only the taps read Redis (ioredis)', '^electron/core/taps/', { path: npm('ioredis') }),

    // ── electron/cli: the `echoscope` command ───────────────────────────────────────────────
    allow('cli imports cli, core, mock and shared', CLI, { path: [CLI, CORE, MOCK, SHARED] }),
    allow('cli reads and writes files, parses argv and checks ports', CLI, core('fs', 'net', 'os', 'path', 'url', 'util')),
    allow('journals and scenarios on the command line are YAML', CLI, { path: npm('yaml') }),
    // Left allowed (issue 16 report): `watch --diagnose` asks the provider's HTTP API itself
    // instead of going through the hub's channel discovery; moving it is a change of its own.
    allow('watch --diagnose queries the HTTP API (pusher server SDK)', '^electron/cli/watch-diagnose\\.ts$', { path: npm('pusher') }),

    // ── electron/main: the only layer that imports electron ─────────────────────────────────
    allow('main imports main, core and shared (never the mock, the cli or the renderer)', MAIN, { path: [MAIN, CORE, SHARED] }),
    allow('main is the Electron glue', MAIN, { path: npm('electron') }),
    allow('main resolves its files', MAIN, core('path', 'url')),

    // ── electron/preload: electron and the channel names, nothing else ──────────────────────
    allow('preload imports electron and the import-free channel modules only', PRELOAD, {
      path: [npm('electron'), '^shared/api/channels\\.ts$', '^shared/journal/window-port\\.ts$'],
    }),

    // ── renderer: React UI (no Node, no electron); its journal window is the Dexie side ─────
    allow('the UI imports the UI (not the journal window) and shared', RENDERER, { path: [RENDERER, SHARED], pathNot: RENDERER_JOURNAL }, { fromNot: [RENDERER_JOURNAL] }),
    allow('the UI is React (recharts for the charts)', RENDERER, { path: npm('react', 'react-dom', 'recharts') }, { fromNot: [RENDERER_JOURNAL] }),
    allow('the journal window imports itself and shared (the Dexie store comes from shared/journal)', RENDERER_JOURNAL, {
      path: [RENDERER_JOURNAL, SHARED],
    }),
    allow("the journal window hosts the desktop app's engine beside its journal (engine-host.ts and its portable closure: see `journal-window-is-portable`)", RENDERER_JOURNAL, {
      path: [ENGINE_HOST, '^electron/core/engine/engine-protocol\\.ts$'],
    }),

    // ── playwright: `echoscope/playwright`, the fixture for the user's own frontend ─────────
    // It runs in the user's Playwright process: it plays scenarios on the mock, reads what the
    // page received with shared's journal and analyzer, and loads scenario files as `check` does
    // (core's scenario loader only: never the hub, the host or anything that reaches electron).
    allow('the fixture plays scenarios on the mock and analyzes what the page received', '^playwright/', {
      path: ['^playwright/', SHARED, MOCK, '^electron/core/scenarios/load\\.ts$'],
    }),
    allow('the fixture extends the Playwright test the user runs', '^playwright/', { path: npm('@playwright/test') }),

    // ── tests of the production folders (*.test.ts[x]) ──────────────────────────────────────
    // A test may import what its folder may, plus test-support, the test kits, the real clients
    // it drives the product with, Node builtins, and the Node layers it runs end to end. Never
    // `electron` (test-support/electron-double stands in) and never the preload.
    allow(
      'a test imports its own folder, shared, the Node layers and test-support',
      TEST,
      {
        path: [SHARED, MOCK, CORE, CLI, TEST_SUPPORT],
      },
      { tests: true },
    ),
    allow('a test of main imports main', `${MAIN}.*${TEST}`, { path: MAIN }, { tests: true }),
    allow('a test of the Playwright fixture imports the fixture', `^playwright/.*${TEST}`, { path: ['^playwright/', npm('@playwright/test')] }, { tests: true }),
    allow('a test of the renderer imports the renderer', `${RENDERER}.*${TEST}`, { path: [RENDERER, npm('react', 'react-dom', 'recharts')] }, { tests: true }),
    allow('tests use test kits and real clients', TEST, { path: TEST_PACKAGES }, { tests: true }),
    allow('tests use Node builtins', TEST, { dependencyTypes: ['core'] }, { tests: true }),

    // ── test support, suites and tools (not product; outside the production tsc projects) ───
    allow(
      'test-support helps tests of the Node layers',
      TEST_SUPPORT,
      {
        path: [TEST_SUPPORT, SHARED, MOCK, CORE, CLI, TEST_PACKAGES],
      },
      { tests: true },
    ),
    allow("the OTLP receiver decodes with the official schema's generated code", '^test-support/otlp-receiver\\.ts$', { path: npm('otlp-proto-schema') }, { tests: true }),
    allow('test-support uses Node builtins', TEST_SUPPORT, { dependencyTypes: ['core'] }, { tests: true }),
    allow(
      'the Laravel suite drives the Node layers with real clients',
      '^test/',
      {
        path: ['^test/', TEST_SUPPORT, SHARED, MOCK, CORE, CLI, TEST_PACKAGES],
      },
      { tests: true },
    ),
    allow('the Laravel suite uses Node builtins', '^test/', { dependencyTypes: ['core'] }, { tests: true }),
    allow(
      'e2e treats the app as a black box: Playwright, Node, a provider SDK, a real pusher-js client (a frontend through the proxy), vite for the journal page',
      '^e2e/',
      {
        path: ['^e2e/', npm('@playwright/test', 'pusher', 'pusher-js', 'vite')],
      },
      { tests: true },
    ),
    allow('e2e uses Node builtins', '^e2e/', { dependencyTypes: ['core'] }, { tests: true }),
    allow(
      "the examples use EchoScope as a user's suite does: through the package's exports (echoscope/playwright resolves to playwright/)",
      '^examples/',
      { path: ['^examples/', '^playwright/', npm('@playwright/test')] },
      { tests: true },
    ),
    allow('the examples use Node builtins (a page server)', '^examples/', { dependencyTypes: ['core'] }, { tests: true }),
    allow(
      'benchmarks measure the Node layers (and the UI through e2e/chromium)',
      '^bench/',
      {
        path: ['^bench/', '^e2e/', TEST_SUPPORT, SHARED, MOCK, CORE, npm('@playwright/test', 'vite', 'ws', 'pusher-js')],
      },
      { tests: true },
    ),
    allow('benchmarks use Node builtins', '^bench/', { dependencyTypes: ['core'] }, { tests: true }),
    allow('scripts use Node builtins', '^scripts/', { dependencyTypes: ['core'] }, { tests: true }),
    allow('script tests use vitest and test the scripts', `^scripts/.*${TEST}`, { path: ['^scripts/', npm('vitest'), npm('eslint')] }, { tests: true }),
  ],
  forbidden: [
    {
      name: 'preload-bundles-leaves-only',
      severity: 'error',
      comment: 'The sandboxed preload bundles everything it reaches: the channel modules it imports must stay import-free, or zod (or worse) rides along into the preload.',
      from: { path: PRELOAD },
      to: { reachable: true, pathNot: [PRELOAD, '^shared/api/channels\\.ts$', '^shared/journal/window-port\\.ts$', npm('electron')] },
    },
    {
      name: 'ui-bundles-no-dexie',
      severity: 'error',
      comment:
        "The main window's bundle must not carry the journal store: Dexie lives in the hidden journal window (renderer/src/journal) and on the host; the UI asks for journal data over the App API.",
      from: { path: RENDERER, pathNot: [RENDERER_JOURNAL, TEST] },
      to: { reachable: true, path: npm('dexie') },
    },
    {
      name: 'journal-window-is-portable',
      severity: 'error',
      comment:
        "The journal window is a Chromium page: nothing it reaches (the engine host's closure in electron/core included) may import a Node builtin, nor a package other than zod and Dexie (not the hub's clients, the metrics library or the mock).",
      from: { path: RENDERER_JOURNAL, pathNot: TEST },
      to: { reachable: true, path: [NODE_BUILTIN, '(^|/)node_modules/'], pathNot: npm('zod', 'dexie') },
    },
    {
      name: 'fixture-never-reaches-electron',
      severity: 'error',
      comment: "`echoscope/playwright` runs in the user's Playwright (plain Node): nothing it reaches may import electron, nor the app's Electron glue.",
      from: { path: '^playwright/' },
      to: { reachable: true, path: [npm('electron'), MAIN, PRELOAD] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that does not resolve is a typo or a missing dependency.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: '(^|/)node_modules/' },
    exclude: { path: ['^\\.tsbuild/', '^out/'] },
    // tsconfig.base.json: the compiler options every project shares, without a project's `paths`
    // (those map `electron` to a stub for tsc) and without `jsx` (which would make the
    // pre-compilation pass read every .ts as .tsx).
    tsConfig: { fileName: 'tsconfig.base.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
