/**
 * Output safety (`src/output/`): the one place where text leaves the process. Redaction of
 * secrets, visible escapes for control characters, colours that a peer cannot forge, and sinks
 * that apply all of it to every console line and report.
 */
export { createRedactor, LONG_SECRET_CHARS, MASK, type Redactor } from './redact.js';
export { CONTROL_CHARS, escapeControl, escapeControls } from './escape.js';
export { applyStyles, styled, type Style } from './style.js';
export { createFileSink, createStreamSink, MAX_SINK_BYTES, renderLine, type OutputSink, type SinkOptions } from './sink.js';
