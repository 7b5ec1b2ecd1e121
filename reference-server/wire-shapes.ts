/**
 * Host answers projected onto Go's wire form: struct field order, `omitempty` where Go has it,
 * `time.Time` fields never omitted (zero time instead), empty lists as `[]` never `null`.
 * Hosts may hand back objects in any key order with extra keys; the wire stays Go's.
 */
import { goTimestamp } from './go-time.js';

type Obj = Record<string, unknown>;

const asObj = (value: unknown): Obj => (typeof value === 'object' && value !== null ? (value as Obj) : {});
export const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/** Copy `keys` in order; each key says whether it is omitted when empty. */
function pick(source: Obj, fields: ReadonlyArray<readonly [string, 'keep' | 'omitempty']>): Obj {
  const out: Obj = {};
  for (const [key, mode] of fields) {
    const value = source[key];
    if (mode === 'keep') {
      out[key] = value ?? '';
      continue;
    }
    if (isEmpty(value)) continue;
    out[key] = value;
  }
  return out;
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === '' || value === false || value === 0) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object' && !(value instanceof Date)) return Object.keys(value).length === 0;
  return false;
}

export function toolEntry(value: unknown): Obj {
  const e = asObj(value);
  const out: Obj = { name: text(e.name) };
  if (text(e.description)) out.description = e.description;
  if (e.parameters !== undefined && e.parameters !== null) out.parameters = e.parameters;
  out.requires_permission = e.requires_permission === true;
  if (text(e.permission_action)) out.permission_action = e.permission_action;
  if (text(e.permission_target_preview)) out.permission_target_preview = e.permission_target_preview;
  return out;
}

export const skillEntry = (value: unknown): Obj =>
  pick(asObj(value), [
    ['name', 'keep'],
    ['description', 'omitempty'],
  ]);

export const roleEntry = (value: unknown): Obj =>
  pick(asObj(value), [
    ['name', 'keep'],
    ['description', 'omitempty'],
    ['model', 'omitempty'],
  ]);

export function mcpResourceEntry(value: unknown): Obj {
  const e = asObj(value);
  const out = pick(e, [
    ['server', 'keep'],
    ['uri', 'keep'],
    ['name', 'keep'],
    ['title', 'omitempty'],
    ['description', 'omitempty'],
    ['mime_type', 'omitempty'],
    ['annotations', 'omitempty'],
  ]);
  // `size` is a pointer in Go: 0 is kept, only absence omits it.
  if (typeof e.size === 'number') out.size = e.size;
  return out;
}

export function mcpPromptEntry(value: unknown): Obj {
  const e = asObj(value);
  const out = pick(e, [
    ['server', 'keep'],
    ['name', 'keep'],
    ['title', 'omitempty'],
    ['description', 'omitempty'],
  ]);
  const args = asList(e.arguments).map((arg) =>
    pick(asObj(arg), [
      ['name', 'keep'],
      ['title', 'omitempty'],
      ['description', 'omitempty'],
      ['required', 'omitempty'],
    ]),
  );
  if (args.length > 0) out.arguments = args;
  return out;
}

export function mcpReadResponse(value: unknown): Obj {
  const e = asObj(value);
  const contents = asList(e.contents).map((item) => {
    const c = asObj(item);
    const out: Obj = { uri: text(c.uri) };
    if (text(c.mime_type)) out.mime_type = c.mime_type;
    // `text` and `blob` are pointers in Go: an empty string is still sent.
    if (typeof c.text === 'string') out.text = c.text;
    if (typeof c.blob === 'string') out.blob = c.blob;
    if (!isEmpty(c._meta)) out._meta = c._meta;
    return out;
  });
  return { server: text(e.server), uri: text(e.uri), contents };
}

export function mcpPromptResponse(value: unknown): Obj {
  const e = asObj(value);
  const out: Obj = { server: text(e.server), name: text(e.name) };
  if (text(e.description)) out.description = e.description;
  out.messages = asList(e.messages).map((item) => {
    const m = asObj(item);
    return { role: text(m.role), content: m.content ?? null };
  });
  return out;
}

export function recallHit(value: unknown): Obj {
  const e = asObj(value);
  const out: Obj = { session_id: text(e.session_id), index: num(e.index) };
  if (text(e.role)) out.role = e.role;
  out.snippet = text(e.snippet);
  out.score = num(e.score);
  out.timestamp = goTimestamp(e.timestamp);
  return out;
}

export function memoryEntry(value: unknown): Obj {
  const e = asObj(value);
  const out: Obj = { id: text(e.id), content: text(e.content) };
  const tags = asList(e.tags);
  if (tags.length > 0) out.tags = tags;
  out.timestamp = goTimestamp(e.timestamp);
  return out;
}

