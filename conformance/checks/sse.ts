/**
 * SSE: the event stream of a run (ADR-0010 §4, §5). The stream is `text/event-stream`; each event
 * carries `id:`, `event:` (= the envelope type) and one JSON envelope in `data:`; `seq` counts from
 * 1 without gaps; `run_start` comes first and exactly one terminal event (`run_done` / `run_error`)
 * comes last, after which the daemon ends the response. The rules themselves live in
 * stream-rules.ts, where a self-test also applies them to the Go daemon's captured streams.
 */
import { CLOSE_PROMPT_MS, EventStream, openEvents, startScenario, type ReceivedEvent, type StartedRun } from '../events.js';
import { fail, show } from '../expect.js';
import {
  firstEventProblem,
  framingProblem,
  identityProblem,
  nameAndIdProblem,
  sameEventsProblem,
  schemaProblem,
  seqProblem,
  terminalProblem,
  textRunProblem,
  timeFormatProblem,
  timeOrderProblem,
  type Problem,
} from '../stream-rules.js';
import type { Check, CheckContext } from '../types.js';

/** Starts a hello run in a fresh session and opens its stream (nothing read yet). */
async function helloStream(ctx: CheckContext): Promise<{ run: StartedRun; stream: EventStream }> {
  const run = await startScenario(ctx, 'hello', ctx.unique('s'), { clientId: ctx.unique('c') });
  return { run, stream: await openEvents(ctx, run.eventsPath) };
}

/** A hello run read to its end. */
async function helloEvents(ctx: CheckContext): Promise<{ run: StartedRun; stream: EventStream; events: ReceivedEvent[] }> {
  const { run, stream } = await helloStream(ctx);
  return { run, stream, events: await stream.readToEnd() };
}

/** Fails the check with the rule's problem, pointing at the stream's exchange. */
function expectNo(problem: Problem, stream: EventStream): void {
  if (problem !== undefined) fail(problem, stream.exchange);
}

export const sseChecks: Check[] = [
  {
    id: 'SSE-001',
    area: 'SSE',
    level: 'MUST',
    rule: 'GET /v1/runs/{id}/events answers 200 with Content-Type text/event-stream.',
    reference: 'ADR-0010 §2, §4; 049-events-hello.txt',
    capabilities: ['runs', 'events'],
    profile: 'any',
    async run(ctx) {
      const { stream } = await helloStream(ctx);
      const type = stream.result.headers.get('content-type');
      if (type === null || type.split(';')[0]?.trim().toLowerCase() !== 'text/event-stream') {
        await stream.cancel();
        fail(`expected Content-Type text/event-stream, got ${show(type)}`, stream.exchange);
      }
      await stream.readToEnd();
    },
  },
  {
    id: 'SSE-002',
    area: 'SSE',
    level: 'MUST',
    rule: 'Each SSE event is one block of an id: line, an event: line and a data: line, ended by a blank line, with no other fields.',
    reference: 'ADR-0010 §5; 049-events-hello.txt; 051-events-hello-raw-chunk-framing.txt',
    capabilities: ['runs', 'events'],
    profile: 'any',
    async run(ctx) {
      const { stream } = await helloEvents(ctx);
      expectNo(framingProblem(stream.rawText), stream);
    },
  },
  {
    id: 'SSE-003',
    area: 'SSE',
    level: 'MUST',
    rule: 'The SSE event name equals the envelope type, and the SSE id equals the envelope id.',
    reference: 'ADR-0010 §5; 049-events-hello.txt',
    capabilities: ['runs', 'events'],
    profile: 'any',
    async run(ctx) {
      const { stream, events } = await helloEvents(ctx);
      expectNo(nameAndIdProblem(events), stream);
    },
  },
  {
    id: 'SSE-004',
    area: 'SSE',
    level: 'MUST',
    rule: 'Every envelope, and the payload of its type, validates against the spec.',
    reference: 'ADR-0010 §5; openapi EventEnvelope',
    capabilities: ['runs', 'events'],
    profile: 'any',
    async run(ctx) {
      const { stream, events } = await helloEvents(ctx);
      expectNo(schemaProblem(events), stream);
    },
  },
  {
    id: 'SSE-005',
    area: 'SSE',
    level: 'MUST',
    rule: 'seq starts at 1 and grows by exactly 1 per event.',
    reference: 'ADR-0010 §5; 049-events-hello.txt',
    capabilities: ['runs', 'events'],
    profile: 'any',
    async run(ctx) {
      const { stream, events } = await helloEvents(ctx);
      expectNo(seqProblem(events), stream);
    },
  },
  {
    id: 'SSE-006',
    area: 'SSE',
    level: 'MUST',
    rule: 'The first event of a run is run_start.',
    reference: 'ADR-0010 §5; 049-events-hello.txt',
    capabilities: ['runs', 'events'],
    profile: 'any',
    async run(ctx) {
      const { stream, events } = await helloEvents(ctx);
      expectNo(firstEventProblem(events), stream);
    },
  },
  {
    id: 'SSE-007',
    area: 'SSE',
    level: 'MUST',
    rule: 'A run ends with exactly one terminal event (run_done or run_error), last, and the daemon then ends the stream.',
    reference: 'ADR-0010 §4 ("closes the SSE stream after run_done or run_error"); 051-events-hello-raw-chunk-framing.txt',
    capabilities: ['runs', 'events'],
    profile: 'any',
    tags: ['timing'],
    async run(ctx) {
      // readToEnd also fails when the stream stays open after the terminal event.
      const { stream, events } = await helloEvents(ctx);
      expectNo(terminalProblem(events), stream);
      const delay = stream.closeDelayMs;
      if (delay !== undefined && delay > CLOSE_PROMPT_MS) fail(`the daemon ended the response ${Math.round(delay)} ms after the terminal event (at most ${CLOSE_PROMPT_MS} ms)`, stream.exchange);
    },
  },
  {
    id: 'SSE-008',
    area: 'SSE',
    level: 'MUST',
    rule: 'Every envelope has version 1 and the run_id and session_id of its run.',
    reference: 'ADR-0010 §5; 066-events-session-encoded-colon.txt',
    capabilities: ['runs', 'events'],
    profile: 'any',
    async run(ctx) {
      const { run, stream, events } = await helloEvents(ctx);
      expectNo(identityProblem(events, run.runId, run.sessionId), stream);
    },
  },
  {
    id: 'SSE-009',
    area: 'SSE',
    level: 'MUST',
    rule: 'Envelope times and every timestamp in payloads are RFC 3339 UTC strings.',
    reference: 'ADR-0010 §2 ("Timestamps are RFC3339 UTC strings"); 049-events-hello.txt',
    capabilities: ['runs', 'events'],
    profile: 'any',
    async run(ctx) {
      const { stream, events } = await helloEvents(ctx);
      expectNo(timeFormatProblem(events), stream);
    },
  },
  {
    id: 'SSE-010',
    area: 'SSE',
    level: 'SHOULD',
    rule: 'Envelope times never go backwards within a run.',
    reference: '049-events-hello.txt',
    capabilities: ['runs', 'events'],
    profile: 'any',
    tags: ['timing'],
    async run(ctx) {
      const { stream, events } = await helloEvents(ctx);
      expectNo(timeOrderProblem(events), stream);
    },
  },
  {
    id: 'SSE-011',
    area: 'SSE',
    level: 'SHOULD',
    rule: 'A reader connecting after the run ended gets the whole stream again, event for event identical.',
    reference: '050-events-hello-replay-again.txt; 139-events-replay-after-disconnect.txt',
    capabilities: ['runs', 'events'],
    profile: 'any',
    async run(ctx) {
      const { run, events } = await helloEvents(ctx);
      const replay = await openEvents(ctx, run.eventsPath);
      expectNo(sameEventsProblem(events, await replay.readToEnd(), 'the replay'), replay);
    },
  },
  {
    id: 'SSE-012',
    area: 'SSE',
    level: 'SHOULD',
    rule: 'A second reader joining a live run gets the backlog from seq 1 and then the same events as the first reader.',
    reference: '141-events-two-readers-first.txt; 142-events-two-readers-second-joined-1.5s-late.txt',
    capabilities: ['runs', 'events'],
    profile: 'scripted',
    slow: true,
    tags: ['timing'],
    async run(ctx) {
      const run = await startScenario(ctx, 'slow', ctx.unique('s'));
      const a = await openEvents(ctx, run.eventsPath);
      await a.until((e) => e.type === 'text_delta' && a.events.filter((x) => x.type === 'text_delta').length >= 2, 'two text_delta events of the slow run');
      const b = await openEvents(ctx, run.eventsPath);
      await b.until((e) => e.seq === a.events.at(-1)?.seq, 'the backlog the first reader has seen');
      // Both readers stay until the end: any reader leaving cancels the run (ADR-0010 §7).
      await ctx.http.request({ method: 'DELETE', path: `/v1/runs/${encodeURIComponent(run.runId)}` });
      const [eventsA, eventsB] = await Promise.all([a.readToEnd(), b.readToEnd()]);
      expectNo(sameEventsProblem(eventsA, eventsB, 'the second reader'), b);
      // The cancel came after the second reader caught up: a canceled end proves it joined a live
      // run. A run_done means it was only served a replay once the run was over.
      const last = eventsB.at(-1);
      const code = last?.type === 'run_error' && typeof last.payload['error'] === 'object' && last.payload['error'] !== null ? (last.payload['error'] as Record<string, unknown>)['code'] : undefined;
      if (code !== 'canceled') fail(`expected the second reader to see the live run end with run_error canceled (it was canceled after the reader joined), got ${b.typeList()}`, b.exchange);
    },
  },
  {
    id: 'SSE-013',
    area: 'SSE',
    level: 'SHOULD',
    rule: 'The event stream is sent with Cache-Control: no-cache.',
    reference: '049-events-hello.txt',
    capabilities: ['runs', 'events'],
    profile: 'any',
    async run(ctx) {
      const { stream } = await helloEvents(ctx);
      const value = stream.result.headers.get('cache-control');
      if (value === null || !value.toLowerCase().includes('no-cache')) fail(`expected Cache-Control: no-cache, got ${show(value)}`, stream.exchange);
    },
  },
  {
    id: 'SSE-014',
    area: 'SSE',
    level: 'MUST',
    rule: 'A text-only run streams run_start, loop_start, turn_start, message_start, text_delta…, message_end, turn_end, loop_end, run_done, and run_done.text is the streamed text.',
    reference: 'ADR-0010 §5; 049-events-hello.txt',
    capabilities: ['runs', 'events'],
    profile: 'scripted',
    async run(ctx) {
      const { stream, events } = await helloEvents(ctx);
      expectNo(textRunProblem(events), stream);
    },
  },
];
