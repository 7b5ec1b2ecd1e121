/**
 * SSE: the event stream of a run (ADR-0010 §4, §5). The stream is `text/event-stream`; each event
 * carries `id:`, `event:` (= the envelope type) and one JSON envelope in `data:`; `seq` counts from
 * 1 without gaps; `run_start` comes first and exactly one terminal event (`run_done` / `run_error`)
 * comes last, after which the daemon ends the response.
 */
import { rawSseBlocks } from '../../src/protocol/sse-reader.js';
import { validateEvent } from '../../src/protocol/validator.js';
import { EventStream, isTerminal, openEvents, startScenario, type ReceivedEvent, type StartedRun } from '../events.js';
import { fail, show } from '../expect.js';
import { timeFields, timeNs, UTC_RFC3339 } from '../time.js';
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

function describeEvent(e: ReceivedEvent): string {
  return `${e.type ?? '?'} (seq ${e.seq ?? '?'})`;
}

const ALLOWED_FIELDS = new Set(['id', 'event', 'data', 'retry']);

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
      const { blocks } = rawSseBlocks(stream.rawText);
      const events = blocks.filter((b) => b.lines.some((l) => !l.startsWith(':')));
      if (events.length === 0) fail('the stream carried no SSE event blocks', stream.exchange);
      for (const [index, block] of events.entries()) {
        const fields = block.lines.filter((l) => !l.startsWith(':')).map((l) => l.slice(0, l.includes(':') ? l.indexOf(':') : l.length));
        const unknown = fields.filter((f) => !ALLOWED_FIELDS.has(f));
        const count = (name: string): number => fields.filter((f) => f === name).length;
        const problem =
          unknown.length > 0 ? `unknown field(s) ${show(unknown)}`
          : count('id') !== 1 ? `${count('id')} id: lines`
          : count('event') !== 1 ? `${count('event')} event: lines`
          : count('data') !== 1 ? `${count('data')} data: lines`
          : !block.terminated ? 'no blank line after it'
          : undefined;
        if (problem) fail(`SSE event block ${index + 1} has ${problem}: ${show(block.lines.join('\\n'), 200)}`, stream.exchange);
      }
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
      for (const e of events) {
        if (e.frame.event !== e.type) fail(`event: line ${show(e.frame.event)} differs from envelope type ${show(e.type)} at seq ${e.seq}`, stream.exchange);
        if (e.frame.id !== e.envelope['id']) fail(`id: line ${show(e.frame.id)} differs from envelope id ${show(e.envelope['id'])} at ${describeEvent(e)}`, stream.exchange);
      }
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
      for (const e of events) {
        const verdict = validateEvent(e.envelope);
        if (!verdict.ok) fail(`${describeEvent(e)} does not match the spec: ${verdict.errors.slice(0, 5).join('; ')}`, stream.exchange);
      }
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
      events.forEach((e, i) => {
        if (e.seq !== i + 1) {
          fail(i === 0 ? `expected the first seq to be 1, got ${show(e.envelope['seq'])}` : `expected seq ${i + 1} after ${i}, got ${show(e.envelope['seq'])} (${e.type})`, stream.exchange);
        }
      });
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
      const first = events[0];
      if (first?.type !== 'run_start') fail(`expected run_start first, got ${first ? describeEvent(first) : 'no events'}`, stream.exchange);
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
    async run(ctx) {
      const { stream, events } = await helloEvents(ctx);
      const terminals = events.filter(isTerminal);
      if (terminals.length !== 1) fail(`expected exactly one terminal event, got ${terminals.length}: ${stream.typeList()}`, stream.exchange);
      const last = events.at(-1);
      if (!last || !isTerminal(last)) fail(`expected the terminal event last, got ${stream.typeList()}`, stream.exchange);
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
      for (const e of events) {
        if (e.envelope['version'] !== 1) fail(`expected version 1 in ${describeEvent(e)}, got ${show(e.envelope['version'])}`, stream.exchange);
        if (e.envelope['run_id'] !== run.runId) fail(`expected run_id ${show(run.runId)} in ${describeEvent(e)}, got ${show(e.envelope['run_id'])}`, stream.exchange);
        if (e.envelope['session_id'] !== run.sessionId) fail(`expected session_id ${show(run.sessionId)} in ${describeEvent(e)}, got ${show(e.envelope['session_id'])}`, stream.exchange);
      }
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
      for (const e of events) {
        if (typeof e.envelope['time'] !== 'string' || !UTC_RFC3339.test(e.envelope['time'])) {
          fail(`expected an RFC 3339 UTC time in ${describeEvent(e)}, got ${show(e.envelope['time'])}`, stream.exchange);
        }
        for (const field of timeFields(e.payload, '/payload')) {
          if (typeof field.value !== 'string' || !UTC_RFC3339.test(field.value)) fail(`expected an RFC 3339 UTC time at ${field.pointer} of ${describeEvent(e)}, got ${show(field.value)}`, stream.exchange);
        }
      }
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
    async run(ctx) {
      const { stream, events } = await helloEvents(ctx);
      let previous: bigint | undefined;
      for (const e of events) {
        const now = timeNs(e.envelope['time']);
        if (now !== undefined && previous !== undefined && now < previous) fail(`time goes backwards at ${describeEvent(e)}: ${show(e.envelope['time'])}`, stream.exchange);
        previous = now ?? previous;
      }
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
      sameEvents(events, await replay.readToEnd(), replay, 'the replay');
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
    async run(ctx) {
      const run = await startScenario(ctx, 'slow', ctx.unique('s'));
      const a = await openEvents(ctx, run.eventsPath);
      await a.until((e) => e.type === 'text_delta' && a.events.filter((x) => x.type === 'text_delta').length >= 2, 'two text_delta events of the slow run');
      const b = await openEvents(ctx, run.eventsPath);
      await b.until((e) => e.seq === a.events.at(-1)?.seq, 'the backlog the first reader has seen');
      // Both readers stay until the end: any reader leaving cancels the run (ADR-0010 §7).
      await ctx.http.request({ method: 'DELETE', path: `/v1/runs/${encodeURIComponent(run.runId)}` });
      const [eventsA, eventsB] = await Promise.all([a.readToEnd(), b.readToEnd()]);
      sameEvents(eventsA, eventsB, b, 'the second reader');
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
      const types = events.map((e) => e.type ?? '?');
      const collapsed = types.filter((t, i) => t !== 'text_delta' || types[i - 1] !== 'text_delta');
      const want = ['run_start', 'loop_start', 'turn_start', 'message_start', 'text_delta', 'message_end', 'turn_end', 'loop_end', 'run_done'];
      if (collapsed.join(',') !== want.join(',')) fail(`expected ${want.join(', ')} (text_delta repeated), got ${types.join(', ')}`, stream.exchange);
      const text = events.filter((e) => e.type === 'text_delta').map((e) => (typeof e.payload['delta'] === 'string' ? e.payload['delta'] : '')).join('');
      const done = events.at(-1);
      if (done?.payload['text'] !== text) fail(`expected run_done.payload.text ${show(text)} (the deltas joined), got ${show(done?.payload['text'])}`, stream.exchange);
    },
  },
];

function sameEvents(a: ReceivedEvent[], b: ReceivedEvent[], stream: EventStream, who: string): void {
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a[i];
    const y = b[i];
    if (!x || !y) fail(`${who} got ${b.length} events, the first reader ${a.length}: ${stream.typeList()}`, stream.exchange);
    if (x.frame.data !== y.frame.data || x.frame.id !== y.frame.id || x.frame.event !== y.frame.event) {
      fail(`${who} differs at event ${i + 1}: expected ${show(x.frame.data, 160)}, got ${show(y.frame.data, 160)}`, stream.exchange);
    }
  }
}
