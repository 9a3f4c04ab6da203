/**
 * Request targets as a client sent them, decoded without throwing: any web page can open a
 * socket or send a request to the mock, so `%ZZ` in a path must be an answer, never a crash.
 */

/** The decoded path segment, or null when its percent-encoding is malformed. */
export function decodePathSegment(raw: string): string | null {
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

export interface RequestTarget {
  /** The path as sent (still percent-encoded): what Pusher signatures cover. */
  rawPath: string;
  query: URLSearchParams;
}

/** Splits `req.url` into its raw path and query; never throws (URLSearchParams tolerates bad escapes). */
export function splitRequestTarget(url: string | undefined): RequestTarget {
  const raw = url ?? '/';
  const q = raw.indexOf('?');
  return { rawPath: q < 0 ? raw : raw.slice(0, q), query: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)) };
}
