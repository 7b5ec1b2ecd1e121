/**
 * The validator must reject what the spec forbids, with messages that name the path and the
 * allowed values. Real captured bodies are broken one way at a time, so each test fails if the
 * validator (or the spec) lets that breakage through.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { captureByFile } from '../support/captures.js';
import { loadSpec, parseSpec, resolveRef, type OpenApiOperation, type OpenApiResponse } from '../../src/protocol/spec.js';
import { OPERATIONS } from '../../src/protocol/operations.js';
import { createValidator, documentedStatuses, validateEvent, validateNamedResponse, validateResponse, validateSchema, type ValidationResult } from '../../src/protocol/validator.js';
import { packagePath } from '../../src/protocol/package-root.js';

type Json = Record<string, unknown>;

function jsonOf(file: number): Json {
  return structuredClone(captureByFile(file).response?.json) as Json;
}

function framesOf(file: number): Json[] {
  return (captureByFile(file).response?.sse?.frames ?? []).map((f) => structuredClone(f.json) as Json);
}

function eventOf(file: number, type: string): Json {
  const found = framesOf(file).find((e) => e['type'] === type);
  if (!found) throw new Error(`capture ${file} has no ${type} event`);
  return found;
}

function errorsOf(result: ValidationResult): string[] {
  return result.ok ? [] : result.errors;
}

const status = (): Json => jsonOf(17);

describe('validateResponse', () => {
  it('accepts captured bodies as they are', () => {
    expect(validateResponse('getStatus', 200, status())).toEqual({ ok: true });
    expect(validateResponse('recall', 200, jsonOf(32))).toEqual({ ok: true });
    expect(validateResponse('cancelRun', 202, jsonOf(124))).toEqual({ ok: true });
  });

  it('rejects a wrong type, naming the path and what came', () => {
    expect(errorsOf(validateResponse('getStatus', 200, { ...status(), active_runs: '0' }))).toEqual(['/active_runs: must be integer (got "0")']);
  });

  it('rejects null where an array is required (Go must send [] not null)', () => {
    expect(errorsOf(validateResponse('getStatus', 200, { ...status(), capabilities: null }))).toEqual(['/capabilities: must be array (got null)']);
    expect(errorsOf(validateResponse('recall', 200, { hits: null }))).toEqual(['/hits: must be array (got null)']);
    expect(errorsOf(validateResponse('listTools', 200, { tools: null }))).toEqual(['/tools: must be array (got null)']);
  });

  it('rejects a missing required property', () => {
    const { ok: _ok, ...withoutOk } = status();
    expect(errorsOf(validateResponse('getStatus', 200, withoutOk))).toEqual(["(root): must have required property 'ok'"]);
  });

  it('lists the allowed values of an enum', () => {
    const body = { ...status(), capabilities: ['runs', 'telepathy'] };
    const [error] = errorsOf(validateResponse('getStatus', 200, body));
    expect(error).toMatch(/^\/capabilities\/1: must be one of "runs", "events", .*"memory_forget".* \(got "telepathy"\)$/);
  });

  it('checks the error envelope of error statuses', () => {
    const errors = errorsOf(validateResponse('startRun', 400, { error: { code: 'bad', message: 1 } }));
    expect(errors).toContain("/error: must have required property 'retryable'");
    expect(errors).toContain('/error/message: must be string (got 1)');
    expect(errors.some((e) => e.startsWith('/error/code: must be one of "invalid_request", "unauthorized"'))).toBe(true);
    expect(validateResponse('startRun', 400, jsonOf(55))).toEqual({ ok: true });
  });

  it('fails a status the operation does not document', () => {
    expect(errorsOf(validateResponse('getHealth', 500, {}))).toEqual(['status 500 is not documented for getHealth (documented: 200, 405)']);
    expect(validateResponse('cancelRun', 200, jsonOf(124)).ok).toBe(false);
  });

  it('fails a JSON response without a body', () => {
    expect(errorsOf(validateResponse('getHealth', 200, undefined))).toEqual(['status 200 of getHealth needs a JSON body, got none']);
  });

  it('does not schema-check the SSE body of streamRunEvents (frames go through validateEvent)', () => {
    expect(validateResponse('streamRunEvents', 200, captureByFile(49).response?.bodyText)).toEqual({ ok: true });
    expect(validateResponse('streamRunEvents', 404, jsonOf(127))).toEqual({ ok: true });
  });

  it('throws on an operation id the spec does not have (a programming error, not a daemon failure)', () => {
    expect(() => validateResponse('nope' as never, 200, {})).toThrow(/no operation nope/);
  });
});

describe('validateEvent', () => {
  it('accepts every frame of a captured stream', () => {
    for (const event of framesOf(110)) expect(validateEvent(event)).toEqual({ ok: true });
  });

  it('rejects an unknown event type, listing the known ones', () => {
    const [error] = errorsOf(validateEvent({ ...eventOf(49, 'text_delta'), type: 'text_deltas' }));
    expect(error).toMatch(/^\/type: must be one of "run_start", "loop_start", .*"run_error" \(got "text_deltas"\)$/);
  });

  it('rejects a payload that belongs to another type', () => {
    const delta = eventOf(49, 'text_delta');
    const errors = errorsOf(validateEvent({ ...delta, payload: eventOf(49, 'run_start')['payload'] }));
    expect(errors).toContain("/payload: must have required property 'delta'");
  });

  it('rejects envelope fields of the wrong type or value', () => {
    const errors = errorsOf(validateEvent({ ...eventOf(49, 'run_start'), seq: '1', version: 2, time: 'yesterday' }));
    expect(errors).toEqual(['/version: must be 1 (got 2)', '/seq: must be integer (got "1")', '/time: must match format "date-time" (got "yesterday")']);
    expect(errorsOf(validateEvent({ ...eventOf(49, 'run_start'), seq: 0 }))).toEqual(['/seq: must be >= 1 (got 0)']);
  });

  it('rejects a missing envelope field', () => {
    const { run_id: _runId, ...event } = eventOf(49, 'run_start');
    expect(errorsOf(validateEvent(event))).toEqual(["(root): must have required property 'run_id'"]);
  });

  it('reports only the selected branch of a content part', () => {
    const delta = eventOf(49, 'text_delta');
    const payload = delta['payload'] as Json;
    const message = payload['message'] as Json;
    const broken = { ...delta, payload: { ...payload, message: { ...message, content: [{ type: 'text', text: 3 }] } } };
    expect(errorsOf(validateEvent(broken))).toEqual(['/payload/message/content/0/text: must be string (got 3)']);
    const unknownPart = { ...delta, payload: { ...payload, message: { ...message, content: [{ type: 'txt', text: 'a' }] } } };
    const [error] = errorsOf(validateEvent(unknownPart));
    expect(error).toMatch(/^\/payload\/message\/content\/0\/type: must be one of "text", .*"tool_call".* \(got "txt"\)$/);
  });

  it('rejects null arrays in run_done', () => {
    const done = eventOf(49, 'run_done');
    const broken = { ...done, payload: { ...(done['payload'] as Json), new_messages: null } };
    expect(errorsOf(validateEvent(broken))).toEqual(['/payload/new_messages: must be array (got null)']);
  });

  it('rejects run_error without the error object fields', () => {
    const failed = eventOf(119, 'run_error');
    const broken = { ...failed, payload: { error: { code: 'oops', message: 'x' } } };
    const errors = errorsOf(validateEvent(broken));
    expect(errors).toContain("/payload/error: must have required property 'retryable'");
    expect(errors.some((e) => e.startsWith('/payload/error/code: must be one of'))).toBe(true);
  });

  it('rejects values that are not envelopes', () => {
    expect(errorsOf(validateEvent(null))).toEqual(['(root): must be object (got null)']);
    expect(validateEvent('run_start').ok).toBe(false);
    expect(validateEvent({ type: 'run_start' }).ok).toBe(false);
  });
});

describe('validateSchema and documentedStatuses', () => {
  it('validates any components.schemas entry by name', () => {
    const message = (eventOf(49, 'message_end')['payload'] as Json)['message'];
    expect(validateSchema('Message', message)).toEqual({ ok: true });
    expect(errorsOf(validateSchema('Message', { ...(message as Json), role: 'robot' }))).toEqual(['/role: must be one of "user", "assistant", "tool" (got "robot")']);
    expect(() => validateSchema('NoSuchSchema' as never, {})).toThrow(/no schema NoSuchSchema/);
  });

  it('rejects non-objects where a discriminated oneOf is expected (ajv alone lets them through)', () => {
    expect(errorsOf(validateSchema('ContentPart', null))).toEqual(['(root): must be object (got null)']);
    expect(errorsOf(validateSchema('EventEnvelope', 5))).toEqual(['(root): must be object (got 5)']);
  });

  it('lists documented statuses, ascending', () => {
    expect(documentedStatuses('getHealth')).toEqual([200, 405]);
    expect(documentedStatuses('startRun')).toContain(201);
    expect(documentedStatuses('decidePermission')).toContain(403);
  });

  it('validates shared responses for unrouted answers', () => {
    expect(validateNamedResponse('RouteNotFound', jsonOf(130))).toEqual({ ok: true });
    expect(validateNamedResponse('RouteNotFound', { error: null }).ok).toBe(false);
  });
});

describe("the spec's own examples", () => {
  it('every schema example and JSON response example validates', () => {
    const doc = loadSpec();
    const failures: string[] = [];
    let count = 0;
    for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) {
      const examples = [...('example' in schema ? [schema['example']] : []), ...(Array.isArray(schema['examples']) ? (schema['examples'] as unknown[]) : [])];
      for (const example of examples) {
        count++;
        const result = validateSchema(name as never, example);
        if (!result.ok) failures.push(`${name}: ${result.errors.join('; ')}`);
      }
    }
    for (const op of OPERATIONS) {
      const operation = doc.paths[op.path]?.[op.method.toLowerCase()] as OpenApiOperation;
      for (const [status, ref] of Object.entries(operation.responses ?? {})) {
        const media = resolveRef<OpenApiResponse>(doc, ref).content?.['application/json'];
        if (!media) continue;
        const named = Object.values((media['examples'] ?? {}) as Record<string, unknown>).map((e) => resolveRef<{ value?: unknown }>(doc, e as { value?: unknown }).value);
        for (const example of ['example' in media ? [media['example']] : [], named].flat()) {
          count++;
          const result = validateResponse(op.operationId, Number(status), example);
          if (!result.ok) failures.push(`${op.operationId} ${status}: ${result.errors.join('; ')}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(count).toBeGreaterThan(50);
  });
});

describe('createValidator on a small document', () => {
  const mini = createValidator(parseSpec(readFileSync(packagePath('test', 'support', 'mini-spec.yaml'), 'utf8')));

  it('requires an empty body for responses without content', () => {
    expect(mini.validateResponse('cancelRun', 204, undefined)).toEqual({ ok: true });
    expect(mini.validateResponse('cancelRun', 204, '')).toEqual({ ok: true });
    expect(errorsOf(mini.validateResponse('cancelRun', 204, { canceled: true }))).toEqual(['status 204 of cancelRun has no body, got object']);
  });

  it('follows response $refs (chains included) and status ranges', () => {
    expect(mini.validateResponse('getHealth', 405, { error: { code: 'method_not_allowed', message: 'x', retryable: false } })).toEqual({ ok: true });
    expect(mini.validateResponse('deleteMemory', 404, { error: { code: 'not_found', message: 'x', retryable: false } })).toEqual({ ok: true });
    expect(mini.validateResponse('deleteMemory', 500, {}).ok).toBe(false);
    expect(mini.documentedStatuses('deleteMemory')).toEqual([200]);
  });

  it('selects event branches by type even when they are built with allOf', () => {
    const event = { version: 1, id: 'evt_1', seq: 1, run_id: 'r', session_id: 's', time: '2026-11-24T16:50:26Z', type: 'run_start', payload: { client_id: '' } };
    expect(mini.validateEvent(event)).toEqual({ ok: true });
    expect(errorsOf(mini.validateEvent({ ...event, payload: {} }))).toEqual(["/payload: must have required property 'client_id'"]);
    expect(errorsOf(mini.validateEvent({ ...event, id: 'x' }))).toEqual(['/id: must match pattern "^evt_" (got "x")']);
    expect(mini.eventTypes()).toEqual(['run_start', 'text_delta', 'run_done']);
  });

  it('keeps long error lists short', () => {
    const result = mini.validateSchema('Message', { role: 'user', content: Array.from({ length: 20 }, () => ({ type: 'text', text: 1 })) });
    const errors = errorsOf(result);
    expect(errors).toHaveLength(9);
    expect(errors[8]).toBe('… 12 more');
  });
});
