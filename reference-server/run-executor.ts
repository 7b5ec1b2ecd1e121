/**
 * One run from start to its terminal event (Go's `executeRun`): `run_start` at once, then wait for
 * the session's previous run, then the agent's loop events, then `run_done` or `run_error`.
 * A failure is recorded in diagnostics with the same message the `run_error` carries.
 */
import type { AgentIO, RunInput } from './host.js';
import { RunFailure } from './host.js';
import type { DaemonContext } from './daemon-context.js';
import type { Run } from './run.js';
import { nextMacrotask } from './next-macrotask.js';

interface Failure {
  code: 'internal' | 'canceled';
  message: string;
}

function failureOf(error: unknown): Failure {
  if (error instanceof RunFailure) return { code: error.code, message: error.message };
  if (error instanceof DOMException && error.name === 'AbortError') return { code: 'canceled', message: 'context canceled' };
  if (error instanceof Error) return { code: 'internal', message: error.message };
  return { code: 'internal', message: String(error) };
}

export async function executeRun(ctx: DaemonContext, run: Run, input: RunInput): Promise<void> {
  const startPayload: Record<string, unknown> = { client_id: input.clientId };
  if (input.skill) startPayload.skill = input.skill;
  run.emit('run_start', startPayload);
  // The start request's 201 goes out before the agent's first burst of work (a flood's first
  // deltas, its setup), which would otherwise run in the same tick and delay the answer and the first event.
  await nextMacrotask();

  // The 'sessions-not-serialised' fault skips the session's queue, so runs of one session overlap.
  const release = ctx.faults.has('sessions-not-serialised') ? () => undefined : await ctx.sessions.acquire(run.sessionId, run);
  try {
    if (!release) throw new RunFailure('canceled', 'context canceled');
    let overBudget = false;
    const io: AgentIO = {
      emit: (event) => {
        // Past the total budget of all runs' events (run-registry.ts) the run that streams stops
        // with a run error; the loop's own failure tail (error, loop_end) still goes out.
        if (overBudget && event.type !== 'error' && event.type !== 'loop_end') throw new RunFailure('internal', ctx.runs.budgetProblem());
        run.emit(event.type, event.payload);
        if (!overBudget && event.type !== 'loop_start' && ctx.runs.overBudget()) {
          overBudget = true;
          throw new RunFailure('internal', ctx.runs.budgetProblem());
        }
      },
      askPermission: (ask) => ctx.broker.ask(run, ask),
      // Getters: the run's AbortController is made only when something waits on it or cancels (one per run saved otherwise).
      get signal() {
        return run.signal;
      },
      aborted: () => run.aborted,
      now: ctx.now,
    };
    const result = await ctx.host.agent.run(input, io);
    // A Go map: keys come out sorted.
    run.emit('run_done', { message: result.message, new_messages: result.newMessages ?? [], text: result.text });
  } catch (error) {
    const failure = failureOf(error);
    ctx.errors.record(ctx.now(), { runId: run.id, sessionId: run.sessionId, clientId: run.clientId }, failure.message);
    run.emit('run_error', { error: { code: failure.code, message: failure.message, retryable: false } });
  } finally {
    release?.();
    run.finish();
  }
}
