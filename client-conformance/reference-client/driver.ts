/**
 * The reference client as an in-process driver: what the CLI does, without a process per case,
 * so the kit's own tests and `npm run mutants` run every case against every fault quickly.
 */
import type { ClientDriver } from '../session.js';
import type { ClientOutcome } from '../types.js';
import type { ClientFaults } from './faults.js';
import { runPrompt } from './glue-client.js';

export interface ReferenceDriverOptions {
  faults?: ClientFaults;
  /** Default 3 s, well inside the stall cases' deadline. */
  idleTimeoutMs?: number;
}

const MAX_OUTPUT_CHARS = 8 * 1024 * 1024;

export function referenceDriver(options: ReferenceDriverOptions = {}): ClientDriver {
  return async (session) => {
    const started = Date.now();
    let stdout = '';
    let stderr = '';
    const run = runPrompt({
      baseUrl: session.metadataOnly ? undefined : session.baseUrl,
      token: session.metadataOnly ? undefined : session.token,
      metadataPath: session.metadataPath,
      prompt: session.prompt,
      sessionId: session.sessionId,
      clientId: session.clientId,
      onText: (delta) => {
        if (stdout.length < MAX_OUTPUT_CHARS) stdout += delta;
      },
      onNotice: (message) => {
        stderr += `${message}\n`;
      },
      onPermission: () => session.answer === 'allow',
      idleTimeoutMs: options.idleTimeoutMs ?? 3000,
      signal: session.interrupt,
      killSignal: session.kill,
      ...(options.faults ? { faults: options.faults } : {}),
    });
    const base = (): Omit<ClientOutcome, 'exitCode' | 'timedOut'> => ({ signal: null, flooded: false, stdout, stderr, durationMs: Date.now() - started, interrupted: session.interrupt.aborted });
    const killed = new Promise<'killed'>((resolve) => {
      if (session.kill.aborted) resolve('killed');
      session.kill.addEventListener('abort', () => resolve('killed'), { once: true });
    });
    const settled = run.then(
      () => 0,
      (error: unknown) => {
        stderr += `${error instanceof Error ? error.message : String(error)}\n`;
        return 1;
      },
    );
    const first = await Promise.race([settled, killed]);
    if (first === 'killed') {
      void settled;
      return { ...base(), exitCode: null, timedOut: true };
    }
    stdout += '\n';
    return { ...base(), exitCode: first, timedOut: false };
  };
}
