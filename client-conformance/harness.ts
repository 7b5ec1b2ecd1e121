/**
 * The JS harness: one case at a time from a test runner (vitest, node:test…), for client
 * libraries that run in process. `startClientCase(id)` starts the case daemon and hands back what
 * the client needs; `verdict(result)` judges what the client did and closes the daemon.
 *
 *   const c = await startClientCase('CLI-SSE-001');
 *   const result = await myClient.run({ url: c.baseUrl, token: c.token, prompt: c.prompt }).then(
 *     (text) => ({ ok: true, output: text }), (error) => ({ ok: false, error }));
 *   expect((await c.verdict(result)).status).toBe('pass');
 */
import type { CheckResult } from '../conformance/types.js';
import { findClientCase } from './cases/index.js';
import { createRedactor } from '../src/output/redact.js';
import { judgeCase, prepareCase, redactResult, type ClientSession } from './session.js';
import type { ClientCase, ClientOutcome } from './types.js';

/** What the client did: resolved (`ok`) with its output, or failed with an error. */
export interface ClientResult {
  ok: boolean;
  /** Everything the client showed the user as its answer (stdout for a CLI). */
  output?: string;
  /** Why it failed; its message is what the cases look for ("a clear message"). */
  error?: unknown;
  /** Other messages it showed the user (notices, warnings). */
  messages?: readonly string[];
}

/** What the client under test is given: the command driver's session fields, shared. */
export interface ClientCaseHandle
  extends Pick<ClientSession, 'token' | 'prompt' | 'sessionId' | 'clientId' | 'metadataPath' | 'answer' | 'interrupt'> {
  readonly case: Readonly<Pick<ClientCase, 'id' | 'area' | 'level' | 'rule' | 'reference'>>;
  /** Empty in CLI-META cases: the client must read `metadataPath`. */
  readonly baseUrl: string;
  /** Aborts at the case deadline: stop everything. */
  readonly deadline: AbortSignal;
  /** Judges the client's result against the requests the daemon recorded; closes the daemon. */
  verdict(result: ClientResult): Promise<CheckResult>;
  /** Closes the case daemon without a verdict. */
  close(): Promise<void>;
}

export interface StartClientCaseOptions {
  /** Time the client gets (default 10 s; the stall cases keep their 12 s). */
  timeoutMs?: number;
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : error === undefined ? '' : String(error));

export async function startClientCase(id: string, options: StartClientCaseOptions = {}): Promise<ClientCaseHandle> {
  const clientCase = findClientCase(id);
  if (!clientCase) throw new Error(`startClientCase: no client case ${JSON.stringify(id)}`);
  const startedAt = Date.now();
  const prepared = await prepareCase(clientCase, options.timeoutMs);
  const { session } = prepared;
  let judged = false;
  return {
    case: { id: clientCase.id, area: clientCase.area, level: clientCase.level, rule: clientCase.rule, reference: clientCase.reference },
    baseUrl: session.metadataOnly ? '' : session.baseUrl,
    token: session.metadataOnly ? '' : session.token,
    prompt: session.prompt,
    sessionId: session.sessionId,
    clientId: session.clientId,
    metadataPath: session.metadataPath,
    answer: session.answer,
    interrupt: session.interrupt,
    deadline: session.kill,
    async verdict(result) {
      if (judged) throw new Error(`verdict() already given for ${clientCase.id}`);
      judged = true;
      const timedOut = session.kill.aborted;
      prepared.stop();
      const outcome: ClientOutcome = {
        exitCode: timedOut ? null : result.ok ? 0 : 1,
        signal: null,
        timedOut,
        flooded: false,
        stdout: result.output ?? '',
        stderr: [...(result.messages ?? []), messageOf(result.error)].join('\n'),
        durationMs: Date.now() - startedAt,
        interrupted: session.interrupt.aborted,
      };
      try {
        // The verdict goes to the caller's test runner, which writes it out: mask the case token.
        return redactResult(judgeCase(clientCase, prepared, outcome, startedAt), createRedactor([session.token]));
      } finally {
        await prepared.close();
      }
    },
    close: () => prepared.close(),
  };
}
