/**
 * `--strict` (issue 14 item 1): requests the spec does not allow get 400 with violations and a
 * log line; what Go silently accepts is flagged; everything valid reaches the faithful daemon and
 * gets exactly its answer. Each case also runs without strict, to show the default stays Go's.
 */
import { describe, expect, it } from 'vitest';
import { createReferenceServer, createSequentialIds, type ReferenceServer } from '../../reference-server/index.js';
import { loadMockHost } from '../../reference-server/mock-host/index.js';
import { applyWorkbench } from '../../reference-server/workbench/index.js';
import { validateSchema } from '../../src/protocol/validator.js';
import { StreamReader } from '../reference-server/replay-harness.js';
import { base, json, token, until } from '../reference-server/helpers.js';

interface Daemon {
  server: ReferenceServer;
  lines: string[];
}

function daemon(strict: boolean): Daemon {
  const lines: string[] = [];
  const inner = createReferenceServer({ token, host: loadMockHost({ delayScale: 0 }), ids: createSequentialIds(), clock: () => new Date('2026-11-24T16:50:26.5Z'), permissionTimeoutMs: 60_000 });
  return { server: applyWorkbench(inner, { token, strict, log: (line) => lines.push(line) }), lines };
}

function send(d: Daemon, method: string, path: string, options: { body?: string | object; headers?: Record<string, string>; auth?: boolean } = {}): Promise<Response> {
  const headers = new Headers(options.headers);
  if (options.auth !== false) headers.set('Authorization', `Bearer ${token}`);
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    if (!headers.has('content-type')) headers.set('Content-Type', 'application/json');
  }
  return d.server.handle(new Request(base + path, { method, headers, body }));
}

interface Violations {
  error: { code: string; message: string; retryable: boolean };
  violations: { pointer: string; message: string }[];
}

async function violations(response: Response): Promise<Violations> {
  expect(response.status).toBe(400);
  const body = (await json(response)) as Violations;
  expect(validateSchema('ErrorEnvelope', body)).toEqual({ ok: true });
  expect(body.error.code).toBe('invalid_request');
  return body;
}

/** A `permission` run owned by `clientId`, waiting on its request. */
async function pending(d: Daemon, clientId: string) {
  const started = (await json(await send(d, 'POST', '/v1/sessions/p/runs', { body: { text: 'permission', client_id: clientId } }))) as { run_id: string; events_url: string };
  const reader = new StreamReader(await send(d, 'GET', started.events_url), () => undefined);
  await until(() => reader.events.some((e) => e.event === 'permission_request') || reader.done, 'permission_request');
  const ask = reader.events.find((e) => e.event === 'permission_request');
  const id = (ask?.data.payload as { permission_id: string }).permission_id;
  return { reader, decision: `/v1/runs/${started.run_id}/permissions/${id}/decision` };
}

describe('--strict', () => {
  it('refuses {"decision":"allow"} (Go: 200 accepted, then a silent denial) with pointer + message, and logs it', async () => {
    const lenient = daemon(false);
    const run = await pending(lenient, 'cli:a');
    const answer = await send(lenient, 'POST', run.decision, { body: { decision: 'allow' }, headers: { 'X-Glue-Client-ID': 'cli:a' } });
    expect(answer.status).toBe(200);
    expect(lenient.lines).toEqual([]);

    const strict = daemon(true);
    const ask = await pending(strict, 'cli:a');
    const refused = await violations(await send(strict, 'POST', ask.decision, { body: { decision: 'allow' }, headers: { 'X-Glue-Client-ID': 'cli:a' } }));
    expect(refused.violations).toEqual([
      { pointer: '/body', message: "must have required property 'allow'" },
      { pointer: '/body/decision', message: 'is not a field the spec defines' },
    ]);
    expect(refused.error.message).toBe("request does not match the spec (--strict): /body: must have required property 'allow'");
    expect(strict.lines).toHaveLength(1);
    expect(strict.lines[0]).toMatch(/^strict: POST \/v1\/runs\/run_\w+\/permissions\/perm_\w+\/decision → 400: \/body: must have required property 'allow'; \/body\/decision: is not a field/);
    expect(strict.lines[0]).not.toContain(token);
    // The request is still pending: the correct decision is accepted and the tool runs.
    const accepted = await send(strict, 'POST', ask.decision, { body: { allow: true }, headers: { 'X-Glue-Client-ID': 'cli:a' } });
    expect(accepted.status).toBe(200);
    await until(() => ask.reader.done, 'run end');
    expect(ask.reader.events.at(-1)?.event).toBe('run_done');
  });

  it('flags a decision without the run owner\'s client id (Go skips the ownership check)', async () => {
    const strict = daemon(true);
    const run = await pending(strict, 'cli:owner');
    const refused = await violations(await send(strict, 'POST', run.decision, { body: { allow: true } }));
    expect(refused.violations).toEqual([{ pointer: '/header/x-glue-client-id', message: expect.stringMatching(/^missing: the run belongs to "cli:owner" .*send X-Glue-Client-ID: cli:owner$/) }]);
    const lenient = daemon(false);
    const other = await pending(lenient, 'cli:owner');
    expect((await send(lenient, 'POST', other.decision, { body: { allow: true } })).status).toBe(200);
  });

  it.each([
    ['an unknown field', { text: 'hello', clientid: 'cli:a' }, {}, [{ pointer: '/body/clientid', message: 'is not a field the spec defines' }]],
    ['an unknown field nested in a known one', { text: 'hello', options: { anything: 1 }, arguments: { n: 'x' }, extra: { deep: 1 } }, {}, [{ pointer: '/body/extra', message: 'is not a field the spec defines' }]],
    [
      'a client id sent only as a header',
      { text: 'hello' },
      { 'X-Glue-Client-ID': 'cli:a' },
      [{ pointer: '/body/client_id', message: expect.stringMatching(/^missing while X-Glue-Client-ID is "cli:a": .*Go leaves run_start.client_id empty/) }],
    ],
    ['trailing garbage', '{"text":"hello"} junk', {}, [{ pointer: '/body', message: 'has data after the JSON value at byte 17 (Go reads the first value and ignores the rest)' }]],
    ['a JSON body without its content type', '{"text":"hello"}', { 'Content-Type': 'text/plain' }, [{ pointer: '/header/content-type', message: expect.stringMatching(/^must be application\/json for a JSON body \(got "text\/plain"/) }]],
  ] as const)('run start with %s: 400 with strict, 201 without', async (_name, body, headers, expected) => {
    const lenient = daemon(false);
    expect((await send(lenient, 'POST', '/v1/sessions/s/runs', { body, headers })).status).toBe(201);
    const strict = daemon(true);
    expect((await violations(await send(strict, 'POST', '/v1/sessions/s/runs', { body, headers }))).violations).toEqual(expected);
    expect(strict.server.stats().activeRuns).toBe(0);
  });

  it.each([
    ['GET', '/v1/memories?limit=-1', undefined, [{ pointer: '/query/limit', message: 'must be >= 0 (got -1)' }], 400],
    ['GET', '/v1/memories?limt=1', undefined, [{ pointer: '/query/limt', message: "unknown query parameter 'limt' (the spec lists limit)" }], 200],
    ['DELETE', '/v1/runs/run_x', '{}', [{ pointer: '/body', message: 'cancelRun takes no request body' }], 404],
    ['POST', '/v1/sessions/s/runs', '{"text":"hello","arguments":{"n":1}}', [{ pointer: '/body/arguments/n', message: 'must be string (got 1)' }], 400],
    ['POST', '/v1/recall', '{"query":"dog","limit":"5"}', [{ pointer: '/body/limit', message: 'must be integer (got "5")' }], 400],
    ['POST', '/v1/mcp/prompts/get', '{"server":"linear","name":"daily_brief","arguments":{"team":1}}', [{ pointer: '/body/arguments/team', message: 'must be string (got 1)' }], undefined],
  ] as const)('%s %s with strict: violations (Go: %#)', async (method, path, body, expected, goStatus) => {
    if (goStatus !== undefined) expect((await send(daemon(false), method, path, body === undefined ? {} : { body })).status).toBe(goStatus);
    const strict = daemon(true);
    expect((await violations(await send(strict, method, path, body === undefined ? {} : { body }))).violations).toEqual(expected);
  });

  it('passes valid requests through untouched, and leaves 401, 404 and 405 to the daemon', async () => {
    const lenient = daemon(false);
    const strict = daemon(true);
    const cases: [string, string, object | undefined, Record<string, string>?, boolean?][] = [
      ['GET', '/v1/health', undefined, {}, false],
      ['GET', '/v1/status', undefined],
      ['GET', '/v1/tools', undefined],
      ['GET', '/v1/memories?limit=1', undefined],
      ['POST', '/v1/recall', { query: 'dog' }],
      ['POST', '/v1/sessions/s/runs', { text: 'hello', client_id: 'cli:a' }, { 'X-Glue-Client-ID': 'cli:a' }],
      ['GET', '/v1/runs/run_00000000000000000000000000000001/events', undefined],
      ['GET', '/v1/status', undefined, {}, false],
      ['GET', '/v1/nope', undefined],
      ['POST', '/v1/status', { junk: true }],
      ['DELETE', '/v1/runs/run_none', undefined],
    ];
    for (const [method, path, body, headers, auth] of cases) {
      const options = { ...(body ? { body } : {}), headers: headers ?? {}, auth: auth ?? true };
      const [want, got] = [await send(lenient, method, path, options), await send(strict, method, path, options)];
      expect([got.status, await got.text()], `${method} ${path}`).toEqual([want.status, await want.text()]);
    }
    expect(strict.lines).toEqual([]);
  });
});
