/**
 * `--strict`: every request is checked against the spec before the daemon sees it, with the same
 * validator the suite uses (src/protocol/validator.ts). A request the spec does not allow gets
 * 400 `invalid_request` plus `violations: [{ pointer, message }]`, and one log line; a request
 * that passes reaches the faithful daemon untouched. Beyond the schemas it flags what Go accepts
 * silently (docs/strict-mode.md lists every rule):
 * - unknown fields wherever the spec lists the fields (STRICT-UNKNOWN-FIELD), unknown query parameters;
 * - bytes after the JSON value (STRICT-TRAILING-DATA), which Go's decoder never reads;
 * - a body on an operation without one, a JSON body without `Content-Type: application/json`;
 * - `X-Glue-Client-ID` on a run start whose body has no `client_id` (the run gets no owner);
 * - a permission decision without `X-Glue-Client-ID` for a run that has an owner (Go skips the check).
 * Requests the daemon refuses anyway (no token, unknown route, wrong method) pass through, so
 * their 401/404/405 stay Go's.
 */
import type { OperationId } from '../../src/protocol/operations.js';
import { rawPathAndQuery } from '../raw-target.js';
import { readTextCapped } from '../../src/protocol/read-capped.js';
import { validateRequest, type RequestViolation } from '../../src/protocol/validator.js';
import { createAuthorizer, trimHeaderValue } from '../auth.js';
import { jsonResponse } from '../responses.js';
import { decodedPath, matchRoute, type RouteName } from '../routes.js';

const OPERATION_OF: Readonly<Record<RouteName, OperationId>> = {
  health: 'getHealth',
  status: 'getStatus',
  diagnostics: 'getDiagnostics',
  tools: 'listTools',
  skills: 'listSkills',
  roles: 'listRoles',
  recall: 'recall',
  memories: 'listMemories',
  permissions: 'listPermissionGrants',
  permissionForget: 'deletePermissionGrant',
  memoryForget: 'deleteMemory',
  mcpResources: 'listMcpResources',
  mcpResourceRead: 'readMcpResource',
  mcpPrompts: 'listMcpPrompts',
  mcpPromptGet: 'getMcpPrompt',
  startRun: 'startRun',
  runEvents: 'streamRunEvents',
  permissionDecision: 'decidePermission',
  cancelRun: 'cancelRun',
  sessions: 'listSessions',
  sessionGet: 'getSession',
  sessionMessages: 'listSessionMessages',
};

/** Run owners remembered for the decision rule; the oldest are forgotten past this. */
const MAX_OWNERS = 4096;
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

export interface StrictOptions {
  token: string;
  /** Serve-time `sessions` capability, so session routes match as the daemon matches them. */
  sessions?: boolean;
  /** Bodies above this are left to the daemon (which answers 413). */
  maxBodyBytes?: number;
  /** One report per refused request: method, path, every violation (the sink redacts and escapes). */
  report?: (record: Record<string, unknown>, pretty: string) => void;
}

export interface StrictViolationBody {
  error: { code: 'invalid_request'; message: string; retryable: false };
  violations: RequestViolation[];
}

type Handle = (request: Request) => Promise<Response>;

export function strictHandler(inner: Handle, options: StrictOptions): Handle {
  const authorized = createAuthorizer(options.token.trim());
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const owners = new Map<string, string>();

  return async (request) => {
    const url = new URL(request.url);
    const path = decodedPath(rawPathAndQuery(request, url).path);
    if (path === undefined) return inner(request);
    const match = matchRoute(path, { sessions: options.sessions === true });
    if (!match || request.method !== match.method) return inner(request);
    if (match.name !== 'health' && !authorized(request)) return inner(request);
    const operationId = OPERATION_OF[match.name];

    const text = request.body ? await readTextCapped(request.clone().body, maxBodyBytes) : '';
    if (text === undefined) return inner(request);
    const violations: RequestViolation[] = [];
    const body = parseBody(text, violations);
    const contentType = request.headers.get('content-type');
    if (body !== undefined && (contentType === null || !JSON_TYPE.test(contentType))) {
      violations.push({ pointer: '/header/content-type', message: `must be application/json for a JSON body (got ${contentType === null ? 'none' : JSON.stringify(contentType)}; Go does not look)` });
    }
    if (body !== NOT_JSON) violations.push(...validateRequest(operationId, { body, query: [...url.searchParams] }, { closed: true }));
    const headerClient = trimHeaderValue(request.headers.get('x-glue-client-id') ?? '');
    if (match.name === 'startRun' && headerClient !== '' && isObject(body) && !(typeof body['client_id'] === 'string' && body['client_id'].trim() !== '')) {
      violations.push({
        pointer: '/body/client_id',
        message: `missing while X-Glue-Client-ID is ${JSON.stringify(headerClient)}: the header does not make the run yours (Go leaves run_start.client_id empty and any client may decide); send "client_id" in the body`,
      });
    }
    if (match.name === 'permissionDecision' && headerClient === '') {
      const owner = owners.get(match.params[0] ?? '');
      if (owner !== undefined) {
        violations.push({ pointer: '/header/x-glue-client-id', message: `missing: the run belongs to ${JSON.stringify(owner)} (Go skips the ownership check without it); send X-Glue-Client-ID: ${owner}` });
      }
    }

    if (violations.length > 0) {
      options.report?.(
        { method: request.method, path: url.pathname, query: url.search, status: 400, violations },
        `strict: ${request.method} ${url.pathname}${url.search} → 400: ${violations.map((v) => `${v.pointer}: ${v.message}`).join('; ')}`,
      );
      const answer: StrictViolationBody = {
        error: { code: 'invalid_request', message: `request does not match the spec (--strict): ${violations[0]!.pointer}: ${violations[0]!.message}`, retryable: false },
        violations,
      };
      return jsonResponse(400, answer);
    }

    const response = await inner(request);
    if (match.name === 'startRun' && response.status === 201 && isObject(body) && typeof body['client_id'] === 'string' && body['client_id'] !== '') {
      const started = (await response.clone().json().catch(() => undefined)) as { run_id?: unknown } | undefined;
      if (typeof started?.run_id === 'string') {
        owners.set(started.run_id, body['client_id']);
        if (owners.size > MAX_OWNERS) owners.delete(owners.keys().next().value as string);
      }
    }
    return response;
  };
}

const NOT_JSON = Symbol('not JSON');

/** `undefined` for no body, the value, or `NOT_JSON` (with the violation recorded). */
function parseBody(text: string, violations: RequestViolation[]): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const message = (error as Error).message;
    // V8: "Unexpected non-whitespace character after JSON at position 13".
    const after = /after JSON at position (\d+)/.exec(message);
    if (after) {
      const at = Number(after[1]);
      violations.push({ pointer: '/body', message: `has data after the JSON value at byte ${at} (Go reads the first value and ignores the rest)` });
      try {
        return JSON.parse(text.slice(0, at)) as unknown;
      } catch {
        return NOT_JSON;
      }
    }
    violations.push({ pointer: '/body', message: `is not valid JSON: ${message}` });
    return NOT_JSON;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
