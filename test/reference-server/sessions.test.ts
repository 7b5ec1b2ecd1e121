/**
 * Beyond Go: the optional session lookup (ADR-0010 §9, capability `sessions`) is served only for a
 * host that implements it; otherwise the paths stay Go's 404 `route not found` (capture 133).
 */
import { describe, expect, it } from 'vitest';
import { createReferenceServer } from '../../reference-server/index.js';
import type { MockHost } from '../../reference-server/index.js';
import type { Message, SessionInfo } from '../../src/protocol/types.js';
import { validateResponse } from '../../src/protocol/validator.js';
import { createTinyHost } from './tiny-host.js';
import { json, request, token } from './helpers.js';

const stored: SessionInfo[] = Array.from({ length: 25 }, (_, i) => ({
  id: i === 0 ? 'telegram:42' : `s${i}`,
  ...(i === 0 ? { title: 'Walk the dog' } : {}),
  message_count: 2,
  created_at: '2026-11-24T16:50:26.324566436Z',
  updated_at: '2026-11-24T16:50:29Z',
}));
const transcript = [{ role: 'user', content: [{ type: 'text', text: 'hello' }], created_at: '2026-11-24T16:50:26Z' }] as Message[];

function sessionHost(): MockHost {
  return {
    agent: createTinyHost().agent,
    sessionList: async ({ query }) => stored.filter((s) => !query || s.id.includes(query) || (s.title ?? '').includes(query)),
    sessionGet: async ({ id }) => stored.find((s) => s.id === id),
    sessionMessages: async ({ id }) => (stored.some((s) => s.id === id) ? transcript : undefined),
  };
}

describe('session lookup', () => {
  it('without the host members: no capability, Go 404 route not found', async () => {
    const server = createReferenceServer({ token, host: createTinyHost() });
    const status = (await json(await request(server, 'GET', '/v1/status'))) as { capabilities: string[] };
    expect(status.capabilities).not.toContain('sessions');
    for (const path of ['/v1/sessions', '/v1/sessions/default', '/v1/sessions/default/messages']) {
      const response = await request(server, 'GET', path);
      expect(await response.text()).toBe('{"error":{"code":"not_found","message":"route not found","retryable":false}}\n');
    }
  });

  it('with them: advertised, listed (default limit 20), looked up, transcripts served; spec-valid', async () => {
    const server = createReferenceServer({ token, host: sessionHost() });
    const status = (await json(await request(server, 'GET', '/v1/status'))) as { capabilities: string[] };
    expect(status.capabilities.at(-1)).toBe('sessions');

    const list = await json(await request(server, 'GET', '/v1/sessions'));
    expect(validateResponse('listSessions', 200, list)).toEqual({ ok: true });
    expect((list as { sessions: unknown[] }).sessions).toHaveLength(20);
    const filtered = (await json(await request(server, 'GET', '/v1/sessions?query=dog&limit=5'))) as { sessions: unknown[] };
    expect(filtered.sessions).toEqual([stored[0]]);
    expect((await request(server, 'GET', '/v1/sessions?limit=-1')).status).toBe(400);

    const one = await json(await request(server, 'GET', '/v1/sessions/telegram%3A42'));
    expect(validateResponse('getSession', 200, one)).toEqual({ ok: true });
    expect(one).toEqual(stored[0]);
    const messages = await json(await request(server, 'GET', '/v1/sessions/telegram%3A42/messages'));
    expect(validateResponse('listSessionMessages', 200, messages)).toEqual({ ok: true });
    expect(messages).toEqual({ session_id: 'telegram:42', messages: transcript });

    const missing = await request(server, 'GET', '/v1/sessions/nope');
    expect([missing.status, await json(missing)]).toEqual([404, { error: { code: 'not_found', message: 'session not found', retryable: false } }]);
    expect((await request(server, 'GET', '/v1/sessions/nope/messages')).status).toBe(404);
    expect((await request(server, 'POST', '/v1/sessions/telegram%3A42')).status).toBe(405);
    // Runs still start on the same prefix.
    expect((await request(server, 'POST', '/v1/sessions/telegram%3A42/runs', { body: { text: 'hello' } })).status).toBe(201);
  });
});
