/**
 * The scenario engine: an `Agent` whose scripted provider follows the matched scenario, wrapped
 * in a copy of the Go agent loop (glue v1.11.0). It emits the loop events in the order and with
 * the payload keys the captures show, and ends each run the way the Go loop does: `loop_end` then
 * a result, or `error` + `loop_end` then a failure.
 */
import { RunFailure } from '../host.js';
import type { Agent, AgentIO, LoopEvent, RunInput, RunResult } from '../host.js';
import type { Message, ToolCall } from '../../src/protocol/types.js';
import type { Catalog, Scenario, ToolCallSpec, TurnSpec } from './definitions.js';
import { nextMacrotask } from '../next-macrotask.js';
import { sealGoJson } from '../go-json.js';
import { canceled } from './delay.js';
import type { MockHostClock } from './delay.js';
import { matchScenario, orderScenarios } from './match-scenario.js';
import {
  finishedMessage,
  formatTime,
  messageText,
  partialMessage,
  startedMessage,
  toolMessage,
  toolResultOf,
  withStopReason,
} from './messages.js';
import type { AssistantDraft } from './messages.js';
import type { SessionStore } from './session-store.js';
import { userMessage } from './session-store.js';
import { renderTemplate } from './template.js';
import { deltaCountProblem, streamedTextProblem } from './turn-limits.js';
import type { TemplateContext } from './template.js';
import { ToolRunner, fixedOutcome, renderArgs } from './tool-runner.js';
import type { ToolOutcome } from './tool-runner.js';

export interface ScriptedAgentOptions {
  catalog: Catalog;
  scenarios: readonly Scenario[];
  clock: MockHostClock;
  /** Multiplies every scripted delay (0 = no waiting). */
  delayScale: number;
  /** Where each run's transcript goes, when session lookup is on. */
  sessions?: SessionStore;
}

export function createScriptedAgent(options: ScriptedAgentOptions): Agent {
  const ordered = orderScenarios(options.scenarios);
  const tools = new ToolRunner(options.catalog.tools);
  return {
    run: (input, io) => runPrompt(input, io, options, ordered, tools),
  };
}

async function runPrompt(
  input: RunInput,
  io: AgentIO,
  options: ScriptedAgentOptions,
  ordered: readonly Scenario[],
  tools: ToolRunner,
): Promise<RunResult> {
  const { catalog } = options;
  // Like glue.Session.Prompt: role and skill are resolved before the loop starts, so an unknown
  // one fails the run with no loop events at all.
  let roleModel: string | undefined;
  if (input.role) {
    const role = catalog.roles.find((entry) => entry.name === input.role);
    if (!role) throw new RunFailure('internal', `glue: role "${input.role}" not found`);
    roleModel = role.model || undefined;
  }
  let text = input.text ?? '';
  if (input.skill !== undefined) {
    const skill = catalog.skills.find((entry) => entry.name === input.skill);
    if (!skill) throw new RunFailure('internal', `glue: skill "${input.skill}" not found`);
    text = `${skill.instructions}\n\nArguments:\n${goIndentedJson(input.arguments ?? null)}`;
  }
  const model = input.model || roleModel || catalog.agent.model;
  const maxTurns = input.maxTurns !== undefined && input.maxTurns > 0 ? input.maxTurns : catalog.agent.maxTurns;
  const found = matchScenario(ordered, { text, ...(input.skill !== undefined ? { skill: input.skill } : {}) });
  const loop = new LoopRun(io, options, tools, {
    text,
    match: found?.groups ?? {},
    skill: input.skill ?? '',
    session_id: input.sessionId,
    client_id: input.clientId,
    model,
  });
  const { sessions } = options;
  if (!sessions) return loop.execute(found?.scenario, input.sessionId, model, maxTurns, text);
  // As glue.Session.Prompt: the user message and whatever the loop completed are stored, failed runs too.
  const startedAt = io.now();
  const user = userMessage(text, startedAt);
  try {
    return await loop.execute(found?.scenario, input.sessionId, model, maxTurns, text);
  } finally {
    sessions.append(input.sessionId, [user, ...loop.completed], startedAt, io.now());
  }
}

/** Go's `json.MarshalIndent(v, "", "  ")`: two-space indent and HTML-safe escapes. */
function goIndentedJson(value: unknown): string {
  const text = JSON.stringify(value, null, 2) ?? 'null';
  return text.replace(/[<>&\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** What every template of a run sees besides the tool results. */
interface LoopBase {
  text: string;
  match: Readonly<Record<string, string>>;
  skill: string;
  session_id: string;
  client_id: string;
  model: string;
}

/** A flood gives way to I/O this often, so frames reach the socket while it is still being produced. */
const YIELD_EVERY = 32;

/** A failure the loop reports as `error` + `run_error` internal: provider errors, max_turns, on_deny.fail. */
class LoopError extends Error {}

class LoopRun {
  /** Every assistant and tool message completed so far (loop_end's `messages`). */
  private readonly messages: Message[] = [];
  private readonly results: string[] = [];
  private callCount = 0;

  /** The assistant and tool messages completed so far (a run's `new_messages`). */
  get completed(): readonly Message[] {
    return this.messages;
  }

  constructor(
    private readonly io: AgentIO,
    private readonly options: ScriptedAgentOptions,
    private readonly tools: ToolRunner,
    private readonly base: LoopBase,
  ) {}

  async execute(scenario: Scenario | undefined, sessionId: string, model: string, maxTurns: number, text: string): Promise<RunResult> {
    this.emit('loop_start', {});
    try {
      for (let turnIndex = 0; ; turnIndex++) {
        this.emit('turn_start', {});
        if (this.aborted()) throw canceled();
        if (!scenario) throw new LoopError(`loop: provider stream: mock host: no scenario matches ${JSON.stringify(text)}`);
        // Past the script's end the provider has nothing more to say: an empty stop turn.
        const turn: TurnSpec = scenario.turns[turnIndex] ?? {};
        const final = await this.assistantTurn(turn, model);
        const calls = toolCallsOf(final);
        if (calls.length > 0) {
          const specs = turn.tool_calls ?? [];
          for (const [index, call] of calls.entries()) {
            const spec = specs[index];
            if (spec) await this.toolCall(call, spec, sessionId);
          }
        }
        this.emit('turn_end', { message: final });
        if (calls.length === 0) {
          this.emit('loop_end', { messages: [...this.messages] });
          return { message: final, newMessages: [...this.messages], text: messageText(final) };
        }
        if (turnIndex + 1 >= maxTurns) {
          // The loop marks the last assistant message after the fact: message_end and turn_end
          // said tool_use, loop_end says max_turns (capture 080).
          const at = this.messages.lastIndexOf(final);
          if (at >= 0) this.messages[at] = withStopReason(final, 'max_turns');
          throw new LoopError(`loop: maximum turns exceeded (${maxTurns})`);
        }
      }
    } catch (error) {
      // Whatever interrupted a canceled run (a rejected permission wait, an aborted sleep), the
      // loop reports the context error.
      const failure = this.aborted() && !(error instanceof LoopError) ? canceled() : toFailure(error);
      this.emit('error', { error: failure.message });
      this.emit('loop_end', this.messages.length > 0 ? { messages: [...this.messages] } : {});
      throw failure;
    }
  }

  private async assistantTurn(turn: TurnSpec, model: string): Promise<Message> {
    const context = this.context();
    await this.sleep(turn.start_delay_ms);
    if (turn.fail !== undefined) throw new LoopError(`loop: provider stream: ${renderTemplate(turn.fail, context)}`);
    // Bounded before anything streams: a turn too large for memory is a provider failure.
    const deltas = deltasOf(turn, context);
    const tooLarge = streamedTextProblem(deltas);
    if (tooLarge) throw new LoopError(`loop: provider stream: ${tooLarge}`);
    const draft: AssistantDraft = { model, createdAt: formatTime(this.io.now()), text: '', toolCalls: [] };
    this.emit('message_start', { message: startedMessage(draft) });
    for (const [index, delta] of deltas.entries()) {
      if (index > 0) await this.sleep(turn.delay_ms);
      // A flood without delays still lets the event loop run now and then, so a DELETE or a
      // reader disconnect can cancel it mid-stream.
      if (index > 0 && index % YIELD_EVERY === 0 && !turn.delay_ms) await nextMacrotask();
      if (this.aborted()) throw canceled();
      draft.text += delta;
      this.emit('text_delta', { message: partialMessage(draft), delta });
    }
    if (turn.error !== undefined) throw new LoopError(renderTemplate(turn.error, context));
    draft.toolCalls = (turn.tool_calls ?? []).map((spec) => {
      this.callCount += 1;
      return { id: spec.id ?? `call_${this.callCount}`, name: spec.tool, arguments: renderArgs(spec.args, context) } as ToolCall;
    });
    if (turn.usage) draft.usage = { ...turn.usage };
    // Sealed (frozen, its JSON kept): the same object goes out in message_end, turn_end, loop_end and run_done.
    const final = sealGoJson(finishedMessage(draft, draft.toolCalls.length > 0 ? 'tool_use' : 'stop'));
    this.emit('message_end', { message: final });
    this.messages.push(final);
    return final;
  }

  private async toolCall(call: ToolCall, spec: ToolCallSpec, sessionId: string): Promise<void> {
    const { id, name, arguments: args } = call as { id: string; name: string; arguments: Record<string, unknown> };
    this.emit('tool_start', { tool_call: call, tool_call_id: id, tool_name: name });
    const context: TemplateContext = { ...this.context(), args };
    const tool = this.tools.find(name);
    let outcome: ToolOutcome;
    if (!tool) {
      outcome = { text: `tool ${name} not found`, isError: true };
    } else {
      const step = this.tools.permissionFor(tool, spec, context);
      const answer = step ? await this.io.askPermission({ tool: name, action: step.action, target: step.target, args }) : { allow: true, reason: '' };
      if (answer.allow) outcome = this.tools.run(tool, args, sessionId, spec.result, context);
      else if (spec.on_deny?.fail !== undefined) throw new LoopError(renderTemplate(spec.on_deny.fail, { ...context, reason: answer.reason }));
      else if (spec.on_deny?.result) outcome = fixedOutcome({ is_error: true, ...spec.on_deny.result }, { ...context, reason: answer.reason });
      else outcome = { text: answer.reason, isError: true };
    }
    const message = sealGoJson(toolMessage(call, outcome.text, outcome.isError, formatTime(this.io.now())));
    this.emit('tool_end', {
      message,
      tool_call: call,
      tool_call_id: id,
      tool_name: name,
      tool_result: toolResultOf(outcome.text, outcome.isError),
    });
    this.messages.push(message);
    this.results.push(outcome.isError ? `error: ${outcome.text}` : outcome.text);
  }

  private context(): TemplateContext {
    // A literal, not a spread of `base`: one per turn, and the spread cost more than the turn's other setup (bench/profile).
    const { base, results } = this;
    return {
      text: base.text,
      match: base.match,
      skill: base.skill,
      session_id: base.session_id,
      client_id: base.client_id,
      model: base.model,
      tool_result: results.at(-1) ?? '',
      tool_results: results.length === 0 ? '' : results.join(' | '),
    };
  }

  private async sleep(ms: number | undefined): Promise<void> {
    const scaled = (ms ?? 0) * this.options.delayScale;
    if (scaled > 0) await this.options.clock.sleep(scaled, this.io.signal);
    else if (this.aborted()) throw canceled();
  }

  /** Whether the run was canceled, without making its signal where the daemon offers that. */
  private aborted(): boolean {
    return this.io.aborted ? this.io.aborted() : this.io.signal.aborted;
  }

  private emit(type: LoopEvent['type'], rest: Record<string, unknown>): void {
    // Loop-event payloads repeat their type first, as the Go loop's event struct does.
    this.io.emit({ type, payload: { type, ...rest } });
  }
}

function toolCallsOf(message: Message): ToolCall[] {
  const content = (message as { content?: { type?: string; tool_call?: ToolCall }[] }).content ?? [];
  return content.flatMap((part) => (part.type === 'tool_call' && part.tool_call ? [part.tool_call] : []));
}

/** The deltas a turn streams: explicit, repeated from a template, or its text (whole or in chunks). */
function deltasOf(turn: TurnSpec, context: TemplateContext): string[] {
  if (turn.deltas) return turn.deltas.map((delta) => renderTemplate(delta, context));
  if (turn.repeat) {
    const raw = typeof turn.repeat.count === 'number' ? String(turn.repeat.count) : renderTemplate(turn.repeat.count, context).trim();
    if (!/^\d+$/.test(raw)) throw new LoopError(`mock host: repeat count ${JSON.stringify(raw)} is not a non-negative integer`);
    const count = Number(raw);
    const tooMany = deltaCountProblem(count);
    if (tooMany) throw new LoopError(`loop: provider stream: ${tooMany}`);
    const template = turn.repeat.delta;
    // Rendering once per delta is the slow part of a large flood; skip it when nothing varies.
    if (!template.includes('{{')) return new Array<string>(count).fill(template);
    const out: string[] = new Array<string>(count);
    for (let i = 0; i < count; i++) out[i] = renderTemplate(template, { ...context, i: i + 1 });
    return out;
  }
  if (turn.text === undefined) return [];
  const text = renderTemplate(turn.text, context);
  if (text === '') return [];
  if (!turn.chunk_size) return [text];
  const chars = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += turn.chunk_size) out.push(chars.slice(i, i + turn.chunk_size).join(''));
  return out;
}

function toFailure(error: unknown): RunFailure {
  if (error instanceof RunFailure) return error;
  if (error instanceof Error) return new RunFailure('internal', error.message);
  return new RunFailure('internal', String(error));
}
