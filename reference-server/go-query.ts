/**
 * Go's `url.ParseQuery` (Go 1.17+), which the daemon's `r.URL.Query()` uses: pairs split on `&`,
 * a pair holding `;` or a malformed escape is dropped (not an error), `+` is a space. WHATWG's
 * URLSearchParams keeps `%zz` literally and splits nothing on `;`, so `?limit=%zz` would be a 400
 * where Go sees no limit.
 */
const hexPair = /^[0-9a-fA-F]{2}$/;
const utf8 = new TextDecoder('utf-8', { fatal: false });
const encoder = new TextEncoder();

/** Go's `url.QueryUnescape`; undefined for a malformed escape. */
function queryUnescape(text: string): string | undefined {
  if (!text.includes('%') && !text.includes('+')) return text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; ) {
    const ch = text[i]!;
    if (ch === '%') {
      const hex = text.slice(i + 1, i + 3);
      if (!hexPair.test(hex)) return undefined;
      bytes.push(parseInt(hex, 16));
      i += 3;
    } else if (ch === '+') {
      bytes.push(0x20);
      i++;
    } else {
      const cp = text.codePointAt(i)!;
      const char = String.fromCodePoint(cp);
      for (const b of encoder.encode(char)) bytes.push(b);
      i += char.length;
    }
  }
  return utf8.decode(new Uint8Array(bytes));
}

/** The query of a raw target (`?a=1&b`, or ``) as Go reads it. */
export function parseGoQuery(search: string): URLSearchParams {
  const params = new URLSearchParams();
  const raw = search.startsWith('?') ? search.slice(1) : search;
  for (const pair of raw.split('&')) {
    if (pair === '' || pair.includes(';')) continue;
    const eq = pair.indexOf('=');
    const key = queryUnescape(eq < 0 ? pair : pair.slice(0, eq));
    const value = queryUnescape(eq < 0 ? '' : pair.slice(eq + 1));
    if (key === undefined || value === undefined) continue;
    params.append(key, value);
  }
  return params;
}
