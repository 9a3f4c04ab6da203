import type { MalformedVariant, TruthEvent } from '../../../shared/scenario';

/**
 * The wire payload of one planned event (DESIGN §4), as a JSON string ready for the server:
 * the simulator publishes strings so a broken payload goes out exactly as broken as planned.
 */
export function encodeEvent(sessionId: string, event: TruthEvent, emittedAt: number, padToBytes?: number): string {
  if (event.delivery === 'sent' || event.delivery === 'dropped') {
    // The hot path (every healthy token): the same bytes JSON.stringify gives for the object
    // below, without building the object first. Finite numbers print as String() prints them.
    return `{"session_id":${JSON.stringify(sessionId)},"chunk":${JSON.stringify(event.chunk)},"sequence":${event.sequence},"state":${JSON.stringify(event.state)},"termination_code":${event.terminationCode === null ? 'null' : JSON.stringify(event.terminationCode)},"emitted_at":${Math.round(emittedAt * 1000) / 1000}}`;
  }
  const payload: Record<string, unknown> = {
    session_id: sessionId,
    chunk: event.chunk,
    sequence: event.sequence,
    state: event.state,
    termination_code: event.terminationCode,
    emitted_at: Math.round(emittedAt * 1000) / 1000,
  };
  if (event.delivery === 'oversize') {
    const base = JSON.stringify(payload).length;
    payload.chunk = event.chunk + ' '.repeat(Math.max(0, (padToBytes ?? 12_000) - base));
  }
  if (event.delivery === 'malformed' && event.variant) return malform(payload, event.variant);
  return JSON.stringify(payload);
}

function malform(payload: Record<string, unknown>, variant: MalformedVariant): string {
  switch (variant) {
    case 'string-sequence':
      return JSON.stringify({ ...payload, sequence: String(payload.sequence) });
    case 'missing-state': {
      const { state: _state, ...rest } = payload;
      return JSON.stringify(rest);
    }
    case 'unknown-state':
      return JSON.stringify({ ...payload, state: 'thinking' });
    case 'broken-json': {
      // A serializer that died mid-write: valid prefix, no closing brace.
      const text = JSON.stringify(payload);
      return text.slice(0, Math.max(1, text.indexOf('"sequence"') + 12));
    }
  }
}
