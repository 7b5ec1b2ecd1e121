/**
 * The OpenAPI document of the Glue daemon protocol, read once from the package.
 *
 * The YAML ships in the package (`files`), so `loadSpec()` works from `src/` and from `dist/`.
 * The types below describe only the parts of OpenAPI this package walks (paths, operations,
 * responses, schemas); protocol shapes come from the generated types, never from here.
 */
import { readFileSync } from 'node:fs';
import { CORE_SCHEMA, load } from 'js-yaml';
import { packagePath } from './package-root.js';

export const SPEC_RELATIVE_PATH = 'openapi/glue-daemon.v1.yaml';

/** A JSON Schema (2020-12 dialect, as OpenAPI 3.1 uses) with OpenAPI keywords mixed in. */
export type JsonSchema = { [keyword: string]: unknown };

/** A `$ref` to somewhere else in the document. */
export interface OpenApiRef {
  $ref: string;
}

export interface OpenApiMediaType {
  schema?: JsonSchema;
  [key: string]: unknown;
}

export interface OpenApiResponse {
  description?: string;
  content?: Record<string, OpenApiMediaType>;
  headers?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: JsonSchema;
  [key: string]: unknown;
}

export interface OpenApiOperation {
  operationId?: string;
  summary?: string;
  parameters?: (OpenApiParameter | OpenApiRef)[];
  requestBody?: unknown;
  responses?: Record<string, OpenApiResponse | OpenApiRef>;
  /** Vendor extensions (`x-…`) such as the capability an operation needs. */
  [key: string]: unknown;
}

export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'DELETE' | 'OPTIONS' | 'HEAD' | 'PATCH' | 'TRACE';
export const HTTP_METHODS: readonly HttpMethod[] = ['GET', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH', 'TRACE'];

export type OpenApiPathItem = {
  parameters?: (OpenApiParameter | OpenApiRef)[];
  [key: string]: unknown;
};

export interface OpenApiDocument {
  openapi: string;
  info?: { title?: string; version?: string; [key: string]: unknown };
  paths: Record<string, OpenApiPathItem>;
  components?: {
    schemas?: Record<string, JsonSchema>;
    responses?: Record<string, OpenApiResponse | OpenApiRef>;
    parameters?: Record<string, OpenApiParameter | OpenApiRef>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

let cached: OpenApiDocument | undefined;

/** Absolute path of the shipped spec. */
export function specPath(): string {
  return packagePath(SPEC_RELATIVE_PATH);
}

/** The parsed OpenAPI document of the package (read and parsed once). */
export function loadSpec(): OpenApiDocument {
  cached ??= parseSpec(readFileSync(specPath(), 'utf8'), specPath());
  return cached;
}

/**
 * Parses an OpenAPI YAML (or JSON) text; `source` names it in error messages. js-yaml with the
 * YAML 1.2 core schema (no timestamps, no `<<`), as `yaml`'s parse: the same document, in ~90 ms
 * instead of ~350 ms, paid by every process that validates (each CLI start, each test worker).
 * `yaml` stays for the fixtures, whose errors need its source positions.
 */
export function parseSpec(text: string, source = 'OpenAPI document'): OpenApiDocument {
  const doc = load(text, { schema: CORE_SCHEMA, filename: source }) as unknown;
  if (!isObject(doc) || typeof doc['openapi'] !== 'string' || !isObject(doc['paths'])) {
    throw new Error(`glue-conformance: ${source} is not an OpenAPI document (no "openapi" version or "paths")`);
  }
  return doc as OpenApiDocument;
}

/**
 * Follows a local `$ref` (`#/components/responses/NotFound`) to the object it names; anything
 * that is not a ref is returned as is. Chains of refs are followed.
 */
export function resolveRef<T>(doc: OpenApiDocument, value: T | OpenApiRef): T {
  let current: unknown = value;
  for (let hops = 0; isRef(current); hops++) {
    if (hops > 20) throw new Error(`glue-conformance: $ref loop at ${current.$ref}`);
    current = resolvePointer(doc, current.$ref);
  }
  return current as T;
}

/** The value at a local JSON pointer (`#/a/b~1c`), or an error naming the pointer. */
export function resolvePointer(doc: OpenApiDocument, ref: string): unknown {
  if (!ref.startsWith('#')) throw new Error(`glue-conformance: only local $refs are supported, got ${ref}`);
  let current: unknown = doc;
  for (const raw of ref.slice(1).split('/').slice(1)) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObject(current) || !(key in current)) throw new Error(`glue-conformance: $ref ${ref} does not resolve`);
    current = current[key];
  }
  return current;
}

/** Escapes one key for use in a JSON pointer. */
export function pointerSegment(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function isRef(value: unknown): value is OpenApiRef {
  return isObject(value) && typeof value['$ref'] === 'string';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
