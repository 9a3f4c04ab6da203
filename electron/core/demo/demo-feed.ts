import Pusher from 'pusher';

/**
 * A small seeded stream of AI generations published to the embedded mock provider
 * through its HTTP API (the official `pusher` SDK, as a Laravel app would), so a new
 * user sees live sessions at once. Mostly healthy, some replayed, truncated or dying
 * silently. The generation simulator of the mock provider supersedes it for scenarios.
 */
export interface DemoFeedOptions {
  httpHost: string;
  httpPort: number;
  appId: string;
  key: string;
  secret: string;
  /** Called before a session's first event so the monitor is subscribed in time. */
  beforeSession(channel: string): Promise<unknown>;
  seed?: number;
  /** Milliseconds between new sessions. */
  sessionEveryMs?: number;
  tokenEveryMs?: number;
  /** Sessions in flight at most. */
  maxConcurrent?: number;
}

export interface DemoFeed {
  stop(): void;
  sessionsStarted(): number;
}

const WORDS = 'The queue worker streams tokens to the browser as broadcast events while the socket stays open and each chunk carries a monotonic sequence number so that clients can detect duplicates gaps and replays after a retry'.split(' ');

type Fate = 'completed' | 'replay' | 'truncated' | 'silent' | 'errored';

/** mulberry32: a tiny seeded PRNG, so the demo is the same on every start. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function startDemoFeed(options: DemoFeedOptions): DemoFeed {
  const rand = random(options.seed ?? 42);
  const pusher = new Pusher({
    appId: options.appId,
    key: options.key,
    secret: options.secret,
    host: options.httpHost,
    port: String(options.httpPort),
    useTLS: false,
  });
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let started = 0;
  let inFlight = 0;
  let stopped = false;

  const later = (ms: number, run: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!stopped) run();
    }, ms);
    timers.add(timer);
  };

  const fates: Fate[] = ['completed', 'completed', 'completed', 'replay', 'truncated', 'completed', 'silent', 'errored'];

  const runSession = async (index: number) => {
    const sessionId = `demo-${index}`;
    const channel = `private-ai.${sessionId}`;
    const fate = fates[index % fates.length] ?? 'completed';
    const length = 20 + Math.floor(rand() * 40);
    const crashAt = Math.max(3, Math.floor(length / 2));
    await options.beforeSession(channel);
    inFlight += 1;
    let sequence = 0;
    let sent = 0;
    let attempt = 1;
    const emit = (chunk: string, state: string, terminationCode: string | null) => {
      sequence += 1;
      void pusher
        .trigger(channel, 'chunk.delivered', {
          session_id: sessionId,
          chunk,
          sequence,
          state,
          termination_code: terminationCode,
          emitted_at: Date.now(),
        })
        .catch(() => undefined);
    };
    const finish = () => {
      inFlight -= 1;
    };
    const step = () => {
      if (fate === 'replay' && attempt === 1 && sent === crashAt) {
        // The worker crashes; the queue retries the job, which re-broadcasts from sequence 1.
        attempt = 2;
        sequence = 0;
        sent = 0;
        later(300, step);
        return;
      }
      if (fate === 'silent' && sent === crashAt) return finish();
      if (fate === 'truncated' && sent === crashAt + 5) {
        emit('', 'truncated', 'max_tokens');
        return finish();
      }
      if (fate === 'errored' && sent === crashAt) {
        emit('', 'errored', 'exception');
        return finish();
      }
      if (sent === length) {
        emit('', 'completed', 'end_turn');
        return finish();
      }
      const word = WORDS[(index + sent) % WORDS.length] ?? 'token';
      emit(sent === 0 ? word : ` ${word}`, 'generating', null);
      sent += 1;
      later((options.tokenEveryMs ?? 60) * (0.5 + rand()), step);
    };
    later(150 + rand() * 300, step);
  };

  const tick = () => {
    if ((options.maxConcurrent ?? 6) > inFlight) {
      started += 1;
      void runSession(started).catch(() => undefined);
    }
    later(options.sessionEveryMs ?? 1500, tick);
  };
  tick();

  return {
    stop: () => {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
    sessionsStarted: () => started,
  };
}
