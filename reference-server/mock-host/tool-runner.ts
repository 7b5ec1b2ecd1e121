/**
 * Runs the catalog tools of one mock host: the built-in note behaviours over an in-memory store
 * (kept per session, so a run's result does not depend on which runs came before it in other
 * sessions) or a fixed templated result.
 */
import { utf8ByteLength } from '../portable-crypto.js';
import type { ToolCallSpec, ToolResultSpec, ToolSpec } from './definitions.js';
import { renderDeep, renderTemplate } from './template.js';
import type { TemplateContext } from './template.js';

export interface ToolOutcome {
  text: string;
  isError: boolean;
}

export interface PermissionStep {
  action: string;
  target: string;
}

export class ToolRunner {
  private readonly notes = new Map<string, Map<string, string>>();

  constructor(private readonly tools: readonly ToolSpec[]) {}

  find(name: string): ToolSpec | undefined {
    return this.tools.find((tool) => tool.name === name);
  }

  /** The permission step a call needs, `undefined` when it runs without asking. */
  permissionFor(tool: ToolSpec, call: ToolCallSpec, context: TemplateContext): PermissionStep | undefined {
    const spec = call.permission === undefined ? tool.permission : call.permission === 'none' ? undefined : call.permission;
    if (!spec) return undefined;
    return {
      action: spec.action !== undefined ? renderTemplate(spec.action, context) : tool.name,
      target: spec.target !== undefined ? renderTemplate(spec.target, context) : '',
    };
  }

  run(tool: ToolSpec, args: Record<string, unknown>, sessionId: string, override: ToolResultSpec | undefined, context: TemplateContext): ToolOutcome {
    const fixed = override ?? tool.result;
    if (fixed) return fixedOutcome(fixed, context);
    const store = this.notesOf(sessionId);
    const path = typeof args['path'] === 'string' ? args['path'] : '';
    switch (tool.behavior) {
      case 'notes.write': {
        const text = typeof args['text'] === 'string' ? args['text'] : '';
        store.set(path, text);
        return { text: `wrote ${utf8ByteLength(text)} bytes to ${path}`, isError: false };
      }
      case 'notes.read': {
        const text = store.get(path);
        return text === undefined ? { text: `note ${path} not found`, isError: true } : { text, isError: false };
      }
      case 'notes.delete':
        return store.delete(path) ? { text: `deleted ${path}`, isError: false } : { text: `note ${path} not found`, isError: true };
      default:
        return { text: 'ok', isError: false };
    }
  }

  private notesOf(sessionId: string): Map<string, string> {
    let store = this.notes.get(sessionId);
    if (!store) {
      store = new Map();
      this.notes.set(sessionId, store);
    }
    return store;
  }
}

export function fixedOutcome(spec: ToolResultSpec, context: TemplateContext): ToolOutcome {
  return { text: renderTemplate(spec.text, context), isError: spec.is_error === true };
}

/** Call arguments with their string values rendered. */
export function renderArgs(args: Record<string, unknown> | undefined, context: TemplateContext): Record<string, unknown> {
  return (renderDeep(args ?? {}, context) ?? {}) as Record<string, unknown>;
}
