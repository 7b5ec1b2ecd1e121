/**
 * A tiny stand-in for the reference daemon's `handle()`, enough to unit-test fault middleware:
 * auth, a few JSON routes, a 400, a 405, and a ten-event SSE stream shaped like the captured one.
 */
export const FAKE_TOKEN = 'fake-token-0123';
export const FAKE_RUN = 'run_6be554b27b67fdc4e75a77c3fddc8042';

const json = (status: number, body: unknown): Response =>
  new Response(JSON.stringify(body) + '\n', { status, headers: { 'Content-Type': 'application/json' } });
const error = (status: number, code: string, message: string): Response => json(status, { error: { code, message, retryable: false } });

const TYPES = ['run_start', 'loop_start', 'turn_start', 'message_start', 'text_delta', 'text_delta', 'message_end', 'turn_end', 'loop_end', 'run_done'];

export function fakeEnvelope(seq: number, type: string): Record<string, unknown> {
  return {
    version: 1,
    id: `evt_${seq.toString(16).padStart(32, '0')}`,
    seq,
    run_id: FAKE_RUN,
    session_id: 'default',
    time: `2026-11-24T16:50:26.3245276${seq}Z`,
    type,
    payload:
      type === 'permission_request'
        ? { permission_id: 'perm_1', expires_at: '2026-11-24T16:50:28Z' }
        : type === 'run_error'
          ? { error: { code: 'canceled', message: 'context canceled', retryable: false } }
          : type === 'text_delta'
            ? { type, delta: 'Hi' }
            : { type },
  };
}

export function fakeFrames(types: readonly string[] = TYPES): string[] {
  return types.map((type, index) => {
    const envelope = fakeEnvelope(index + 1, type);
    return `id: ${String(envelope['id'])}\nevent: ${type}\ndata: ${JSON.stringify(envelope)}\n\n`;
  });
}

export interface FakeDaemon {
  handle(request: Request): Promise<Response>;
  /** Requests as the daemon received them (after middleware). */
  seen: Request[];
  /** Set when an SSE reader cancelled a stream. */
  cancelled: boolean;
  /** Decision bodies as the daemon received them. */
  decisions: string[];
  /** Grants the daemon holds; DELETE removes them. */
  grants: Array<Record<string, unknown>>;
  stats(): { requests: number };
}

export function createFakeDaemon(options: { types?: readonly string[]; streamTypes?: readonly string[] } = {}): FakeDaemon {
  const daemon: FakeDaemon = {
    seen: [],
    cancelled: false,
    decisions: [],
    grants: [],
    stats: () => ({ requests: daemon.seen.length }),
    async handle(request) {
      daemon.seen.push(request);
      const url = new URL(request.url);
      const path = url.pathname;
      if (path === '/v1/health') return request.method === 'GET' ? json(200, { ok: true, version: 1 }) : error(405, 'method_not_allowed', 'method not allowed');
      if (request.headers.get('authorization') !== `Bearer ${FAKE_TOKEN}`) return error(401, 'unauthorized', 'missing or invalid bearer token');
      if (path === '/v1/status') {
        if (request.method !== 'GET') return error(405, 'method_not_allowed', 'method not allowed');
        return json(200, { ok: true, version: 1, active_runs: 0, tools_count: 1, capabilities: ['runs', 'events', 'memories'] });
      }
      if (path === '/v1/diagnostics') return json(200, { ok: true, runtime: { name: 'fake' } });
      if (path === '/v1/recall') return json(200, { hits: [] });
      if (path === '/v1/permissions') return json(200, { permissions: daemon.grants });
      if (path.startsWith('/v1/permissions/')) {
        const id = path.slice('/v1/permissions/'.length);
        const grant = daemon.grants.find((g) => g['id'] === id);
        if (!grant) return error(404, 'not_found', 'permission grant not found');
        daemon.grants = daemon.grants.filter((g) => g !== grant);
        return json(200, { permission: grant });
      }
      if (path === '/v1/skills') return json(200, { skills: [{ name: 'triage', description: 'Triage one issue' }] });
      if (path === '/v1/tools') return json(200, { tools: [{ name: 'write_note', description: 'd', requires_permission: true }] });
      if (path === '/v1/roles') return json(200, { roles: [{ name: 'reviewer' }] });
      if (path === '/v1/memories') {
        const limit = url.searchParams.get('limit');
        if (limit !== null && !/^[0-9]*$/.test(limit)) return error(400, 'invalid_request', 'limit must be non-negative');
        const all = [{ id: 'mem_1' }, { id: 'mem_2' }, { id: 'mem_3' }];
        return json(200, { memories: limit ? all.slice(0, Number(limit)) : all });
      }
      const start = /^\/v1\/sessions\/([^/]+)\/runs$/.exec(path);
      if (start) {
        if (request.method !== 'POST') return error(405, 'method_not_allowed', 'method not allowed');
        const body = (await request.json().catch(() => ({}))) as Record<string, unknown>;
        if (typeof body['text'] !== 'string') return error(400, 'invalid_request', 'text or skill is required');
        return json(201, { run_id: FAKE_RUN, session_id: decodeURIComponent(start[1] ?? ''), events_url: `/v1/runs/${FAKE_RUN}/events` });
      }
      if (path === `/v1/runs/${FAKE_RUN}`) return json(202, { canceled: true, run_id: FAKE_RUN });
      if (path === `/v1/runs/${FAKE_RUN}/permissions/perm_1/decision`) {
        daemon.decisions.push(await request.clone().text());
        return request.headers.has('x-glue-client-id') ? error(403, 'forbidden', 'permission decision belongs to another client') : json(200, { permission_id: 'perm_1', accepted: true });
      }
      if (path === `/v1/runs/${FAKE_RUN}/events`) {
        const frames = fakeFrames(options.streamTypes);
        const encoder = new TextEncoder();
        let index = 0;
        const body = new ReadableStream<Uint8Array>({
          pull(controller) {
            const frame = frames[index++];
            if (frame === undefined) controller.close();
            else controller.enqueue(encoder.encode(frame));
          },
          cancel() {
            daemon.cancelled = true;
          },
        });
        return new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' } });
      }
      return error(404, 'not_found', 'route not found');
    },
  };
  return daemon;
}

export const BASE = 'http://127.0.0.1:1';

export function fakeRequest(path: string, init: RequestInit & { auth?: string | null } = {}): Request {
  const { auth = `Bearer ${FAKE_TOKEN}`, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (auth !== null) headers.set('Authorization', auth);
  return new Request(BASE + path, { ...rest, headers });
}
