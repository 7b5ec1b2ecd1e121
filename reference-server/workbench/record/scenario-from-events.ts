/**
 * One recorded run (its start request and its event stream) as a scenario document that the
 * mock host replays with the same event sequence: per turn its text deltas, tool calls (with the
 * daemon's permission step and the tool's result), provider failures and mid-turn errors.
 */
export interface RecordedEvent {
  type: string;
  payload: Record<string, unknown>;
}

export interface RecordedRun {
  /** Scenario name (file name without `.yaml`). */
  name: string;
  text?: string;
  skill?: string;
  events: readonly RecordedEvent[];
  /** Decisions the client sent, by permission id (`true` allow). */
  decisions: ReadonlyMap<string, boolean>;
}

interface ToolCallDoc {
  tool: string;
  id: string;
  args: Record<string, unknown>;
  permission?: { action: string; target: string };
  result?: { text: string; is_error?: true };
}

interface TurnDoc {
  deltas?: string[];
  tool_calls?: ToolCallDoc[];
  usage?: Record<string, number>;
  fail?: string;
  error?: string;
}

const PROVIDER_PREFIX = 'loop: provider stream: ';

export function scenarioFromRun(run: RecordedRun): Record<string, unknown> {
  const turns: TurnDoc[] = [];
  let turn: TurnDoc | undefined;
  let started = false;
  let call: ToolCallDoc | undefined;
  let asked: string | undefined;
  for (const { type, payload } of run.events) {
    switch (type) {
      case 'turn_start':
        turn = {};
        started = false;
        turns.push(turn);
        break;
      case 'message_start':
        started = true;
        break;
      case 'text_delta':
        if (turn) (turn.deltas ??= []).push(String(payload['delta'] ?? ''));
        break;
      case 'message_end': {
        const usage = (payload['message'] as { usage?: Record<string, number> } | undefined)?.usage;
        if (turn && usage && Object.keys(usage).length > 0) turn.usage = usage;
        break;
      }
      case 'tool_start': {
        const toolCall = payload['tool_call'] as { id?: string; name?: string; arguments?: Record<string, unknown> } | undefined;
        call = { tool: String(toolCall?.name ?? payload['tool_name'] ?? ''), id: String(toolCall?.id ?? payload['tool_call_id'] ?? ''), args: toolCall?.arguments ?? {} };
        asked = undefined;
        if (turn) (turn.tool_calls ??= []).push(call);
        break;
      }
      case 'permission_request': {
        const request = payload['request'] as { action?: string; target?: string } | undefined;
        if (call) call.permission = { action: String(request?.action ?? call.tool), target: String(request?.target ?? '') };
        asked = String(payload['permission_id'] ?? '');
        break;
      }
      case 'tool_end': {
        const message = payload['message'] as { content?: { type?: string; text?: string }[]; is_error?: boolean } | undefined;
        const text = (message?.content ?? []).filter((part) => part.type === 'text').map((part) => part.text ?? '').join('');
        // A denied call's result is the daemon's reason, which the replaying daemon produces itself.
        const denied = asked !== undefined && run.decisions.get(asked) !== true;
        if (call && !denied) call.result = { text, ...(message?.is_error ? { is_error: true as const } : {}) };
        call = undefined;
        break;
      }
      case 'error': {
        const message = String(payload['error'] ?? '');
        if (turn && !started) turn.fail = message.startsWith(PROVIDER_PREFIX) ? message.slice(PROVIDER_PREFIX.length) : message;
        else if (turn) turn.error = message;
        break;
      }
    }
  }
  const match = run.skill !== undefined ? { skill: run.skill } : { text: run.text ?? '' };
  const cleaned = turns.map((t) => (t.fail !== undefined ? { fail: t.fail } : t.deltas || t.tool_calls || t.error !== undefined ? t : { deltas: [] as string[] }));
  return {
    name: run.name,
    description: `Recorded from a daemon by glue-mock-daemon --record (${run.events.length} events).`,
    // Above the defaults, so a recorded "hello" replays the recording.
    priority: 1,
    match,
    turns: cleaned.length > 0 ? cleaned : [{ deltas: [] }],
  };
}
