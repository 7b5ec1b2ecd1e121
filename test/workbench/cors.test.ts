/**
 * `--cors ORIGIN` (issue 14 item 3): preflights from an allowed origin are answered without a
 * token, every answer to it (SSE included) carries Access-Control-*, other origins and requests
 * without Origin get the daemon's answer byte for byte.
 */
import { describe, expect, it } from 'vitest';
import { createReferenceServer, createSequentialIds } from '../../reference-server/index.js';
import { loadMockHost } from '../../reference-server/mock-host/index.js';
import { applyWorkbench, parseCorsOrigin } from '../../reference-server/workbench/index.js';
import { base, token } from '../reference-server/helpers.js';

const PAGE = 'http://localhost:5173';
const make = (cors?: string[]) =>
  applyWorkbench(createReferenceServer({ token, host: loadMockHost({ delayScale: 0 }), ids: createSequentialIds(), clock: () => new Date('2026-11-24T16:50:26.5Z') }), { token, ...(cors ? { cors } : {}) });

const send = (server: ReturnType<typeof make>, method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
  server.handle(new Request(base + path, { method, headers, ...(body !== undefined ? { body } : {}) }));

describe('--cors', () => {
  it('answers a preflight from the allowed origin with 204 and no token; Go answers 401', async () => {
    const preflight = { Origin: PAGE, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type,x-glue-client-id' };
    const go = await send(make(), 'OPTIONS', '/v1/sessions/s/runs', preflight);
    expect(go.status).toBe(401);
    const answer = await send(make([PAGE]), 'OPTIONS', '/v1/sessions/s/runs', preflight);
    expect(answer.status).toBe(204);
    expect(Object.fromEntries(answer.headers)).toMatchObject({
      'access-control-allow-origin': PAGE,
      'access-control-allow-methods': 'GET, POST, DELETE',
      'access-control-allow-headers': 'Authorization, Content-Type, X-Glue-Client-ID, Last-Event-ID',
      vary: 'Origin',
    });
  });

  it('puts Access-Control-Allow-Origin on JSON answers, errors and the event stream, which still streams', async () => {
    const server = make([PAGE]);
    const auth = { Origin: PAGE, Authorization: `Bearer ${token}` };
    const unauthorized = await send(server, 'GET', '/v1/status', { Origin: PAGE });
    expect([unauthorized.status, unauthorized.headers.get('access-control-allow-origin')]).toEqual([401, PAGE]);
    const started = await send(server, 'POST', '/v1/sessions/s/runs', { ...auth, 'Content-Type': 'application/json' }, '{"text":"hello"}');
    expect(started.headers.get('access-control-allow-origin')).toBe(PAGE);
    const { events_url } = (await started.json()) as { events_url: string };
    const stream = await send(server, 'GET', events_url, auth);
    expect(stream.headers.get('access-control-allow-origin')).toBe(PAGE);
    expect(stream.headers.get('content-type')).toBe('text/event-stream');
    expect((await stream.text()).match(/^event: /gm)).toHaveLength(10);
  });

  it('leaves other origins and requests without Origin exactly as the daemon answers them', async () => {
    for (const headers of [{ Origin: 'http://evil.test' }, {}] as Record<string, string>[]) {
      const [want, got] = [await send(make(), 'GET', '/v1/health', headers), await send(make([PAGE]), 'GET', '/v1/health', headers)];
      expect([...got.headers]).toEqual([...want.headers]);
      expect(await got.text()).toBe(await want.text());
      const preflight = await send(make([PAGE]), 'OPTIONS', '/v1/status', { ...headers, 'Access-Control-Request-Method': 'GET' });
      expect(preflight.status).toBe(401);
    }
    const star = await send(make(['*']), 'GET', '/v1/health', { Origin: 'http://any.test' });
    expect(star.headers.get('access-control-allow-origin')).toBe('http://any.test');
  });

  it.each([
    ['http://localhost:5173', 'http://localhost:5173'],
    ['https://app.example', 'https://app.example'],
    ['*', '*'],
    ['localhost:5173', undefined],
    ['http://localhost:5173/path', undefined],
    ['ftp://x', undefined],
  ])('parses the origin %s', (text, want) => {
    expect(parseCorsOrigin(text)).toBe(want);
  });
});
