import { describe, expect, it } from 'vitest';
import { analyzeJournal } from '.';
import { builtinContract, parseContractProfile, type ContractProfile } from '../contract';
import type { FrameRecord, JournalRecord } from '../journal';

/**
 * Streams without sequence numbers: the Laravel AI SDK's and Prism's broadcasts (shapes from
 * docs/contracts-research.md: laravel/ai v0.2.5 … v0.11.2, prism-php/prism v0.100.1). Each journal
 * below is written by hand as the SDK would broadcast it; each expected verdict follows from how
 * it was written (which events, which ids, which attempts), never from running the analyzer.
 */

const LARAVEL_AI = builtinContract('laravel-ai')!;
const PRISM = builtinContract('prism')!;
const CHANNEL = 'private-chat.42';

let clock = 0;
const at = () => (clock += 20);

const subscribed = (): JournalRecord => ({ type: 'subscription', at: 0, connection: 'c1', channel: CHANNEL, status: 'subscribed' });
const frame = (event: string, data: Record<string, unknown>, connection = 'c1'): FrameRecord => ({ type: 'frame', at: at(), connection, channel: CHANNEL, event, data });

/** The Laravel AI SDK's events of one invocation (`id` evt ids, `invocation_id`, integer-second timestamps). */
function laravelAi(invocation: string) {
  let n = 0;
  const base = (type: string) => ({ id: `${invocation}-evt-${++n}`, invocation_id: invocation, type, timestamp: 1_764_670_000 });
  return {
    start: () => frame('stream_start', { ...base('stream_start'), provider: 'anthropic', model: 'claude', metadata: [] }),
    textStart: () => frame('text_start', { ...base('text_start'), message_id: 'msg_1' }),
    delta: (delta: string) => frame('text_delta', { ...base('text_delta'), message_id: 'msg_1', delta }),
    textEnd: () => frame('text_end', { ...base('text_end'), message_id: 'msg_1' }),
    end: (reason: string) => frame('stream_end', { ...base('stream_end'), reason, usage: { prompt_tokens: 10, completion_tokens: 3 } }),
    failed: () => frame('stream_failed', { ...base('stream_failed'), message: 'The stream failed.', recoverable: false, metadata: [] }),
    providerError: (type: string) => frame(type, { ...base(type), message: 'Overloaded', recoverable: false, metadata: [] }),
  };
}

/** The session at `endMs` with a 5 s stall clock and a 60 s orphan clock (the streams below go silent). */
const silentFor = (records: JournalRecord[], profile: ContractProfile, endMs: number) =>
  analyzeJournal([subscribed(), ...records], { profile, endMs, stallAfterMs: 5_000, orphanAfterMs: 60_000 }).sessions[0]!;

const verdictOf = (records: JournalRecord[], profile: ContractProfile = LARAVEL_AI) => {
  const verdict = analyzeJournal([subscribed(), ...records], { profile });
  expect(verdict.sessions).toHaveLength(1);
  return { session: verdict.sessions[0]!, summary: verdict.summary };
};

describe('the Laravel AI SDK’s stream (laravel/ai): a session per channel, text from text_delta, the end from stream_end', () => {
  it('healthy: start, three deltas, stream_end stop → completed, the text, TTFT from stream_start', () => {
    clock = 0;
    const run = laravelAi('inv-1');
    const records = [run.start(), run.textStart(), run.delta('Hel'), run.delta('lo'), run.delta('!'), run.textEnd(), run.end('stop')];
    const { session, summary } = verdictOf(records);
    expect(session).toMatchObject({
      sessionId: '42',
      channel: CHANNEL,
      status: 'completed',
      terminationCode: 'stop',
      terminalStates: ['completed'],
      text: 'Hello!',
      duplicates: 0,
      replays: 0,
      attempts: 1,
      violations: 0,
    });
    // stream_start at 20 ms, the first delta at 60 ms
    expect(session).toMatchObject({ ttftMs: 40, ttftFrom: 'start_event' });
    // no sequence numbers: neither gaps nor order can be checked, and the verdict says so
    expect(session.checks).toEqual({ gaps: false, order: true, duplicates: true });
    // text_start and text_end carry no text: not the session's events, counted as ignored frames
    expect(summary.ignoredFrames).toBe(2);
  });

  it('truncated: reason length → truncated; content_filter too', () => {
    clock = 0;
    const run = laravelAi('inv-1');
    expect(verdictOf([run.start(), run.delta('a'), run.end('length')]).session).toMatchObject({ status: 'truncated', terminationCode: 'length' });
    const other = laravelAi('inv-2');
    expect(verdictOf([other.start(), other.delta('a'), other.end('content_filter')]).session).toMatchObject({ status: 'truncated', terminationCode: 'content_filter' });
  });

  it('failed: BroadcastAgent’s failed() broadcasts stream_failed → errored; a provider error named after its type too', () => {
    clock = 0;
    const run = laravelAi('inv-1');
    expect(verdictOf([run.start(), run.delta('a'), run.failed()]).session).toMatchObject({ status: 'errored', terminationCode: 'stream_failed', text: 'a' });
    const other = laravelAi('inv-2');
    expect(verdictOf([other.start(), other.delta('a'), other.providerError('overloaded_error')]).session).toMatchObject({ status: 'errored', terminationCode: 'overloaded_error' });
  });

  it('a redelivered event (same id again: a retried BroadcastEvent job) is a duplicate, and the text keeps it once', () => {
    clock = 0;
    const run = laravelAi('inv-1');
    const first = run.delta('Hel');
    const again: FrameRecord = { ...first, at: at() };
    const records = [run.start(), first, again, run.delta('lo'), run.end('stop')];
    const { session } = verdictOf(records);
    expect(session).toMatchObject({ status: 'completed', duplicates: 1, conflicts: 0, text: 'Hello', naiveText: 'HelHello' });
  });

  it('restart: the job retried under a new invocation_id replays from its start — one replay, two attempts, the retry’s text', () => {
    clock = 0;
    const crashed = laravelAi('inv-1');
    const retry = laravelAi('inv-2');
    const records = [crashed.start(), crashed.delta('Hel'), crashed.delta('lo'), retry.start(), retry.delta('Hel'), retry.delta('lo'), retry.delta('!'), retry.end('stop')];
    const { session } = verdictOf(records);
    // the crashed attempt had no terminal: no terminal conflict; the retry re-sent positions 1 and 2
    expect(session).toMatchObject({ status: 'completed', terminalStates: ['completed'], replays: 1, attempts: 2, duplicates: 2 });
    expect(session.lastAttempt).toMatchObject({ attempt: 2, from: 1, to: 4 });
  });

  it('restart under the same invocation_id (BroadcastAgent G3 with tries > 1): a second stream_start after text', () => {
    clock = 0;
    const run = laravelAi('inv-1');
    const records = [run.start(), run.delta('a'), run.start(), run.delta('a'), run.delta('b'), run.end('stop')];
    expect(verdictOf(records).session).toMatchObject({ status: 'completed', replays: 1, attempts: 2 });
  });

  it('a tool loop: a second stream_start after a tool_call and its result is the run’s next step, not a restart', () => {
    clock = 0;
    const run = laravelAi('inv-1');
    const tool = frame('tool_call', {
      id: 'inv-1-evt-3a',
      invocation_id: 'inv-1',
      type: 'tool_call',
      tool_id: 't1',
      tool_name: 'search',
      arguments: {},
      reasoning_id: null,
      timestamp: 1,
    });
    const records = [run.start(), run.delta('Let me look. '), tool, run.start(), run.delta('Found it.'), run.end('stop')];
    expect(verdictOf(records).session).toMatchObject({ status: 'completed', replays: 0, attempts: 1, text: 'Let me look. Found it.' });
  });

  it('no terminal: the stream stops (a worker died) → stalled, then orphaned, by the same clocks', () => {
    clock = 0;
    const run = laravelAi('inv-1');
    const records = [run.start(), run.delta('a'), run.delta('b')];
    const stalled = silentFor(records, LARAVEL_AI, 80 + 10_000);
    expect(stalled).toMatchObject({ status: 'stalled', terminalStates: [], text: 'ab' });
    const orphaned = silentFor(records, LARAVEL_AI, 80 + 120_000);
    expect(orphaned).toMatchObject({ status: 'orphaned' });
  });

  it('a sub-agent’s events (parent_invocation_id) are not the session’s text or a new attempt', () => {
    clock = 0;
    const run = laravelAi('inv-1');
    const child = frame('text_delta', {
      id: 'c-1',
      invocation_id: 'inv-child',
      parent_invocation_id: 'inv-1',
      type: 'text_delta',
      message_id: 'm',
      delta: 'tool says',
      timestamp: 1,
    });
    const records = [run.start(), run.delta('a'), child, run.delta('b'), run.end('stop')];
    expect(verdictOf(records).session).toMatchObject({ status: 'completed', text: 'ab', attempts: 1, replays: 0 });
  });

  it('a text_delta without text is a violation of the session, not a crash', () => {
    clock = 0;
    const run = laravelAi('inv-1');
    const broken = frame('text_delta', { id: 'x', invocation_id: 'inv-1', type: 'text_delta', message_id: 'm', timestamp: 1 });
    expect(verdictOf([run.start(), broken, run.delta('a'), run.end('stop')]).session).toMatchObject({ status: 'completed', violations: 1, text: 'a' });
  });

  it('out of order: a delta whose time-ordered id sorts below one already received (queued send() jobs racing)', () => {
    clock = 0;
    const run = laravelAi('inv-1');
    const [start, a, b, c, d, end] = [run.start(), run.delta('a'), run.delta('b'), run.delta('c'), run.delta('d'), run.end('stop')];
    // generated a b c d, delivered a c b d: b (evt-3) arrives after c (evt-4)
    const { session } = verdictOf([start!, a!, c!, { ...b!, at: at() }, d!, end!]);
    expect(session).toMatchObject({ status: 'completed', outOfOrder: 1, duplicates: 0, replays: 0 });
    expect(session.anomalies.filter((x) => x.kind === 'out_of_order')).toHaveLength(1);
    // the text is what arrived, in arrival order (a client appending deltas shows the same)
    expect(session.text).toBe('acbd');
  });

  it('the error event’s message is the termination detail', () => {
    clock = 0;
    const run = laravelAi('inv-1');
    const { session } = verdictOf([run.start(), run.delta('a'), run.failed()]);
    expect(session).toMatchObject({ status: 'errored', terminationCode: 'stream_failed', terminationDetail: 'The stream failed.' });
  });

  it('two connections see one session: positions by event id, so what one lost is delivery loss', () => {
    clock = 0;
    const run = laravelAi('inv-1');
    const events = [run.start(), run.delta('a'), run.delta('b'), run.delta('c'), run.end('stop')];
    const second = events.filter((_, i) => i !== 2).map((r) => ({ ...r, connection: 'c2', at: r.at + 5 }));
    const verdict = analyzeJournal([subscribed(), { ...subscribed(), connection: 'c2' }, ...events, ...second], { profile: LARAVEL_AI });
    const byConnection = new Map(verdict.sessions.map((s) => [s.connection, s]));
    expect(byConnection.get('c1')).toMatchObject({ text: 'abc', deliveryLoss: 0 });
    expect(byConnection.get('c2')).toMatchObject({ text: 'ac', deliveryLoss: 1 });
  });
});

describe('Prism’s stream (asBroadcast): no run id, finish_reason is the enum’s name', () => {
  const prism = () => {
    let n = 0;
    const base = () => ({ id: `EVT_${++n}`, timestamp: 1_764_670_000 });
    return {
      start: () => frame('stream_start', { ...base(), model: 'm', provider: 'p', metadata: null }),
      delta: (delta: string) => frame('text_delta', { ...base(), delta, message_id: 'msg_1' }),
      end: (finish: string) => frame('stream_end', { ...base(), finish_reason: finish, usage: { prompt_tokens: 1, completion_tokens: 1 }, citations: null }),
      error: (recoverable: boolean) => frame('error', { ...base(), error_type: 'overloaded_error', message: 'Overloaded', recoverable, metadata: [] }),
    };
  };

  it('Stop → completed; Length → truncated', () => {
    clock = 0;
    const a = prism();
    expect(verdictOf([a.start(), a.delta('x'), a.end('Stop')], PRISM).session).toMatchObject({ status: 'completed', terminationCode: 'Stop', text: 'x' });
    const b = prism();
    expect(verdictOf([b.start(), b.delta('x'), b.end('Length')], PRISM).session).toMatchObject({ status: 'truncated', terminationCode: 'Length' });
  });

  it('a recoverable error goes on (no terminal); an unrecoverable one ends it errored with its error_type', () => {
    clock = 0;
    const a = prism();
    expect(verdictOf([a.start(), a.delta('x'), a.error(true), a.delta('y'), a.end('Stop')], PRISM).session).toMatchObject({
      status: 'completed',
      text: 'xy',
      terminalStates: ['completed'],
    });
    const b = prism();
    expect(verdictOf([b.start(), b.delta('x'), b.error(false)], PRISM).session).toMatchObject({ status: 'errored', terminationCode: 'overloaded_error' });
  });

  it('a redelivered event (same id) is a duplicate; no stream_end (asBroadcast threw) → stalled, then orphaned', () => {
    clock = 0;
    const a = prism();
    const first = a.delta('x');
    const records = [a.start(), first, { ...first, at: at() }, a.delta('y')];
    expect(verdictOf(records, PRISM).session).toMatchObject({ duplicates: 1, text: 'xy', naiveText: 'xxy' });
    const stalled = silentFor(records, PRISM, 80 + 10_000);
    expect(stalled).toMatchObject({ status: 'stalled', terminalStates: [] });
    const orphaned = silentFor(records, PRISM, 80 + 120_000);
    expect(orphaned).toMatchObject({ status: 'orphaned' });
  });

  it('a job that failed before any text and was retried: its new stream_start after the error begins again', () => {
    clock = 0;
    const a = prism();
    const b = prism();
    const records = [a.start(), a.error(false), { ...b.start(), data: { id: 'EVT_R1', timestamp: 1, model: 'm', provider: 'p', metadata: null } }, b.delta('x'), b.end('Stop')];
    // the error ended attempt 1 at position 1; the retry is attempt 2 from position 1 again — as the
    // seed contract's errored-then-retry: a replay, and (a client stops at the error) after the terminal
    expect(verdictOf(records, PRISM).session).toMatchObject({ status: 'completed', terminalStates: ['errored', 'completed'], attempts: 2, replays: 1, afterTerminal: 2 });
  });

  it('a retried job is a new stream_start on the channel after text: a restart', () => {
    clock = 0;
    const a = prism();
    const b = prism();
    const records = [a.start(), a.delta('x'), b.start(), { ...b.delta('x'), data: { id: 'EVT_R2', timestamp: 1, delta: 'x', message_id: 'm' } }, b.end('Stop')];
    expect(verdictOf(records, PRISM).session).toMatchObject({ status: 'completed', replays: 1, attempts: 2 });
  });
});

describe('the Vercel AI data stream relayed over Echo: chunks by type, ids per text part', () => {
  const VERCEL = builtinContract('vercel-data-stream')!;
  /** A relay that broadcasts every UI message chunk under one event name, the chunk's type inside. */
  const chunk = (data: Record<string, unknown>) => frame('ai.chunk', data);
  const text = (delta: string) => chunk({ type: 'text-delta', id: 'txt_0', delta });

  it('healthy: start, deltas, finish stop → completed; TTFT from start; the text', () => {
    clock = 0;
    const records = [
      chunk({ type: 'start', messageId: 'm1' }),
      chunk({ type: 'text-start', id: 'txt_0' }),
      text('Hel'),
      text('lo'),
      chunk({ type: 'finish', finishReason: 'stop' }),
    ];
    const { session } = verdictOf(records, VERCEL);
    expect(session).toMatchObject({ status: 'completed', terminationCode: 'stop', text: 'Hello', ttftFrom: 'start_event' });
    // every delta of a part shares its id, and ids are random: redeliveries and order cannot be told
    expect(session.checks).toEqual({ gaps: false, order: false, duplicates: false });
  });

  it('finish length → truncated; abort → abandoned; error → errored with its errorText', () => {
    clock = 0;
    expect(verdictOf([chunk({ type: 'start' }), text('a'), chunk({ type: 'finish', finishReason: 'length' })], VERCEL).session).toMatchObject({
      status: 'truncated',
      terminationCode: 'length',
    });
    expect(verdictOf([chunk({ type: 'start' }), text('a'), chunk({ type: 'abort' })], VERCEL).session).toMatchObject({ status: 'abandoned', terminationCode: 'abort' });
    expect(verdictOf([chunk({ type: 'start' }), text('a'), chunk({ type: 'error', errorText: 'rate limited' })], VERCEL).session).toMatchObject({
      status: 'errored',
      terminationCode: 'error',
      terminationDetail: 'rate limited',
    });
  });

  it('no finish (the relay stopped, [DONE] never came) → stalled, then orphaned; a redelivered chunk cannot be told (no id per event): two events', () => {
    clock = 0;
    const records = [chunk({ type: 'start' }), text('a'), text('a')];
    const stalled = silentFor(records, VERCEL, 60 + 10_000);
    expect(stalled).toMatchObject({ status: 'stalled', terminalStates: [], events: 2, duplicates: 0, text: 'aa' });
    const orphaned = silentFor(records, VERCEL, 60 + 120_000);
    expect(orphaned).toMatchObject({ status: 'orphaned' });
  });

  it('a relay’s broken chunk (not JSON: its kind cannot be read) on a channel read as this stream is a violation, not ignored', () => {
    clock = 0;
    // the journal keeps a payload that did not parse as its text
    const broken: FrameRecord = { type: 'frame', at: at(), connection: 'c1', channel: CHANNEL, event: 'ai.chunk', data: '{"type":"text-delta","id":"t' };
    const records = [chunk({ type: 'start' }), text('a'), broken, text('b'), chunk({ type: 'finish', finishReason: 'stop' })];
    expect(verdictOf(records, VERCEL).session).toMatchObject({ status: 'completed', violations: 1, text: 'ab' });
  });

  it('chunks named by their type work the same; a second start after text is a restart', () => {
    clock = 0;
    const named = (data: Record<string, unknown>) => frame(data.type as string, data);
    const records = [
      named({ type: 'start' }),
      named({ type: 'text-delta', id: 't', delta: 'a' }),
      named({ type: 'start' }),
      named({ type: 'text-delta', id: 't', delta: 'a' }),
      named({ type: 'text-delta', id: 't', delta: 'b' }),
      named({ type: 'finish', finishReason: 'stop' }),
    ];
    expect(verdictOf(records, VERCEL).session).toMatchObject({ status: 'completed', replays: 1, attempts: 2, text: 'ab' });
  });
});

describe('event-stream contracts are data', () => {
  it('a user contract in the same form: renamed events and fields', () => {
    clock = 0;
    const parsed = parseContractProfile({
      name: 'mine',
      stream: { events: { text: ['.token'], end: ['done'] }, fields: { id: 'uid', text: 'piece', reason: 'why' }, reasons: { cut: 'truncated' } },
    });
    expect(parsed.ok).toBe(true);
    const profile = (parsed as { ok: true; profile: ContractProfile }).profile;
    const records = [
      frame('token', { uid: 'u1', piece: 'Hi' }),
      frame('token', { uid: 'u1', piece: 'Hi' }),
      frame('token', { uid: 'u2', piece: '!' }),
      frame('done', { uid: 'u3', why: 'cut' }),
    ];
    expect(verdictOf(records, profile).session).toMatchObject({ status: 'truncated', terminationCode: 'cut', text: 'Hi!', duplicates: 1 });
  });

  it('a contract without a text or end event is refused with the reason', () => {
    const parsed = parseContractProfile({ stream: { events: { text: [], end: ['done'] } } });
    expect(parsed).toMatchObject({ ok: false, error: expect.stringContaining('at least one text event') });
  });
});
