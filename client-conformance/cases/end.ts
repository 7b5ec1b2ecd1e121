/** CLI-END: how a run ends — only run_done is success; run_error and a cut stream are failures. */
import { expectFailure, expectMentions } from '../judge.js';
import type { ClientCase } from '../types.js';
import { FAIL_MESSAGE, MIDSTREAM_MESSAGE } from './common.js';

export const endCases: ClientCase[] = [
  {
    id: 'CLI-END-001',
    area: 'CLI-END',
    level: 'MUST',
    rule: 'A stream that ends cleanly before run_done or run_error is a failure, not a success.',
    reference: 'ADR-0010 §4 ("closes the SSE stream after run_done or run_error"); 049-events-hello.txt',
    daemon: { stream: { stopAfter: { type: 'text_delta', then: 'close' } } },
    judge: (j) => expectFailure(j, 'the stream ended after one text_delta, without a terminal event'),
  },
  {
    id: 'CLI-END-002',
    area: 'CLI-END',
    level: 'MUST',
    rule: "run_error fails the client, which shows payload.error.message (an object's field, not a string).",
    reference: 'ADR-0010 §8 ("run_error SSE events use the same shape in payload.error"); 119-events-fail.txt',
    prompt: 'fail',
    judge(j) {
      expectFailure(j, 'the run ended in run_error');
      expectMentions(j, FAIL_MESSAGE, 'run_error payload.error.message');
    },
  },
  {
    id: 'CLI-END-003',
    area: 'CLI-END',
    level: 'MUST',
    rule: 'run_error after streamed text still fails the client, with its message.',
    reference: 'ADR-0010 §8; 121-events-fail-midstream.txt',
    prompt: 'fail-midstream',
    judge(j) {
      expectFailure(j, 'the run ended in run_error after a text_delta');
      expectMentions(j, MIDSTREAM_MESSAGE, 'run_error payload.error.message');
    },
  },
  {
    id: 'CLI-END-004',
    area: 'CLI-END',
    level: 'SHOULD',
    rule: 'A terminal frame cut before its blank line is not dispatched: the stream ended without a terminal event.',
    reference: 'WHATWG HTML §9.2.6 ("If the file ends in the middle of an event … the incomplete event is not dispatched")',
    daemon: { stream: { stopAfter: { type: 'loop_end', then: 'partial' } } },
    judge: (j) => expectFailure(j, 'the run_done frame had no terminating blank line before the stream closed'),
  },
];
