/**
 * The permission broker and grants: ownership check order, decisions, remember scopes keyed per
 * client, deterministic grant ids, listing and deleting, the optional store file, timeouts.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createReferenceServer, createSequentialIds } from '../../reference-server/index.js';
import type { ReferenceServer, ReferenceServerOptions } from '../../reference-server/index.js';
import { grantId } from '../../reference-server/grants.js';
import { validateEvent, validateResponse } from '../../src/protocol/validator.js';
import { createTinyHost } from './tiny-host.js';
import { json, request, token, until } from './helpers.js';
import { StreamReader } from './replay-harness.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function setup(overrides: Partial<ReferenceServerOptions> = {}): ReferenceServer {
  return createReferenceServer({
    token,
    host: createTinyHost(),
    ids: createSequentialIds(),
    clock: () => new Date('2026-11-24T16:50:26.5Z'),
    permissionTimeoutMs: 60_000,
    ...overrides,
  });
}

/** Starts a `permission` run and waits for its permission_request. */
async function pendingRun(server: ReferenceServer, session = 'perm', clientId = 'cli:alice') {
  const body: Record<string, string> = { text: 'permission' };
  if (clientId) body.client_id = clientId;
  const started = (await json(await request(server, 'POST', `/v1/sessions/${session}/runs`, { body }))) as { run_id: string; events_url: string };
  const reader = new StreamReader(await request(server, 'GET', started.events_url), () => undefined);
  await until(() => reader.events.some((e) => e.event === 'permission_request') || reader.done, 'permission_request or end');
  const ask = reader.events.find((e) => e.event === 'permission_request');
  const permissionId = (ask?.data.payload as { permission_id: string } | undefined)?.permission_id ?? '';
  return { ...started, reader, permissionId, decision: `/v1/runs/${started.run_id}/permissions/${permissionId}/decision` };
}

const toolEndText = (reader: StreamReader): string => {
  const end = reader.events.find((e) => e.event === 'tool_end');
  return ((end?.data.payload as { tool_result: { content: Array<{ text: string }> } }).tool_result.content[0]?.text) ?? '';
};

describe('permission_request', () => {
  it('carries permission_id, the request and expires_at = now + timeout; validates against the spec', async () => {
    const server = setup();
    const run = await pendingRun(server);
    const ask = run.reader.events.find((e) => e.event === 'permission_request');
    expect(validateEvent(ask?.data)).toEqual({ ok: true });
    expect(ask?.data.payload).toEqual({
      permission_id: 'perm_00000000000000000000000000000001',
      request: { tool: 'write_note', action: 'write', target: 'notes/a.txt', args: { path: 'notes/a.txt', text: 'hi' }, session_id: 'perm' },
      expires_at: '2026-11-24T16:51:26.5Z',
    });
    const status = (await json(await request(server, 'GET', '/v1/status'))) as { active_runs: number };
    expect(status.active_runs).toBe(1);
    expect((await request(server, 'POST', run.decision, { body: { allow: true } })).status).toBe(200);
    await run.reader.finished;
  });
});

describe('decision checks, in Go order', () => {
  it('403 for another client before the body is parsed; 400s and 404s leave the request pending', async () => {
    const server = setup();
    const run = await pendingRun(server, 'checks', 'cli:carol');
    const other = { 'X-Glue-Client-ID': 'cli:mallory' };
    const forbidden = '{"error":{"code":"forbidden","message":"permission decision belongs to another client","retryable":false}}\n';

    let response = await request(server, 'POST', run.decision, { body: { allow: true }, headers: other });
    expect([response.status, await response.text()]).toEqual([403, forbidden]);
    response = await request(server, 'POST', run.decision, { body: 'not json', headers: other });
    expect([response.status, await response.text()]).toEqual([403, forbidden]);
    response = await request(server, 'POST', run.decision, { body: 'not json' });
    expect([response.status, (await json(response)) as unknown]).toEqual([400, { error: { code: 'invalid_request', message: 'invalid JSON body', retryable: false } }]);
    response = await request(server, 'POST', run.decision, { body: { allow: true, remember_for: 'bogus' } });
    expect(((await json(response)) as { error: { message: string } }).error.message).toBe('invalid remember_for');
    response = await request(server, 'POST', `/v1/runs/${run.run_id}/permissions/perm_nope/decision`, { body: { allow: true } });
    expect(((await json(response)) as { error: { message: string } }).error.message).toBe('permission request not found');
    response = await request(server, 'POST', `/v1/runs/run_nope/permissions/${run.permissionId}/decision`, { body: { allow: true } });
    expect(((await json(response)) as { error: { message: string } }).error.message).toBe('run not found');
    expect((await request(server, 'GET', run.decision)).status).toBe(405);

    // Still pending: the owner (or a client sending no header) decides.
    response = await request(server, 'POST', run.decision, { body: { allow: true }, headers: { 'X-Glue-Client-ID': 'cli:carol' } });
    expect(response.status).toBe(200);
    const accepted = await json(response);
    expect(accepted).toEqual({ permission_id: run.permissionId, accepted: true });
    expect(validateResponse('decidePermission', 200, accepted)).toEqual({ ok: true });
    // Answered: a repeat is 404.
    expect((await request(server, 'POST', run.decision, { body: { allow: true } })).status).toBe(404);
    await run.reader.finished;
    expect(run.reader.events.at(-1)?.event).toBe('run_done');
  });

  it('a run without client_id accepts any client header', async () => {
    const server = setup();
    const run = await pendingRun(server, 'anyone', '');
    const response = await request(server, 'POST', run.decision, { body: { allow: false }, headers: { 'X-Glue-Client-ID': 'cli:zed' } });
    expect(response.status).toBe(200);
    await run.reader.finished;
    expect(toolEndText(run.reader)).toBe('permission denied by daemon client');
    expect(run.reader.events.at(-1)?.event).toBe('run_done');
  });

  it('a deny reason reaches the model verbatim; the run still ends run_done', async () => {
    const server = setup();
    const run = await pendingRun(server);
    await request(server, 'POST', run.decision, { body: { allow: false, reason: 'not today' } });
    await run.reader.finished;
    expect(toolEndText(run.reader)).toBe('not today');
    expect(run.reader.events.at(-1)?.event).toBe('run_done');
  });
});

describe('timeout', () => {
  it('denies with the model-visible reason, the run continues, a late decision is 404', async () => {
    const server = setup({ permissionTimeoutMs: 5 });
    const run = await pendingRun(server);
    await run.reader.finished;
    expect(toolEndText(run.reader)).toBe('permission denied: daemon permission request timed out');
    expect(run.reader.events.at(-1)?.event).toBe('run_done');
    const late = await request(server, 'POST', run.decision, { body: { allow: true } });
    expect(late.status).toBe(404);
  });
});

describe('remembered grants', () => {
  it('derives grant ids exactly as Go (capture 086)', () => {
    expect(grantId('session', { owner: 'client:cli:alice', sessionId: 'perm', tool: 'write_note', action: 'write', target: 'notes/a.txt' })).toBe(
      'grant_bf099577f31309eb',
    );
  });

  it('session scope: same client and session run without asking; another client is asked again', async () => {
    const server = setup();
    const first = await pendingRun(server, 'perm', 'cli:alice');
    await request(server, 'POST', first.decision, { body: { allow: true, remember_for: 'session' } });
    await first.reader.finished;

    const again = await pendingRun(server, 'perm', 'cli:alice');
    await again.reader.finished;
    expect(again.reader.events.map((e) => e.event)).not.toContain('permission_request');

    const bob = await pendingRun(server, 'perm', 'cli:bob');
    expect(bob.permissionId).not.toBe('');
    await request(server, 'POST', bob.decision, { body: { allow: false } });
    await bob.reader.finished;

    const listed = await json(await request(server, 'GET', '/v1/permissions'));
    expect(validateResponse('listPermissionGrants', 200, listed)).toEqual({ ok: true });
    expect(listed).toEqual({
      permissions: [
        {
          id: 'grant_bf099577f31309eb',
          scope: 'session',
          owner: 'client:cli:alice',
          client_id: 'cli:alice',
          session_id: 'perm',
          tool: 'write_note',
          action: 'write',
          target: 'notes/a.txt',
          created_at: '2026-11-24T16:50:26.5Z',
        },
      ],
    });
  });

  it('never and deny store nothing; forever keeps session_id but matches across sessions', async () => {
    const server = setup();
    const never = await pendingRun(server, 'one');
    await request(server, 'POST', never.decision, { body: { allow: true, remember_for: 'never' } });
    await never.reader.finished;
    expect(await json(await request(server, 'GET', '/v1/permissions'))).toEqual({ permissions: [] });

    const forever = await pendingRun(server, 'one');
    await request(server, 'POST', forever.decision, { body: { allow: true, remember_for: 'forever' } });
    await forever.reader.finished;
    const { permissions } = (await json(await request(server, 'GET', '/v1/permissions'))) as { permissions: Array<Record<string, string>> };
    expect(permissions).toHaveLength(1);
    expect(permissions[0]).toMatchObject({ scope: 'forever', session_id: 'one', owner: 'client:cli:alice' });

    const otherSession = await pendingRun(server, 'two');
    await otherSession.reader.finished;
    expect(otherSession.reader.events.map((e) => e.event)).not.toContain('permission_request');
  });

  it('runs without a client are owned by their session', async () => {
    const server = setup();
    const run = await pendingRun(server, 'solo', '');
    await request(server, 'POST', run.decision, { body: { allow: true, remember_for: 'session_target' } });
    await run.reader.finished;
    const { permissions } = (await json(await request(server, 'GET', '/v1/permissions'))) as { permissions: Array<Record<string, string>> };
    expect(permissions[0]).toMatchObject({ scope: 'session_target', owner: 'session:solo', session_id: 'solo', target: 'notes/a.txt' });
    expect(permissions[0]).not.toHaveProperty('client_id');
  });

  it('DELETE /v1/permissions/{id} returns the grant, then 404; the grant stops applying', async () => {
    const server = setup();
    const run = await pendingRun(server);
    await request(server, 'POST', run.decision, { body: { allow: true, remember_for: 'session' } });
    await run.reader.finished;
    const deleted = await request(server, 'DELETE', '/v1/permissions/grant_bf099577f31309eb');
    expect(deleted.status).toBe(200);
    const body = await json(deleted);
    expect(validateResponse('deletePermissionGrant', 200, body)).toEqual({ ok: true });
    expect(body).toMatchObject({ permission: { id: 'grant_bf099577f31309eb' } });
    const missing = await request(server, 'DELETE', '/v1/permissions/grant_bf099577f31309eb');
    expect(await missing.text()).toBe('{"error":{"code":"not_found","message":"permission grant not found","retryable":false}}\n');
    const asked = await pendingRun(server);
    expect(asked.permissionId).not.toBe('');
    await request(server, 'POST', asked.decision, { body: { allow: true } });
    await asked.reader.finished;
  });
});

describe('permission store file', () => {
  it('writes every change atomically (0600 file, 0700 dir, Go format) and loads it at start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'glue-grants-'));
    dirs.push(dir);
    const path = join(dir, 'nested', 'permissions.json');
    const server = setup({ permissionStorePath: path });
    const run = await pendingRun(server);
    await request(server, 'POST', run.decision, { body: { allow: true, remember_for: 'forever' } });
    await run.reader.finished;

    const text = readFileSync(path, 'utf8');
    expect(text.startsWith('{\n  "version": 1,\n  "permissions": [\n    {\n      "id": "grant_')).toBe(true);
    expect(text.endsWith('}\n')).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'nested')).mode & 0o777).toBe(0o700);
    expect(readdirSync(join(dir, 'nested'))).toEqual(['permissions.json']); // no temp file left

    const restarted = setup({ permissionStorePath: path });
    const listed = (await json(await request(restarted, 'GET', '/v1/permissions'))) as { permissions: unknown[] };
    expect(listed.permissions).toHaveLength(1);
    const again = await pendingRun(restarted);
    await again.reader.finished;
    expect(again.reader.events.map((e) => e.event)).not.toContain('permission_request');

    await request(restarted, 'DELETE', `/v1/permissions/${(listed.permissions[0] as { id: string }).id}`);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ version: 1, permissions: [] });
  });

  it('refuses to start on an unparseable store, naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'glue-grants-'));
    dirs.push(dir);
    const path = join(dir, 'permissions.json');
    writeFileSync(path, '{not json');
    expect(() => setup({ permissionStorePath: path })).toThrow(`Failed to parse permission store ${path}`);
  });
});
