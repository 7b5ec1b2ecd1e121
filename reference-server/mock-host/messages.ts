/**
 * Message objects as the Go loop serialises them. Keys are inserted in Go's struct order
 * (role, content, tool_call_id, tool_name, is_error, model, stop_reason, usage, created_at) and
 * empty optional fields are left out, so the daemon's JSON encoder reproduces the captured bytes.
 */
import type { ContentPart, Message, StopReason, ToolCall, ToolResult, Usage } from '../../src/protocol/types.js';

/** Go's `time.Time` JSON form (nanoseconds when the clock has them), the daemon's one formatter. */
export { formatGoTime as formatTime } from '../go-time.js';

export interface AssistantDraft {
  model: string;
  createdAt: string;
  text: string;
  toolCalls: ToolCall[];
  usage?: Usage;
}

/** The `message_start` message: no content yet. */
export function startedMessage(draft: AssistantDraft): Message {
  return { role: 'assistant', model: draft.model, created_at: draft.createdAt };
}

/** The partial message a `text_delta` carries: the text so far, no stop reason. */
export function partialMessage(draft: AssistantDraft): Message {
  return {
    role: 'assistant',
    content: [textPart(draft.text)],
    model: draft.model,
    created_at: draft.createdAt,
  };
}

export function finishedMessage(draft: AssistantDraft, stopReason: StopReason): Message {
  const content: ContentPart[] = [];
  if (draft.text !== '') content.push(textPart(draft.text));
  for (const call of draft.toolCalls) content.push({ type: 'tool_call', tool_call: call });
  return {
    role: 'assistant',
    ...(content.length > 0 ? { content } : {}),
    model: draft.model,
    stop_reason: stopReason,
    ...(draft.usage ? { usage: draft.usage } : {}),
    created_at: draft.createdAt,
  };
}

/** The same message with another stop reason (the loop rewrites it when max_turns runs out). */
export function withStopReason(message: Message, stopReason: StopReason): Message {
  // Spreading keeps the key's position, so the JSON key order stays Go's.
  return { ...message, stop_reason: stopReason };
}

export function toolResultOf(text: string, isError: boolean): ToolResult {
  return { content: [textPart(text)], ...(isError ? { is_error: true } : {}) };
}

export function toolMessage(call: ToolCall, text: string, isError: boolean, createdAt: string): Message {
  return {
    role: 'tool',
    content: [textPart(text)],
    tool_call_id: call.id,
    tool_name: call.name,
    ...(isError ? { is_error: true } : {}),
    created_at: createdAt,
  };
}

export function textPart(text: string): ContentPart {
  return { type: 'text', text };
}

/** The text of a message: its text parts joined (what `run_done.text` carries). */
export function messageText(message: Message): string {
  const content = (message as { content?: { type?: string; text?: string }[] }).content;
  if (!content) return '';
  // A loop: no intermediate arrays (run_done of every run asks).
  let text = '';
  for (const part of content) if (part.type === 'text') text += part.text ?? '';
  return text;
}
