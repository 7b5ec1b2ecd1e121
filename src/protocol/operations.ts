/**
 * The operations of the protocol: their ids (a type from the generated code) and a runtime table
 * read from the spec, plus path-template matching for routing captured or live requests.
 */
import type { operations } from '../generated/glue-daemon.v1.js';
import { HTTP_METHODS, loadSpec, type HttpMethod, type OpenApiDocument, type OpenApiOperation } from './spec.js';

/** Every operation id of the spec (the keys of the generated `operations` interface). */
export type OperationId = keyof operations & string;

/** One row of the operation table. */
export interface OperationInfo {
  operationId: OperationId;
  method: HttpMethod;
  /** The OpenAPI path template, e.g. `/v1/runs/{run_id}/events`. */
  path: string;
  /** True for operations a daemon may leave out (the Go daemon v1.11.0 does not have them). */
  optional?: boolean;
  /** The capability in `/v1/status` that announces this operation, when one does. */
  capability?: string;
}

/** A request matched to an operation; `params` are the percent-decoded path parameters. */
export interface OperationMatch {
  operationId: OperationId;
  params: Record<string, string>;
}

/** The spec's operation extensions: the capability an operation belongs to, and optional routes. */
const CAPABILITY_KEY = 'x-glue-capability';
const OPTIONAL_KEY = 'x-glue-optional';

/** Builds the operation table of any OpenAPI document, in document order. */
export function buildOperationTable(doc: OpenApiDocument): OperationInfo[] {
  const table: OperationInfo[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method.toLowerCase()] as OpenApiOperation | undefined;
      if (!operation || typeof operation.operationId !== 'string') continue;
      const row: OperationInfo = { operationId: operation.operationId as OperationId, method, path };
      if (operation[OPTIONAL_KEY] === true) row.optional = true;
      const capability = operation[CAPABILITY_KEY];
      if (typeof capability === 'string') row.capability = capability;
      table.push(row);
    }
  }
  return table;
}

/**
 * Every operation of the shipped spec, in document order. Filled on first use rather than at
 * import, so importing the protocol layer never fails on the spec file by itself.
 */
export const OPERATIONS: readonly OperationInfo[] = lazyArray(() => buildOperationTable(loadSpec()));

/** An array that builds its items on first access; afterwards it is a frozen plain array. */
function lazyArray<T>(build: () => T[]): readonly T[] {
  const target: T[] = [];
  let filled = false;
  const fill = (): void => {
    if (filled) return;
    target.push(...build());
    filled = true;
    Object.freeze(target);
  };
  return new Proxy(target, {
    get: (t, key, receiver) => (fill(), Reflect.get(t, key, receiver)),
    has: (t, key) => (fill(), Reflect.has(t, key)),
    ownKeys: (t) => (fill(), Reflect.ownKeys(t)),
    getOwnPropertyDescriptor: (t, key) => (fill(), Reflect.getOwnPropertyDescriptor(t, key)),
  });
}

/** The table row of one operation; throws for an id the spec does not have. */
export function operationInfo(operationId: OperationId, table: readonly OperationInfo[] = OPERATIONS): OperationInfo {
  const row = table.find((op) => op.operationId === operationId);
  if (!row) throw new Error(`glue-conformance: unknown operation ${operationId}`);
  return row;
}

/**
 * Matches a request to an operation by method and path template, segment by segment. A template
 * parameter matches one non-empty segment; its value is percent-decoded. Go's own path handling
 * (it decodes `%2F` into a real `/` before routing) is the server's business: decode the path the
 * way the server under test does before calling this if that matters.
 */
export function matchOperation(method: string, pathname: string, table: readonly OperationInfo[] = OPERATIONS): OperationMatch | undefined {
  const upper = method.toUpperCase();
  const path = withoutQuery(pathname);
  for (const row of table) {
    if (row.method !== upper) continue;
    const params = matchPath(row.path, path);
    if (params) return { operationId: row.operationId, params };
  }
  return undefined;
}

/** The operations whose path template matches `pathname`, whatever their method (405 detection). */
export function operationsAtPath(pathname: string, table: readonly OperationInfo[] = OPERATIONS): OperationInfo[] {
  const path = withoutQuery(pathname);
  return table.filter((row) => matchPath(row.path, path) !== undefined);
}

/** A request target may carry a query or fragment; routing looks at the path only. */
function withoutQuery(target: string): string {
  const cut = target.search(/[?#]/);
  return cut < 0 ? target : target.slice(0, cut);
}

/** Matches one path template; returns the decoded parameters or `undefined`. */
export function matchPath(template: string, pathname: string): Record<string, string> | undefined {
  const want = template.split('/');
  const got = pathname.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const pattern = want[i] ?? '';
    const segment = got[i] ?? '';
    const param = /^\{([^}]+)\}$/.exec(pattern);
    if (param?.[1] !== undefined) {
      if (segment === '') return undefined;
      params[param[1]] = safeDecode(segment);
    } else if (pattern !== segment) {
      return undefined;
    }
  }
  return params;
}

/** Fills a path template: `fillPath('/v1/runs/{run_id}', { run_id: 'r 1' })` → `/v1/runs/r%201`. */
export function fillPath(template: string, params: Record<string, string>): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`glue-conformance: missing path parameter ${name} for ${template}`);
    return encodeURIComponent(value);
  });
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
