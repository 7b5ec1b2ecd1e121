/**
 * JSON exactly as Go's `encoding/json` writes it on the wire: compact, and HTML-safe
 * (`<` `>` `&` U+2028 U+2029 escaped as `\u003c` …), every other non-ASCII character raw UTF-8.
 * Key order is the object's insertion order, so callers build objects in Go's struct order.
 * `Date` values print as Go's `time.Time` does (fraction trailing zeros trimmed).
 *
 * Why not one `JSON.stringify` with a replacer: the replacer path plus a regex over the whole text
 * cost most of the daemon's CPU in a flood (bench/profile). Plain objects and arrays are walked here
 * instead, into a `GoJsonOut`; strings of `LONG_STRING` characters or more go through its
 * `longString`, so the run's frame log (frame-log.ts) can keep the growing message text of a flood
 * apart and encode only what is new. The output is the same bytes
 * (test/reference-server/go-json.test.ts and frame-log.test.ts compare it with the plain encoder).
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

/** Strings at least this long are handed to `GoJsonOut.longString`; shorter ones are cheaper to encode inline. */
export const LONG_STRING = 512;
/** Nesting deeper than this goes to JSON.stringify (its own stack checks, the same bytes). */
const MAX_WALK_DEPTH = 32;

/** Object keys repeat in every event; their encodings are kept (bounded). */
const MAX_KEYS_CACHED = 2048;
const keyCache = new Map<string, string>();
/** Characters a string must not hold to go out as it is between quotes (the rest, and all non-ASCII, take JSON.stringify). */
const needsEscaping = /[\u0000-\u001f"\\<>&\u007f-\uffff]/;

/** `"…"` with Go's escapes; the body of the quotes is JSON.stringify's, so escapes match exactly. */
export function goJsonString(s: string): string {
  // Most values (ids, times, types, ASCII text) need no escape: one regex test, no stringify.
  return needsEscaping.test(s) ? escapeHtml(JSON.stringify(s)) : '"' + s + '"';
}

/** `goJsonString` for names that repeat (object keys, event types): kept encoded, bounded. */
export function goJsonKey(key: string): string {
  let json = keyCache.get(key);
  if (json === undefined) {
    json = goJsonString(key);
    if (keyCache.size >= MAX_KEYS_CACHED) keyCache.clear();
    keyCache.set(key, json);
  }
  return json;
}

/** Where the walk writes. `longString` must add the string's quoted form (or its stand-in) in place. */
export interface GoJsonOut {
  text: string;
  longString(s: string): void;
}

class TextOut implements GoJsonOut {
  text = '';
  longString(s: string): void {
    this.text += goJsonString(s);
  }
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Values the walk hands to JSON.stringify whole: class instances, boxed primitives, anything with
 * its own toJSON, arrays with another prototype, nesting past the depth limit. Their text, or
 * undefined where JSON.stringify omits them (a toJSON returning undefined).
 */
function referenceText(value: object, depth: number): string | undefined {
  if (value instanceof Date) return undefined;
  if (Array.isArray(value)) {
    if (depth <= MAX_WALK_DEPTH && Object.getPrototypeOf(value) === Array.prototype) return undefined;
  } else if (depth <= MAX_WALK_DEPTH && isPlainObject(value) && typeof (value as { toJSON?: unknown }).toJSON !== 'function') {
    return undefined;
  }
  const text = JSON.stringify(value, goTimes);
  return text === undefined ? '' : escapeHtml(text);
}

/** Where `sealGoJson` keeps a value's text: a symbol, which Object.keys, spreads of it and JSON.stringify skip. */
const SEALED_JSON = Symbol('goJson');
type Sealed = { [SEALED_JSON]?: string };
/** Sealed values nest no deeper than this (a message: content, part, tool call, arguments). */
const MAX_SEAL_DEPTH = 8;

/** Only plain objects and arrays of JSON values with short strings: their text is the walk's whatever the `GoJsonOut`. */
function sealable(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
      return value.length < LONG_STRING; // long ones go through `longString` (the frame log shares them)
    case 'number':
    case 'boolean':
    case 'undefined':
      return true;
    case 'object':
      break;
    default:
      return false;
  }
  if (value === null) return true;
  if (depth >= MAX_SEAL_DEPTH || !Object.isExtensible(value)) return false;
  if (Array.isArray(value) ? Object.getPrototypeOf(value) !== Array.prototype : !isPlainObject(value) || 'toJSON' in value) return false;
  for (const item of Object.values(value)) if (!sealable(item, depth + 1)) return false;
  return true;
}

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  for (const item of Object.values(value)) deepFreeze(item);
  Object.freeze(value);
}

/**
 * Freezes `value` deeply and keeps its Go JSON on it, so each later encoding of the same object
 * appends that text instead of walking it again (a run's final message goes out in message_end,
 * turn_end, loop_end and twice in run_done). Frozen, the object cannot change after its text was
 * taken; writing to it throws. Values that are not plain JSON data, or hold a string of
 * LONG_STRING characters or more, are returned as they are (neither frozen nor sealed).
 */
export function sealGoJson<T>(value: T): T {
  if (typeof value !== 'object' || value === null || (value as Sealed)[SEALED_JSON] !== undefined || !sealable(value, 0)) return value;
  const text = encodeGoJson(value);
  Object.defineProperty(value, SEALED_JSON, { value: text }); // not enumerable: a spread copy is not sealed
  deepFreeze(value);
  return value;
}

/** Writes `value`'s JSON to `out`; false (nothing written) where JSON.stringify would omit it. */
function write(value: unknown, depth: number, out: GoJsonOut): boolean {
  switch (typeof value) {
    case 'string':
      if (value.length >= LONG_STRING) out.longString(value);
      else out.text += goJsonString(value);
      return true;
    case 'number':
      out.text += Number.isFinite(value) ? String(value) : 'null'; // the same digits as JSON.stringify
      return true;
    case 'boolean':
      out.text += value ? 'true' : 'false';
      return true;
    case 'bigint':
      JSON.stringify(value); // JSON.stringify's TypeError, as before
      return false;
    case 'object':
      break;
    default:
      return false; // undefined, function, symbol: omitted (null in arrays)
  }
  if (value === null) {
    out.text += 'null';
    return true;
  }
  const sealed = (value as Sealed)[SEALED_JSON];
  if (sealed !== undefined) {
    out.text += sealed;
    return true;
  }
  if (value instanceof Date) {
    out.text += goJsonString(formatGoTime(value)); // an invalid Date throws, as before
    return true;
  }
  const reference = referenceText(value, depth);
  if (reference !== undefined) {
    if (reference === '') return false;
    out.text += reference;
    return true;
  }
  if (Array.isArray(value)) {
    out.text += '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.text += ',';
      if (!write(value[i], depth + 1, out)) out.text += 'null';
    }
    out.text += ']';
    return true;
  }
  out.text += '{';
  let first = true;
  for (const key of Object.keys(value)) {
    if (member(key, (value as Record<string, unknown>)[key], first, depth + 1, out)) first = false;
  }
  out.text += '}';
  return true;
}

/** Writes `"key":value` (after a comma unless `first`); false, writing nothing, where JSON.stringify omits the member. */
function member(key: string, item: unknown, first: boolean, depth: number, out: GoJsonOut): boolean {
  // The key goes out only once the value is known to be written.
  if (item === undefined || typeof item === 'function' || typeof item === 'symbol') return false;
  const reference = typeof item === 'object' && item !== null ? referenceText(item, depth) : undefined;
  if (reference === '') return false;
  out.text += (first ? '' : ',') + goJsonKey(key) + ':';
  if (reference === undefined) write(item, depth, out);
  else out.text += reference;
  return true;
}

/** Writes one more member of an object whose `{` and earlier members are already in `out` (Run's envelope). */
export function writeGoJsonMember(key: string, value: unknown, out: GoJsonOut): boolean {
  return member(key, value, false, 1, out);
}

/** Writes `value` as Go's compact JSON to `out` (`undefined` and the like as `null`). */
export function writeGoJson(value: unknown, out: GoJsonOut): void {
  if (!write(value, 0, out)) out.text += 'null';
}

/** Compact Go-style JSON text for `value` (no trailing newline). `undefined` encodes as `null`. */
export function encodeGoJson(value: unknown): string {
  const out = new TextOut();
  writeGoJson(value, out);
  return out.text;
}

/** Go's `json.MarshalIndent(value, "", "  ")` followed by a newline, as used for the on-disk files. */
export function encodeGoJsonIndented(value: unknown): string {
  const text = JSON.stringify(value, goTimes, 2);
  return escapeHtml(text === undefined ? 'null' : text) + '\n';
}
