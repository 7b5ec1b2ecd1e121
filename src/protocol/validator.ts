/**
 * Runtime validation of daemon responses and SSE events against the OpenAPI spec.
 *
 * Types vanish at runtime, so every JSON body and every SSE `data:` envelope is checked with ajv
 * against the same document the generated types come from. Schemas compile lazily, once per
 * schema, and are cached: the benchmarks validate many thousands of events.
 */
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { OperationId } from './operations.js';
import type { SchemaName } from './types.js';
import type { components } from '../generated/glue-daemon.v1.js';
import { HTTP_METHODS, loadSpec, pointerSegment, resolvePointer, resolveRef, type JsonSchema, type OpenApiDocument, type OpenApiOperation, type OpenApiResponse } from './spec.js';


export type ValidationResult = { ok: true } | { ok: false; errors: string[] };

/** What of a request is checked: the parsed JSON body (`undefined`: none sent) and the query. */
export interface RequestParts {
  body?: unknown;
  query?: ReadonlyArray<readonly [string, string]>;
}

/** One way a request breaks the spec: a JSON pointer into `{ body, query }` and what is wrong. */
export interface RequestViolation {
  pointer: string;
  message: string;
}

export interface Validator {
  /** Checks a response: its status must be documented for the operation and its body must match. */
  validateResponse(operationId: OperationId, status: number, body: unknown): ValidationResult;
  /** Checks one SSE envelope and the payload schema of its `type`. */
  validateEvent(envelope: unknown): ValidationResult;
  /**
   * Checks a body against a shared `components.responses` entry, for answers no operation owns:
   * `RouteNotFound` for unknown paths, `Unauthorized` before routing.
   */
  validateNamedResponse(name: string, body: unknown): ValidationResult;
  /** Checks a value against one `components.schemas` entry (any name: the document may not be the shipped one). */
  validateSchema(name: string, value: unknown): ValidationResult;
  /**
   * Checks a request against the operation's `requestBody` schema and its query parameters.
   * `closed` also reports what the spec does not list (unknown body fields where the schema lists
   * properties, unknown query parameters), which a lenient daemon ignores.
   */
  validateRequest(operationId: OperationId, request: RequestParts, options?: { closed?: boolean }): RequestViolation[];
  /** The numeric statuses the spec documents for an operation, ascending. */
  documentedStatuses(operationId: OperationId): number[];
  /** The event types the spec knows, in spec order. */
  eventTypes(): string[];
}

const SPEC_ID = 'urn:glue-daemon:openapi';
const MAX_ERRORS = 8;
const OK: ValidationResult = { ok: true };
const JSON_MEDIA = /^application\/(?:[\w.+-]+\+)?json\b/i;

/** What one documented response expects of a body. */
type BodyRule = { kind: 'json'; pointer: string } | { kind: 'empty' } | { kind: 'unchecked'; mediaType: string };

interface OperationEntry {
  responses: Map<string, BodyRule>;
  /** Pointer to the JSON request body schema, when the operation takes a body. */
  requestBody?: { pointer: string; required: boolean };
  /** Query parameters by name → pointer to their schema. */
  query: Map<string, { pointer: string; required: boolean }>;
}

/** A validator over any OpenAPI document (the shipped one through the module-level functions). */
export function createValidator(doc: OpenApiDocument): Validator {
  let primary: AjvInstance | undefined;
  let fallback: AjvInstance | undefined;
  const compiled = new Map<string, ValidateFunction>();
  let operations: Map<string, OperationEntry> | undefined;
  let events: { envelopeName: string; byType: Map<string, string>; types: string[] } | undefined;

  function compile(pointer: string): ValidateFunction {
    let fn = compiled.get(pointer);
    if (!fn) {
      const ref = `${SPEC_ID}${pointer}`;
      try {
        // With `discriminator` support a oneOf reports only the branch its tag selects: short messages.
        primary ??= createAjv(doc, true);
        fn = primary.getSchema(ref);
      } catch (error) {
        // ajv rejects discriminators it cannot use (e.g. branches built with allOf); validate plainly then.
        if (!/discriminator/i.test(String(error))) throw error;
        fallback ??= createAjv(doc, false);
        fn = fallback.getSchema(ref);
      }
      if (!fn) throw new Error(`glue-conformance: no schema at ${pointer}`);
      compiled.set(pointer, fn);
    }
    return fn;
  }

  let closedAjv: AjvInstance | undefined;
  const closedCompiled = new Map<string, ValidateFunction>();
  /** The schema at `pointer` in a copy of the document where every object listing properties is closed. */
  function compileClosed(pointer: string): ValidateFunction {
    let fn = closedCompiled.get(pointer);
    if (!fn) {
      closedAjv ??= createAjv(closeObjects(doc), false);
      fn = closedAjv.getSchema(`${SPEC_ID}${pointer}`);
      if (!fn) throw new Error(`glue-conformance: no schema at ${pointer}`);
      closedCompiled.set(pointer, fn);
    }
    return fn;
  }

  function run(pointer: string, value: unknown, prefix = ''): ValidationResult {
    const fn = compile(pointer);
    if (fn(value)) return OK;
    return { ok: false, errors: formatErrors(fn.errors ?? [], value, prefix, doc) };
  }

  function operationTable(): Map<string, OperationEntry> {
    operations ??= indexOperations(doc);
    return operations;
  }

  function operationEntry(operationId: string): OperationEntry {
    const entry = operationTable().get(operationId);
    if (!entry) throw new Error(`glue-conformance: the spec has no operation ${operationId}`);
    return entry;
  }

  function eventIndex(): NonNullable<typeof events> {
    events ??= indexEvents(doc);
    return events;
  }

  return {
    validateResponse(operationId, status, body) {
      const entry = operationEntry(operationId);
      const rule = entry.responses.get(String(status)) ?? entry.responses.get(`${Math.floor(status / 100)}XX`);
      if (!rule) {
        const documented = [...entry.responses.keys()].join(', ');
        return { ok: false, errors: [`status ${status} is not documented for ${operationId} (documented: ${documented})`] };
      }
      if (rule.kind === 'empty') {
        return body === undefined || body === null || body === '' ? OK : { ok: false, errors: [`status ${status} of ${operationId} has no body, got ${describeValue(body)}`] };
      }
      if (rule.kind === 'unchecked') return OK;
      if (body === undefined) return { ok: false, errors: [`status ${status} of ${operationId} needs a JSON body, got none`] };
      return run(rule.pointer, body);
    },

    validateEvent(envelope) {
      const index = eventIndex();
      const type = isObject(envelope) ? envelope['type'] : undefined;
      const branch = typeof type === 'string' ? index.byType.get(type) : undefined;
      if (branch === undefined) {
        if (!isObject(envelope)) return run(schemaPointer(index.envelopeName), envelope);
        return { ok: false, errors: [`/type: must be one of ${index.types.map((t) => JSON.stringify(t)).join(', ')} (got ${describeValue(type)})`] };
      }
      return run(schemaPointer(branch), envelope);
    },

    validateNamedResponse(name, body) {
      const pointer = `#/components/responses/${pointerSegment(name)}`;
      if (!doc.components?.responses?.[name]) throw new Error(`glue-conformance: the spec has no response ${name}`);
      const [response, where] = follow<OpenApiResponse>(doc, { $ref: pointer }, pointer);
      const rule = bodyRule(response, where);
      if (rule.kind === 'empty') return body === undefined || body === null || body === '' ? OK : { ok: false, errors: [`response ${name} has no body, got ${describeValue(body)}`] };
      if (rule.kind === 'unchecked') return OK;
      if (body === undefined) return { ok: false, errors: [`response ${name} needs a JSON body, got none`] };
      return run(rule.pointer, body);
    },

    validateSchema(name, value) {
      if (!doc.components?.schemas?.[name]) throw new Error(`glue-conformance: the spec has no schema ${name}`);
      return run(schemaPointer(name), value);
    },

    validateRequest(operationId, request, options = {}) {
      const entry = operationEntry(operationId);
      const out: RequestViolation[] = [];
      if (entry.requestBody) {
        if (request.body === undefined) {
          if (entry.requestBody.required) out.push({ pointer: '/body', message: `${operationId} needs a JSON body` });
        } else {
          const fn = options.closed ? compileClosed(entry.requestBody.pointer) : compile(entry.requestBody.pointer);
          if (!fn(request.body)) out.push(...errorPairs(fn.errors ?? [], request.body, '/body', doc));
        }
      } else if (request.body !== undefined) {
        out.push({ pointer: '/body', message: `${operationId} takes no request body` });
      }
      const seen = new Set<string>();
      for (const [name, raw] of request.query ?? []) {
        const where = `/query/${pointerSegment(name)}`;
        const param = entry.query.get(name);
        if (!param) {
          if (options.closed) out.push({ pointer: where, message: `unknown query parameter '${name}' (the spec lists ${[...entry.query.keys()].join(', ') || 'none'})` });
          continue;
        }
        if (seen.has(name)) out.push({ pointer: where, message: `query parameter '${name}' is repeated` });
        seen.add(name);
        const fn = compile(param.pointer);
        const value = coerceQuery(raw, fn.schema);
        if (!fn(value)) out.push(...errorPairs(fn.errors ?? [], value, where, doc));
      }
      for (const [name, param] of entry.query) if (param.required && !seen.has(name)) out.push({ pointer: `/query/${pointerSegment(name)}`, message: 'is required' });
      return out;
    },

    documentedStatuses(operationId) {
      return [...operationEntry(operationId).responses.keys()]
        .filter((key) => /^\d{3}$/.test(key))
        .map(Number)
        .sort((a, b) => a - b);
    },

    eventTypes() {
      return [...eventIndex().types];
    },
  };
}

type AjvInstance = InstanceType<typeof Ajv2020Module.default>;

function createAjv(doc: OpenApiDocument, discriminator: boolean): AjvInstance {
  const Ajv2020 = Ajv2020Module.default;
  // strict: false because OpenAPI adds keywords (discriminator, example, x-*) that are not JSON Schema.
  const ajv = new Ajv2020({ strict: false, allErrors: true, verbose: true, validateSchema: false, discriminator });
  addFormatsModule.default(ajv);
  // The whole document is one schema resource, so `#/components/schemas/…` refs resolve inside it.
  const copy = discriminator ? prepareDiscriminators(doc) : doc;
  ajv.addSchema({ ...copy, $id: SPEC_ID } as JsonSchema);
  return ajv;
}

/**
 * A deep copy of the document ready for ajv's `discriminator` keyword: ajv refuses
 * `discriminator.mapping` (the branches' own tag consts say the same thing), and it lets any
 * non-object through a discriminated oneOf, so such schemas get an explicit `type: object`.
 */
function prepareDiscriminators<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => prepareDiscriminators(v)) as T;
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === 'discriminator' && isObject(v)) {
      const { mapping: _mapping, ...rest } = v;
      out[key] = rest;
    } else {
      out[key] = prepareDiscriminators(v);
    }
  }
  if (isObject(out['discriminator']) && out['type'] === undefined) out['type'] = 'object';
  return out as T;
}

function schemaPointer(name: string): string {
  return `#/components/schemas/${pointerSegment(name)}`;
}

/** For every operation: each documented status key → what its body must be. */
function indexOperations(doc: OpenApiDocument): Map<string, OperationEntry> {
  const index = new Map<string, OperationEntry>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of HTTP_METHODS) {
      const key = method.toLowerCase();
      const operation = item[key] as OpenApiOperation | undefined;
      if (!operation || typeof operation.operationId !== 'string') continue;
      const responses = new Map<string, BodyRule>();
      for (const [status, ref] of Object.entries(operation.responses ?? {})) {
        if (status === 'default') continue;
        const [response, pointer] = follow<OpenApiResponse>(doc, ref, `#/paths/${pointerSegment(path)}/${key}/responses/${pointerSegment(status)}`);
        responses.set(status.toUpperCase(), bodyRule(response, pointer));
      }
      const query = new Map<string, { pointer: string; required: boolean }>();
      const params = [...(item.parameters ?? []), ...(operation.parameters ?? [])];
      params.forEach((ref, i) => {
        const base = i < (item.parameters ?? []).length ? `#/paths/${pointerSegment(path)}/parameters/${i}` : `#/paths/${pointerSegment(path)}/${key}/parameters/${i - (item.parameters ?? []).length}`;
        const [param, where] = follow<{ name?: string; in?: string; required?: boolean; schema?: unknown }>(doc, ref, base);
        if (param.in === 'query' && typeof param.name === 'string' && param.schema !== undefined) query.set(param.name, { pointer: `${where}/schema`, required: param.required === true });
      });
      let requestBody: OperationEntry['requestBody'];
      if (operation.requestBody !== undefined) {
        const [bodySpec, where] = follow<{ required?: boolean; content?: Record<string, { schema?: unknown }> }>(doc, operation.requestBody, `#/paths/${pointerSegment(path)}/${key}/requestBody`);
        const json = Object.keys(bodySpec.content ?? {}).find((m) => JSON_MEDIA.test(m));
        if (json !== undefined && bodySpec.content?.[json]?.schema !== undefined) {
          requestBody = { pointer: `${where}/content/${pointerSegment(json)}/schema`, required: bodySpec.required === true };
        }
      }
      index.set(operation.operationId, { responses, query, ...(requestBody ? { requestBody } : {}) });
    }
  }
  return index;
}

/** Follows refs like `resolveRef`, also returning the pointer where the value really lives. */
function follow<T>(doc: OpenApiDocument, value: unknown, pointer: string): [T, string] {
  let current = value;
  let where = pointer;
  for (let hops = 0; isObject(current) && typeof current['$ref'] === 'string'; hops++) {
    if (hops > 20) throw new Error(`glue-conformance: $ref loop at ${where}`);
    where = current['$ref'];
    current = resolvePointer(doc, where);
  }
  return [current as T, where];
}

function bodyRule(response: OpenApiResponse, pointer: string): BodyRule {
  const content = response.content ?? {};
  const mediaTypes = Object.keys(content);
  if (mediaTypes.length === 0) return { kind: 'empty' };
  const json = mediaTypes.find((m) => JSON_MEDIA.test(m));
  if (json === undefined || content[json]?.schema === undefined) return { kind: 'unchecked', mediaType: mediaTypes[0] ?? '' };
  return { kind: 'json', pointer: `${pointer}/content/${pointerSegment(json)}/schema` };
}

/** Event type → the schema name of its envelope branch, from the EventEnvelope oneOf. */
function indexEvents(doc: OpenApiDocument): { envelopeName: string; byType: Map<string, string>; types: string[] } {
  const schemas = doc.components?.schemas ?? {};
  const envelopeName = 'EventEnvelope';
  const envelope = schemas[envelopeName];
  if (!envelope) throw new Error('glue-conformance: the spec has no EventEnvelope schema');
  const byType = new Map<string, string>();
  const discriminator = envelope['discriminator'];
  const mapping = isObject(discriminator) && isObject(discriminator['mapping']) ? discriminator['mapping'] : {};
  for (const [type, ref] of Object.entries(mapping)) if (typeof ref === 'string') byType.set(type, refName(ref));
  for (const branch of asArray(envelope['oneOf'] ?? envelope['anyOf'])) {
    if (!isObject(branch) || typeof branch['$ref'] !== 'string') continue;
    const name = refName(branch['$ref']);
    for (const type of typeConsts(doc, schemas[name])) if (!byType.has(type)) byType.set(type, name);
  }
  // Keep the order of the EventType enum when there is one, so messages list types as the spec does.
  const enumOrder = asArray(schemas['EventType']?.['enum']).filter((t): t is string => typeof t === 'string');
  const types = [...enumOrder.filter((t) => byType.has(t)), ...[...byType.keys()].filter((t) => !enumOrder.includes(t))];
  return { envelopeName, byType, types };
}

/** The values a branch schema pins its tag property (`type`) to with const/enum, looking through allOf and $ref. */
function typeConsts(doc: OpenApiDocument, schema: unknown, tag = 'type', depth = 0): string[] {
  if (!isObject(schema) || depth > 5) return [];
  const resolved = resolveRef<JsonSchema>(doc, schema as JsonSchema);
  const out: string[] = [];
  const props = resolved['properties'];
  const typeSchema = isObject(props) ? resolveRef<JsonSchema>(doc, (props[tag] ?? {}) as JsonSchema) : undefined;
  if (typeSchema) {
    if (typeof typeSchema['const'] === 'string') out.push(typeSchema['const']);
    for (const v of asArray(typeSchema['enum'])) if (typeof v === 'string') out.push(v);
  }
  for (const part of asArray(resolved['allOf'])) out.push(...typeConsts(doc, part, tag, depth + 1));
  return out;
}

function refName(ref: string): string {
  return decodeURIComponent(ref.slice(ref.lastIndexOf('/') + 1)).replace(/~1/g, '/').replace(/~0/g, '~');
}

/** The same messages as pointer + text pairs (request violations). */
function errorPairs(errors: ErrorObject[], value: unknown, prefix: string, doc: OpenApiDocument): RequestViolation[] {
  return formatErrors(errors, value, '\u0000' + prefix, doc).map((line) => {
    const at = line.indexOf(': ');
    if (!line.startsWith('\u0000') || at < 0) return { pointer: prefix, message: line };
    const pointer = line.slice(1, at).replace(/\(root\)$/, '');
    const message = line.slice(at + 2);
    // An unknown field is pointed at itself, where the fix goes.
    const unknown = /^must not have property '(.*)'$/.exec(message);
    if (unknown) return { pointer: `${pointer}/${pointerSegment(unknown[1] ?? '')}`, message: 'is not a field the spec defines' };
    return { pointer: pointer || '/', message };
  });
}

/** A query string value as its schema's type wants it (`"5"` → 5 for an integer), else the string. */
function coerceQuery(raw: string, schema: unknown): unknown {
  const type = isObject(schema) ? schema['type'] : undefined;
  if ((type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  if (type === 'boolean' && (raw === 'true' || raw === 'false')) return raw === 'true';
  return raw;
}

/**
 * A deep copy where each object schema that lists `properties` and says nothing about others gets
 * `additionalProperties: false`; open maps (`additionalProperties` given) stay open.
 */
function closeObjects<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => closeObjects(v)) as T;
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = key === 'example' || key === 'examples' ? v : closeObjects(v);
  if (isObject(out['properties']) && out['additionalProperties'] === undefined && out['unevaluatedProperties'] === undefined && out['allOf'] === undefined) {
    out['additionalProperties'] = false;
  }
  return out as T;
}

/** Short, path-first messages: `/payload/seq: must be integer (got "3")`. */
function formatErrors(errors: ErrorObject[], value: unknown, prefix: string, doc: OpenApiDocument): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  // A failed oneOf/anyOf repeats every branch's complaints; its own line adds nothing when they are there.
  const specific = errors.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf' && e.keyword !== 'if');
  const chosen = specific.length > 0 ? specific : errors;
  for (const error of chosen) {
    const line = error.keyword === 'discriminator' ? describeDiscriminator(error, value, prefix, doc) : `${prefix}${error.instancePath || '(root)'}: ${describeError(error, value)}`;
    if (seen.has(line)) continue;
    seen.add(line);
    out.push(line);
  }
  if (out.length > MAX_ERRORS) return [...out.slice(0, MAX_ERRORS), `… ${out.length - MAX_ERRORS} more`];
  return out;
}

/** A failed tag lookup reads like an enum failure on the tag property. */
function describeDiscriminator(error: ErrorObject, root: unknown, prefix: string, doc: OpenApiDocument): string {
  const params = error.params as { tag?: string; tagValue?: unknown };
  const tag = params.tag ?? 'type';
  const path = `${prefix}${error.instancePath}/${pointerSegment(tag)}`;
  const parent = error.parentSchema;
  const allowed = isObject(parent) ? asArray(parent['oneOf']).flatMap((branch) => typeConsts(doc, branch, tag)) : [];
  const got = describeValue(valueAt(root, `${error.instancePath}/${pointerSegment(tag)}`));
  if (allowed.length === 0) return `${path}: does not select a known variant (got ${got})`;
  return `${path}: must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')} (got ${got})`;
}

function describeError(error: ErrorObject, root: unknown): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'enum':
      return `must be one of ${asArray(params['allowedValues']).map((v) => JSON.stringify(v)).join(', ')} (got ${describeValue(valueAt(root, error.instancePath))})`;
    case 'const':
      return `must be ${JSON.stringify(params['allowedValue'])} (got ${describeValue(valueAt(root, error.instancePath))})`;
    case 'type':
      return `must be ${String(params['type'])} (got ${describeValue(valueAt(root, error.instancePath))})`;
    case 'required':
      return `must have required property '${String(params['missingProperty'])}'`;
    case 'additionalProperties':
      return `must not have property '${String(params['additionalProperty'])}'`;
    case 'format':
      return `must match format "${String(params['format'])}" (got ${describeValue(valueAt(root, error.instancePath))})`;
    case 'pattern':
      return `must match pattern ${JSON.stringify(params['pattern'])} (got ${describeValue(valueAt(root, error.instancePath))})`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
    case 'minLength':
    case 'maxLength':
      return `${error.message ?? error.keyword} (got ${describeValue(valueAt(root, error.instancePath))})`;
    default:
      return error.message ?? error.keyword;
  }
}

/** A short rendering of a value for messages (long strings and objects are cut). */
function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `array(${value.length})`;
  if (typeof value === 'object') return 'object';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

function valueAt(root: unknown, instancePath: string): unknown {
  let current = root;
  if (!instancePath) return current;
  for (const raw of instancePath.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(current)) current = current[Number(key)];
    else if (isObject(current)) current = current[key];
    else return undefined;
  }
  return current;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

let defaultValidator: Validator | undefined;

/** The validator over the shipped spec, built on first use. */
export function specValidator(): Validator {
  defaultValidator ??= createValidator(loadSpec());
  return defaultValidator;
}

export function validateResponse(operationId: OperationId, status: number, body: unknown): ValidationResult {
  return specValidator().validateResponse(operationId, status, body);
}

export function validateEvent(envelope: unknown): ValidationResult {
  return specValidator().validateEvent(envelope);
}

export function validateSchema(name: SchemaName, value: unknown): ValidationResult {
  return specValidator().validateSchema(name, value);
}

/** A shared response of the spec (`components.responses`). */
export type ResponseName = keyof components['responses'] & string;

export function validateNamedResponse(name: ResponseName, body: unknown): ValidationResult {
  return specValidator().validateNamedResponse(name, body);
}

export function validateRequest(operationId: OperationId, request: RequestParts, options?: { closed?: boolean }): RequestViolation[] {
  return specValidator().validateRequest(operationId, request, options);
}

export function documentedStatuses(operationId: OperationId): number[] {
  return specValidator().documentedStatuses(operationId);
}
