/**
 * Request bodies decoded the way Go's `json.NewDecoder(r.Body).Decode(&structValue)` does:
 * - only the FIRST JSON value is read; whatever follows it is ignored (`{"text":"a"} junk` is fine);
 *   objects and arrays end at their closing bracket, scalars at the first byte that cannot continue them;
 * - an empty body or malformed JSON is an error;
 * - `null` at the top decodes to the zero struct; a non-object is an error;
 * - object keys match struct fields exactly, else case-insensitively (Go's fold); unknown keys are ignored;
 * - a value of the wrong type (`"text":5`, `"max_turns":1.5`) is an error; `null` leaves a field unset;
 * - duplicate keys: the last one wins.
 * A small dedicated parser is used (not JSON.parse) because these rules need the first-value
 * boundary and the keys in their original order, duplicates included.
 */

type JsonNode = null | boolean | string | JsonNumber | JsonNode[] | JsonObject;

class JsonNumber {
  constructor(readonly raw: string) {}
}

class JsonObject {
  constructor(readonly entries: Array<[string, JsonNode]>) {}
}

class SyntaxFailure extends Error {}

const maxDepth = 10_000; // Go's scanner nesting limit
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function isSpace(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r';
}

class FirstValueParser {
  private pos = 0;
  constructor(private readonly text: string) {}

  parseFirst(): JsonNode {
    this.skipSpace();
    if (this.pos >= this.text.length) throw new SyntaxFailure('EOF');
    return this.value(0);
  }

  private skipSpace(): void {
    while (isSpace(this.text[this.pos])) this.pos++;
  }

  private fail(): never {
    throw new SyntaxFailure(`invalid character at offset ${this.pos}`);
  }

  private value(depth: number): JsonNode {
    if (depth > maxDepth) this.fail();
    const ch = this.text[this.pos];
    switch (ch) {
      case '{':
        return this.object(depth);
      case '[':
        return this.array(depth);
      case '"':
        return this.string();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
      default:
        if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) return this.number();
        return this.fail();
    }
  }

  private literal<T extends JsonNode>(word: string, result: T): T {
    if (this.text.startsWith(word, this.pos)) {
      this.pos += word.length;
      return result;
    }
    return this.fail();
  }

  private number(): JsonNumber {
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.text.slice(this.pos, this.pos + 4096));
    if (!match) return this.fail();
    const raw = match[0];
    // A fraction or exponent marker that is not followed by digits is a syntax error in Go.
    const next = this.text[this.pos + raw.length];
    if (next === '.' || next === 'e' || next === 'E') this.fail();
    this.pos += raw.length;
    return new JsonNumber(raw);
  }

  private string(): string {
    this.pos++; // opening quote
    let out = '';
    let start = this.pos;
    for (;;) {
      const code = this.text.charCodeAt(this.pos);
      if (Number.isNaN(code)) this.fail();
      if (code === 0x22 /* " */) {
        out += this.text.slice(start, this.pos);
        this.pos++;
        // Go replaces unpaired surrogates (from \ud800 escapes) with U+FFFD.
        return out.replace(loneSurrogate, '\ufffd');
      }
      if (code < 0x20) this.fail();
      if (code === 0x5c /* \ */) {
        out += this.text.slice(start, this.pos);
        out += this.escape();
        start = this.pos;
        continue;
      }
      this.pos++;
    }
  }

  private escape(): string {
    const ch = this.text[this.pos + 1];
    this.pos += 2;
    switch (ch) {
      case '"':
        return '"';
      case '\\':
        return '\\';
      case '/':
        return '/';
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case 'u': {
        const hex = this.text.slice(this.pos, this.pos + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail();
        this.pos += 4;
        return String.fromCharCode(parseInt(hex, 16));
      }
      default:
        return this.fail();
    }
  }

  private array(depth: number): JsonNode[] {
    this.pos++;
    const items: JsonNode[] = [];
    this.skipSpace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return items;
    }
    for (;;) {
      this.skipSpace();
      items.push(this.value(depth + 1));
      this.skipSpace();
      const ch = this.text[this.pos++];
      if (ch === ']') return items;
      if (ch !== ',') this.fail();
    }
  }

  private object(depth: number): JsonObject {
    this.pos++;
    const entries: Array<[string, JsonNode]> = [];
    this.skipSpace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return new JsonObject(entries);
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] !== '"') this.fail();
      const key = this.string();
      this.skipSpace();
      if (this.text[this.pos++] !== ':') this.fail();
      this.skipSpace();
      entries.push([key, this.value(depth + 1)]);
      this.skipSpace();
      const ch = this.text[this.pos++];
      if (ch === '}') return new JsonObject(entries);
      if (ch !== ',') this.fail();
    }
  }
}

/** A node as a plain JavaScript value (objects: last duplicate wins), for `map[string]any` fields. */
function toPlain(node: JsonNode): unknown {
  if (node instanceof JsonNumber) return Number(node.raw);
  if (node instanceof JsonObject) {
    const out: Record<string, unknown> = {};
    for (const [key, value] of node.entries) out[key] = toPlain(value);
    return out;
  }
  if (Array.isArray(node)) return node.map(toPlain);
  return node;
}

/** The Go field kinds the daemon's request structs use. */
export type FieldKind = 'string' | 'bool' | 'int' | 'stringMap' | 'anyMap';

export type FieldValue<K extends FieldKind> = K extends 'string'
  ? string
  : K extends 'bool'
    ? boolean
    : K extends 'int'
      ? number
      : K extends 'stringMap'
        ? Record<string, string>
        : Record<string, unknown>;

export type StructSpec = Readonly<Record<string, FieldKind>>;

/** Decoded struct: every field present with Go's zero value unless set (maps: undefined = nil). */
export type Decoded<S extends StructSpec> = {
  -readonly [F in keyof S]: S[F] extends 'stringMap' | 'anyMap' ? FieldValue<S[F]> | undefined : FieldValue<S[F]>;
};

class TypeFailure extends Error {}

const int64Max = 9223372036854775807n;
const int64Min = -9223372036854775808n;

function decodeField(kind: FieldKind, node: JsonNode): unknown {
  switch (kind) {
    case 'string':
      if (typeof node !== 'string') throw new TypeFailure('want string');
      return node;
    case 'bool':
      if (typeof node !== 'boolean') throw new TypeFailure('want bool');
      return node;
    case 'int': {
      if (!(node instanceof JsonNumber) || !/^-?\d+$/.test(node.raw)) throw new TypeFailure('want int');
      const big = BigInt(node.raw);
      if (big > int64Max || big < int64Min) throw new TypeFailure('int overflow');
      return Number(big);
    }
    case 'stringMap': {
      if (!(node instanceof JsonObject)) throw new TypeFailure('want object');
      const out: Record<string, string> = {};
      for (const [key, value] of node.entries) {
        if (value !== null && typeof value !== 'string') throw new TypeFailure('want string value');
        out[key] = value ?? '';
      }
      return out;
    }
    case 'anyMap':
      if (!(node instanceof JsonObject)) throw new TypeFailure('want object');
      return toPlain(node);
  }
}

function zeroValue(kind: FieldKind): unknown {
  switch (kind) {
    case 'string':
      return '';
    case 'bool':
      return false;
    case 'int':
      return 0;
    default:
      return undefined;
  }
}

function findField(spec: StructSpec, key: string): string | undefined {
  if (Object.hasOwn(spec, key)) return key;
  const folded = key.toLowerCase();
  return Object.keys(spec).find((name) => name.toLowerCase() === folded);
}

/**
 * Decode `text` into the struct described by `spec`, or `undefined` for any error Go's decoder
 * would report (the daemon answers all of them with 400 `invalid JSON body`).
 */
export function decodeGoStruct<S extends StructSpec>(text: string, spec: S): Decoded<S> | undefined {
  let node: JsonNode;
  try {
    node = new FirstValueParser(text).parseFirst();
  } catch (error) {
    if (error instanceof SyntaxFailure || error instanceof RangeError) return undefined;
    throw error;
  }
  const out: Record<string, unknown> = {};
  for (const [name, kind] of Object.entries(spec)) out[name] = zeroValue(kind);
  if (node === null) return out as Decoded<S>;
  if (!(node instanceof JsonObject)) return undefined;
  try {
    for (const [key, value] of node.entries) {
      const name = findField(spec, key);
      if (name === undefined) continue;
      const kind = spec[name];
      if (kind === undefined) continue;
      if (value === null) {
        // null leaves scalars untouched and resets maps to nil.
        if (kind === 'stringMap' || kind === 'anyMap') out[name] = undefined;
        continue;
      }
      out[name] = decodeField(kind, value);
    }
  } catch (error) {
    if (error instanceof TypeFailure) return undefined;
    throw error;
  }
  return out as Decoded<S>;
}
