/**
 * The boundary between the daemon (HTTP, runs, SSE, permission broker) and the host that supplies
 * the agent and the catalogs. It mirrors the Go daemon's `Host` plus its optional interfaces
 * (ToolCatalogHost, SkillCatalogHost, …): a host implements only what it supports, and the
 * daemon derives `/v1/status` capabilities from which optional members are present.
 */
import type {
  EventType,
  McpPromptEntry,
  McpPromptGetRequest,
  McpPromptGetResponse,
  McpResourceEntry,
  McpResourceReadRequest,
  McpResourceReadResponse,
  MemoryEntry,
  Message,
  RecallRequest,
  RecallResponse,
  RoleCatalogEntry,
  SessionInfo,
  SkillCatalogEntry,
  ToolCatalogEntry,
} from '../src/protocol/types.js';

/** What the daemon hands the agent for one run (the POST body, trimmed and validated). */
export interface RunInput {
  runId: string;
  sessionId: string;
  /** `client_id` from the start request, `''` when absent. */
  clientId: string;
  text?: string;
  skill?: string;
  /** Skill arguments exactly as sent (any JSON value), `undefined` when absent. */
  arguments?: unknown;
  role?: string;
  model?: string;
  maxTurns?: number;
}

/** A loop event as the agent loop emits it; the daemon wraps it in an envelope. Payload includes `type`. */
export interface LoopEvent {
  type: Exclude<EventType, 'run_start' | 'permission_request' | 'run_done' | 'run_error'>;
  payload: Record<string, unknown>;
}

/** A side-effecting tool asks before it runs (glue.PermissionRequest). */
export interface PermissionAsk {
  tool: string;
  action: string;
  /** The tool's target; the daemon falls back to the raw argument JSON when empty. */
  target: string;
  args: unknown;
}

export interface PermissionAnswer {
  allow: boolean;
  /** Model-visible reason on deny (the daemon fills the default texts). */
  reason: string;
}

/** What the daemon gives the agent while a run executes. */
export interface AgentIO {
  emit(event: LoopEvent): void;
  /**
   * Resolves with the decision (a remembered grant, an HTTP decision, or a timeout denial).
   * Rejects with a `RunFailure('canceled', 'context canceled')` if the run is canceled while waiting.
   */
  askPermission(ask: PermissionAsk): Promise<PermissionAnswer>;
  /** Aborted when the run is canceled (DELETE, reader disconnect, shutdown). */
  readonly signal: AbortSignal;
  /**
   * `signal.aborted`, read without making the signal (the daemon makes it on first use); absent: read
   * `signal`. A function, not a getter, so a host that wraps the io with `{ ...io }` keeps a live answer.
   */
  aborted?(): boolean;
  /** The daemon's clock; message `created_at` uses it so tests can inject time. */
  now(): Date;
}

/** The `run_done` payload, returned by a successful run. */
export interface RunResult {
  message: Message;
  newMessages: Message[];
  text: string;
}

/** A run that ended badly: becomes `run_error` with this code and message. */
export class RunFailure extends Error {
  constructor(
    readonly code: 'internal' | 'canceled',
    message: string,
  ) {
    super(message);
    this.name = 'RunFailure';
  }
}

/** The agent behind `Host.Session(...).Prompt(...)`: runs one prompt, emitting loop events. */
export interface Agent {
  /** Throws `RunFailure` (or any Error → `internal`) on failure; loop events already emitted stay emitted. */
  run(input: RunInput, io: AgentIO): Promise<RunResult>;
}

/** Required: the agent. Optional members are the Go optional host interfaces. */
export interface MockHost {
  agent: Agent;
  toolCatalog?(): ToolCatalogEntry[];
  skillCatalog?(): Promise<SkillCatalogEntry[]>;
  roleCatalog?(): Promise<RoleCatalogEntry[]>;
  mcpResourceCatalog?(): Promise<McpResourceEntry[]>;
  mcpPromptCatalog?(): Promise<McpPromptEntry[]>;
  mcpReadResource?(request: McpResourceReadRequest): Promise<McpResourceReadResponse>;
  mcpRenderPrompt?(request: McpPromptGetRequest): Promise<McpPromptGetResponse>;
  recallSearch?(request: RecallRequest): Promise<RecallResponse>;
  /** The host may ignore `limit`; the daemon truncates (as Go does). */
  memoryCatalog?(request: { limit: number }): Promise<{ memories: MemoryEntry[] }>;
  /** Rejects with the host's error for an unknown id (the daemon answers 500 internal with that text). */
  memoryForget?(request: { id: string }): Promise<{ memory: MemoryEntry }>;
  /**
   * Beyond Go: ADR-0010 §9 session lookup. With all three members the daemon advertises
   * `sessions` and serves GET /v1/sessions, /v1/sessions/{id}, /v1/sessions/{id}/messages;
   * without them those paths stay Go's 404 `route not found`.
   * Stored sessions matching `query` (blank: all), most recently updated first; the daemon applies `limit`.
   */
  sessionList?(request: { query: string; limit: number }): Promise<SessionInfo[]>;
  /** One stored session; undefined answers 404 `session not found`. */
  sessionGet?(request: { id: string }): Promise<SessionInfo | undefined>;
  /** A stored session's transcript in order; undefined answers 404 `session not found`. */
  sessionMessages?(request: { id: string }): Promise<Message[] | undefined>;
}
