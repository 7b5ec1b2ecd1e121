/**
 * A tiny scripted MockHost for the daemon-core tests, independent of the YAML mock host:
 * `hello` streams "Hello", ", world"; `permission` asks for write_note once; `slow` emits deltas
 * until canceled (each step waits on a test-controlled gate, never on wall time); `fail` throws;
 * anything else is echoed. Loop events follow the captured shapes closely enough for validateEvent.
 */
import type { Agent, AgentIO, MockHost, RunInput, RunResult } from '../../reference-server/host.js';
import { RunFailure } from '../../reference-server/host.js';
import type { Message } from '../../src/protocol/types.js';
import { formatGoTime } from '../../reference-server/go-time.js';

type Msg = Record<string, unknown>;

function assistant(io: AgentIO, text: string, stop?: string): Msg {
  const message: Msg = { role: 'assistant' };
  if (text) message.content = [{ type: 'text', text }];
  message.model = 'fake-model';
  if (stop) message.stop_reason = stop;
  message.created_at = formatGoTime(io.now());
  return message;
}

export interface TinyHostControls {
  /** Resolves the next step of every `slow` run. */
  step(): void;
  /** How many `slow` steps are waiting. */
  waiting(): number;
}

export function createTinyHost(options: { minimal?: boolean } = {}): MockHost & { controls: TinyHostControls } {
  const gates: Array<() => void> = [];
  const controls: TinyHostControls = {
    step: () => gates.splice(0).forEach((open) => open()),
    waiting: () => gates.length,
  };

  function gate(signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(new RunFailure('canceled', 'context canceled'));
      const open = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        gates.splice(gates.indexOf(open), 1);
        reject(new RunFailure('canceled', 'context canceled'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      gates.push(open);
    });
  }

  async function textTurn(io: AgentIO, deltas: string[], slow: boolean): Promise<Msg> {
    const createdAt = formatGoTime(io.now());
    io.emit({ type: 'message_start', payload: { type: 'message_start', message: { role: 'assistant', model: 'fake-model', created_at: createdAt } } });
    let text = '';
    for (const delta of deltas) {
      if (slow) await gate(io.signal);
      text += delta;
      const message = { role: 'assistant', content: [{ type: 'text', text }], model: 'fake-model', created_at: createdAt };
      io.emit({ type: 'text_delta', payload: { type: 'text_delta', message, delta } });
    }
    const final = { role: 'assistant', content: [{ type: 'text', text }], model: 'fake-model', stop_reason: 'stop', created_at: createdAt };
    io.emit({ type: 'message_end', payload: { type: 'message_end', message: final } });
    return final;
  }

  const agent: Agent = {
    async run(input: RunInput, io: AgentIO): Promise<RunResult> {
      const prompt = input.text ?? `skill ${input.skill ?? ''}`;
      io.emit({ type: 'loop_start', payload: { type: 'loop_start' } });
      io.emit({ type: 'turn_start', payload: { type: 'turn_start' } });
      const messages: Msg[] = [];
      try {
        if (prompt === 'fail') throw new Error('loop: provider stream: fake provider: scripted failure');
        if (prompt === 'permission') {
          const call = { id: 'call_write_1', name: 'write_note', arguments: { path: 'notes/a.txt', text: 'hi' } };
          const toolTurn = { role: 'assistant', content: [{ type: 'tool_call', tool_call: call }], model: 'fake-model', stop_reason: 'tool_use', created_at: formatGoTime(io.now()) };
          io.emit({ type: 'message_start', payload: { type: 'message_start', message: { role: 'assistant', model: 'fake-model', created_at: toolTurn.created_at } } });
          io.emit({ type: 'message_end', payload: { type: 'message_end', message: toolTurn } });
          messages.push(toolTurn);
          io.emit({ type: 'tool_start', payload: { type: 'tool_start', tool_call: call, tool_call_id: call.id, tool_name: call.name } });
          const answer = await io.askPermission({ tool: 'write_note', action: 'write', target: 'notes/a.txt', args: call.arguments });
          const resultText = answer.allow ? 'wrote notes/a.txt' : answer.reason;
          const toolMessage: Msg = { role: 'tool', content: [{ type: 'text', text: resultText }], tool_call_id: call.id, tool_name: call.name };
          if (!answer.allow) toolMessage.is_error = true;
          toolMessage.created_at = formatGoTime(io.now());
          const toolResult: Msg = { content: [{ type: 'text', text: resultText }] };
          if (!answer.allow) toolResult.is_error = true;
          io.emit({ type: 'tool_end', payload: { type: 'tool_end', message: toolMessage, tool_call: call, tool_call_id: call.id, tool_name: call.name, tool_result: toolResult } });
          messages.push(toolMessage);
          io.emit({ type: 'turn_end', payload: { type: 'turn_end', message: toolTurn } });
          // Like the Go loop: a canceled context stops the run before the next turn.
          if (io.signal.aborted) throw new RunFailure('canceled', 'context canceled');
          io.emit({ type: 'turn_start', payload: { type: 'turn_start' } });
          const final = await textTurn(io, [`tool result: ${answer.allow ? '' : 'error: '}${resultText}`], false);
          messages.push(final);
          io.emit({ type: 'turn_end', payload: { type: 'turn_end', message: final } });
        } else {
          const deltas = prompt === 'hello' ? ['Hello', ', world'] : prompt === 'slow' ? ['chunk-00 ', 'chunk-01 ', 'chunk-02 '] : [prompt];
          const final = await textTurn(io, deltas, prompt === 'slow');
          messages.push(final);
          io.emit({ type: 'turn_end', payload: { type: 'turn_end', message: final } });
        }
      } catch (error) {
        const text = error instanceof Error ? error.message : String(error);
        io.emit({ type: 'error', payload: { type: 'error', error: text } });
        io.emit({ type: 'loop_end', payload: messages.length ? { type: 'loop_end', messages } : { type: 'loop_end' } });
        throw error;
      }
      io.emit({ type: 'loop_end', payload: { type: 'loop_end', messages } });
      const last = messages[messages.length - 1] ?? assistant(io, '');
      const content = (last.content as Array<{ text?: string }> | undefined) ?? [];
      return { message: last as Message, newMessages: messages as Message[], text: content.map((c) => c.text ?? '').join('') };
    },
  };

  if (options.minimal) return { agent, controls };
  return {
    agent,
    controls,
    toolCatalog: () => [
      { name: 'write_note', description: 'Write a note', requires_permission: true, permission_action: 'write' },
    ],
    skillCatalog: async () => [{ name: 'triage', description: 'Triage one issue' }],
  };
}
