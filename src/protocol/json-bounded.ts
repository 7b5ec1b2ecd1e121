/**
 * JSON.parse itself copes with any depth, but everything that walks the value afterwards (ajv,
 * JSON.stringify, deep comparisons) recurses and would crash with "Maximum call stack size
 * exceeded" on a hostile 100k-deep body. Nesting past `MAX_JSON_DEPTH` is therefore reported as a
 * parse error: the check fails with a message instead of crashing.
 */

/** Deepest nesting accepted; Glue's bodies and events nest fewer than 10 levels. */
export const MAX_JSON_DEPTH = 256;

/** The deepest nesting of arrays and objects in `text` (strings skipped), stopping past `limit`. */
export function jsonDepth(text: string, limit = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

export type ParsedJson = { json: unknown; jsonError?: undefined } | { json: undefined; jsonError: string };

/** Parses `text` as JSON; an empty, invalid or too deeply nested text gives `jsonError` instead. */
export function parseJsonBounded(text: string, maxDepth = MAX_JSON_DEPTH): ParsedJson {
  if (text.trim() === '') return { json: undefined, jsonError: 'empty body' };
  if (jsonDepth(text, maxDepth) > maxDepth) return { json: undefined, jsonError: `body is not usable JSON: nested deeper than ${maxDepth} levels` };
  try {
    return { json: JSON.parse(text) as unknown };
  } catch (error) {
    // V8's message quotes a cut piece of the input (`"abc"... is not valid JSON`): a cut secret
    // would slip past redaction, and the exchange excerpt shows the body anyway, so it is dropped.
    const message = (error instanceof Error ? error.message : String(error)).replace(/,? *".*"(?:\.\.\.)? is not valid JSON$/s, ' is not valid JSON');
    return { json: undefined, jsonError: `body is not JSON: ${message.length > 200 ? `${message.slice(0, 200)}…` : message}` };
  }
}
