// Named aliases of the types generated from openapi/glue-daemon.v1.yaml. The spec is the only
// source of shapes: change the YAML, run `npm run generate`, never write a shape here.
import type { components } from '../generated/glue-daemon.v1.js';

/** Any entry of `components.schemas`, by name. */
export type Schemas = components['schemas'];
export type SchemaName = keyof Schemas;
export type Schema<N extends SchemaName> = Schemas[N];

// Errors and capabilities
export type ErrorCode = Schemas['ErrorCode'];
export type ErrorObject = Schemas['ErrorObject'];
export type ErrorEnvelope = Schemas['ErrorEnvelope'];
export type Capability = Schemas['Capability'];

// Shared scalars
export type ProtocolVersion = Schemas['ProtocolVersion'];
export type Timestamp = Schemas['Timestamp'];

// Daemon
export type HealthResponse = Schemas['HealthResponse'];
export type StatusResponse = Schemas['StatusResponse'];
export type DiagnosticsResponse = Schemas['DiagnosticsResponse'];
export type DiagnosticError = Schemas['DiagnosticError'];
export type RuntimeInfo = Schemas['RuntimeInfo'];

// Catalogs
export type ToolCatalogEntry = Schemas['ToolCatalogEntry'];
export type ToolListResponse = Schemas['ToolListResponse'];
export type SkillCatalogEntry = Schemas['SkillCatalogEntry'];
export type SkillListResponse = Schemas['SkillListResponse'];
export type RoleCatalogEntry = Schemas['RoleCatalogEntry'];
export type RoleListResponse = Schemas['RoleListResponse'];
export type McpResourceEntry = Schemas['McpResourceEntry'];
export type McpResourceListResponse = Schemas['McpResourceListResponse'];
export type McpPromptArgument = Schemas['McpPromptArgument'];
export type McpPromptEntry = Schemas['McpPromptEntry'];
export type McpPromptListResponse = Schemas['McpPromptListResponse'];

// MCP actions
export type McpResourceReadRequest = Schemas['McpResourceReadRequest'];
export type McpResourceContent = Schemas['McpResourceContent'];
export type McpResourceReadResponse = Schemas['McpResourceReadResponse'];
export type McpPromptGetRequest = Schemas['McpPromptGetRequest'];
export type McpPromptMessage = Schemas['McpPromptMessage'];
export type McpPromptGetResponse = Schemas['McpPromptGetResponse'];

// Recall and memories
export type RecallRequest = Schemas['RecallRequest'];
export type RecallHit = Schemas['RecallHit'];
export type RecallResponse = Schemas['RecallResponse'];
export type MemoryEntry = Schemas['MemoryEntry'];
export type MemoryListResponse = Schemas['MemoryListResponse'];
export type MemoryDeleteResponse = Schemas['MemoryDeleteResponse'];

// Permissions
export type RememberScope = Schemas['RememberScope'];
export type GrantScope = Schemas['GrantScope'];
export type PermissionGrant = Schemas['PermissionGrant'];
export type PermissionGrantListResponse = Schemas['PermissionGrantListResponse'];
export type PermissionGrantDeleteResponse = Schemas['PermissionGrantDeleteResponse'];
export type PermissionRequest = Schemas['PermissionRequest'];
export type PermissionDecisionRequest = Schemas['PermissionDecisionRequest'];
export type PermissionDecisionResponse = Schemas['PermissionDecisionResponse'];

// Runs
export type RunStartRequest = Schemas['RunStartRequest'];
export type RunStartResponse = Schemas['RunStartResponse'];
export type CancelRunResponse = Schemas['CancelRunResponse'];

// Optional session lookup (capability `sessions`)
export type SessionInfo = Schemas['SessionInfo'];
export type SessionListResponse = Schemas['SessionListResponse'];
export type SessionMessagesResponse = Schemas['SessionMessagesResponse'];

// Transcript
export type MessageRole = Schemas['MessageRole'];
export type StopReason = Schemas['StopReason'];
export type Usage = Schemas['Usage'];
export type Message = Schemas['Message'];
export type ContentPart = Schemas['ContentPart'];
export type TextContentPart = Schemas['TextContentPart'];
export type ThinkingContentPart = Schemas['ThinkingContentPart'];
export type ImageContentPart = Schemas['ImageContentPart'];
export type ToolCallContentPart = Schemas['ToolCallContentPart'];
export type ImageContent = Schemas['ImageContent'];
export type ToolCall = Schemas['ToolCall'];
export type ToolResult = Schemas['ToolResult'];

// Events
export type EventType = Schemas['EventType'];
/** The JSON of one SSE `data:` line: a union discriminated by `type`. */
export type EventEnvelope = Schemas['EventEnvelope'];
/** The envelope variant whose `type` is T. */
export type EventOfType<T extends EventType> = Extract<EventEnvelope, { type: T }>;
/** The payload of the event whose `type` is T. */
export type EventPayload<T extends EventType> = EventOfType<T>['payload'];

export type RunStartPayload = Schemas['RunStartPayload'];
export type LoopStartPayload = Schemas['LoopStartPayload'];
export type TurnStartPayload = Schemas['TurnStartPayload'];
export type MessageStartPayload = Schemas['MessageStartPayload'];
export type TextDeltaPayload = Schemas['TextDeltaPayload'];
export type ThinkingDeltaPayload = Schemas['ThinkingDeltaPayload'];
export type ToolStartPayload = Schemas['ToolStartPayload'];
export type PermissionRequestPayload = Schemas['PermissionRequestPayload'];
export type ToolEndPayload = Schemas['ToolEndPayload'];
export type MessageEndPayload = Schemas['MessageEndPayload'];
export type TurnEndPayload = Schemas['TurnEndPayload'];
export type LoopEndPayload = Schemas['LoopEndPayload'];
export type ErrorPayload = Schemas['ErrorPayload'];
export type RunDonePayload = Schemas['RunDonePayload'];
export type RunErrorPayload = Schemas['RunErrorPayload'];
