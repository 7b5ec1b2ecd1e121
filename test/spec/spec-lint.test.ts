// Structural rules of the contract that redocly's recommended ruleset cannot express: the operation
// set, auth and 405 on every route, one event schema per event type, capability links, and schemas
// strict enough to reject wrong types, nulls and missing fields.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { loadSpec } from '../../src/protocol/spec.js';
import type { EventEnvelope, EventOfType, EventPayload, EventType, PermissionRequestPayload, RunErrorPayload, TextDeltaPayload } from '../../src/protocol/types.js';

type Json = Record<string, unknown>;

const specPath = fileURLToPath(new URL('../../openapi/glue-daemon.v1.yaml', import.meta.url));
const spec = parse(readFileSync(specPath, 'utf8')) as Json;
const paths = spec['paths'] as Record<string, Record<string, Json>>;
const components = spec['components'] as Record<string, Record<string, Json>>;
const schemas = components['schemas'] ?? {};

const METHODS = ['get', 'post', 'delete', 'put', 'patch'];
const operations = Object.entries(paths).flatMap(([path, item]) =>
  METHODS.filter((m) => item[m]).map((method) => ({ path, method, op: item[method] as Json })),
);
const byId = new Map(operations.map((o) => [o.op['operationId'] as string, o]));

const REQUIRED_OPERATIONS = [
  'getHealth', 'getStatus', 'getDiagnostics', 'listTools', 'listSkills', 'listRoles', 'recall',
  'listMemories', 'deleteMemory', 'listPermissionGrants', 'deletePermissionGrant', 'listMcpResources',
  'readMcpResource', 'listMcpPrompts', 'getMcpPrompt', 'startRun', 'streamRunEvents', 'decidePermission',
  'cancelRun',
];
const OPTIONAL_OPERATIONS = ['listSessions', 'getSession', 'listSessionMessages'];

const EVENT_PAYLOADS: Record<string, string> = {
  run_start: 'RunStartPayload',
  loop_start: 'LoopStartPayload',
  turn_start: 'TurnStartPayload',
  message_start: 'MessageStartPayload',
  text_delta: 'TextDeltaPayload',
  thinking_delta: 'ThinkingDeltaPayload',
  tool_start: 'ToolStartPayload',
  permission_request: 'PermissionRequestPayload',
  tool_end: 'ToolEndPayload',
  message_end: 'MessageEndPayload',
  turn_end: 'TurnEndPayload',
  loop_end: 'LoopEndPayload',
  error: 'ErrorPayload',
  run_done: 'RunDonePayload',
  run_error: 'RunErrorPayload',
};

// Names other modules import through src/protocol/types.ts.
const SHARED_SCHEMAS = [
  'ErrorEnvelope', 'ErrorCode', 'Capability', 'EventType', 'EventEnvelope', 'Message', 'ContentPart',
  'ToolCall', 'ToolResult', 'ToolCatalogEntry', 'SkillCatalogEntry', 'RoleCatalogEntry', 'McpResourceEntry',
  'McpPromptEntry', 'McpResourceReadRequest', 'McpResourceReadResponse', 'McpPromptGetRequest',
  'McpPromptGetResponse', 'RecallRequest', 'RecallHit', 'RecallResponse', 'MemoryEntry', 'PermissionGrant',
  'PermissionRequestPayload', 'PermissionDecisionRequest', 'RunStartRequest', 'RunStartResponse',
  'StatusResponse', 'DiagnosticsResponse', 'DiagnosticError', 'RuntimeInfo', 'HealthResponse', 'Usage',
];

function refName(value: unknown): string | undefined {
  const ref = (value as Json | undefined)?.['$ref'];
  return typeof ref === 'string' ? ref.split('/').pop() : undefined;
}

const Ajv2020 = Ajv2020Module.default;
const addFormats = addFormatsModule.default;
// The mapping form of `discriminator` is OpenAPI's, not ajv's: validate the oneOf plainly.
const ajv = new Ajv2020({ strict: false, allErrors: true, discriminator: false });
addFormats(ajv);
ajv.addSchema({ $id: 'urn:glue:spec-lint', components });
const validate = (name: string, value: unknown): boolean => {
  const fn = ajv.getSchema(`urn:glue:spec-lint#/components/schemas/${name}`);
  if (!fn) throw new Error(`no schema ${name}`);
  return fn(value) as boolean;
};

const message = { role: 'assistant', content: [{ type: 'text', text: 'Hello' }], model: 'fake-model', stop_reason: 'stop', created_at: '2026-11-24T16:50:26.324566436Z' };
const envelope = (type: string, payload: unknown): Json => ({
  version: 1, id: 'evt_1', seq: 1, run_id: 'run_1', session_id: 'default', time: '2026-11-24T16:50:26.324527681Z', type, payload,
});

describe('the document', () => {
  it('loadSpec (js-yaml, core schema) reads exactly what yaml parses', () => {
    // Two parsers, one document: a construct they read differently would change what every check validates.
    expect(loadSpec()).toStrictEqual(spec);
  });
});

describe('operations', () => {
  it('has every Go operation and the optional session lookups, nothing else', () => {
    expect([...byId.keys()].sort()).toEqual([...REQUIRED_OPERATIONS, ...OPTIONAL_OPERATIONS].sort());
  });

  it.each(OPTIONAL_OPERATIONS)('%s is optional behind capability sessions', (id) => {
    const { op } = byId.get(id)!;
    expect(op['x-glue-optional']).toBe(true);
    expect(op['x-glue-capability']).toBe('sessions');
  });

  it.each(REQUIRED_OPERATIONS)('%s is not optional', (id) => {
    expect(byId.get(id)!.op['x-glue-optional']).toBeUndefined();
  });

  it.each([...byId.keys()])('%s documents 405, and 401 unless it is health', (id) => {
    const { op } = byId.get(id)!;
    const responses = op['responses'] as Record<string, Json>;
    expect(refName(responses['405'])).toBe('MethodNotAllowed');
    if (id === 'getHealth') {
      expect(op['security']).toEqual([]);
      expect(responses['401']).toBeUndefined();
    } else {
      expect(op['security']).toBeUndefined();
      expect(refName(responses['401'])).toBe('Unauthorized');
    }
  });

  it('every error response uses the shared envelope', () => {
    for (const [name, response] of Object.entries(components['responses'] ?? {})) {
      const content = response['content'] as Record<string, Json>;
      expect(refName(content['application/json']?.['schema']), name).toBe('ErrorEnvelope');
    }
  });
});

describe('capabilities', () => {
  const capability = schemas['Capability']!;
  const names = capability['enum'] as string[];
  const map = capability['x-capability-operations'] as Record<string, string[]>;

  it('maps every capability, and only known operations', () => {
    expect(Object.keys(map).sort()).toEqual([...names].sort());
    for (const ids of Object.values(map)) for (const id of ids) expect(byId.has(id), id).toBe(true);
  });

  it("agrees with each operation's x-glue-capability", () => {
    for (const [id, { op }] of byId) {
      const cap = op['x-glue-capability'];
      if (cap === undefined) {
        expect(id).toBe('getHealth');
        continue;
      }
      expect(map[cap as string], id).toContain(id);
    }
  });
});

describe('events', () => {
  const envelopeSchema = schemas['EventEnvelope']!;
  const oneOf = (envelopeSchema['oneOf'] as Json[]).map(refName);
  const mapping = (envelopeSchema['discriminator'] as Json)['mapping'] as Record<string, string>;

  it('EventType lists exactly the event types with a payload schema', () => {
    expect([...(schemas['EventType']!['enum'] as string[])].sort()).toEqual(Object.keys(EVENT_PAYLOADS).sort());
  });

  it.each(Object.entries(EVENT_PAYLOADS))('%s has an envelope variant with type const and payload %s', (type, payload) => {
    const variant = refName({ $ref: mapping[type] })!;
    expect(oneOf).toContain(variant);
    const props = schemas[variant]!['properties'] as Record<string, Json>;
    expect(props['type']!['const']).toBe(type);
    expect(refName(props['payload'])).toBe(payload);
    expect(schemas[payload]).toBeDefined();
  });

  it('the stream response names EventEnvelope as its item schema', () => {
    const content = ((byId.get('streamRunEvents')!.op['responses'] as Record<string, Json>)['200']!['content'] as Record<string, Json>)['text/event-stream']!;
    expect(refName(content['x-sse-event-schema'])).toBe('EventEnvelope');
  });
});

describe('schemas', () => {
  it.each(SHARED_SCHEMAS)('%s exists', (name) => {
    expect(schemas[name]).toBeDefined();
  });

  it('uses no OpenAPI 3.0 nullable (ajv reads JSON Schema 2020-12)', () => {
    expect(readFileSync(specPath, 'utf8')).not.toMatch(/\bnullable:/);
  });

  const cases: [string, { schema: string; value: unknown; valid: boolean }][] = [
    ['captured status', { schema: 'StatusResponse', value: { ok: true, version: 1, active_runs: 0, tools_count: 0, capabilities: ['runs', 'events'] }, valid: true }],
    ['status with null capabilities', { schema: 'StatusResponse', value: { ok: true, version: 1, active_runs: 0, tools_count: 0, capabilities: null }, valid: false }],
    ['status with string active_runs', { schema: 'StatusResponse', value: { ok: true, version: 1, active_runs: '0', tools_count: 0, capabilities: [] }, valid: false }],
    ['status with unknown capability', { schema: 'StatusResponse', value: { ok: true, version: 1, active_runs: 0, tools_count: 0, capabilities: ['teleport'] }, valid: false }],
    ['status without version', { schema: 'StatusResponse', value: { ok: true, active_runs: 0, tools_count: 0, capabilities: [] }, valid: false }],
    ['error envelope', { schema: 'ErrorEnvelope', value: { error: { code: 'not_found', message: 'run not found', retryable: false } }, valid: true }],
    ['error envelope with unknown code', { schema: 'ErrorEnvelope', value: { error: { code: 'nope', message: 'x', retryable: false } }, valid: false }],
    ['error envelope without retryable', { schema: 'ErrorEnvelope', value: { error: { code: 'internal', message: 'x' } }, valid: false }],
    ['recall with null hits', { schema: 'RecallResponse', value: { hits: null }, valid: false }],
    ['memory with bad timestamp', { schema: 'MemoryEntry', value: { id: 'm', content: 'c', timestamp: 'yesterday' }, valid: false }],
    ['zero-time memory', { schema: 'MemoryEntry', value: { id: 'm', content: 'c', timestamp: '0001-01-01T00:00:00Z' }, valid: true }],
    ['grant with unknown scope', { schema: 'PermissionGrant', value: { id: 'g', scope: 'always', owner: 'o', tool: 't', action: 'a', created_at: '2026-11-24T16:50:26Z' }, valid: false }],
    ['text_delta event', { schema: 'EventEnvelope', value: envelope('text_delta', { type: 'text_delta', message, delta: 'Hello' }), valid: true }],
    ['text_delta without delta', { schema: 'EventEnvelope', value: envelope('text_delta', { type: 'text_delta', message }), valid: false }],
    ['loop event with the wrong inner type', { schema: 'EventEnvelope', value: envelope('turn_start', { type: 'loop_start' }), valid: false }],
    ['unknown event type', { schema: 'EventEnvelope', value: envelope('mystery', {}), valid: false }],
    ['seq 0', { schema: 'EventEnvelope', value: { ...envelope('loop_start', { type: 'loop_start' }), seq: 0 }, valid: false }],
    ['run_done with null new_messages', { schema: 'EventEnvelope', value: envelope('run_done', { message, new_messages: null, text: 'Hello' }), valid: false }],
    ['run_error canceled', { schema: 'EventEnvelope', value: envelope('run_error', { error: { code: 'canceled', message: 'context canceled', retryable: false } }), valid: true }],
    ['message with a string content', { schema: 'Message', value: { ...message, content: 'Hello' }, valid: false }],
    ['tool_call part without tool_call', { schema: 'ContentPart', value: { type: 'tool_call' }, valid: false }],
    ['run start without client_id', { schema: 'RunStartPayload', value: {}, valid: false }],
  ];

  it.each(cases)('%s', (_name, { schema, value, valid }) => {
    expect(validate(schema, value)).toBe(valid);
  });
});

describe('type aliases', () => {
  it('select event variants and payloads by type (checked by tsc)', () => {
    expectTypeOf<EventPayload<'permission_request'>>().toEqualTypeOf<PermissionRequestPayload>();
    expectTypeOf<EventPayload<'text_delta'>>().toEqualTypeOf<TextDeltaPayload>();
    expectTypeOf<EventOfType<'run_error'>['payload']>().toEqualTypeOf<RunErrorPayload>();
    expectTypeOf<EventEnvelope['type']>().toEqualTypeOf<EventType>();
  });
});
