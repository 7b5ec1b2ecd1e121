/**
 * When a daemon "returned the token" (src/protocol/token-echo.ts), judged on real bytes: a long
 * token anywhere in any form; a short one only as a value or a credential, so `"ok":true` is not
 * a leak of the token `ok`.
 */
import { describe, expect, it } from 'vitest';
import { findTokenEcho } from '../../src/protocol/token-echo.js';

const GO_STATUS = '{"ok":true,"version":1,"active_runs":0,"tools_count":2,"capabilities":["runs","events","permissions","status","diagnostics"]}';
const json = (text: string) => ({ text, json: JSON.parse(text) as unknown });

describe('a short token', () => {
  it.each(['T', 'ok', 'true', '1', 'Bearer'])('%s: a natural occurrence is not an echo, a value or credential is', (token) => {
    expect(findTokenEcho(token, json(GO_STATUS))).toBeUndefined();
    expect(findTokenEcho(token, { ...json(GO_STATUS), headers: { 'www-authenticate': 'Bearer realm="glue"', 'content-type': 'application/json' } })).toBeUndefined();
    expect(findTokenEcho(token, json(`{"token":"${token}"}`))).toBe('body');
    expect(findTokenEcho(token, json(`{"h":"Bearer ${token}"}`))).toBe('body');
    expect(findTokenEcho(token, { text: '', headers: { location: `/x?token=${token}` } })).toBe('header location');
    expect(findTokenEcho(token, { text: '', headers: { 'x-echo': token } })).toBe('header x-echo');
    expect(findTokenEcho(token, { text: '', headers: { authorization: `Basic ${Buffer.from(`u:${token}`).toString('base64')}` } })).toBe('header authorization');
    expect(findTokenEcho(token, { text: `<a href="http://u:${token}@h/">` })).toBe('body');
  });
});

describe('a long token', () => {
  const token = 'a3f9c2e8b1d47065f3e2a1b0c9d8e7f6';
  it.each([
    ['raw', { text: `{"x":"${token}"}` }],
    ['upper case', { text: token.toUpperCase() }],
    ['base64', { text: Buffer.from(`user:${token}`).toString('base64') }],
    ['in a header', { text: '', headers: { 'set-cookie': `s=${token}` } }],
  ])('%s is an echo', (_name, input) => {
    expect(findTokenEcho(token, input)).toBeDefined();
  });
  it('its absence is not', () => {
    expect(findTokenEcho(token, json(GO_STATUS))).toBeUndefined();
  });
});
