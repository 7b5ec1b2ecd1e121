/** CLI-AUTH: the bearer token goes on every request to the daemon and nowhere else. */
import { answer, envelope, redirectToTrap } from '../behaviours.js';
import { carriesToken, describeOutcome, expectFailure, expectMentions, expectStarted, fail, summarizeRequests } from '../judge.js';
import type { ClientCase } from '../types.js';
import { judgeHello } from './common.js';

export const authCases: ClientCase[] = [
  {
    id: 'CLI-AUTH-001',
    area: 'CLI-AUTH',
    level: 'MUST',
    rule: 'Every request to the daemon carries Authorization: Bearer <token> with the exact token.',
    reference: 'ADR-0010 §3; 048-run-start-text.txt; 049-events-hello.txt',
    judge(j) {
      expectStarted(j);
      const wrong = j.requests.filter((r) => r.headers['authorization'] !== `Bearer ${j.token}`);
      if (wrong.length > 0) fail(`requests without "Authorization: Bearer <token>": ${summarizeRequests(wrong)}`);
      const inUrl = j.requests.filter((r) => r.path.includes(j.token));
      if (inUrl.length > 0) fail(`the token is in the URL of ${summarizeRequests(inUrl)} (URLs end up in logs)`);
      judgeHello(j, 'a plain hello run');
    },
  },
  {
    id: 'CLI-AUTH-002',
    area: 'CLI-AUTH',
    level: 'MUST',
    rule: 'The token never leaves for another origin: a 307 from the run start to another loopback port gets no token there.',
    reference: 'ADR-0010 §3 (the token is a local secret); RFC 9110 §15.4.8',
    daemon: { middleware: redirectToTrap('startRun') },
    judge(j) {
      const leaked = j.trapped.filter((r) => carriesToken(r, j.token));
      if (leaked.length > 0) fail(`the client sent the token to the redirect target (another port): ${summarizeRequests(leaked)}`);
    },
  },
  {
    id: 'CLI-AUTH-003',
    area: 'CLI-AUTH',
    level: 'SHOULD',
    rule: 'Redirects are not followed: the daemon never redirects, so a 307 is an error, and the other port receives nothing.',
    reference: 'ADR-0010 §3, §8 (no route answers 3xx)',
    daemon: { middleware: redirectToTrap('startRun') },
    judge(j) {
      if (j.trapped.length > 0) fail(`the client followed the redirect to another port: ${summarizeRequests(j.trapped)}`);
      expectFailure(j, 'a run start answered 307');
    },
  },
  {
    id: 'CLI-AUTH-004',
    area: 'CLI-AUTH',
    level: 'MUST',
    rule: 'A 401 answer fails the client with the envelope message, promptly and without a crash.',
    reference: 'ADR-0010 §3, §8; 008-unauth-wrong-token.txt',
    daemon: { middleware: () => [answer('startRun', 401, envelope('unauthorized', 'missing or invalid bearer token'))] },
    judge(j) {
      expectFailure(j, 'the run start answered 401');
      expectMentions(j, 'missing or invalid bearer token', `the client ${describeOutcome(j.outcome)}`);
    },
  },
];
