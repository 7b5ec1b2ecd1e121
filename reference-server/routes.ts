/**
 * The daemon's routing table, matched the way Go's `ServeHTTP` does it:
 * - on the percent-decoded raw path (`r.URL.Path`): `.`/`..` segments are not resolved (`/v1/sessions/./runs`
 *   is session `.`), and `%2F` becomes a real `/` that never matches inside a segment;
 * - exact paths, no trailing-slash tolerance, an empty segment never matches;
 * - each route allows one method (405 otherwise);
 * - id segments are percent-decoded a second time (`url.PathUnescape` on the decoded path), as Go does.
 * The prefix/suffix arithmetic is copied from Go on purpose, quirks included
 * (`/v1/sessions/runs` is session `runs`).
 */

export type RouteName =
  | 'health'
  | 'status'
  | 'diagnostics'
  | 'tools'
  | 'skills'
  | 'roles'
  | 'recall'
  | 'memories'
  | 'permissions'
  | 'permissionForget'
  | 'memoryForget'
  | 'mcpResources'
  | 'mcpResourceRead'
  | 'mcpPrompts'
  | 'mcpPromptGet'
  | 'startRun'
  | 'runEvents'
  | 'permissionDecision'
  | 'cancelRun'
  | 'sessions'
  | 'sessionGet'
  | 'sessionMessages';

export type RouteMethod = 'GET' | 'POST' | 'DELETE';

export interface RouteMatch {
  name: RouteName;
  method: RouteMethod;
  /** Decoded id segments in path order (session id; run id; run id + permission id; grant or memory id). */
  params: string[];
}

const exactRoutes: ReadonlyMap<string, [RouteName, RouteMethod]> = new Map([
  ['/v1/health', ['health', 'GET']],
  ['/v1/status', ['status', 'GET']],
  ['/v1/diagnostics', ['diagnostics', 'GET']],
  ['/v1/tools', ['tools', 'GET']],
  ['/v1/skills', ['skills', 'GET']],
  ['/v1/roles', ['roles', 'GET']],
  ['/v1/recall', ['recall', 'POST']],
  ['/v1/memories', ['memories', 'GET']],
  ['/v1/permissions', ['permissions', 'GET']],
  ['/v1/mcp/resources', ['mcpResources', 'GET']],
  ['/v1/mcp/resources/read', ['mcpResourceRead', 'POST']],
  ['/v1/mcp/prompts', ['mcpPrompts', 'GET']],
  ['/v1/mcp/prompts/get', ['mcpPromptGet', 'POST']],
]);

const hexDigit = /^[0-9a-fA-F]{2}$/;
const utf8 = new TextDecoder('utf-8', { fatal: false });
const utf8Encoder = new TextEncoder();

/**
 * Percent-decoding as Go's `url.PathUnescape`: `%XX` becomes the byte, `+` stays, and a malformed
 * escape is an error (undefined). Invalid UTF-8 becomes U+FFFD, as Go's JSON encoder prints it.
 */
export function unescapePath(raw: string): string | undefined {
  if (!raw.includes('%')) return raw;
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; ) {
    const ch = raw.charCodeAt(i);
    if (ch === 0x25 /* % */) {
      const hex = raw.slice(i + 1, i + 3);
      if (!hexDigit.test(hex)) return undefined;
      bytes.push(parseInt(hex, 16));
      i += 3;
      continue;
    }
    const cp = raw.codePointAt(i) ?? ch;
    const char = String.fromCodePoint(cp);
    for (const b of utf8Encoder.encode(char)) bytes.push(b);
    i += char.length;
  }
  return utf8.decode(new Uint8Array(bytes));
}

function cutPrefixSuffix(path: string, prefix: string, suffix: string): string | undefined {
  if (!path.startsWith(prefix) || !path.endsWith(suffix)) return undefined;
  let raw = path.slice(prefix.length);
  if (suffix && raw.endsWith(suffix)) raw = raw.slice(0, -suffix.length);
  return raw;
}

/** One id segment: non-empty, no `/`, unescapes to a non-empty string. */
function idSegment(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '' || raw.includes('/')) return undefined;
  const id = unescapePath(raw);
  return id ? id : undefined;
}

function oneParam(path: string, prefix: string, suffix: string): string | undefined {
  return idSegment(cutPrefixSuffix(path, prefix, suffix));
}

function decisionParams(path: string): [string, string] | undefined {
  const rest = cutPrefixSuffix(path, '/v1/runs/', '/decision');
  if (rest === undefined) return undefined;
  const middle = rest.indexOf('/permissions/');
  if (middle < 0) return undefined;
  const runId = idSegment(rest.slice(0, middle));
  const permissionId = idSegment(rest.slice(middle + '/permissions/'.length));
  return runId !== undefined && permissionId !== undefined ? [runId, permissionId] : undefined;
}

/**
 * Match a decoded path against the table, in Go's order. The session lookup routes (beyond Go)
 * only exist with `sessions`, and come after every Go route, so nothing Go matches changes.
 */
export function matchRoute(path: string, options: { sessions?: boolean } = {}): RouteMatch | undefined {
  const exact = exactRoutes.get(path);
  if (exact) return { name: exact[0], method: exact[1], params: [] };

  let id = oneParam(path, '/v1/permissions/', '');
  if (id !== undefined) return { name: 'permissionForget', method: 'DELETE', params: [id] };
  id = oneParam(path, '/v1/memories/', '');
  if (id !== undefined) return { name: 'memoryForget', method: 'DELETE', params: [id] };
  id = oneParam(path, '/v1/sessions/', '/runs');
  if (id !== undefined) return { name: 'startRun', method: 'POST', params: [id] };
  id = oneParam(path, '/v1/runs/', '/events');
  if (id !== undefined) return { name: 'runEvents', method: 'GET', params: [id] };
  const decision = decisionParams(path);
  if (decision) return { name: 'permissionDecision', method: 'POST', params: decision };
  id = oneParam(path, '/v1/runs/', '');
  if (id !== undefined) return { name: 'cancelRun', method: 'DELETE', params: [id] };
  if (!options.sessions) return undefined;
  if (path === '/v1/sessions') return { name: 'sessions', method: 'GET', params: [] };
  id = oneParam(path, '/v1/sessions/', '/messages');
  if (id !== undefined) return { name: 'sessionMessages', method: 'GET', params: [id] };
  id = oneParam(path, '/v1/sessions/', '');
  if (id !== undefined) return { name: 'sessionGet', method: 'GET', params: [id] };
  return undefined;
}

/**
 * The decoded path (Go's `r.URL.Path`) of a raw, still percent-encoded request path; undefined when
 * it holds a malformed escape, which Go's HTTP server rejects before the handler runs.
 */
export function decodedPath(rawPath: string): string | undefined {
  return unescapePath(rawPath);
}
