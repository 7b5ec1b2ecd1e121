/**
 * The README's harness example, as a client library's own test would run it: every case through
 * `startClientCase`, the kit's fetch-based reference client (`runPrompt`), and `verdict()`.
 * (The README imports from 'glue-conformance/client'; this file from the sources.)
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../conformance/types.js';
import { allClientCases, runPrompt, startClientCase, type ClientResult } from '../../client-conformance/index.js';

/** One case as a client library's test would run it, start to verdict. */
async function runCase(id: string): Promise<CheckResult> {
  const c = await startClientCase(id);
  let output = '';
  const messages: string[] = [];
  const result: ClientResult = await runPrompt({
    baseUrl: c.baseUrl,
    token: c.token,
    metadataPath: c.metadataPath,
    prompt: c.prompt,
    sessionId: c.sessionId,
    clientId: c.clientId,
    onText: (delta) => void (output += delta),
    onNotice: (message) => void messages.push(message),
    onPermission: () => c.answer === 'allow',
    idleTimeoutMs: 3000,
    signal: c.interrupt,
    killSignal: c.deadline,
  }).then(
    () => ({ ok: true, output, messages }),
    (error: unknown) => ({ ok: false, output, messages, error }),
  );
  return c.verdict(result);
}

// The cases mostly wait (paced bytes, interrupts, idle timeouts), so they run 12 at a time from
// the start of the file (vitest's own limit for concurrent tests is 5); each test awaits its own.
const CASES_AT_ONCE = 12;
const verdicts = new Map<string, Promise<CheckResult>>();
beforeAll(() => {
  let free = CASES_AT_ONCE;
  const waiting: Array<() => void> = [];
  const slot = async (): Promise<void> => {
    if (free > 0) free -= 1;
    else await new Promise<void>((resolve) => waiting.push(resolve));
  };
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else free += 1;
  };
  for (const { id } of allClientCases) {
    const verdict = slot().then(() => runCase(id)).finally(release);
    verdict.catch(() => undefined); // reported by the case's own test
    verdicts.set(id, verdict);
  }
});

describe('the reference client through the JS harness', () => {
  for (const { id } of allClientCases) {
    it(id, async () => {
      const verdict = await verdicts.get(id);
      expect(verdict?.status, verdict?.message).toBe('pass');
    }, 40_000);
  }

  it('judges a broken client as failing, with the reason', async () => {
    const c = await startClientCase('CLI-END-002');
    const verdict = await c.verdict({ ok: true, output: `answer ${c.token}` });
    expect(verdict.status).toBe('fail');
    expect(verdict.message).toContain('expected a failing exit');
    // The verdict goes to the caller's test runner: the case token is masked by the shared redactor.
    expect(verdict.message).toContain('stdout "answer ***"');
    expect(JSON.stringify(verdict)).not.toContain(c.token);
  });

  it('refuses an unknown case id', async () => {
    await expect(startClientCase('CLI-NOPE-001')).rejects.toThrow('no client case');
  });
});
