/**
 * The JSON size of a payload, measured without recursion. Payloads come from the network:
 * `JSON.parse` accepts nesting thousands of levels deep, but `JSON.stringify` (and any
 * recursive walk) of such a value throws RangeError — one 22 KB frame used to kill `watch`
 * and `serve`. So the walk keeps its own stack, and a payload deeper than the bound is
 * reported as such, never measured by the call stack.
 */

/** Deeper than this, a payload is a violation (no contract's payload comes close). */
export const MAX_PAYLOAD_DEPTH = 64;

/** Returned by `jsonByteSize` for a value nested deeper than `maxDepth`. */
export const TOO_DEEP = -1;

/**
 * Bytes of `JSON.stringify(value)` as UTF-8, or TOO_DEEP. Follows JSON.stringify's rules for
 * what JSON.parse can produce (own enumerable keys; `undefined`, functions and symbols skipped
 * in objects and `null` in arrays; non-finite numbers as `null`); `toJSON` is not called.
 */
export function jsonByteSize(value: unknown, maxDepth: number = MAX_PAYLOAD_DEPTH): number {
  let bytes = 0;
  const values: unknown[] = [value];
  const depths: number[] = [0];
  while (values.length > 0) {
    const current = values.pop();
    const depth = depths.pop()!;
    if (current === null) {
      bytes += 4;
      continue;
    }
    switch (typeof current) {
      case 'string':
        bytes += jsonStringBytes(current);
        continue;
      case 'number':
        bytes += Number.isFinite(current) ? String(current).length : 4;
        continue;
      case 'boolean':
        bytes += current ? 4 : 5;
        continue;
      case 'bigint':
        bytes += String(current).length;
        continue;
      case 'object':
        break;
      default:
        // undefined, function, symbol: only reachable as an array item (objects skip them) or the root.
        bytes += depth === 0 ? 0 : 4;
        continue;
    }
    if (depth >= maxDepth) return TOO_DEEP;
    if (Array.isArray(current)) {
      bytes += current.length === 0 ? 2 : 1 + current.length;
      for (let i = current.length - 1; i >= 0; i--) {
        values.push(current[i]);
        depths.push(depth + 1);
      }
      continue;
    }
    const record = current as Record<string, unknown>;
    let members = 0;
    for (const key of Object.keys(record)) {
      const member = record[key];
      if (member === undefined || typeof member === 'function' || typeof member === 'symbol') continue;
      members += 1;
      bytes += jsonStringBytes(key) + 1;
      values.push(member);
      depths.push(depth + 1);
    }
    bytes += members === 0 ? 2 : 1 + members;
  }
  return bytes;
}

/** UTF-8 bytes of a string as a JSON string literal (quotes and escapes included). */
export function jsonStringBytes(text: string): number {
  let bytes = 2;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x22 || code === 0x5c || code === 0x08 || code === 0x0c || code === 0x0a || code === 0x0d || code === 0x09) bytes += 2;
    else if (code < 0x20) bytes += 6;
    else if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff) {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 6; // a lone surrogate is escaped as \udXXX
    } else if (code >= 0xdc00 && code <= 0xdfff) bytes += 6;
    else bytes += 3;
  }
  return bytes;
}

/**
 * True when `value` nests objects or arrays deeper than `maxDepth` (a flat object is depth 1).
 * Iterative, and quick for the usual flat token: what may be handed to JSON.stringify, the
 * journal or a structured clone is checked with it first.
 */
export function nestsDeeperThan(value: unknown, maxDepth: number = MAX_PAYLOAD_DEPTH): boolean {
  if (typeof value !== 'object' || value === null) return false;
  // Hot path (every frame): a flat payload, as nearly all are, holds no object — nothing to allocate.
  if (maxDepth >= 1 && isFlat(value)) return false;
  const values: object[] = [value];
  const depths: number[] = [1];
  while (values.length > 0) {
    const current = values.pop()!;
    const depth = depths.pop()!;
    if (depth > maxDepth) return true;
    const members: unknown[] = Array.isArray(current) ? current : Object.values(current);
    for (const member of members) {
      if (typeof member === 'object' && member !== null) {
        values.push(member);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}

function isFlat(value: object): boolean {
  if (Array.isArray(value)) {
    for (const member of value) if (typeof member === 'object' && member !== null) return false;
    return true;
  }
  for (const key in value) {
    const member = (value as Record<string, unknown>)[key];
    if (typeof member === 'object' && member !== null) return false;
  }
  return true;
}

/** What a journal keeps instead of a payload it cannot hold as a value (no text of it at hand). */
export const TOO_DEEP_PAYLOAD_TEXT = `[payload nested deeper than ${MAX_PAYLOAD_DEPTH} levels, not kept]`;
