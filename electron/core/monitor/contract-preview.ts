import { Analyzer, combineObservations, type SessionVerdict } from '../../../shared/analysis';
import type { ContractIssue, ContractPreview, MonitorSettings, PreviewSession } from '../../../shared/api';
import { ContractProfileSchema, parseContractProfile, type ContractProfile } from '../../../shared/contract';
import type { JournalRecord } from '../../../shared/journal';

/**
 * Settings' live preview of a draft contract (`contracts.preview`): the monitor's most recent
 * records read by a fresh Analyzer with the draft and the monitor's thresholds — the same fold
 * live analysis runs, on its own state, so live analysis is not changed — and what it made of
 * them, in samples small enough to redraw as the user types.
 */

export const PREVIEW_MAX_SESSIONS = 20;
export const PREVIEW_MAX_VIOLATIONS = 10;
export const PREVIEW_MAX_UNRECOGNISED = 10;
export const PREVIEW_MAX_UNREAD_EVENTS = 10;

/** Pusher's own frames (subscription_succeeded, …): never a contract's, so never "not read". */
function isProtocolEvent(event: string): boolean {
  return event.startsWith('pusher:') || event.startsWith('pusher_internal:');
}

/** Each problem of a draft with the field it names, as `parseContractProfile` names them (`fields.sequence`, `stream.events.text`). */
export function contractIssues(input: unknown): ContractIssue[] {
  const result = ContractProfileSchema.safeParse(input);
  if (result.success) return [];
  return result.error.issues.map((issue) => ({ path: issue.path.length > 0 ? issue.path.map(String).join('.') : 'profile', message: issue.message }));
}

/** `draft`: a contract profile as the user wrote it (validated here), or null for automatic detection. */
export function previewContract(records: readonly JournalRecord[], settings: MonitorSettings, draft: unknown, now: number): ContractPreview {
  let profile: ContractProfile | null = null;
  if (draft !== null) {
    const parsed = parseContractProfile(draft);
    if (!parsed.ok) return { valid: false, error: parsed.error, issues: contractIssues(draft) };
    profile = parsed.profile;
  }
  const analyzer = new Analyzer({ ...settings, profile });
  const channels = new Map<string, { frames: number; read: number }>();
  const unread = new Map<string, { frames: number; channel: string }>();
  let frames = 0;
  let framesRead = 0;
  for (const record of records) {
    const key = analyzer.ingest(record);
    if (record.type !== 'frame') continue;
    frames++;
    const name = record.channel ?? '';
    let channel = channels.get(name);
    if (channel === undefined) {
      channel = { frames: 0, read: 0 };
      channels.set(name, channel);
    }
    channel.frames++;
    if (key !== undefined) {
      framesRead++;
      channel.read++;
    } else if (!isProtocolEvent(record.event)) {
      const event = unread.get(record.event);
      if (event === undefined) unread.set(record.event, { frames: 1, channel: name });
      else event.frames++;
    }
  }

  const verdict = analyzer.verdicts(now, { includeText: false });
  const sessions: PreviewSession[] = [];
  const violations: Extract<ContractPreview, { valid: true }>['violations'] = [];
  let sessionsTotal = 0;
  let violationsTotal = 0;
  const observations = verdict.sessions;
  for (let i = 0; i < observations.length;) {
    let j = i + 1;
    while (j < observations.length && observations[j]!.sessionId === observations[i]!.sessionId) j++;
    const session: SessionVerdict = j === i + 1 ? observations[i]! : combineObservations(observations.slice(i, j));
    i = j;
    sessionsTotal++;
    if (sessions.length < PREVIEW_MAX_SESSIONS) {
      const { sessionId, channel, status, terminationCode, events, duplicates, replays } = session;
      sessions.push({ sessionId, channel, status, terminationCode, events, duplicates, replays, violations: session.violations });
    }
    for (const anomaly of session.anomalies) {
      if (anomaly.kind !== 'violation' && anomaly.kind !== 'oversize') continue;
      violationsTotal++;
      if (violations.length >= PREVIEW_MAX_VIOLATIONS) continue;
      const violation: (typeof violations)[number] = {
        sessionId: session.sessionId,
        channel: session.channel,
        at: anomaly.at,
        kind: anomaly.kind,
        reason: anomaly.reason ?? anomaly.kind,
      };
      if (anomaly.sequence !== undefined) violation.sequence = anomaly.sequence;
      violations.push(violation);
    }
  }

  let channelsRead = 0;
  let framesOnChannelsRead = 0;
  for (const channel of channels.values()) {
    if (channel.read === 0) continue;
    channelsRead++;
    framesOnChannelsRead += channel.frames;
  }
  return {
    valid: true,
    contract: profile?.name ?? null,
    kind: profile === null ? 'automatic' : profile.stream === null ? 'sequenced' : 'stream',
    records: records.length,
    frames,
    framesRead,
    channels: channels.size,
    channelsRead,
    framesOnChannelsRead,
    sessions,
    sessionsTotal,
    summary: verdict.summary as unknown as Extract<ContractPreview, { valid: true }>['summary'],
    violations,
    violationsTotal,
    unrecognised: verdict.unrecognised.slice(0, PREVIEW_MAX_UNRECOGNISED),
    unrecognisedTotal: verdict.unrecognised.length,
    unreadEvents: [...unread.entries()]
      .sort((a, b) => b[1].frames - a[1].frames)
      .slice(0, PREVIEW_MAX_UNREAD_EVENTS)
      .map(([event, { frames: count, channel }]) => ({ event, frames: count, channel })),
  };
}
