/**
 * Bearer authentication as Go's daemon does it: the first `Authorization` header value, with the
 * surrounding whitespace the HTTP layer strips, must equal `"Bearer " + token` byte for byte.
 * Compared as Go's `subtle.ConstantTimeCompare` does: the time taken depends on the length, not on
 * where the strings differ. (Hashing both sides first hid the length too, for a SHA-256 per request.)
 */
import { constantTimeEqual } from './portable-crypto.js';

/** Strip HTTP optional whitespace (SP, HTAB) the way net/http and textproto do. */
export function trimHeaderValue(value: string): string {
  return value.replace(/^[ \t]+|[ \t]+$/g, '');
}

/**
 * The first of possibly several `Authorization` values. Web `Headers` joins repeated headers with
 * ", "; Go's `Header.Get` reads only the first one (captures 013/014). A token never contains
 * ", " after the expected prefix, so cutting there keeps "valid first" accepted and "valid second"
 * rejected. (A single header `Bearer <token>, junk` is accepted too, where Go says 401: the joined
 * form cannot be told apart from two headers.)
 */
function firstValue(joined: string, want: string): string {
  if (joined.length > want.length && joined.startsWith(', ', want.length)) return joined.slice(0, want.length);
  return joined;
}

/** Checks an `Authorization` header value (as `Headers.get` returns it; null when absent). */
export function createTokenCheck(token: string): (authorization: string | null) => boolean {
  const want = 'Bearer ' + token;
  return (got) => {
    if (got === null) return false;
    return constantTimeEqual(firstValue(trimHeaderValue(got), want), want);
  };
}

export function createAuthorizer(token: string): (request: Request) => boolean {
  const check = createTokenCheck(token);
  return (request) => check(request.headers.get('authorization'));
}
