import {
  findFault as find,
  hashSeed,
  isStreamContract,
  numberStreamPositions,
  streamTerminal,
  type JobEndCode,
  planAttempts,
  sample,
  sampleInt,
  SeededRandom,
  type Fault,
  type FaultKind,
  type FaultOf,
  type GenerationOutcome,
  type Scenario,
  type SessionGroup,
  type SessionTruth,
  type TruthEvent,
  type TruthFault,
} from '../../../shared/scenario';
import type { TerminalState } from '../../../shared/contract';
import type { GenerationRecord } from '../generations';
import { corpusText } from './corpus';
import { StreamIdSource, vercelId } from './stream-ids';
import type { StreamAttempt, StreamFrameKind } from './stream-payload';
import { splitTokens } from './tokenizer';

/**
 * The whole life of one session, decided up front from the scenario and its seed: every event
 * with its planned time, every record update, every fault. The runtime only plays it (and
 * measures how late it was), so determinism is a property of this pure function and the
 * ground truth is the plan itself.
 */

export type RecordPatch = Partial<Pick<GenerationRecord, 'progress' | 'last_seq' | 'accumulated_text' | 'final_text' | 'termination_code' | 'failure_detail'>> & {
  /** Stamp last_save_at / resolved_at with the time the step runs. */
  save?: boolean;
  resolve?: boolean;
};

export type PlanStep =
  | { kind: 'emit'; t: number; event: TruthEvent; padToBytes?: number }
  /** A stream contract's frame that is no event of the session (`stream_start`, `text_start`, …): published, never analyzed as text. */
  | { kind: 'frame'; t: number; frame: StreamFrameKind; attempt: number; id: string }
  | { kind: 'record'; t: number; patch: RecordPatch }
  | { kind: 'disconnect'; t: number; code: number; reason: string; waitForResubscribe: boolean }
  | { kind: 'ping-silence'; t: number; durationMs: number };

export interface SessionPlan {
  sessionId: string;
  channel: string;
  group: number;
  /** Index of the session in its group (for concurrency slots). */
  index: number;
  /** Planned start, ms after the run's start (before waiting for a slot or a subscriber). */
  startOffsetMs: number;
  steps: PlanStep[];
  /** True when the plan leaves the record unresolved (the sweeper will mark it orphaned). */
  awaitsSweep: boolean;
  truth: SessionTruth;
  /** A stream contract's attempts (index = attempt − 1): their ids and token counts, for the payloads. */
  streamAttempts?: StreamAttempt[];
}

/** Sequences a delivery fault hits, decided once per session. */
function selected(fault: { sequences?: number[] | undefined; probability?: number | undefined }, tokens: number, random: SeededRandom): Set<number> {
  if (fault.sequences) return new Set(fault.sequences);
  const chosen = new Set<number>();
  for (let seq = 1; seq <= tokens; seq++) if (random.chance(fault.probability ?? 0)) chosen.add(seq);
  return chosen;
}

function sessionTokens(scenario: Scenario, group: SessionGroup, random: SeededRandom, extra: number): string[] {
  const textRandom = random.fork('text');
  const explicit = group.tokens !== undefined;
  const wanted = sampleInt(group.tokens ?? scenario.tokens, random.fork('tokens'), 1);
  let tokens: string[];
  if (group.text !== undefined) {
    tokens = splitTokens(group.text, textRandom);
    if (!explicit) return [...tokens, ...repeatTo(tokens, tokens.length + extra).slice(tokens.length)];
  } else {
    tokens = splitTokens(
      corpusText((n) => textRandom.int(0, n - 1), (wanted + extra) * 6),
      textRandom,
    );
  }
  return repeatTo(tokens, wanted + extra);
}

function repeatTo(tokens: string[], count: number): string[] {
  if (tokens.length === 0) return [];
  const out = tokens.slice(0, count);
  while (out.length < count) out.push(tokens[out.length % tokens.length]!);
  return out;
}

export function planSession(scenario: Scenario, groupIndex: number, sessionId: string, index: number): SessionPlan {
  const group = scenario.sessions[groupIndex]!;
  const random = new SeededRandom(hashSeed(scenario.seed, sessionId));
  const faults = group.faults;
  const afterTerminal = find(faults, 'after-terminal');
  const extraTokens = afterTerminal?.tokens ?? 0;
  const allTokens = sessionTokens(scenario, group, random, extraTokens);
  const tokenCount = allTokens.length - extraTokens;
  const tokens = allTokens.slice(0, tokenCount);
  const timing = { ...scenario.timing, ...group.timing };
  const timingRandom = random.fork('timing');
  const faultRandom = random.fork('faults');
  const channel = `${scenario.channelPrefix}${sessionId}`;
  const checkpoint = scenario.checkpoint;
  const contract = scenario.contract;
  const stream = isStreamContract(contract) ? contract : null;
  const prism = stream === 'prism';
  const vercel = stream === 'vercel-data-stream';
  // Ids in generation order (a reordered event keeps the id it was made with); Prism's carry `evt_`.
  // The Vercel stream has no id per event (nextId gives none): its messageId and text part id are random.
  const idRandom = random.fork('ids');
  const ids = stream === null || vercel ? null : new StreamIdSource(prism ? 'ulid' : 'uuid7', idRandom);
  const nextId = (prefix = prism ? 'evt_' : ''): string | undefined => (ids === null ? undefined : prefix + ids.next(t));
  /** Frames open a Vercel run with steps too (`start-step`, `finish-step`), as Prism's do. */
  const withSteps = prism || vercel;
  const streamAttempts: StreamAttempt[] = [];

  const reorder = find(faults, 'reorder');
  const drop = find(faults, 'drop');
  const duplicate = find(faults, 'duplicate');
  const malformed = find(faults, 'malformed');
  const oversize = find(faults, 'oversize');
  const spike = find(faults, 'latency-spike');
  const picks = {
    reorder: reorder ? selected(reorder, tokenCount, faultRandom.fork('reorder')) : new Set<number>(),
    drop: drop ? selected(drop, tokenCount, faultRandom.fork('drop')) : new Set<number>(),
    duplicate: duplicate ? selected(duplicate, tokenCount, faultRandom.fork('duplicate')) : new Set<number>(),
    malformed: malformed ? selected(malformed, tokenCount, faultRandom.fork('malformed')) : new Set<number>(),
    oversize: oversize ? selected(oversize, tokenCount, faultRandom.fork('oversize')) : new Set<number>(),
    spike: spike ? selected(spike, tokenCount, faultRandom.fork('spike')) : new Set<number>(),
  };
  const moments = faults.filter(
    (f): f is FaultOf<'stall'> | FaultOf<'disconnect'> | FaultOf<'ping-silence'> => f.kind === 'stall' || f.kind === 'disconnect' || f.kind === 'ping-silence',
  );
  const momentsDone = new Set<Fault>();
  /** Delivery faults act on a sequence's first emission in the session only. */
  const emittedOnce = new Set<number>();

  const steps: PlanStep[] = [];
  const events: TruthEvent[] = [];
  const truthFaults: TruthFault[] = [];
  let t = 0;
  const { attempts, failsAfterCrashes } = planAttempts(faults, tokenCount);

  // Record state as the job writes it.
  let lastSeq = 0;
  let savedText = '';
  let lastSaveT = 0;
  let outcome: GenerationOutcome = 'orphaned';
  let finalText: string | null = null;
  let terminationCode: string | null = null;
  let awaitsSweep = true;

  const record = (patch: RecordPatch): void => {
    steps.push({ kind: 'record', t, patch });
  };
  const emit = (event: Omit<TruthEvent, 't'>, padToBytes?: number): void => {
    // Built field by field, never `delete`d: a deleted property turns the object into a slow
    // dictionary several times its size, and a run holds ~50 of these per session for its whole
    // life (the old `{...event, t}` + `delete faults` doubled the plan's heap: 32 → 14 KB per
    // 50-token session, so planning and every GC during play had twice the work).
    // Key order as before (t last) so ground-truth files read the same.
    const built: Omit<TruthEvent, 't'> & { t?: number } = {
      attempt: event.attempt,
      sequence: event.sequence,
      state: event.state,
      chunk: event.chunk,
      terminationCode: event.terminationCode,
      delivery: event.delivery,
    };
    if (event.id !== undefined) built.id = event.id;
    if (event.variant !== undefined) built.variant = event.variant;
    if (event.faults && event.faults.length > 0) built.faults = event.faults;
    built.t = t;
    const full = built as TruthEvent;
    events.push(full);
    steps.push(padToBytes === undefined ? { kind: 'emit', t, event: full } : { kind: 'emit', t, event: full, padToBytes });
  };
  /** A frame of a stream contract that carries no text (`stream_start`, `text_start`, …). */
  const frame = (kind: StreamFrameKind, attempt: number): void => {
    steps.push({ kind: 'frame', t, frame: kind, attempt, id: nextId() ?? '' });
  };
  /** Whether the attempt being played sent its text_start (its text_end then comes before the end). */
  let textOpen = false;
  const terminal = (attempt: number, sequence: number, state: TerminalState, code: JobEndCode, faultKinds: FaultKind[] = []): void => {
    if (stream === null) {
      emit({ attempt, sequence, state, chunk: '', terminationCode: code, delivery: 'sent', faults: faultKinds });
      return;
    }
    // The contract's own words: stream_end with a reason, or its error event (docs/scenarios.md, "Contracts").
    const wire = streamTerminal(stream, code);
    if (wire.role === 'end' && textOpen) {
      frame('text_end', attempt);
      if (withSteps) frame('step_finish', attempt);
    }
    textOpen = false;
    const id = nextId();
    emit({ attempt, sequence, ...(id === undefined ? {} : { id }), state: wire.state, chunk: '', terminationCode: wire.code, delivery: 'sent', faults: faultKinds });
  };

  /**
   * `after-terminal`: the job keeps broadcasting tokens after its final terminal event, whichever
   * terminal that is (completed, truncated, abandoned, errored, or the failed() hook's).
   */
  const lateTokens = (attemptNo: number, terminalSeq: number): void => {
    if (!afterTerminal) return;
    for (let i = 0; i < afterTerminal.tokens; i++) {
      t += sample(timing.interTokenMs, timingRandom);
      const id = nextId();
      emit({
        attempt: attemptNo,
        sequence: terminalSeq + 1 + i,
        ...(id === undefined ? {} : { id }),
        state: 'generating',
        chunk: allTokens[tokenCount + i]!,
        terminationCode: null,
        delivery: 'sent',
        faults: ['after-terminal'],
      });
    }
    truthFaults.push({ kind: 'after-terminal', attempt: attemptNo, t, afterSequence: terminalSeq, detail: `${afterTerminal.tokens} token(s) after the terminal event` });
  };

  /**
   * One ground-truth entry per delivery fault: the sequences it was applied to, and those it was
   * drawn for but could not be (a sequence never sent, or taken by a fault that replaces the
   * event's first sending: drop, then reorder, then malformed, then oversize), so a fault that
   * hit nothing says so instead of leaving no trace.
   */
  const reportDeliveryFaults = (): void => {
    const delivery: Array<[FaultKind, Set<number>, { sequences?: number[] | undefined; probability?: number | undefined } | undefined]> = [
      ['reorder', picks.reorder, reorder],
      ['drop', picks.drop, drop],
      ['duplicate', picks.duplicate, duplicate],
      ['malformed', picks.malformed, malformed],
      ['oversize', picks.oversize, oversize],
    ];
    const takenBy = (kind: FaultKind, seq: number): string => {
      if (seq > maxSent) return `${seq} is never sent`;
      if (kind !== 'drop' && picks.drop.has(seq)) return `${seq} is dropped`;
      if (kind !== 'reorder' && kind !== 'drop' && picks.reorder.has(seq)) return `${seq} is held back by reorder`;
      if (kind === 'oversize' && picks.malformed.has(seq)) return `${seq} is sent malformed`;
      return `${seq} is not sent as a first emission`;
    };
    for (const [kind, chosen, fault] of delivery) {
      if (!fault) continue;
      const hit = events.filter((e) => e.faults?.includes(kind));
      const applied = [...new Set(hit.map((e) => e.sequence))].sort((x, y) => x - y);
      const missed = [...chosen].filter((seq) => !applied.includes(seq)).sort((x, y) => x - y);
      const how = fault.sequences ? 'listed' : `drawn with probability ${fault.probability ?? 0} over ${tokenCount} tokens`;
      let detail = applied.length > 0 ? `${kind} of sequence${applied.length === 1 ? '' : 's'} ${applied.join(', ')} (${how})` : `${kind} applied to no event (${how})`;
      if (missed.length > 0) detail += `; not applied where ${missed.map((seq) => takenBy(kind, seq)).join(', ')}`;
      truthFaults.push(applied.length > 0 ? { kind, attempt: hit[0]!.attempt, t: hit[0]!.t, detail } : { kind, attempt: 1, t: 0, detail, applied: false });
    }
    // A moment after more tokens than this session's sampled count streamed (a fixed count is refused by the schema instead).
    for (const moment of moments) {
      if (momentsDone.has(moment)) continue;
      truthFaults.push({
        kind: moment.kind,
        attempt: attempts.length,
        t,
        detail: `never happened: after ${moment.afterTokens} tokens, but no attempt streamed more than ${maxSent}`,
        applied: false,
      });
    }
  };

  let maxSent = 0;
  attempts.forEach((attempt, a) => {
    const attemptNo = a + 1;
    if (a > 0) {
      t += attempt.backoffMs;
      truthFaults.push({
        kind: 'retry',
        attempt: attemptNo,
        t,
        detail: `attempt ${attemptNo} after ${attempt.backoffMs} ms backoff${attempt.idempotent ? `, skipping sequences ≤ ${lastSeq}` : ', replaying from sequence 1'}`,
      });
    }
    const skipUpTo = attempt.idempotent ? lastSeq : 0;
    record({ progress: 'active' });
    if (stream !== null) {
      // The run opens: laravel/ai's stream() makes the attempt's invocation_id, the provider's stream its message id.
      if (vercel) {
        streamAttempts.push({ invocationId: null, messageId: vercelId(idRandom), tokens: attempt.afterTokens, textId: vercelId(idRandom) });
      } else {
        const invocationId = prism ? null : nextId()!;
        streamAttempts.push({ invocationId, messageId: nextId(prism ? 'msg_' : '')!, tokens: attempt.afterTokens });
      }
      frame('stream_start', attemptNo);
      if (withSteps) frame('step_start', attemptNo);
      textOpen = false;
    }
    t += sample(timing.ttftMs, timingRandom);
    let held: TruthEvent[] = [];
    let sinceHeld = 0;
    let attemptText = '';
    let processed = 0;
    let emittedInAttempt = 0;
    const release = (): void => {
      for (const event of held) emit({ ...event, faults: [...(event.faults ?? []), 'reorder'] });
      held = [];
    };
    for (let seq = 1; seq <= attempt.afterTokens; seq++) {
      const chunk = tokens[seq - 1]!;
      attemptText += chunk;
      processed++;
      if (seq <= skipUpTo) continue;
      if (emittedInAttempt++ > 0) t += sample(timing.interTokenMs, timingRandom);
      if (seq > maxSent) maxSent = seq;
      const first = !emittedOnce.has(seq);
      emittedOnce.add(seq);
      const shaped: FaultKind[] = [];
      if (first && picks.spike.has(seq) && spike) {
        t += spike.delayMs;
        shaped.push('latency-spike');
        truthFaults.push({ kind: 'latency-spike', attempt: attemptNo, t, afterSequence: seq - 1, detail: `+${spike.delayMs} ms before sequence ${seq}` });
      }
      if (stream !== null && !textOpen) {
        frame('text_start', attemptNo);
        textOpen = true;
      }
      const id = nextId();
      const base = { attempt: attemptNo, sequence: seq, ...(id === undefined ? {} : { id }), state: 'generating' as const, chunk, terminationCode: null };
      if (first && picks.drop.has(seq)) {
        emit({ ...base, delivery: 'dropped', faults: [...shaped, 'drop'] });
      } else if (first && picks.reorder.has(seq)) {
        held.push({ t, ...base, delivery: 'sent', faults: shaped });
        sinceHeld = 0;
        continue;
      } else {
        if (first && picks.malformed.has(seq) && malformed) {
          emit({ ...base, delivery: 'malformed', variant: malformed.variant, faults: [...shaped, 'malformed'] });
          if (malformed.resend) emit({ ...base, delivery: 'sent', faults: shaped });
        } else if (first && picks.oversize.has(seq) && oversize) {
          emit({ ...base, delivery: 'oversize', faults: [...shaped, 'oversize'] }, oversize.bytes);
          if (oversize.resend) emit({ ...base, delivery: 'sent', faults: shaped });
        } else {
          emit({ ...base, delivery: 'sent', faults: shaped });
        }
        if (first && picks.duplicate.has(seq) && duplicate) {
          for (let c = 0; c < duplicate.copies; c++) emit({ ...base, delivery: 'sent', faults: ['duplicate'] });
        }
      }
      if (held.length > 0 && ++sinceHeld >= (reorder?.window ?? 1)) release();
      // Checkpoint: every N tokens, or (adaptive) when the last save is getting old.
      if (processed % checkpoint.everyTokens === 0 || (checkpoint.adaptive && t - lastSaveT >= checkpoint.maxIntervalMs)) {
        lastSeq = seq;
        savedText = attemptText;
        lastSaveT = t;
        record({ last_seq: lastSeq, accumulated_text: savedText, save: true });
      }
      for (const moment of moments) {
        if (momentsDone.has(moment) || seq < moment.afterTokens) continue;
        momentsDone.add(moment);
        if (moment.kind === 'stall') {
          truthFaults.push({ kind: 'stall', attempt: attemptNo, t, afterSequence: seq, detail: `silent for ${moment.durationMs} ms` });
          t += moment.durationMs;
        } else if (moment.kind === 'disconnect') {
          const reason = moment.reason ?? `EchoScope fault: disconnect with ${moment.code}`;
          truthFaults.push({ kind: 'disconnect', attempt: attemptNo, t, afterSequence: seq, code: moment.code, detail: reason });
          steps.push({ kind: 'disconnect', t, code: moment.code, reason, waitForResubscribe: moment.waitForResubscribe });
        } else {
          truthFaults.push({ kind: 'ping-silence', attempt: attemptNo, t, afterSequence: seq, detail: `no pings or pongs for ${moment.durationMs} ms` });
          steps.push({ kind: 'ping-silence', t, durationMs: moment.durationMs });
        }
      }
    }
    release();
    const terminalSeq = attempt.afterTokens + 1;
    if (attempt.end !== 'crash' && attempt.end !== 'silent-death') t += sample(timing.interTokenMs, timingRandom);
    switch (attempt.end) {
      case 'crash':
        truthFaults.push({ kind: 'crash', attempt: attemptNo, t, afterSequence: attempt.afterTokens, detail: `worker died after ${attempt.afterTokens} tokens` });
        break;
      case 'silent-death':
        truthFaults.push({ kind: 'silent-death', attempt: attemptNo, t, afterSequence: attempt.afterTokens, detail: 'worker killed: no terminal event' });
        break;
      case 'error':
        truthFaults.push({ kind: 'error', attempt: attemptNo, t, afterSequence: attempt.afterTokens, detail: 'exception in the job' });
        terminal(attemptNo, terminalSeq, 'errored', 'exception', ['error']);
        if (a === attempts.length - 1) {
          outcome = 'failed';
          terminationCode = 'exception';
          awaitsSweep = false;
          record({ progress: 'failed', termination_code: 'exception', failure_detail: 'exception in the job', save: true, resolve: true });
          lateTokens(attemptNo, terminalSeq);
        } else {
          record({ progress: 'queued', failure_detail: 'exception in the job; retrying', save: true });
        }
        break;
      case 'truncate': {
        const fault = find(faults, 'truncate')!;
        truthFaults.push({ kind: 'truncate', attempt: attemptNo, t, afterSequence: attempt.afterTokens, detail: `${fault.state} with ${fault.code}` });
        terminal(attemptNo, terminalSeq, fault.state, fault.code, ['truncate']);
        outcome = 'truncated';
        finalText = attemptText;
        terminationCode = fault.code;
        awaitsSweep = false;
        record({
          progress: 'truncated',
          last_seq: attempt.afterTokens,
          accumulated_text: attemptText,
          final_text: attemptText,
          termination_code: fault.code,
          save: true,
          resolve: true,
        });
        lateTokens(attemptNo, terminalSeq);
        break;
      }
      case 'abandon':
        truthFaults.push({ kind: 'abandon', attempt: attemptNo, t, afterSequence: attempt.afterTokens, detail: 'the client cancelled' });
        terminal(attemptNo, terminalSeq, 'abandoned', 'client_cancelled', ['abandon']);
        outcome = 'failed';
        terminationCode = 'client_cancelled';
        awaitsSweep = false;
        record({
          progress: 'failed',
          last_seq: attempt.afterTokens,
          accumulated_text: attemptText,
          termination_code: 'client_cancelled',
          failure_detail: 'abandoned: the client cancelled',
          save: true,
          resolve: true,
        });
        lateTokens(attemptNo, terminalSeq);
        break;
      case 'complete':
        terminal(attemptNo, terminalSeq, 'completed', 'end_turn');
        outcome = 'completed';
        finalText = attemptText;
        terminationCode = 'end_turn';
        awaitsSweep = false;
        record({
          progress: 'completed',
          last_seq: attempt.afterTokens,
          accumulated_text: attemptText,
          final_text: attemptText,
          termination_code: 'end_turn',
          save: true,
          resolve: true,
        });
        lateTokens(attemptNo, terminalSeq);
        break;
    }
  });

  if (failsAfterCrashes) {
    // Laravel calls the job's failed() hook once tries are exhausted; it broadcasts the failure.
    t += 1;
    truthFaults.push({ kind: 'failed', attempt: attempts.length, t, detail: 'max attempts exceeded' });
    terminal(attempts.length, maxSent + 1, 'errored', 'exception', ['crash']);
    outcome = 'failed';
    terminationCode = 'exception';
    awaitsSweep = false;
    record({ progress: 'failed', termination_code: 'exception', failure_detail: 'MaxAttemptsExceededException: the job crashed on every attempt', save: true, resolve: true });
    lateTokens(attempts.length, maxSent + 1);
  }
  reportDeliveryFaults();
  if (stream !== null) numberStreamPositions(events);
  if (awaitsSweep) truthFaults.push({ kind: 'sweep', attempt: attempts.length, t, detail: `orphaned by the sweeper after ${scenario.orphanAfterMs} ms of silence` });

  const startRandom = random.fork('start');
  const startOffsetMs = sample(group.startMs, startRandom) + group.staggerMs * index;
  return {
    sessionId,
    channel,
    group: groupIndex,
    index,
    startOffsetMs,
    steps,
    awaitsSweep,
    truth: { sessionId, channel, group: groupIndex, attempts: attempts.length, outcome, finalText, terminationCode, events, faults: truthFaults },
    ...(stream === null ? {} : { streamAttempts }),
  };
}
