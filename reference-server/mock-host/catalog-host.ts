/**
 * The optional host members (Go's ToolCatalogHost, SkillCatalogHost, … MemoryForgetHost) served
 * from the loaded catalogs. Errors are plain `Error`s whose message the daemon returns verbatim
 * as a 500 `internal`, as Go does with a host error.
 */
import type {
  McpPromptEntry,
  McpPromptGetRequest,
  McpPromptGetResponse,
  McpResourceEntry,
  McpResourceReadRequest,
  McpResourceReadResponse,
  MemoryEntry,
  RecallHit,
  RecallRequest,
  RecallResponse,
  RoleCatalogEntry,
  SkillCatalogEntry,
  ToolCatalogEntry,
} from '../../src/protocol/types.js';
import type { MockHost } from '../host.js';
import type { Catalog, McpPromptSpec, McpResourceSpec, MemorySpec } from './definitions.js';
import { renderDeep, renderTemplate } from './template.js';

/** Go prints a zero `time.Time` for a missing timestamp; it never omits one. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

export type CatalogMembers = Omit<MockHost, 'agent'>;

export function createCatalogMembers(catalog: Catalog): CatalogMembers {
  // Forgetting really deletes, from this host instance only.
  const memories: MemorySpec[] = [...catalog.memories];
  return {
    toolCatalog: () => catalog.tools.map(toolEntry),
    skillCatalog: async () =>
      catalog.skills.map((skill) => ({ name: skill.name, ...optional('description', skill.description) }) as SkillCatalogEntry),
    roleCatalog: async () =>
      catalog.roles.map(
        (role) => ({ name: role.name, ...optional('description', role.description), ...optional('model', role.model) }) as RoleCatalogEntry,
      ),
    mcpResourceCatalog: async () => catalog.mcpResources.map(resourceEntry),
    mcpPromptCatalog: async () => catalog.mcpPrompts.map(promptEntry),
    mcpReadResource: async (request: McpResourceReadRequest) => {
      const { server, uri } = request as { server: string; uri: string };
      const resource = catalog.mcpResources.find((entry) => entry.server === server && entry.uri === uri);
      if (!resource || (!resource.contents && resource.read_error === undefined)) {
        throw new Error(renderTemplate(knownServer(catalog, server) ? catalog.mcpErrors.unknown_resource : catalog.mcpErrors.unknown_server, { server, uri }));
      }
      if (resource.read_error !== undefined) throw new Error(renderTemplate(resource.read_error, { server, uri }));
      return { server, uri, contents: resource.contents ?? [] } as McpResourceReadResponse;
    },
    mcpRenderPrompt: async (request: McpPromptGetRequest) => {
      const { server, name, arguments: args } = request as { server: string; name: string; arguments?: Record<string, unknown> };
      const prompt = catalog.mcpPrompts.find((entry) => entry.server === server && entry.name === name);
      if (!prompt || (!prompt.render && prompt.render_error === undefined)) {
        throw new Error(renderTemplate(knownServer(catalog, server) ? catalog.mcpErrors.unknown_prompt : catalog.mcpErrors.unknown_server, { server, name }));
      }
      const context = { server, name, arguments: args ?? {} };
      if (prompt.render_error !== undefined) throw new Error(renderTemplate(prompt.render_error, context));
      const render = prompt.render ?? { messages: [] };
      return {
        server,
        name,
        ...optional('description', render.description),
        messages: renderDeep(render.messages, context),
      } as McpPromptGetResponse;
    },
    recallSearch: async (request: RecallRequest) => {
      const { query, limit, memories_only: memoriesOnly } = request as { query: string; limit?: number; memories_only?: boolean };
      const words = query.toLowerCase().split(/\s+/).filter(Boolean);
      let hits = catalog.recallHits.filter((hit) => words.some((word) => hit.snippet.toLowerCase().includes(word)));
      if (memoriesOnly) hits = hits.filter((hit) => hit.session_id === '__memories__');
      if (limit !== undefined && limit > 0) hits = hits.slice(0, limit);
      return {
        hits: hits.map(
          (hit) =>
            ({
              session_id: hit.session_id,
              index: hit.index ?? 0,
              ...optional('role', hit.role),
              snippet: hit.snippet,
              score: hit.score ?? 0,
              timestamp: hit.timestamp ?? ZERO_TIME,
            }) as RecallHit,
        ),
      } as RecallResponse;
    },
    // The captured host ignores `limit` on purpose: the daemon truncates.
    memoryCatalog: async () => ({ memories: memories.map(memoryEntry) }),
    memoryForget: async ({ id }) => {
      const index = memories.findIndex((memory) => memory.id === id);
      const memory = memories[index];
      if (!memory) throw new Error(renderTemplate(catalog.memoryNotFound, { id }));
      memories.splice(index, 1);
      return { memory: memoryEntry(memory) };
    },
  };
}

function toolEntry(tool: Catalog['tools'][number]): ToolCatalogEntry {
  // Go calls the tool's target function with a name-only call; an empty result is left out.
  const preview = tool.permission?.target !== undefined ? renderTemplate(tool.permission.target, { args: {} }) : '';
  return {
    name: tool.name,
    description: tool.description ?? '',
    parameters: tool.parameters ?? { type: 'object' },
    requires_permission: tool.permission !== undefined,
    ...(tool.permission ? { permission_action: tool.permission.action ?? tool.name } : {}),
    ...optional('permission_target_preview', preview || undefined),
  } as ToolCatalogEntry;
}

function resourceEntry(resource: McpResourceSpec): McpResourceEntry {
  const { contents: _contents, read_error: _readError, ...entry } = resource;
  return entry as McpResourceEntry;
}

function promptEntry(prompt: McpPromptSpec): McpPromptEntry {
  const { render: _render, render_error: _renderError, ...entry } = prompt;
  return entry as McpPromptEntry;
}

function memoryEntry(memory: MemorySpec): MemoryEntry {
  return {
    id: memory.id,
    content: memory.content,
    ...(memory.tags && memory.tags.length > 0 ? { tags: [...memory.tags] } : {}),
    timestamp: memory.timestamp ?? ZERO_TIME,
  } as MemoryEntry;
}

function knownServer(catalog: Catalog, server: string): boolean {
  return catalog.mcpResources.some((entry) => entry.server === server) || catalog.mcpPrompts.some((entry) => entry.server === server);
}

function optional<K extends string, V>(key: K, value: V | undefined | ''): Partial<Record<K, V>> {
  return value === undefined || value === '' ? {} : ({ [key]: value } as Record<K, V>);
}
