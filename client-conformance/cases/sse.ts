/**
 * CLI-SSE: the event stream is read as SSE is defined (WHATWG HTML §9.2), not as one daemon
 * happens to write it. Each case streams a real run of the reference server through the
 * raw-frame writer in one legal variant; a correct reader prints the answer exactly once.
 */
import { BIG_ANSWER_TEXT, UNICODE_TEXT } from '../case-daemon.js';
import { expectPrintedOnce, expectSuccess } from '../judge.js';
import type { StreamPlan } from '../stream-plan.js';
import type { ClientCase } from '../types.js';
import { judgeHello } from './common.js';

const SSE = 'WHATWG HTML §9.2.6 "Interpreting an event stream"';

function sseCase(id: string, level: ClientCase['level'], rule: string, reference: string, stream: StreamPlan): ClientCase {
  return { id, area: 'CLI-SSE', level, rule, reference, daemon: { stream }, judge: (j) => judgeHello(j, rule) };
}

export const sseCases: ClientCase[] = [
  {
    id: 'CLI-SSE-001',
    area: 'CLI-SSE',
    level: 'MUST',
    rule: 'Frames split across TCP packets at every byte position, inside UTF-8 sequences too, are read whole.',
    reference: `${SSE} (UTF-8 decode of the stream); 051-events-hello-raw-chunk-framing.txt`,
    prompt: 'unicode',
    daemon: { stream: { pacing: 'byte' } },
    // One write per byte of a 4 KB stream costs seconds on a loaded machine: its own, longer deadline.
    timeoutMs: 30_000,
    slow: true,
    judge(j) {
      expectSuccess(j, 'a run streamed one byte per write');
      expectPrintedOnce(j, UNICODE_TEXT, 'the echoed answer "grüße, 世界 🌍"');
    },
  },
  sseCase('CLI-SSE-002', 'MUST', 'Several frames in one packet (the whole stream in one write) are each read.', SSE, { pacing: 'all' }),
  sseCase('CLI-SSE-003', 'MUST', 'Comment lines (": keep-alive") before and inside frames are ignored.', `${SSE} (lines starting with ":")`, { style: { comments: true } }),
  sseCase('CLI-SSE-004', 'MUST', 'CRLF line endings are read like LF.', `${SSE}; §9.2.5 (end-of-line = CRLF | LF | CR)`, { style: { eol: '\r\n' } }),
  sseCase('CLI-SSE-005', 'MUST', 'Bare CR line endings are read like LF.', `${SSE}; §9.2.5 (end-of-line = CRLF | LF | CR)`, { style: { eol: '\r' }, pacing: 'all' }),
  sseCase('CLI-SSE-006', 'MUST', 'Fields without the space after the colon ("data:{…}") are read like "data: {…}".', `${SSE} (one leading space is removed if present)`, { style: { space: false } }),
  sseCase('CLI-SSE-007', 'MUST', 'Field order within a frame does not matter (data, event, id) and unknown fields are ignored.', `${SSE} (unknown field names are ignored)`, {
    style: { order: ['data', 'event', 'id'], unknownFields: true },
  }),
  sseCase('CLI-SSE-008', 'MUST', 'An event type the client does not know is ignored and the run goes on.', 'ADR-0010 §5 (new event types may be added); openapi EventEnvelope', { unknownEventBefore: 'text_delta' }),
  sseCase('CLI-SSE-009', 'MUST', 'Unknown fields in envelopes and payloads are ignored.', 'ADR-0010 §2 ("Unknown JSON fields are ignored")', { unknownPayloadFields: true }),
  {
    id: 'CLI-SSE-010',
    area: 'CLI-SSE',
    level: 'MUST',
    rule: 'A frame larger than 1 MiB is read (text_delta carries the whole partial message, so long answers make such frames).',
    reference: 'ADR-0010 §5; openapi TextDeltaPayload.message; 049-events-hello.txt (message grows with every delta)',
    prompt: 'big-answer',
    judge(j) {
      expectSuccess(j, 'a run whose answer is 640 KiB (its text_delta frame is 1.3 MiB)');
      expectPrintedOnce(j, BIG_ANSWER_TEXT, 'a 640 KiB answer');
    },
  },
  sseCase('CLI-SSE-011', 'SHOULD', 'Data spread over several data: lines is joined with line breaks before it is parsed.', `${SSE} (data buffer, "append a U+000A")`, { style: { multilineData: true } }),
];
