/** CLI-RUN: the run start request and following the daemon's events_url. */
import { moveEvents } from '../behaviours.js';
import { bodyJson, decodedPath, expectStarted, fail, isEventsGet, summarizeRequests } from '../judge.js';
import type { ClientCase } from '../types.js';
import { judgeHello } from './common.js';

export const runCases: ClientCase[] = [
  {
    id: 'CLI-RUN-001',
    area: 'CLI-RUN',
    level: 'MUST',
    rule: 'The run starts with POST /v1/sessions/{session}/runs and a JSON body the spec allows, text = the prompt, no skill.',
    reference: 'ADR-0010 §4; openapi RunStartRequest; 048-run-start-text.txt',
    judge(j) {
      const start = expectStarted(j);
      if (start.bodyProblems) fail(`the run start body breaks the spec: ${start.bodyProblems.join('; ')}`);
      const body = bodyJson(start);
      if (!body) fail(`the run start body is not a JSON object: ${JSON.stringify(start.body.slice(0, 120))}`);
      if (typeof body['text'] !== 'string' || body['text'].trim() !== j.prompt) fail(`expected text ${JSON.stringify(j.prompt)}, got ${JSON.stringify(body['text'])}`);
      if (typeof body['skill'] === 'string' && body['skill'].trim() !== '') fail('the body has both text and skill (the daemon answers 400)');
      judgeHello(j, 'a plain hello run');
    },
  },
  {
    id: 'CLI-RUN-002',
    area: 'CLI-RUN',
    level: 'MUST',
    rule: 'The run starts in the session it was given (path segment percent-encoded: ":", " " and "#" survive).',
    reference: 'ADR-0010 §4 (telegram:<chat_id>); 065-run-start-session-encoded-colon.txt',
    sessionId: 'chat:42 #1',
    judge(j) {
      const start = expectStarted(j);
      const session = /^\/v1\/sessions\/(.+)\/runs$/.exec(decodedPath(start))?.[1];
      if (session !== j.sessionId) fail(`expected the run in session ${JSON.stringify(j.sessionId)}, the client started it at ${start.path} (session ${JSON.stringify(session)})`);
      judgeHello(j, 'a hello run in session "chat:42 #1"');
    },
  },
  {
    id: 'CLI-RUN-003',
    area: 'CLI-RUN',
    level: 'SHOULD',
    rule: 'The run start carries client_id, the id the client later answers permissions with.',
    reference: 'ADR-0010 §4, §6; openapi RunStartRequest.client_id',
    judge(j) {
      const body = bodyJson(expectStarted(j));
      if (typeof body?.['client_id'] !== 'string' || body['client_id'].trim() === '') fail(`the run start has no client_id: ${JSON.stringify(expectStarted(j).body.slice(0, 160))}`);
      if (body['client_id'] !== j.clientId) fail(`expected client_id ${JSON.stringify(j.clientId)} (the {client_id} it was given), got ${JSON.stringify(body['client_id'])}`);
    },
  },
  {
    id: 'CLI-RUN-004',
    area: 'CLI-RUN',
    level: 'MUST',
    rule: "The events are read from the 201 answer's events_url, not from a path the client builds.",
    reference: 'ADR-0010 §4 ("the response carries events_url"); openapi RunStartResponse',
    daemon: { middleware: () => [moveEvents()] },
    judge(j) {
      const gets = j.requests.filter(isEventsGet);
      const built = gets.filter((r) => r.path.startsWith('/v1/runs/'));
      if (built.length > 0) fail(`the client built the events path instead of using events_url ${j.facts.eventsUrls[0] ?? ''}: ${summarizeRequests(built)}`);
      if (!gets.some((r) => r.path === j.facts.eventsUrls[0])) fail(`the client never requested events_url ${j.facts.eventsUrls[0] ?? '(no run started)'}; it sent ${summarizeRequests(j.requests)}`);
      judgeHello(j, 'a hello run whose events_url is not the default path');
    },
  },
];
