/**
 * JSON exactly as Go's `encoding/json` writes it on the wire: compact, and HTML-safe
 * (`<` `>` `&` U+2028 U+2029 escaped as `\u003c` …), every other non-ASCII character raw UTF-8.
 * Key order is the object's insertion order, so callers build objects in Go's struct order.
 * `Date` values print as Go's `time.Time` does (fraction trailing zeros trimmed).
 *
 * Why not one `JSON.stringify` with a replacer: a `text_delta` event repeats the whole message so
 * far, so a `flood 10000` run re-encodes ~55 MB of one ever-growing string, and the replacer path plus
 * a regex over the whole text cost most of the daemon's CPU (bench/profile). Plain objects and arrays
 * are walked here instead, and a long string that extends the previous long string (the message of
 * the last delta) reuses that string's encoding and encodes only the new tail. The output is the
 * same bytes (test/reference-server/go-json.test.ts compares it with the plain encoder).
 */
import { formatGoTime } from './go-time.js';

const htmlUnsafe = /[<>&\u2028\u2029]/g;
const htmlEscapes: Readonly<Record<string, string>> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

function escapeHtml(json: string): string {
  // The characters can only occur inside JSON strings, so a global replace is safe.
  return json.replace(htmlUnsafe, (ch) => htmlEscapes[ch] ?? ch);
}

function goTimes(this: unknown, key: string, value: unknown): unknown {
  // `value` has already been through Date#toJSON; the holder still has the Date itself.
  const original = (this as Record<string, unknown>)[key];
  return original instanceof Date ? formatGoTime(original) : value;
}

/** The reference encoding: one `JSON.stringify` with Go's times, then the HTML escapes. */
export function encodeGoJsonPlain(value: unknown): string {
  const text = JSON.stringify(value, goTimes);
  return escapeHtml(text === undefined ? 'null' : text);
}

/** Strings at least this long take part in the prefix cache; shorter ones are cheaper to encode. */
const LONG_STRING = 512;
/** Nesting deeper than this goes to JSON.stringify (its own stack checks, the same bytes). */
const MAX_WALK_DEPTH = 32;

let lastLong = '';
let lastLongJson = '';

/** Keys and enum-like values repeat in every event; their encodings are kept (bounded). */
const SHORT_STRING = 48;
const MAX_SHORT_CACHED = 2048;
const shortCache = new Map<string, string>();

/** `"…"` with Go's escapes; the body of the quotes is JSON.stringify's, so escapes match exactly. */
function quote(s: string): string {
  if (s.length <= SHORT_STRING) {
    let json = shortCache.get(s);
    if (json === undefined) {
      json = escapeHtml(JSON.stringify(s));
      if (shortCache.size >= MAX_SHORT_CACHED) shortCache.clear();
      shortCache.set(s, json);
    }
    return json;
  }
  if (s.length < LONG_STRING) return escapeHtml(JSON.stringify(s));
  let json: string;
  const cut = lastLong.length;
  // Cutting between the halves of a surrogate pair would escape them separately: no reuse then.
  const high = cut > 0 ? lastLong.charCodeAt(cut - 1) : 0;
  // slice, not startsWith: a message built by `text += delta` is a deep rope, and startsWith walks
  // it per character; slice flattens it once and the comparison is then a memcmp.
  if (cut > 0 && s.length > cut && !(high >= 0xd800 && high <= 0xdbff) && s.slice(0, cut) === lastLong) {
    const tail = escapeHtml(JSON.stringify(s.slice(cut)));
    json = lastLongJson.slice(0, -1) + tail.slice(1);
  } else if (s === lastLong) {
    json = lastLongJson;
  } else {
    json = escapeHtml(JSON.stringify(s));
  }
  lastLong = s;
  lastLongJson = json;
  return json;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** JSON text of `value`, or undefined where JSON.stringify would omit it (undefined, functions, symbols). */
function walk(value: unknown, depth: number): string | undefined {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      // undefined, function, symbol: omitted (null in arrays); bigint: JSON.stringify's TypeError.
      return typeof value === 'bigint' ? encodeGoJsonPlain(value) : undefined;
  }
  if (value === null) return 'null';
  if (value instanceof Date) return quote(formatGoTime(value)); // an invalid Date throws, as before
  if (depth > MAX_WALK_DEPTH) return encodeGoJsonPlain(value);
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) return encodeGoJsonPlain(value);
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out += walk(value[i], depth + 1) ?? 'null';
    }
    return out + ']';
  }
  // Anything with its own toJSON, class instances, boxed primitives: the reference path.
  if (!isPlainObject(value) || typeof (value as { toJSON?: unknown }).toJSON === 'function') return encodeGoJsonPlain(value);
  let out = '{';
  let first = true;
  for (const key of Object.keys(value)) {
    const text = walk((value as Record<string, unknown>)[key], depth + 1);
    if (text === undefined) continue;
    out += (first ? '' : ',') + quote(key) + ':' + text;
    first = false;
  }
  return out + '}';
}

/** Compact Go-style JSON text for `value` (no trailing newline). `undefined` encodes as `null`. */
export function encodeGoJson(value: unknown): string {
  return walk(value, 0) ?? 'null';
}

/** Go's `json.MarshalIndent(value, "", "  ")` followed by a newline, as used for the on-disk files. */
export function encodeGoJsonIndented(value: unknown): string {
  const text = JSON.stringify(value, goTimes, 2);
  return escapeHtml(text === undefined ? 'null' : text) + '\n';
}
