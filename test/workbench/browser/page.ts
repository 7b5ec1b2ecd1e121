/**
 * The page of the browser MSW test (bundled by esbuild for the browser): starts the MSW service
 * worker with the browser handlers, streams runs through it, and streams a run from a real
 * mock daemon on another origin (--cors). Results go to `window.__result` for the test to read.
 */
import { setupWorker } from 'msw/browser';
import { createGlueHandlers } from '../../../src/msw/browser.js';

const TOKEN = 'browser-msw-token';

interface Streamed {
  status: number;
  types: string[];
  text: string | undefined;
  chunks: number;
}

async function streamRun(base: string, token: string, text: string): Promise<Streamed> {
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'X-Glue-Client-ID': 'web:1' };
  const started = await fetch(`${base}/v1/sessions/web/runs`, { method: 'POST', headers, body: JSON.stringify({ text, client_id: 'web:1' }) });
  const startText = await started.text();
  if (started.status !== 201) return { status: started.status, types: [startText], text: undefined, chunks: 0 };
  const { events_url } = JSON.parse(startText) as { events_url: string };
  const response = await fetch(base + events_url, { headers: { Authorization: `Bearer ${token}` } });
  if (response.status !== 200) return { status: response.status, types: [await response.text(), events_url], text: undefined, chunks: 0 };
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let all = '';
  let chunks = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks++;
    all += decoder.decode(value, { stream: true });
  }
  const events = all
    .split('\n\n')
    .filter((block) => block.includes('data: '))
    .map((block) => JSON.parse(block.slice(block.indexOf('data: ') + 6)) as { type: string; payload: { text?: string } });
  return { status: response.status, types: events.map((e) => e.type), text: events.find((e) => e.type === 'run_done')?.payload.text, chunks };
}

async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const base = `${location.origin}/daemon`;
  const handlers = createGlueHandlers({
    baseUrl: base,
    token: TOKEN,
    delayScale: 0,
    scenarios: [{ name: 'ping.yaml', text: 'name: ping\nmatch: { text: ping }\nturns:\n  - deltas: [po, ng]\n' }],
  });
  const worker = setupWorker(...handlers);
  await worker.start({ serviceWorker: { url: '/mockServiceWorker.js' }, quiet: true, onUnhandledRequest: 'bypass' });
  const result: Record<string, unknown> = {
    controlled: navigator.serviceWorker.controller !== null,
    hello: await streamRun(base, TOKEN, 'hello'),
    ping: await streamRun(base, TOKEN, 'ping'),
    // Past 512 characters the message text is shared between frames; the flood yields every 32 deltas (no setImmediate here).
    flood: await streamRun(base, TOKEN, 'flood 700'),
  };
  const cors = params.get('cors');
  if (cors) result['cors'] = await streamRun(cors, params.get('token') ?? '', 'hello');
  const closed = params.get('closed');
  if (closed) result['closed'] = await streamRun(closed, params.get('token') ?? '', 'hello').then(() => 'reached', (error: unknown) => `blocked: ${String(error)}`);
  (window as unknown as { __result: unknown }).__result = result;
}

main().catch((error: unknown) => {
  (window as unknown as { __result: unknown }).__result = { error: String((error as Error)?.stack ?? error) };
});
