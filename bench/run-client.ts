/** Starts a run and opens its event stream with plain `fetch` (undici), nothing else in between. */
import { tallyStream, type StreamTally, type TallyOptions } from './sse-tally.js';

export interface Target {
  url: string;
  token: string;
}

export interface TimedRun extends StreamTally {
  runId: string;
}

const START_TIMEOUT_MS = 30_000;

/** POSTs a run and returns its id and events path. */
export async function startRun(target: Target, session: string, text: string): Promise<{ runId: string; eventsUrl: string }> {
  const response = await fetch(`${target.url}/v1/sessions/${encodeURIComponent(session)}/runs`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${target.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ text }),
    signal: AbortSignal.timeout(START_TIMEOUT_MS),
  });
  const body = (await response.json()) as { run_id?: unknown; events_url?: unknown };
  if (response.status !== 201 || typeof body.run_id !== 'string') {
    throw new Error(`bench: start run answered ${response.status}: ${JSON.stringify(body).slice(0, 300)}`);
  }
  const eventsUrl = typeof body.events_url === 'string' ? body.events_url : `/v1/runs/${body.run_id}/events`;
  return { runId: body.run_id, eventsUrl };
}

export async function openEvents(target: Target, eventsUrl: string, signal?: AbortSignal): Promise<ReadableStream<Uint8Array>> {
  const response = await fetch(new URL(eventsUrl, target.url), {
    headers: { Authorization: `Bearer ${target.token}` },
    ...(signal ? { signal } : {}),
  });
  if (response.status !== 200 || !response.body) throw new Error(`bench: events answered ${response.status}`);
  return response.body;
}

/** POST → GET events → read to the end. Times are from just before the POST. */
export async function timedRun(target: Target, session: string, text: string, tally: Omit<TallyOptions, 'startedAt'>): Promise<TimedRun> {
  const startedAt = performance.now();
  const { runId, eventsUrl } = await startRun(target, session, text);
  const body = await openEvents(target, eventsUrl);
  return { runId, ...(await tallyStream(body, { ...tally, startedAt })) };
}
