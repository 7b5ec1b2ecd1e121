// PLACEHOLDER until the spec lands: the spec engineer replaces every alias below with one that
// points into src/generated/glue-daemon.v1.ts (components['schemas'][...]). Keep the names.
/* eslint-disable @typescript-eslint/no-explicit-any */
type Loose = Record<string, any>;
export type Capability = string;
export type ErrorCode = 'unauthorized' | 'method_not_allowed' | 'not_found' | 'invalid_request' | 'forbidden' | 'internal' | 'canceled' | 'provider_error' | 'conflict';
export type ErrorEnvelope = { error: { code: ErrorCode; message: string; retryable: boolean } };
export type EventType = 'run_start' | 'loop_start' | 'turn_start' | 'message_start' | 'text_delta' | 'thinking_delta' | 'tool_start' | 'permission_request' | 'tool_end' | 'message_end' | 'turn_end' | 'loop_end' | 'error' | 'run_done' | 'run_error';
export type EventEnvelope = Loose;
export type EventPayload<T extends EventType> = T extends EventType ? Loose : never;
export type Message = Loose;
export type ContentPart = Loose;
export type ToolCall = Loose;
export type ToolResult = Loose;
export type ToolCatalogEntry = Loose;
export type SkillCatalogEntry = Loose;
export type RoleCatalogEntry = Loose;
export type McpResourceEntry = Loose;
export type McpPromptEntry = Loose;
export type McpResourceReadRequest = Loose;
export type McpResourceReadResponse = Loose;
export type McpPromptGetRequest = Loose;
export type McpPromptGetResponse = Loose;
export type RecallRequest = Loose;
export type RecallHit = Loose;
export type RecallResponse = Loose;
export type MemoryEntry = Loose;
export type PermissionGrant = Loose;
export type PermissionRequestPayload = Loose;
export type PermissionDecisionRequest = Loose;
export type RunStartRequest = Loose;
export type RunStartResponse = Loose;
export type StatusResponse = Loose;
export type DiagnosticsResponse = Loose;
export type DiagnosticError = Loose;
export type RuntimeInfo = Loose;
export type HealthResponse = Loose;
