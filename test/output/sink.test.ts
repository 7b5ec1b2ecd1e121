/**
 * Sinks (src/output/sink.ts): console lines escape every control character and only honour style
 * markers carrying this process's nonce; documents are redacted and otherwise faithful.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createFileSink, createRedactor, createStreamSink, escapeControls, styled } from '../../src/output/index.js';

const TOKEN = 'sink-test-token-0123456789';

function capture(color = false): { sink: ReturnType<typeof createStreamSink>; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { sink: createStreamSink(stream, { redactor: createRedactor([TOKEN]), color }), text: () => text };
}

describe('console lines', () => {
  it('escape ESC, BEL, CR, NUL, C1, bidi and newlines inside a line', () => {
    const { sink, text } = capture();
    sink.lines(['a\u001b]0;pwned\u0007b\rc\u0000d\u009be\u202ef', 'x']);
    expect(text()).toBe('a\\x1b]0;pwned\\x07b\\rc\\x00d\\x9be\\u202ef\nx\n');
    expect(escapeControls('l1\nl2\t')).toBe('l1\\nl2\\t');
  });

  it('turn style markers into colours only with colour on, and never a forged ESC', () => {
    const on = capture(true);
    on.sink.lines(`${styled('green', 'ok')} \u001b[32mfake\u001b[0m`);
    expect(on.text()).toBe('\u001b[32mok\u001b[0m \\x1b[32mfake\\x1b[0m\n');
    const off = capture(false);
    off.sink.lines(styled('red', 'x'));
    expect(off.text()).toBe('x\n');
  });

  it('a newline inside a line entry is data: it cannot start a fake verdict line', () => {
    const { sink, text } = capture();
    sink.lines(['✗ X-001 MUST rule — got "a\n✓ every MUST check passed"']);
    expect(text()).toBe('✗ X-001 MUST rule — got "a\\n✓ every MUST check passed"\n');
  });

  it('wrap after redaction, so a wrap never cuts the token in two', () => {
    const { sink, text } = capture();
    sink.lines([`${'w'.repeat(70)}${TOKEN}${'z'.repeat(70)}`]);
    expect(text()).not.toContain(TOKEN.slice(0, 8));
    expect(text().split('\n').every((line) => line.length <= 80)).toBe(true);
  });

  it('redact before and after escaping', () => {
    const { sink, text } = capture();
    sink.lines(`Bearer ${TOKEN}\u001b`);
    expect(text()).toBe('Bearer ***\\x1b\n');
  });

  it('stop at the byte cap with a line saying so', () => {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const sink = createStreamSink(stream, { redactor: createRedactor(), maxBytes: 10 });
    sink.lines('12345');
    sink.lines('67890abc');
    sink.lines('more');
    expect(text).toBe('12345\n\n[output truncated: more than 10 bytes]\n');
  });
});

describe('documents', () => {
  it('are redacted and otherwise written as is, to a file too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'glue-sink-'));
    try {
      const path = join(dir, 'r.json');
      const sink = createFileSink(path, { redactor: createRedactor([TOKEN]) });
      sink.document(`{"a":"\\u001b ${TOKEN}"}\n`);
      expect(readFileSync(path, 'utf8')).toBe('{"a":"\\u001b ***"}\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
