import { nestsDeeperThan, TOO_DEEP_PAYLOAD_TEXT } from '../../../shared/contract';

/**
 * A frame's payload as the hub may hand it on. JSON.parse accepts a payload nested thousands
 * of levels deep, but JSON.stringify (the journal, the browser bridge) and structured clones
 * (Electron IPC) of it throw RangeError: such a payload is kept as its wire text, a string
 * the analyzer reports as a violation, and the journal gets no wire text to re-read it from.
 */
export function boundedPayload(data: unknown, wireText: string | undefined): { data: unknown; wireText: string | undefined } {
  if (!nestsDeeperThan(data)) return { data, wireText };
  return { data: payloadTextOf(wireText) ?? TOO_DEEP_PAYLOAD_TEXT, wireText: undefined };
}

/** Protocol 7 carries `data` as a JSON string inside the message: that string, parsed no further. */
function payloadTextOf(wireText: string | undefined): string | undefined {
  if (wireText === undefined) return undefined;
  try {
    const message: unknown = JSON.parse(wireText);
    const data = typeof message === 'object' && message !== null ? (message as { data?: unknown }).data : undefined;
    return typeof data === 'string' ? data : undefined;
  } catch {
    return undefined;
  }
}
