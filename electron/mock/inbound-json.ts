import { MAX_PAYLOAD_DEPTH, nestsDeeperThan } from '../../shared/contract/payload-size';

/**
 * JSON from clients, bounded in depth. JSON.parse accepts thousands of nested levels; the mock
 * then re-encodes what it relays (client events, presence user_info, published data), and
 * JSON.stringify of such a value throws RangeError — in a ws message handler, that killed the
 * process. What nests deeper than MAX_PAYLOAD_DEPTH is refused where it is parsed.
 */
export const MAX_INBOUND_DEPTH = MAX_PAYLOAD_DEPTH;

export function tooDeep(value: unknown): boolean {
  return nestsDeeperThan(value, MAX_INBOUND_DEPTH);
}

export const TOO_DEEP_MESSAGE = `nests deeper than ${MAX_INBOUND_DEPTH} levels`;
