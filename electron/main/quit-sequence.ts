import { app } from 'electron';

export interface Timers {
  setTimer(callback: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimer: (callback, ms) => setTimeout(callback, ms),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface QuitSequenceOptions {
  /** Closes the runtime: the journal's pending batch is written before this resolves. */
  shutdown(): Promise<void>;
  /** Runs after shutdown (or the timeout), just before exit: closes the journal window. */
  finish(): void;
  /** How long shutdown may take before the app exits anyway. */
  timeoutMs: number;
  timers: Timers;
}

/**
 * Quitting waits for the runtime to close, so the journal's last batch is flushed to the journal
 * window before that window goes: the first `before-quit` (or `will-quit`) is prevented — Electron
 * would otherwise close every window, the hidden journal one included, at once — shutdown runs,
 * bounded by `timeoutMs`, then `app.exit` (which emits neither event again). Quit requests during
 * shutdown are prevented too. Returns whether a quit has begun.
 */
export function installQuitSequence(options: QuitSequenceOptions): () => boolean {
  let begun = false;
  const begin = (event: Electron.Event) => {
    event.preventDefault();
    if (begun) return;
    begun = true;
    let timer: unknown;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = options.timers.setTimer(() => resolve('timeout'), options.timeoutMs);
    });
    const closed = options.shutdown().then(
      () => 'closed' as const,
      (error: unknown) => {
        console.error(`EchoScope: closing failed: ${error instanceof Error ? error.message : String(error)}`);
        return 'closed' as const;
      },
    );
    void Promise.race([closed, timedOut]).then((outcome) => {
      options.timers.clearTimer(timer);
      if (outcome === 'timeout') console.error(`EchoScope: closing took longer than ${options.timeoutMs} ms; quitting anyway (the journal's last batch may be lost)`);
      try {
        options.finish();
      } finally {
        app.exit(0);
      }
    });
  };
  app.on('before-quit', begin);
  app.on('will-quit', begin);
  return () => begun;
}
