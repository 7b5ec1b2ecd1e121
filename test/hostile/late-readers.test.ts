/**
 * A load-test client starts many runs first and reads them afterwards (the bench's 500 and 1,000
 * concurrent runs do exactly that). Go replays every run for the daemon's lifetime; the reference
 * server bounds finished runs, but a run nobody has read yet must not be the one it drops.
 */
import { describe, expect, it } from 'vitest';
import { createReferenceServer } from '../../reference-server/index.js';
import { loadMockHost } from '../../reference-server/mock-host/index.js';

const token = 'late-reader-token-0123456789';
const base = 'http://127.0.0.1:1';
const auth = { Authorization: `Bearer ${token}` };

describe('runs started before any is read', () => {
  it('all replay in full although they outnumber the finished-run retention', async () => {
    const server = createReferenceServer({ token, host: loadMockHost({ delayScale: 0 }), limits: { finishedRunRetention: 3, maxActiveRuns: 100 } });
    try {
      const started: string[] = [];
      for (let i = 0; i < 10; i++) {
        const response = await server.handle(new Request(`${base}/v1/sessions/late-${i}/runs`, { method: 'POST', headers: auth, body: '{"text":"hello"}' }));
        expect(response.status).toBe(201);
        started.push(((await response.json()) as { events_url: string }).events_url);
      }
      for (const eventsUrl of started) {
        const response = await server.handle(new Request(base + eventsUrl, { headers: auth }));
        expect(response.status, eventsUrl).toBe(200);
        expect(await response.text()).toMatch(/event: run_done\n[^\n]*\n\n$/);
      }
      // Read once, they fall under the retention count again.
      await server.handle(new Request(`${base}/v1/status`, { headers: auth }));
      expect(server.stats().retainedRuns).toBe(3);
    } finally {
      await server.close();
    }
  });
});
