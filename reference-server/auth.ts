/**
 * Bearer authentication as Go's daemon does it: the first `Authorization` header value, with the
 * surrounding whitespace the HTTP layer strips, must equal `"Bearer " + token` byte for byte.
 * Both sides are hashed to equal-length SHA-256 digests and compared in constant time, so the
 * time taken depends neither on where the strings differ nor on the token's length.
 */
import { digestsEqual, sha256Utf8 } from './portable-crypto.js';

function digest(text: string): Uint8Array {
  return sha256Utf8(text);
}

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
  const wantDigest = digest(want);
  return (got) => {
    if (got === null) return false;
    return digestsEqual(digest(firstValue(trimHeaderValue(got), want)), wantDigest);
  };
}

export function createAuthorizer(token: string): (request: Request) => boolean {
  const check = createTokenCheck(token);
  return (request) => check(request.headers.get('authorization'));
}
