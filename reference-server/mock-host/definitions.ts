/**
 * The shapes of the mock host's own YAML files (fixtures/scenarios, fixtures/catalogs), after
 * schema validation. These are this package's file formats, not protocol shapes: the JSON Schemas
 * in fixtures/schema/ are their source of truth for users, these types mirror them for the code.
 * Where a file entry is a protocol shape (a catalog entry, usage), the type is the generated one.
 */
import type {
  McpPromptArgument,
  McpPromptEntry,
  McpResourceContent,
  McpResourceEntry,
  RoleCatalogEntry,
  Usage,
} from '../../src/protocol/types.js';

/** Where a loaded definition came from, for error messages. */
export interface SourceRef {
  file: string;
  line: number;
}

export type ScenarioMatch =
  | { kind: 'text'; text: string }
  | { kind: 'regex'; regex: RegExp; source: string }
  | { kind: 'skill'; skill: string }
  | { kind: 'default' };

export interface RepeatSpec {
  count: number | string;
  delta: string;
}

export interface ToolResultSpec {
  text: string;
  is_error?: boolean;
}

export interface ToolCallSpec {
  tool: string;
  id?: string;
  args?: Record<string, unknown>;
  /** Overrides the catalog tool's permission step: `none` skips it. */
  permission?: 'none' | { action?: string; target?: string };
  /** The result when the tool runs (no permission step, or allowed); replaces the tool's executor. */
  result?: ToolResultSpec;
  /** What a denial does: a result the model sees (default: the reason, as an error) or a failed run. */
  on_deny?: { result?: ToolResultSpec; fail?: string };
}

export type UsageSpec = Usage;

export interface TurnSpec {
  text?: string;
  chunk_size?: number;
  deltas?: string[];
  repeat?: RepeatSpec;
  delay_ms?: number;
  start_delay_ms?: number;
  tool_calls?: ToolCallSpec[];
  usage?: UsageSpec;
  fail?: string;
  error?: string;
}

export interface Scenario {
  name: string;
  description?: string;
  priority: number;
  match: ScenarioMatch;
  turns: TurnSpec[];
  source: SourceRef;
}

export type ToolBehavior = 'notes.write' | 'notes.read' | 'notes.delete';

export interface ToolSpec {
  name: string;
  description?: string;
  parameters?: Record<string, unknown>;
  permission?: { action?: string; target?: string };
  behavior?: ToolBehavior;
  result?: ToolResultSpec;
}

export interface SkillSpec {
  name: string;
  description?: string;
  instructions: string;
}

export type RoleSpec = RoleCatalogEntry;

export type McpResourceContentSpec = McpResourceContent;

/** A catalog entry as listed, plus what a read of it returns. */
export interface McpResourceSpec extends McpResourceEntry {
  contents?: McpResourceContentSpec[];
  /** A read of this resource fails with this host error. */
  read_error?: string;
}

export type McpPromptArgumentSpec = McpPromptArgument;

/** A catalog entry as listed, plus what a render of it returns. */
export interface McpPromptSpec extends McpPromptEntry {
  render?: { description?: string; messages: { role: string; content: unknown }[] };
  /** A render of this prompt fails with this host error. */
  render_error?: string;
}

/** Host error texts (templates) for MCP actions on unknown servers or entries. */
export interface McpErrorsSpec {
  unknown_server: string;
  unknown_resource: string;
  unknown_prompt: string;
}

export interface RecallHitSpec {
  session_id: string;
  index?: number;
  role?: string;
  snippet: string;
  score?: number;
  timestamp?: string;
}

export interface MemorySpec {
  id: string;
  content: string;
  tags?: string[];
  timestamp?: string;
}

/** One catalog file as written. */
export interface CatalogFile {
  agent?: { model?: string; max_turns?: number };
  tools?: ToolSpec[];
  skills?: SkillSpec[];
  roles?: RoleSpec[];
  mcp?: { resources?: McpResourceSpec[]; prompts?: McpPromptSpec[]; errors?: Partial<McpErrorsSpec> };
  recall?: { hits: RecallHitSpec[] };
  memories?: MemorySpec[];
  memory_errors?: { not_found?: string };
}

/** All catalog files merged. */
export interface Catalog {
  agent: { model: string; maxTurns: number };
  tools: ToolSpec[];
  skills: SkillSpec[];
  roles: RoleSpec[];
  mcpResources: McpResourceSpec[];
  mcpPrompts: McpPromptSpec[];
  mcpErrors: McpErrorsSpec;
  recallHits: RecallHitSpec[];
  memories: MemorySpec[];
  memoryNotFound: string;
}

/** Everything a mock host is built from; immutable once loaded. */
export interface MockHostDefinition {
  catalog: Catalog;
  scenarios: Scenario[];
}
