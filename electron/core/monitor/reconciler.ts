import { compareWithRecord, recordVersion, type ReconcileTrigger } from '../../../shared/analysis';
import type { ReconcileResult, SessionDetail } from '../../../shared/api';
import type { Clock } from '../clock';

export interface ReconcileTarget {
  /** URL template with `{sessionId}`, e.g. `http://127.0.0.1:6001/api/generations/{sessionId}`. */
  url: string;
  headers: Record<string, string>;
  /** Quiet time after the last activity before the record is compared once more (default 5000 ms). */
  settleMs?: number;
}

/** Fetches the app's generation record for a session and compares it with what was received. */
export async function reconcileSession(
  target: ReconcileTarget,
  sessionId: string,
  detail: Pick<SessionDetail, 'row' | 'text'>,
  clock: Clock,
  fetchImpl: typeof fetch = fetch,
  trigger?: ReconcileTrigger,
): Promise<ReconcileResult> {
  const url = target.url.replaceAll('{sessionId}', encodeURIComponent(sessionId));
  const base = { checkedAt: clock(), url, ...(trigger ? { trigger } : {}) };
  let response: Response;
  let body: string;
  try {
    response = await fetchImpl(url, { headers: { accept: 'application/json', ...target.headers }, signal: AbortSignal.timeout(10_000) });
    // The timeout covers the body too: a record that stalls mid-body is unreachable, not a rejection.
    body = await response.text();
  } catch (error) {
    return { ...base, ok: false, error: `generation record unreachable: ${error instanceof Error ? error.message : String(error)}`, mismatches: [] };
  }
  if (!response.ok) {
    return { ...base, ok: false, error: `generation record answered ${response.status}: ${body.slice(0, 200)}`, mismatches: [] };
  }
  let record: unknown;
  try {
    record = JSON.parse(body);
  } catch {
    return { ...base, ok: false, error: 'generation record is not JSON', mismatches: [] };
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    return { ...base, ok: false, error: 'generation record is not a JSON object', mismatches: [] };
  }
  // Laravel resources often wrap the model in `data`.
  const fields = ('data' in record && typeof record.data === 'object' && record.data !== null ? record.data : record) as Record<string, unknown>;
  const terminal = detail.row.terminalStates.length > 0;
  // The record describes the job's last attempt: after a retry, its last_seq is that attempt's, not the highest ever received.
  const maxSequence = detail.row.lastAttempt?.to ?? detail.row.maxSequence;
  const joinedAt = detail.row.joinedLate ? detail.row.coverage.fromSequence : null;
  const mismatches = compareWithRecord({ status: detail.row.status, maxSequence, text: detail.text, terminal, ...(joinedAt === null ? {} : { joinedAt }) }, fields);
  const savedAt = fields.last_save_at;
  return {
    ...base,
    ok: mismatches.length === 0,
    recordVersion: recordVersion(fields),
    ...(savedAt === undefined || savedAt === null ? {} : { savedAt }),
    record: fields,
    mismatches,
  };
}
