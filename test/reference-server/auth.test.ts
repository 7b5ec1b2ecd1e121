/**
 * The bearer check on its own: `"Bearer " + token` byte for byte, after the whitespace the HTTP
 * layer strips, and only the first of repeated Authorization values (captures 013/014).
 */
import { describe, expect, it } from 'vitest';
import { createTokenCheck } from '../../reference-server/auth.js';
import { constantTimeEqual } from '../../reference-server/portable-crypto.js';

describe('bearer check', () => {
  const token = 'tok-123';
  const check = createTokenCheck(token);

  it('accepts exactly "Bearer <token>", with surrounding spaces and tabs stripped', () => {
    expect(check('Bearer tok-123')).toBe(true);
    expect(check(' \tBearer tok-123\t ')).toBe(true);
    expect(check('Bearer tok-123, Bearer other')).toBe(true);
  });

  it('refuses anything else: absent, another token, a prefix, a longer value, another case, the second of two', () => {
    for (const got of [null, '', 'Bearer', 'Bearer ', 'Bearer tok-12', 'Bearer tok-1234', 'Bearer tok-124', 'Bearer Tok-123', 'bearer tok-123', 'Basic tok-123', 'Bearer  tok-123', 'Xearer tok-123', 'Bearer other, Bearer tok-123']) {
      expect(check(got), String(got)).toBe(false);
    }
  });

  it('compares non-ASCII tokens by their characters', () => {
    const unicode = createTokenCheck('jeton-é€');
    expect(unicode('Bearer jeton-é€')).toBe(true);
    expect(unicode('Bearer jeton-e€')).toBe(false);
  });

  it('constantTimeEqual: equal strings only, whatever position differs', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('', '')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'xbc')).toBe(false);
    expect(constantTimeEqual('abc', 'ab')).toBe(false);
    expect(constantTimeEqual('ab\u0100', 'ab\u0000')).toBe(false);
  });
});
