/**
 * The one redaction step: every byte the kit writes (console, reports, error messages) passes
 * through a `Redactor` at the sink, never earlier, so what the suite parses and judges is the real
 * wire data and what it shows never carries a secret.
 *
 * Rules (docs/ARCHITECTURE.md "Output safety"):
 * - Always, whatever the secrets: URL user-info (`http://user:pass@host` → `http://***@host`) and
 *   `Basic <base64>` credentials are masked.
 * - A secret of `LONG_SECRET_CHARS` or more is masked wherever it occurs, in any letter case, raw,
 *   URL-encoded (`%xx`, `+`), JSON- and XML-escaped, base64 and base64url (also inside a longer
 *   base64 text such as `Basic base64(user:token)`), and as a truncated tail before `…`.
 * - A shorter secret (`ok`, `T`, `1`) occurs naturally in display text (`"ok":true`, `token`), and
 *   masking every occurrence would mangle the output without protecting anything (a short secret
 *   is guessable). It is masked where it is a credential or a whole value: after an auth scheme
 *   (`Bearer ok`), as a query/form parameter value (`?token=ok`), as a whole quoted value (`"ok"`
 *   but not the key `"ok":`), as the whole value of a `name: value` line (headers), and as URL
 *   user-info (above).
 */

import { LONG_TOKEN_CHARS, longTokenForms } from '../protocol/token-echo.js';

export const MASK = '***';
/** Secrets at least this long are masked everywhere; shorter ones only in credential positions (the same bound as the leak rule). */
export const LONG_SECRET_CHARS = LONG_TOKEN_CHARS;
/** A truncated tail (`abcdef…`) is masked when at least this many characters of a secret remain. */
const MIN_TAIL_CHARS = 4;

export interface Redactor {
  /** The text with every secret masked. Idempotent. */
  redact(text: string): string;
  /** Adds a secret (a token learned later, e.g. from a metadata file). Empty strings are ignored. */
  add(secret: string | undefined): void;
}

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Characters that can continue a token; a short secret must not be followed by one to count. */
const TOKEN_CHAR = '[A-Za-z0-9._~+/=-]';

// Rules that need no secret: credentials are never shown.
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]+@/gi;
const BASIC_CREDENTIAL = /\b(basic\s+)[A-Za-z0-9+/=_-]{4,}/gi;

export function createRedactor(secrets: Iterable<string | undefined> = []): Redactor {
  const known = new Set<string>();
  let long: RegExp | undefined;
  let tails: string[] = [];
  let short: RegExp[] = [];

  function compile(): void {
    const longSecrets = [...known].filter((s) => s.length >= LONG_SECRET_CHARS);
    const variants = new Set<string>();
    for (const secret of longSecrets) for (const variant of longTokenForms(secret)) variants.add(variant);
    // Longest first, so a variant that contains another is masked whole.
    const ordered = [...variants].sort((a, b) => b.length - a.length).map(escapeRegex);
    long = ordered.length > 0 ? new RegExp(ordered.join('|'), 'gi') : undefined;
    tails = longSecrets.map((s) => s.toLowerCase());
    short = [...known].filter((s) => s.length < LONG_SECRET_CHARS).flatMap(shortPatterns);
  }

  function maskTails(text: string): string {
    if (tails.length === 0 || !(text.includes('…') || text.includes('...'))) return text;
    // `abcd…`, `abcd...`, `"abcd"...`: a cut made before redaction could leave a secret's head.
    return text.replace(/(\S{1,200}?)(["']?)(…|\.\.\.)/g, (match, head: string, quote: string, dots: string) => {
      const lower = head.toLowerCase();
      for (const secret of tails) {
        for (let k = Math.min(secret.length, lower.length); k >= MIN_TAIL_CHARS; k--) {
          if (lower.endsWith(secret.slice(0, k))) return `${head.slice(0, head.length - k)}${MASK}${quote}${dots}`;
        }
      }
      return match;
    });
  }

  const redactor: Redactor = {
    redact(text) {
      let out = text.replace(URL_USERINFO, `$1${MASK}@`).replace(BASIC_CREDENTIAL, `$1${MASK}`);
      if (long) out = out.replace(long, MASK);
      for (const pattern of short) out = out.replace(pattern, (_m, before: string, after = '') => `${before}${MASK}${after}`);
      return maskTails(out);
    },
    add(secret) {
      if (secret === undefined || secret === '' || known.has(secret)) return;
      known.add(secret);
      compile();
    },
  };
  for (const secret of secrets) redactor.add(secret);
  return redactor;
}

/** Where a short secret is a credential or a whole value (see the header comment). */
function shortPatterns(secret: string): RegExp[] {
  const s = escapeRegex(secret);
  const end = `(?!${TOKEN_CHAR})`;
  return [
    // Bearer ok / Token ok (also "Bearer Bearer" when the secret is the word itself).
    new RegExp(`(\\b(?:bearer|token)\\s+)${s}${end}()`, 'gi'),
    // ?token=ok&… / a=ok
    new RegExp(`([?&;][^=&#\\s"'<>]*=)${s}(?=$|[&#;\\s"'<>])()`, 'g'),
    // "ok" as a whole quoted value (a key is followed by a colon and stays).
    new RegExp(`(["'])${s}(\\1(?!\\s*:))`, 'g'),
    // header-like lines whose whole value is the secret: `    < www-authenticate: ok`
    new RegExp(`(^[ \\t]*(?:[<>] )?[A-Za-z0-9-]+: )${s}(?=\\r?$)()`, 'gm'),
  ];
}
