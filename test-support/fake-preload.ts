import type { AppBridge } from '../shared/api';

/**
 * A STAND-IN for the object Electron's preload exposes as `window.echoscope` (electron/preload:
 * invoke over one IPC channel, pushes filtered by name, `ready`) — not Electron, which cannot run
 * on the machines these tests run on. It records what the renderer asked, in order, answers
 * with what the test set (a value, a rejection, or a promise the test settles), and delivers
 * pushes only to the listeners still attached, so a leak shows as a listener count.
 */
export class FakePreload implements AppBridge {
  /** Everything the renderer did, in order: `on connections.status`, `off …`, `ready`, `invoke app.info`. */
  readonly log: string[] = [];
  readonly invokes: { command: string; request: unknown }[] = [];
  private readonly answers = new Map<string, (request: unknown) => unknown>();
  private readonly listeners = new Map<string, Set<(payload: unknown) => void>>();

  /** What `invoke(command)` resolves to (a function is called with the request; a thrown error or rejected promise rejects). */
  answer(command: string, answer: unknown): this {
    this.answers.set(command, typeof answer === 'function' ? (answer as (request: unknown) => unknown) : () => answer);
    return this;
  }

  invoke = async (command: string, request: unknown): Promise<unknown> => {
    this.log.push(`invoke ${command}`);
    this.invokes.push({ command, request });
    const answer = this.answers.get(command);
    if (!answer) return { ok: false, error: { code: 'unknown_command', message: `the fake preload has no answer for ${command}` } };
    return answer(request);
  };

  on = (push: string, listener: (payload: unknown) => void): (() => void) => {
    this.log.push(`on ${push}`);
    const set = this.listeners.get(push) ?? new Set();
    set.add(listener);
    this.listeners.set(push, set);
    return () => {
      this.log.push(`off ${push}`);
      set.delete(listener);
    };
  };

  ready = (): void => {
    this.log.push('ready');
  };

  /** Main sends a push: every listener still attached for `push` gets `payload`. */
  push(push: string, payload: unknown): void {
    for (const listener of [...(this.listeners.get(push) ?? [])]) listener(payload);
  }

  listenerCount(push: string): number {
    return this.listeners.get(push)?.size ?? 0;
  }
}

/** A promise the test settles when it wants: for answers that must arrive after something else. */
export function deferred<T>(): { promise: Promise<T>; resolve(value: T): void } {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
