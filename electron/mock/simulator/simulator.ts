import { LatencyHistogram, type LatencySummary } from '../../../shared/analysis';
import { sessionIdsOf, type GroundTruth, type Scenario } from '../../../shared/scenario';
import type { GenerationStore } from '../generations';
import { planSession, type PlanStep, type SessionPlan } from './plan';
import { EventScheduler, realClock, type SchedulerClock } from './scheduler';
import { wireWriter, type WireWriter } from './wire';
import type { SimulatorTarget } from './target';

/**
 * The generation simulator (DESIGN §7): plays every session of a scenario as a Laravel queue
 * job would — waiting for a subscriber, TTFT, tokens, checkpoints of the generation record,
 * faults, retries — on one shared scheduler, and sweeps orphaned records.
 */

export interface SimulatorOptions {
  /** App to publish on; default the server's first app. */
  appId?: string;
  /** One scheduler can drive several runs (and a benchmark's thousands of sessions). */
  scheduler?: EventScheduler;
  clock?: SchedulerClock;
  /** Overrides the scenario's `waitForSubscriber`. */
  waitForSubscriber?: boolean;
  /** Called (at most every `progressEveryMs`) and at the end. */
  onProgress?: (progress: RunProgress) => void;
  progressEveryMs?: number;
  /**
   * Called as each session's job begins (its first attempt's time zero, on the run's clock): a
   * watcher's known start, which TTFT is measured from.
   */
  onSessionStart?: (sessionId: string, at: number) => void;
}

export type SessionPhase = 'scheduled' | 'queued' | 'waiting' | 'running' | 'dead' | 'resolved';

export interface RunProgress {
  scenario: string;
  sessions: number;
  /** Not started yet: before their start offset or waiting for a worker slot. */
  queued: number;
  /** Waiting for a subscriber on their channel. */
  waiting: number;
  /** Streaming (or backing off between attempts). */
  active: number;
  /** Steps done, record unresolved: the sweeper will mark them orphaned. */
  dead: number;
  resolved: number;
  /** Events handed to the server so far. */
  published: number;
  elapsedMs: number;
  finished: boolean;
  stopped: boolean;
}

export interface EmitTiming {
  /** Absolute scheduled-vs-actual error of every published event, ms. */
  error: LatencySummary | null;
  samples: number;
}

interface SessionRuntime {
  plan: SessionPlan;
  phase: SessionPhase;
  /** Clock time of the plan's t = 0. */
  anchor: number;
  next: number;
  lastActivity: number;
  published: number;
  /** Resolves a wait for (re)subscription. */
  resume: (() => void) | null;
  /** `runSteps` for this session, made once: scheduling a token must not allocate a closure. */
  tick: () => void;
}

export class ScenarioRun {
  readonly truth: GroundTruth;
  readonly done: Promise<RunProgress>;
  private readonly sessions: SessionRuntime[];
  private readonly byChannel = new Map<string, SessionRuntime>();
  private readonly scheduler: EventScheduler;
  private readonly clock: SchedulerClock;
  private readonly store: GenerationStore;
  private readonly appId: string | undefined;
  private readonly waitForSubscriber: boolean;
  private readonly slots = new Map<number, number>();
  private readonly slotQueue = new Map<number, SessionRuntime[]>();
  private readonly errors = new LatencyHistogram();
  private readonly startedAt: number;
  private readonly unsubscribe: () => void;
  private readonly wire: WireWriter;
  private sweeping = false;
  private finish!: (progress: RunProgress) => void;
  private finished = false;
  private stopped = false;
  private publishedTotal = 0;
  private lastProgressAt = Number.NEGATIVE_INFINITY;
  /** Inside `startTogether`: sessions that begin are collected and anchored together. */
  private starting: SessionRuntime[] | null = null;

  constructor(
    private readonly target: SimulatorTarget,
    readonly scenario: Scenario,
    private readonly options: SimulatorOptions = {},
  ) {
    this.clock = options.clock ?? options.scheduler?.clock ?? realClock;
    this.scheduler = options.scheduler ?? new EventScheduler(this.clock);
    this.store = target.generations;
    this.appId = options.appId;
    this.waitForSubscriber = options.waitForSubscriber ?? scenario.waitForSubscriber;
    this.done = new Promise((resolve) => (this.finish = resolve));
    const plans: SessionPlan[] = [];
    scenario.sessions.forEach((group, g) => {
      sessionIdsOf(scenario.name, group, g).forEach((id, i) => plans.push(planSession(scenario, g, id, i)));
    });
    this.wire = wireWriter(scenario);
    this.truth = { version: 1, scenario: scenario.name, seed: scenario.seed, contract: scenario.contract, sessions: plans.map((p) => p.truth) };
    this.sessions = plans.map((plan) => {
      const session: SessionRuntime = { plan, phase: 'scheduled', anchor: 0, next: 0, lastActivity: 0, published: 0, resume: null, tick: () => this.runSteps(session) };
      return session;
    });
    for (const session of this.sessions) this.byChannel.set(session.plan.channel, session);
    this.unsubscribe = target.onSubscribed((event) => {
      if (this.appId !== undefined && event.appId !== this.appId) return;
      const session = this.byChannel.get(event.channel);
      const resume = session?.resume;
      if (session && resume) {
        session.resume = null;
        // Never publish inside the server's subscribe handler: its subscription_succeeded must go first.
        this.scheduler.after(0, () => resume());
      }
    });
    this.startedAt = this.clock.now();
    const initiatedAt = new Date(this.startedAt).toISOString();
    for (const session of this.sessions) {
      this.store.put({
        session_id: session.plan.sessionId,
        progress: 'queued',
        last_seq: 0,
        accumulated_text: '',
        final_text: null,
        termination_code: null,
        failure_detail: null,
        initiated_at: initiatedAt,
        last_save_at: null,
        resolved_at: null,
      });
      if (session.plan.startOffsetMs > 0) this.scheduler.at(this.startedAt + session.plan.startOffsetMs, () => this.queue(session));
    }
    const together = this.sessions.filter((session) => session.plan.startOffsetMs <= 0);
    if (together.length > 0) this.scheduler.at(this.startedAt, () => this.startTogether(together));
    if (this.sessions.length === 0) this.complete();
  }

  /** Events handed to the server per channel (what a watcher should eventually have received). */
  publishedOn(channel: string): number {
    return this.byChannel.get(channel)?.published ?? 0;
  }

  /** A session's phase; `dead` or `resolved` once every step it plans has run (it publishes nothing more). Undefined for an id the run does not play. */
  phaseOf(sessionId: string): SessionPhase | undefined {
    return this.sessions.find((s) => s.plan.sessionId === sessionId)?.phase;
  }

  timing(): EmitTiming {
    return { error: this.errors.summary(), samples: this.errors.count };
  }

  progress(): RunProgress {
    const count = (phases: SessionPhase[]) => this.sessions.filter((s) => phases.includes(s.phase)).length;
    return {
      scenario: this.scenario.name,
      sessions: this.sessions.length,
      queued: count(['scheduled', 'queued']),
      waiting: count(['waiting']),
      active: count(['running']),
      dead: count(['dead']),
      resolved: count(['resolved']),
      published: this.publishedTotal,
      elapsedMs: this.clock.now() - this.startedAt,
      finished: this.finished,
      stopped: this.stopped,
    };
  }

  /** Stops emitting; unresolved records stay as they are. */
  stop(): void {
    if (this.finished) return;
    this.stopped = true;
    this.complete();
  }

  private queue(session: SessionRuntime): void {
    if (this.stopped) return;
    const limit = this.scenario.sessions[session.plan.group]!.concurrency;
    if (limit !== undefined) {
      const used = this.slots.get(session.plan.group) ?? 0;
      if (used >= limit) {
        session.phase = 'queued';
        const waiting = this.slotQueue.get(session.plan.group) ?? [];
        waiting.push(session);
        this.slotQueue.set(session.plan.group, waiting);
        return;
      }
      this.slots.set(session.plan.group, used + 1);
    }
    this.awaitSubscriber(session, () => this.begin(session), false);
  }

  /** Runs `then` once the channel has a subscriber (or at once when not waiting, or after the timeout). */
  private awaitSubscriber(session: SessionRuntime, then: () => void, needNewJoin: boolean): void {
    if (!this.waitForSubscriber || (!needNewJoin && this.target.subscriberCount(session.plan.channel, this.appId) > 0)) {
      then();
      return;
    }
    session.phase = 'waiting';
    let settled = false;
    const go = (): void => {
      if (settled || this.stopped) return;
      settled = true;
      session.resume = null;
      timeout.cancel();
      then();
    };
    session.resume = go;
    const timeout = this.scheduler.after(this.scenario.subscriberTimeoutMs, go);
  }

  /**
   * Starts the sessions due at the run's start in one go: each one's start-up work (its slot, the
   * `progress: active` record a starting job writes) first, then one clock reading that times all
   * their tokens. Two thousand sessions starting at once otherwise had their start-up tasks queued
   * ahead of the first tokens, which came out up to tens of milliseconds late.
   */
  private startTogether(sessions: readonly SessionRuntime[]): void {
    const starting: SessionRuntime[] = [];
    this.starting = starting;
    try {
      for (const session of sessions) this.queue(session);
    } finally {
      this.starting = null;
    }
    for (const session of starting) {
      const steps = session.plan.steps;
      while (session.next < steps.length && steps[session.next]!.t === 0 && steps[session.next]!.kind === 'record') this.runStep(session, steps[session.next++]!);
    }
    const anchor = this.clock.now();
    for (const session of starting) {
      session.anchor = anchor;
      session.lastActivity = anchor;
      this.options.onSessionStart?.(session.plan.sessionId, anchor);
      this.scheduleNext(session);
    }
  }

  private begin(session: SessionRuntime): void {
    session.phase = 'running';
    if (this.starting) {
      this.starting.push(session);
      return;
    }
    session.anchor = this.clock.now();
    session.lastActivity = session.anchor;
    this.options.onSessionStart?.(session.plan.sessionId, session.anchor);
    this.scheduleNext(session);
  }

  private scheduleNext(session: SessionRuntime): void {
    const step = session.plan.steps[session.next];
    if (!step) {
      this.stepsDone(session);
      return;
    }
    this.scheduler.at(session.anchor + step.t, session.tick);
  }

  /** Runs every step planned for this instant in one go (an event, its duplicates, a checkpoint). */
  private runSteps(session: SessionRuntime): void {
    if (this.stopped) return;
    const steps = session.plan.steps;
    const first = steps[session.next];
    if (!first) return;
    while (session.next < steps.length && steps[session.next]!.t === first.t) {
      const step = steps[session.next++]!;
      if (this.runStep(session, step) === 'pause') return;
    }
    this.scheduleNext(session);
  }

  private runStep(session: SessionRuntime, step: PlanStep): 'continue' | 'pause' {
    const now = this.clock.now();
    const plan = session.plan;
    switch (step.kind) {
      case 'emit': {
        this.errors.record(Math.abs(now - (session.anchor + step.t)));
        session.lastActivity = now;
        if (step.event.delivery === 'dropped') return 'continue';
        const data = this.wire.data(plan, step.event, now, step.padToBytes);
        const event = this.wire.name(step.event);
        this.target.publish(this.appId === undefined ? { channel: plan.channel, event, data } : { appId: this.appId, channel: plan.channel, event, data });
        session.published++;
        this.publishedTotal++;
        this.maybeReport(now);
        return 'continue';
      }
      case 'frame': {
        // A stream contract's stream_start, text_start, …: published like an event, carries no text.
        session.lastActivity = now;
        const data = this.wire.frameData(plan, step, now);
        const event = this.wire.frameName(step);
        this.target.publish(this.appId === undefined ? { channel: plan.channel, event, data } : { appId: this.appId, channel: plan.channel, event, data });
        session.published++;
        this.publishedTotal++;
        return 'continue';
      }
      case 'record': {
        const { save, resolve, ...patch } = step.patch;
        const stamp = new Date(now).toISOString();
        this.store.update(plan.sessionId, { ...patch, ...(save ? { last_save_at: stamp } : {}), ...(resolve ? { resolved_at: stamp } : {}) });
        if (patch.progress === 'active') session.lastActivity = now;
        return 'continue';
      }
      case 'ping-silence':
        this.target.silencePings(this.filter(plan.channel), step.durationMs);
        return 'continue';
      case 'disconnect': {
        const closed = this.target.closeConnections(this.filter(plan.channel), step.code, step.reason);
        if (!step.waitForResubscribe || closed === 0) return 'continue';
        // Hold the stream until a subscriber is back, then keep the planned spacing from here.
        this.awaitSubscriber(
          session,
          () => {
            session.phase = 'running';
            session.anchor = this.clock.now() - step.t;
            session.lastActivity = this.clock.now();
            this.scheduleNext(session);
          },
          true,
        );
        return 'pause';
      }
    }
  }

  private filter(channel: string): { channel: string; appId?: string } {
    return this.appId === undefined ? { channel } : { channel, appId: this.appId };
  }

  private stepsDone(session: SessionRuntime): void {
    const group = session.plan.group;
    if (this.scenario.sessions[group]!.concurrency !== undefined) {
      this.slots.set(group, (this.slots.get(group) ?? 1) - 1);
      const nextInLine = this.slotQueue.get(group)?.shift();
      if (nextInLine) this.scheduler.after(0, () => this.queue(nextInLine));
    }
    if (session.plan.awaitsSweep) {
      session.phase = 'dead';
      this.ensureSweeper();
    } else {
      session.phase = 'resolved';
    }
    this.checkFinished();
  }

  /**
   * The orphan sweeper: an app's scheduled command that marks records `orphaned` when they have
   * been active without activity for `orphanAfterMs`. It runs only while a record waits for it.
   */
  private ensureSweeper(): void {
    if (this.sweeping) return;
    this.sweeping = true;
    const every = Math.min(1000, Math.max(10, this.scenario.orphanAfterMs / 10));
    const sweep = (): void => {
      if (this.stopped) return;
      const now = this.clock.now();
      let pending = false;
      for (const session of this.sessions) {
        if (session.phase !== 'dead') continue;
        if (now - session.lastActivity >= this.scenario.orphanAfterMs) {
          const stamp = new Date(now).toISOString();
          this.store.update(session.plan.sessionId, {
            progress: 'orphaned',
            failure_detail: `no activity for ${this.scenario.orphanAfterMs} ms: marked orphaned by the sweeper`,
            resolved_at: stamp,
          });
          session.phase = 'resolved';
        } else pending = true;
      }
      this.checkFinished();
      if (pending) this.scheduler.after(every, sweep);
      else this.sweeping = false;
    };
    this.scheduler.after(every, sweep);
  }

  private maybeReport(now: number): void {
    const every = this.options.progressEveryMs ?? 250;
    if (!this.options.onProgress || now - this.lastProgressAt < every) return;
    this.lastProgressAt = now;
    this.options.onProgress(this.progress());
  }

  private checkFinished(): void {
    if (!this.finished && this.sessions.every((s) => s.phase === 'resolved')) this.complete();
  }

  private complete(): void {
    this.finished = true;
    this.unsubscribe();
    for (const session of this.sessions) session.resume = null;
    const progress = this.progress();
    this.options.onProgress?.(progress);
    this.finish(progress);
  }
}

/** Starts a scenario on a server (the mock provider): sessions begin at their offsets. */
export function startScenario(target: SimulatorTarget, scenario: Scenario, options: SimulatorOptions = {}): ScenarioRun {
  return new ScenarioRun(target, scenario, options);
}
