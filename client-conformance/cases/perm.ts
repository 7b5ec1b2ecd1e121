/** CLI-PERM: permission requests are answered at the decision route, as the run's owner. */
import { answer, envelope } from '../behaviours.js';
import { bodyJson, expectFailure, expectMentions, expectPrintedOnce, expectStarted, expectSuccess, fail, isDecision, summarizeRequests } from '../judge.js';
import type { ClientCase, Judgement, RecordedRequest } from '../types.js';
import { ALLOWED_TEXT, DENIED_TEXT } from './common.js';

/** The one decision the client sent, checked for route, body and owner header. */
function expectDecision(j: Judgement, allow: boolean): RecordedRequest {
  const decisions = j.requests.filter(isDecision);
  const decision = decisions[0];
  if (decision === undefined) fail(`the client never answered the permission request (POST /v1/runs/{run}/permissions/{perm}/decision); it sent ${summarizeRequests(j.requests)}`);
  const runId = /^\/v1\/runs\/([^/]+)\//.exec(decision.path)?.[1];
  if (runId === undefined || !j.facts.runIds.includes(decodeURIComponent(runId))) fail(`the decision went to ${decision.path}, not to the run the daemon started (${j.facts.runIds.join(', ')})`);
  if (decision.status !== 200) fail(`the daemon answered the decision ${String(decision.status)} (wrong permission id or owner?): ${decision.method} ${decision.path}`);
  if (decision.bodyProblems) fail(`the decision body breaks the spec: ${decision.bodyProblems.join('; ')}`);
  const body = bodyJson(decision);
  if (body?.['allow'] !== allow) fail(`the user answered ${allow ? 'allow' : 'deny'}, the client sent allow=${JSON.stringify(body?.['allow'])}`);
  const owner = bodyJson(expectStarted(j))?.['client_id'];
  const header = decision.headers['x-glue-client-id'];
  if (typeof owner === 'string' && owner !== '' && header !== owner) fail(`the run was started with client_id ${JSON.stringify(owner)}, the decision carries X-Glue-Client-ID ${JSON.stringify(header ?? null)} (the daemon answers 403)`);
  if (decisions.length > 1) fail(`the client answered one permission request ${decisions.length} times`);
  return decision;
}

/** A `permission` run the user allows, whose decision the case daemon answers with an error envelope. */
function decisionRefused(status: number, code: string, message: string): Pick<ClientCase, 'prompt' | 'answer' | 'slow' | 'daemon'> {
  return { prompt: 'permission', answer: 'allow', slow: true, daemon: { permissionTimeoutMs: 1500, middleware: () => [answer('permissionDecision', status, envelope(code, message))] } };
}

/** The client answered the permission request at all (whatever the daemon then said). */
function expectDecisionSent(j: Judgement): void {
  if (!j.requests.some(isDecision)) fail(`the client never answered the permission request; it sent ${summarizeRequests(j.requests)}`);
}

export const permCases: ClientCase[] = [
  {
    id: 'CLI-PERM-001',
    area: 'CLI-PERM',
    level: 'MUST',
    rule: 'An allowed permission_request is answered once at its decision route, allow=true, with the X-Glue-Client-ID of the run start.',
    reference: 'ADR-0010 §6; openapi PermissionDecisionRequest; 082-events-permission-allow-session.txt; 102-decision-same-client-allow.txt',
    prompt: 'permission',
    answer: 'allow',
    judge(j) {
      expectDecision(j, true);
      expectSuccess(j, 'an allowed permission run');
      expectPrintedOnce(j, ALLOWED_TEXT, 'the answer after the allowed tool call');
    },
  },
  {
    id: 'CLI-PERM-002',
    area: 'CLI-PERM',
    level: 'MUST',
    rule: 'A denied permission_request is answered with allow=false, and the run goes on to its answer.',
    reference: 'ADR-0010 §6; 104-events-permission-deny.txt; 092-decision-deny-with-reason.txt',
    prompt: 'permission',
    answer: 'deny',
    judge(j) {
      expectDecision(j, false);
      expectSuccess(j, 'a denied permission run');
      expectPrintedOnce(j, DENIED_TEXT, 'the answer after the denied tool call');
    },
  },
  {
    id: 'CLI-PERM-003',
    area: 'CLI-PERM',
    level: 'SHOULD',
    rule: 'A decision answered 404 (the request timed out meanwhile) does not end the client: it reads the stream to run_done.',
    reference: 'ADR-0010 §6 ("If the request times out, the daemon denies with a model-visible reason"); 108-decision-after-timeout.txt',
    ...decisionRefused(404, 'not_found', 'permission request not found'),
    judge(j) {
      expectDecisionSent(j);
      expectSuccess(j, 'the decision got 404 and the run then ended with run_done');
      expectPrintedOnce(j, 'tool result: error: permission denied: daemon permission request timed out', 'the answer after the timed-out permission');
    },
  },
  {
    id: 'CLI-PERM-004',
    area: 'CLI-PERM',
    level: 'MUST',
    rule: 'A decision answered 403 (another client owns the run) is reported with its message, without a crash or a hang.',
    reference: 'ADR-0010 §6 ("If a non-owner client attempts to answer, the daemon returns 403"); 096-decision-other-client-403.txt',
    ...decisionRefused(403, 'forbidden', 'permission decision belongs to another client'),
    judge(j) {
      expectDecisionSent(j);
      if (j.outcome.exitCode !== 0) expectFailure(j, 'the decision got 403');
      expectMentions(j, 'permission decision belongs to another client', 'the 403 envelope message');
    },
  },
  {
    id: 'CLI-PERM-005',
    area: 'CLI-PERM',
    level: 'MUST',
    rule: 'Each permission_request of a run is answered once, at its own permission id, and the run goes on after each.',
    reference: 'ADR-0010 §6; 110-events-two-permissions.txt',
    prompt: 'two-permissions',
    answer: 'allow',
    answers: 2,
    judge(j) {
      const decisions = j.requests.filter(isDecision);
      const ids = decisions.map((d) => /\/permissions\/([^/]+)\/decision$/.exec(d.path)?.[1] ?? '');
      if (decisions.length !== 2 || new Set(ids).size !== 2) fail(`expected two decisions at two permission ids, got ${summarizeRequests(decisions)}`);
      const refused = decisions.filter((d) => d.status !== 200 || bodyJson(d)?.['allow'] !== true);
      if (refused.length > 0) fail(`a decision was not an accepted allow: ${refused.map((d) => `${d.path} → ${String(d.status)} ${d.body.slice(0, 80)}`).join('; ')}`);
      expectSuccess(j, 'a run with two allowed permission requests');
      expectPrintedOnce(j, 'tool results: wrote 3 bytes to notes/b.txt | deleted notes/b.txt', 'the answer after both tool calls');
    },
  },
];
