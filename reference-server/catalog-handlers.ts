/**
 * The read-mostly routes: status, diagnostics, the host catalogs, recall, memories, MCP actions and
 * permission grants. Each follows Go's handler: optional host interface missing → an empty list
 * (catalogs) or 404 "… is not supported by this host" (actions, checked before the body is read);
 * host errors → 500 `internal` with the host's text; inputs trimmed before validation.
 */
import type { McpPromptGetRequest } from '../src/protocol/types.js';
import type { DaemonContext } from './daemon-context.js';
import { capabilitiesOf } from './capabilities.js';
import { decodeBody } from './read-body.js';
import type { DaemonRequest, DaemonResponse } from './exchange.js';
import { errorReply, jsonReply } from './responses.js';
import {
  asList,
  mcpPromptEntry,
  mcpPromptResponse,
  mcpReadResponse,
  mcpResourceEntry,
  memoryEntry,
  recallHit,
  roleEntry,
  skillEntry,
  toolEntry,
} from './wire-shapes.js';

const hostError = (error: unknown): DaemonResponse =>
  errorReply(500, 'internal', error instanceof Error ? error.message : String(error));

const badRequest = (message: string): DaemonResponse => errorReply(400, 'invalid_request', message);

export function statusBody(ctx: DaemonContext): Record<string, unknown> {
  return {
    ok: true,
    version: 1,
    active_runs: ctx.runs.activeCount(),
    tools_count: ctx.host.toolCatalog ? ctx.host.toolCatalog().length : 0,
    capabilities: capabilitiesOf(ctx.host),
  };
}

export function handleStatus(ctx: DaemonContext): DaemonResponse {
  return jsonReply(200, statusBody(ctx));
}

export function handleDiagnostics(ctx: DaemonContext): DaemonResponse {
  const body: Record<string, unknown> = { ...statusBody(ctx), runtime: ctx.runtime };
  const recent = ctx.errors.list();
  if (recent.length > 0) body.recent_errors = recent;
  return jsonReply(200, body);
}

export function handleTools(ctx: DaemonContext): DaemonResponse {
  const tools = ctx.host.toolCatalog ? ctx.host.toolCatalog().map(toolEntry) : [];
  return jsonReply(200, { tools });
}

async function catalog(
  key: string,
  load: (() => Promise<unknown[]>) | undefined,
  shape: (value: unknown) => unknown,
): Promise<DaemonResponse> {
  if (!load) return jsonReply(200, { [key]: [] });
  try {
    return jsonReply(200, { [key]: asList(await load()).map(shape) });
  } catch (error) {
    return hostError(error);
  }
}

export const handleSkills = (ctx: DaemonContext): Promise<DaemonResponse> =>
  catalog('skills', ctx.host.skillCatalog?.bind(ctx.host), skillEntry);
export const handleRoles = (ctx: DaemonContext): Promise<DaemonResponse> =>
  catalog('roles', ctx.host.roleCatalog?.bind(ctx.host), roleEntry);
export const handleMcpResources = (ctx: DaemonContext): Promise<DaemonResponse> =>
  catalog('resources', ctx.host.mcpResourceCatalog?.bind(ctx.host), mcpResourceEntry);
export const handleMcpPrompts = (ctx: DaemonContext): Promise<DaemonResponse> =>
  catalog('prompts', ctx.host.mcpPromptCatalog?.bind(ctx.host), mcpPromptEntry);

/** Go's `nonNegativeIntQuery`: empty means 0; anything but a base-10 int64 ≥ 0 is an error. */
export function nonNegativeIntQuery(query: URLSearchParams, name: string): number | undefined {
  const raw = (query.get(name) ?? '').trim();
  if (raw === '') return 0;
  if (!/^[+-]?\d+$/.test(raw)) return undefined;
  const value = BigInt(raw);
  if (value < 0n || value > 9223372036854775807n) return undefined;
  return Number(value);
}

export async function handleMemories(ctx: DaemonContext, query: URLSearchParams): Promise<DaemonResponse> {
  const limit = nonNegativeIntQuery(query, 'limit');
  if (limit === undefined) return badRequest('limit must be non-negative');
  if (!ctx.host.memoryCatalog) return jsonReply(200, { memories: [] });
  try {
    let memories = asList((await ctx.host.memoryCatalog({ limit }))?.memories);
    // The daemon truncates because hosts may ignore the limit (the captured host does).
    if (limit > 0 && memories.length > limit) memories = memories.slice(0, limit);
    return jsonReply(200, { memories: memories.map(memoryEntry) });
  } catch (error) {
    return hostError(error);
  }
}

export async function handleMemoryForget(ctx: DaemonContext, id: string): Promise<DaemonResponse> {
  if (!ctx.host.memoryForget) return errorReply(404, 'not_found', 'memory deletion is not supported by this host');
  const trimmed = id.trim();
  if (!trimmed) return badRequest('memory id is required');
  try {
    const forgotten = await ctx.host.memoryForget({ id: trimmed });
    return jsonReply(200, { memory: memoryEntry(forgotten?.memory) });
  } catch (error) {
    return hostError(error);
  }
}


export async function handleRecall(ctx: DaemonContext, request: DaemonRequest): Promise<DaemonResponse> {
  if (!ctx.host.recallSearch) return errorReply(404, 'not_found', 'recall is not supported by this host');
  const decoded = await decodeBody(request, ctx.limits.maxBodyBytes, { query: 'string', limit: 'int', memories_only: 'bool' } as const);
  if (!decoded.ok) return decoded.response;
  const query = decoded.value.query.trim();
  if (!query) return badRequest('query is required');
  if (decoded.value.limit < 0) return badRequest('limit must be non-negative');
  try {
    const result = await ctx.host.recallSearch({ query, limit: decoded.value.limit, memories_only: decoded.value.memories_only });
    return jsonReply(200, { hits: asList(result?.hits).map(recallHit) });
  } catch (error) {
    return hostError(error);
  }
}

export async function handleMcpRead(ctx: DaemonContext, request: DaemonRequest): Promise<DaemonResponse> {
  if (!ctx.host.mcpReadResource) {
    return errorReply(404, 'not_found', 'MCP resource reads are not supported by this host');
  }
  const decoded = await decodeBody(request, ctx.limits.maxBodyBytes, { server: 'string', uri: 'string' } as const);
  if (!decoded.ok) return decoded.response;
  const server = decoded.value.server.trim();
  const uri = decoded.value.uri.trim();
  if (!server) return badRequest('server is required');
  if (!uri) return badRequest('uri is required');
  try {
    return jsonReply(200, mcpReadResponse(await ctx.host.mcpReadResource({ server, uri })));
  } catch (error) {
    return hostError(error);
  }
}

export async function handleMcpPromptGet(ctx: DaemonContext, request: DaemonRequest): Promise<DaemonResponse> {
  if (!ctx.host.mcpRenderPrompt) {
    return errorReply(404, 'not_found', 'MCP prompt rendering is not supported by this host');
  }
  const decoded = await decodeBody(request, ctx.limits.maxBodyBytes, { server: 'string', name: 'string', arguments: 'stringMap' } as const);
  if (!decoded.ok) return decoded.response;
  const server = decoded.value.server.trim();
  const name = decoded.value.name.trim();
  if (!server) return badRequest('server is required');
  if (!name) return badRequest('name is required');
  const renderRequest: McpPromptGetRequest = { server, name };
  if (decoded.value.arguments && Object.keys(decoded.value.arguments).length > 0) {
    renderRequest.arguments = decoded.value.arguments;
  }
  try {
    return jsonReply(200, mcpPromptResponse(await ctx.host.mcpRenderPrompt(renderRequest)));
  } catch (error) {
    return hostError(error);
  }
}

export function handlePermissions(ctx: DaemonContext): DaemonResponse {
  return jsonReply(200, { permissions: ctx.grants.list() });
}

export async function handlePermissionForget(ctx: DaemonContext, id: string): Promise<DaemonResponse> {
  const trimmed = id.trim();
  if (!trimmed) return badRequest('permission id is required');
  const change = ctx.grants.forget(trimmed);
  if (!change) return errorReply(404, 'not_found', 'permission grant not found');
  try {
    await change.persisted;
  } catch (error) {
    // Go answers 500 internal with the store error; the grant stays (it is still in the file).
    return errorReply(500, 'internal', error instanceof Error ? error.message : String(error));
  }
  return jsonReply(200, { permission: change.grant });
}
