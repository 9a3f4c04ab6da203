import { useState } from 'react';
import type { FrameRowView } from '../../../../shared/api';
import { formatCount } from '../../data/format';

/** Characters of a payload drawn at most (a 10 KB event is ~10,000); the copy takes it whole. */
export const MAX_SHOWN_CHARS = 100_000;

/**
 * A payload as it reads best: JSON (an object, or a string that parses) pretty-printed, anything
 * else exactly as received, said so. Broken payloads are the ones worth reading character by
 * character, so a string that is not JSON is never reformatted.
 */
export function payloadText(data: unknown): { text: string; json: boolean } {
  if (data === undefined) return { text: '(no data)', json: false };
  if (typeof data !== 'string') return { text: JSON.stringify(data, null, 2) ?? String(data), json: true };
  try {
    return { text: JSON.stringify(JSON.parse(data) as unknown, null, 2), json: true };
  } catch {
    return { text: data, json: false };
  }
}

interface Props {
  /** The frame's place in the session (1-based, as the table numbers it). */
  number: number;
  row: FrameRowView;
}

/** The picked frame's payload in full, under the raw frames table: the table shows one line of each. */
export function FramePayload({ number, row }: Props) {
  const [copied, setCopied] = useState(false);
  const { text, json } = payloadText(row.frame.data);
  const cut = text.length > MAX_SHOWN_CHARS;
  return (
    <div className="frame-payload" data-testid="frame-payload" aria-label={`Payload of frame #${number}`}>
      <div className="frame-payload-head">
        <strong>
          Frame #{formatCount(number)} · <code>{row.frame.event}</code>
        </strong>
        <span className="muted">{json ? 'JSON, pretty-printed' : typeof row.frame.data === 'string' ? 'not JSON: as received' : ''}</span>
        <button
          type="button"
          onClick={() => {
            void navigator.clipboard?.writeText(text).then(
              () => setCopied(true),
              () => setCopied(false),
            );
          }}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      <pre className="mono">
        {cut ? text.slice(0, MAX_SHOWN_CHARS) : text}
        {cut && <span className="muted">{`\n… ${formatCount(text.length - MAX_SHOWN_CHARS)} more characters (Copy takes them all)`}</span>}
      </pre>
    </div>
  );
}
