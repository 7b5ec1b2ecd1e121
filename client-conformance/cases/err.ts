/** CLI-ERR: error answers end the client with a clear message and a failing exit, never a crash or hang. */
import { answer, envelope } from '../behaviours.js';
import { expectFailure, expectMentions, fail, isStart, starts } from '../judge.js';
import type { ClientCase } from '../types.js';

export const errCases: ClientCase[] = [
  {
    id: 'CLI-ERR-001',
    area: 'CLI-ERR',
    level: 'MUST',
    rule: 'A 404 envelope for the event stream fails the client with its message.',
    reference: 'ADR-0010 §8; 127-events-unknown-run-404.txt',
    daemon: { middleware: () => [answer('runEvents', 404, envelope('not_found', 'run not found'))] },
    judge(j) {
      expectFailure(j, 'the event stream answered 404');
      expectMentions(j, 'run not found', 'the 404 envelope message');
    },
  },
  {
    id: 'CLI-ERR-002',
    area: 'CLI-ERR',
    level: 'MUST',
    rule: 'A retryable 429 conflict that persists ends the client with its message after a bounded number of tries.',
    reference: 'openapi ErrorCode conflict (retryable); ADR-0010 §8',
    daemon: { middleware: () => [answer('startRun', 429, envelope('conflict', 'too many active runs', true))] },
    judge(j) {
      expectFailure(j, 'every run start answered 429');
      expectMentions(j, 'too many active runs', 'the 429 envelope message');
      const tries = starts(j).length;
      if (tries > 10) fail(`the client retried the run start ${tries} times`);
    },
  },
  {
    id: 'CLI-ERR-003',
    area: 'CLI-ERR',
    level: 'MUST',
    rule: 'A 500 internal envelope for the run start fails the client with its message.',
    reference: 'ADR-0010 §8; openapi HostError',
    daemon: { middleware: () => [answer('startRun', 500, envelope('internal', 'host exploded'))] },
    judge(j) {
      expectFailure(j, 'the run start answered 500');
      expectMentions(j, 'host exploded', 'the 500 envelope message');
    },
  },
  {
    id: 'CLI-ERR-004',
    area: 'CLI-ERR',
    level: 'MUST',
    rule: 'A 502 with an HTML body (a proxy, not the daemon) fails the client cleanly, without a crash.',
    reference: 'ADR-0010 §8 (clients must not assume every error is an envelope)',
    daemon: { middleware: () => [answer('startRun', 502, '<html><body>Bad Gateway</body></html>', 'text/html')] },
    judge(j) {
      if (!j.requests.some(isStart)) fail('the client never started the run');
      expectFailure(j, 'the run start answered 502 text/html');
      if (!/502|bad gateway/i.test(j.outcome.stdout + j.outcome.stderr)) fail('the output does not name the failed answer (502 / Bad Gateway)');
    },
  },
];
