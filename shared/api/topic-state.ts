import type { JournalRecord } from '../journal/records';
import type { SessionDetail } from './monitor';
import { SESSION_DETAIL_OPTIONAL_KEYS, SESSION_DETAIL_SET_KEYS, type ParsedTopicParams, type SessionDetailPatch, type TopicDelta, type TopicName, type TopicState } from './topics';

/**
 * How a delta changes a subscription's state — pure, one function per topic, used by the
 * renderer's `useSubscription` and by the tests that hold the delta-built state equal to a fresh
 * snapshot. The host's side of each diff is here too, so both ends read one definition.
 */

type Reducers = { [T in TopicName]: (state: TopicState<T>, delta: TopicDelta<T>, params: ParsedTopicParams<T>) => TopicState<T> };

const reducers: Reducers = {
  tail: (state, delta, params) => ({ items: keepLast([...state.items, ...delta.items], params.keep), dropped: state.dropped + delta.dropped }),
  session: (state, delta) => (delta.kind === 'replace' ? delta.detail : state === null ? null : applySessionPatch(state, delta)),
  live: (state, delta) => {
    const known = new Map(state.rows.map((row) => [row.sessionId, row]));
    for (const row of delta.rows) known.set(row.sessionId, row);
    const rows = delta.ids.flatMap((id) => {
      const row = known.get(id);
      return row === undefined ? [] : [row];
    });
    return { total: delta.total, sessions: delta.sessions, counts: delta.counts, offset: state.offset, rows };
  },
  fleet: (_state, delta) => delta.fleet,
};

export function applyTopicDelta<T extends TopicName>(topic: T, state: TopicState<T>, delta: TopicDelta<T>, params: ParsedTopicParams<T>): TopicState<T> {
  return (reducers[topic] as (state: TopicState<T>, delta: TopicDelta<T>, params: ParsedTopicParams<T>) => TopicState<T>)(state, delta, params);
}

function keepLast(items: JournalRecord[], keep: number): JournalRecord[] {
  return items.length > keep ? items.slice(items.length - keep) : items;
}

/** The change from one detail to the next; undefined when nothing changed. */
export function diffSessionDetail(previous: SessionDetail, next: SessionDetail): SessionDetailPatch | undefined {
  const patch: SessionDetailPatch = { kind: 'patch', set: {} };
  let changed = false;
  const set = patch.set as Record<string, unknown>;
  for (const key of SESSION_DETAIL_SET_KEYS) {
    const value = next[key];
    if (value === undefined) continue;
    if (!sameJson(previous[key], value)) {
      set[key] = value;
      changed = true;
    }
  }
  const unset = SESSION_DETAIL_OPTIONAL_KEYS.filter((key) => previous[key] !== undefined && next[key] === undefined);
  if (unset.length > 0) {
    patch.unset = unset;
    changed = true;
  }
  const text = spliceText(previous.text, next.text);
  if (text) {
    patch.text = text;
    changed = true;
  }
  const naiveText = spliceText(previous.naiveText, next.naiveText);
  if (naiveText) {
    patch.naiveText = naiveText;
    changed = true;
  }
  const anomalies = spliceItems(previous.anomalies, next.anomalies);
  if (anomalies) {
    patch.anomalies = anomalies;
    changed = true;
  }
  return changed ? patch : undefined;
}

export function applySessionPatch(detail: SessionDetail, patch: SessionDetailPatch): SessionDetail {
  const next: Record<string, unknown> = { ...detail };
  for (const [key, value] of Object.entries(patch.set)) if (value !== undefined) next[key] = value;
  for (const key of patch.unset ?? []) delete next[key];
  if (patch.text) next.text = detail.text.slice(0, patch.text.at) + patch.text.text;
  if (patch.naiveText) next.naiveText = detail.naiveText.slice(0, patch.naiveText.at) + patch.naiveText.text;
  if (patch.anomalies) next.anomalies = [...detail.anomalies.slice(0, patch.anomalies.at), ...patch.anomalies.items];
  return next as SessionDetail;
}

function sameJson(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/** Tokens append: what changed is usually the end, so the common head is kept and the rest sent. */
function spliceText(previous: string, next: string): { at: number; text: string } | undefined {
  if (previous === next) return undefined;
  const limit = Math.min(previous.length, next.length);
  let at = 0;
  while (at < limit && previous.charCodeAt(at) === next.charCodeAt(at)) at++;
  return { at, text: next.slice(at) };
}

function spliceItems<T>(previous: readonly T[], next: readonly T[]): { at: number; items: T[] } | undefined {
  const limit = Math.min(previous.length, next.length);
  let at = 0;
  while (at < limit && sameJson(previous[at], next[at])) at++;
  if (at === previous.length && at === next.length) return undefined;
  return { at, items: next.slice(at) };
}
