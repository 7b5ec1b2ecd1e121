/**
 * The README's harness example, as a client library's own test would run it: every case through
 * `startClientCase`, the kit's fetch-based reference client (`runPrompt`), and `verdict()`.
 * (The README imports from 'glue-conformance/client'; this file from the sources.)
 */
import { describe, expect, it } from 'vitest';
import { allClientCases, runPrompt, startClientCase, type ClientResult } from '../../client-conformance/index.js';

describe.concurrent('the reference client through the JS harness', () => {
  for (const { id } of allClientCases) {
    it(id, async () => {
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
      const verdict = await c.verdict(result);
      expect(verdict.status, verdict.message).toBe('pass');
    }, 20_000);
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
