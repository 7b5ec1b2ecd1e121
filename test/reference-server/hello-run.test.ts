import { describe, expect, it } from 'vitest';
import { createReferenceServer, createSequentialIds } from '../../reference-server/index.js';
import { validateEvent, validateResponse } from '../../src/protocol/validator.js';
import { createTinyHost } from './tiny-host.js';
import { json, parseSse, request, token } from './helpers.js';

const clock = () => new Date('2026-11-24T16:50:26.324Z');

describe('hello run end to end', () => {
  it('starts a run (201) and streams run_start … run_done with seq 1..n, replayed identically', async () => {
    const server = createReferenceServer({ token, host: createTinyHost(), clock, ids: createSequentialIds() });
    const start = await request(server, 'POST', '/v1/sessions/default/runs', { body: { text: 'hello', client_id: 'cli:alice' } });
    expect(start.status).toBe(201);
    expect(start.headers.get('content-type')).toBe('application/json');
    const started = (await json(start)) as { run_id: string; events_url: string };
    expect(validateResponse('startRun', 201, started)).toEqual({ ok: true });
    expect(started).toEqual({
      run_id: 'run_00000000000000000000000000000001',
      session_id: 'default',
      events_url: '/v1/runs/run_00000000000000000000000000000001/events',
    });

    const events = await request(server, 'GET', started.events_url);
    expect(events.status).toBe(200);
    expect(events.headers.get('content-type')).toBe('text/event-stream');
    expect(events.headers.get('cache-control')).toBe('no-cache');
    const text = await events.text();
    const parsed = parseSse(text);
    expect(parsed.map((e) => e.event)).toEqual([
      'run_start', 'loop_start', 'turn_start', 'message_start', 'text_delta', 'text_delta', 'message_end', 'turn_end', 'loop_end', 'run_done',
    ]);
    parsed.forEach((e, i) => {
      expect(validateEvent(e.data)).toEqual({ ok: true });
      expect(e.data.seq).toBe(i + 1);
      expect(e.id).toBe(e.data.id);
    });
    expect(parsed[0]?.data.payload).toEqual({ client_id: 'cli:alice' });
    expect((parsed[9]?.data.payload as { text: string }).text).toBe('Hello, world');
    expect(text).toContain('"time":"2026-11-24T16:50:26.324Z"');

    const replay = await (await request(server, 'GET', started.events_url)).text();
    expect(replay).toBe(text);
    expect(server.stats()).toEqual({ activeRuns: 0, openStreams: 0, retainedRuns: 1 });
    await server.close();
  });
});
