/**
 * The one redaction step (src/output/redact.ts): a long token in every form it can be written in,
 * a short token only where it is a credential or a whole value, URL user-info always.
 */
import { describe, expect, it } from 'vitest';
import { createRedactor, MASK } from '../../src/output/index.js';

const TOKEN = 'Zq3xK9pL2mN7vB4c';
const b64 = (text: string): string => Buffer.from(text).toString('base64');

describe('a long token', () => {
  const redact = createRedactor([TOKEN]).redact;
  it.each([
    ['raw', `x ${TOKEN} y`],
    ['Bearer', `Authorization: Bearer ${TOKEN}`],
    ['lower case', TOKEN.toLowerCase()],
    ['upper case', `<${TOKEN.toUpperCase()}>`],
    ['URL-encoded', `?t=${encodeURIComponent(`${TOKEN}/+ `)}`],
    ['base64', b64(TOKEN)],
    ['base64url', Buffer.from(TOKEN).toString('base64url')],
    ['base64 of user:token', `Proxy: ${b64(`user:${TOKEN}`)}`],
    ['base64 of ab:token', b64(`ab:${TOKEN}`)],
    ['base64 of a:token', b64(`a:${TOKEN}`)],
    ['truncated tail', `body ${TOKEN.slice(0, 9)}… (40 more characters)`],
  ])('is masked: %s', (_name, text) => {
    const shown = redact(text);
    expect(shown).toContain(MASK);
    for (const form of [TOKEN, TOKEN.toLowerCase(), TOKEN.toUpperCase(), b64(TOKEN).slice(0, 12), TOKEN.slice(0, 9)]) expect(shown.toLowerCase()).not.toContain(form.toLowerCase());
  });

  it('is idempotent and leaves other text alone', () => {
    const text = `{"ok":true,"token":"${TOKEN}"}`;
    expect(redact(text)).toBe('{"ok":true,"token":"***"}');
    expect(redact(redact(text))).toBe(redact(text));
  });

  it('a token with characters that formats escape is masked in JSON and XML too', () => {
    const odd = 'a"b<c&d\\e>f';
    const r = createRedactor([odd]).redact;
    expect(r(JSON.stringify({ t: odd }))).toBe('{"t":"***"}');
    expect(r('<x v="a&quot;b&lt;c&amp;d\\e&gt;f"/>')).toBe('<x v="***"/>');
  });
});

describe('a short token', () => {
  it.each(['ok', 'T', '1', 'true', 'Bearer'])('%s is masked as a credential or whole value, not inside words', (token) => {
    const redact = createRedactor([token]).redact;
    expect(redact(`> Authorization: Bearer ${token}`)).toBe('> Authorization: Bearer ***');
    expect(redact(`< location: /cb?token=${token}&x=y2`)).toBe("< location: /cb?token=***&x=y2");
    expect(redact(`< www-authenticate: ${token}`)).toBe('< www-authenticate: ***');
    expect(redact(`{"value":"${token}"}`)).toBe('{"value":"***"}');
    // Natural occurrences stay readable.
    const natural = '{"ok":true,"version":1} GET /v1/status answered 401 Unauthorized: missing bearer token';
    expect(redact(natural)).toBe(natural);
  });

  it('the key "ok" stays, the value "ok" goes', () => {
    expect(createRedactor(['ok']).redact('{"ok": "ok"}')).toBe('{"ok": "***"}');
  });
});

describe('credentials that need no secret', () => {
  const redact = createRedactor([]).redact;
  it('URL user-info is masked', () => {
    expect(redact('testing http://alice:s3cret@127.0.0.1:7777 (profile any)')).toBe('testing http://***@127.0.0.1:7777 (profile any)');
    expect(redact('"url": "https://tok@host/x"')).toBe('"url": "https://***@host/x"');
  });
  it('Basic credentials are masked', () => {
    expect(redact(`Authorization: Basic ${b64('u:p')}`)).toBe('Authorization: Basic ***');
  });
});
