/**
 * The one place workbench lines are written: the token is redacted here (raw, percent-encoded
 * and JSON-escaped forms), then control bytes are escaped, so no layer can leak it or rewrite the
 * terminal. `pretty` writes the human line, `json` one JSON object per line.
 */
import { escapeControl } from './console-text.js';

export type LogFormat = 'pretty' | 'json';

export interface LogSink {
  /** `record` becomes the JSON line (with `kind`), `pretty` the human one. */
  emit(kind: string, record: Record<string, unknown>, pretty: string): void;
}

export const REDACTED = '[redacted]';

export function createLogSink(options: { token: string; format?: LogFormat; write: (line: string) => void }): LogSink {
  const redact = tokenRedactor(options.token);
  const format = options.format ?? 'pretty';
  return {
    emit(kind, record, pretty) {
      const text = format === 'json' ? JSON.stringify({ kind, ...record }) : pretty;
      options.write(escapeControl(redact(text)));
    },
  };
}

/** Replaces every form of the token a line could carry. */
export function tokenRedactor(token: string): (text: string) => string {
  const forms = [...new Set([token, encodeURIComponent(token), JSON.stringify(token).slice(1, -1)])].filter((form) => form.length > 0).sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const form of forms) out = out.split(form).join(REDACTED);
    return out;
  };
}
