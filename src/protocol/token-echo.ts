/**
 * When has a daemon returned the bearer token? Judged on the real bytes (never on redacted text).
 *
 * - A token of `LONG_TOKEN_CHARS` or more cannot occur by chance: any occurrence in the body or a
 *   response header counts, in any letter case, raw, URL-encoded or base64 (also inside a longer
 *   base64 text such as `Basic base64(user:token)`).
 * - A shorter token (`ok`, `T`, `1`, `true`, `Bearer`) occurs naturally (`"ok":true`, `"version":1`,
 *   `WWW-Authenticate: Bearer`), so it counts only where it is the token: a JSON string value (not a
 *   key) equal to it, or a string, header or non-JSON body that carries it as a credential
 *   (`Bearer <token>`, `token=<token>`, `://user:<token>@`, `Basic base64(…:<token>)`), or a header
 *   whose whole value is it (WWW-Authenticate excepted: its value starts with a scheme name).
 */

export const LONG_TOKEN_CHARS = 8;

/** Every form in which a long token can be written: raw, URL-, JSON- and XML-escaped, base64. */
export function longTokenForms(token: string): string[] {
  const uri = encodeURIComponent(token);
  const xml = token.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
  const out = [token, uri, uri.replace(/%20/g, '+'), JSON.stringify(token).slice(1, -1), xml];
  const bytes = Buffer.from(token, 'utf8');
  out.push(bytes.toString('base64'), bytes.toString('base64url'));
  // Inside a longer base64 text the token's encoding depends on its offset mod 3; for each offset,
  // the characters that only the token's bytes determine are fixed.
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const core = encoded.slice(Math.ceil((offset * 4) / 3), Math.floor(((offset + bytes.length) * 4) / 3));
    if (core.length >= LONG_TOKEN_CHARS) out.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return [...new Set(out.filter((v) => v !== ''))];
}

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const TOKEN_CHAR = '[A-Za-z0-9._~+/=-]';

/** True when `text` carries a short token as a credential (see the header comment). */
function carriesCredential(text: string, token: string): boolean {
  const t = escapeRegex(token);
  const end = `(?!${TOKEN_CHAR})`;
  if (new RegExp(`\\b(?:bearer|token)\\s+${t}${end}`, 'i').test(text)) return true;
  if (new RegExp(`[?&;]?\\b[\\w.-]*token[\\w.-]*=${t}(?=$|[&#;\\s"'<>])`, 'i').test(text)) return true;
  if (new RegExp(`://(?:[^\\s/?#@]*:)?${t}@`).test(text)) return true;
  for (const match of text.matchAll(/\bbasic\s+([A-Za-z0-9+/=_-]{4,})/gi)) {
    const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
    if (decoded === token || decoded.endsWith(`:${token}`)) return true;
  }
  return false;
}

export interface TokenEchoInput {
  /** The raw body text. */
  text: string;
  /** The parsed body, when it is JSON. */
  json?: unknown;
  headers?: Headers | Record<string, string>;
}

/** Where the response returned the token (`"body"`, `"header location"`…), or undefined. */
export function findTokenEcho(token: string | undefined, input: TokenEchoInput): string | undefined {
  if (!token) return undefined;
  const headers: Array<[string, string]> = [];
  if (input.headers instanceof Headers) input.headers.forEach((value, name) => headers.push([name, value]));
  else if (input.headers) headers.push(...Object.entries(input.headers).map(([n, v]): [string, string] => [n.toLowerCase(), v]));

  if (token.length >= LONG_TOKEN_CHARS) {
    const forms = longTokenForms(token).map((f) => f.toLowerCase());
    const has = (text: string): boolean => {
      const lower = text.toLowerCase();
      return forms.some((f) => lower.includes(f));
    };
    const header = headers.find(([, value]) => has(value));
    if (header) return `header ${header[0]}`;
    return has(input.text) ? 'body' : undefined;
  }

  for (const [name, value] of headers) {
    if ((value === token && name !== 'www-authenticate') || carriesCredential(value, token)) return `header ${name}`;
  }
  if (input.json === undefined) return carriesCredential(input.text, token) ? 'body' : undefined;
  // Iterative walk: a hostile body may nest deeply.
  const stack: unknown[] = [input.json];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === 'string') {
      if (value === token || carriesCredential(value, token)) return 'body';
    } else if (typeof value === 'object' && value !== null) {
      // No spread: a million-element array would overflow the argument stack.
      for (const item of Array.isArray(value) ? value : Object.values(value)) stack.push(item);
    }
  }
  return undefined;
}
