/**
 * A small SSE parser as WHATWG HTML §9.2.6 defines it: bytes are decoded as a UTF-8 stream,
 * lines end at CRLF, LF or CR, `:` lines are comments, one space after the colon is dropped,
 * `data` lines are joined with `\n`, a blank line dispatches, unknown fields are ignored and an
 * unfinished event at the end of the stream is discarded. Lines are capped (a bound, not a
 * protocol rule: the cap is far above the 1 MiB frames long answers produce).
 */
import type { ClientFaults } from './faults.js';

export interface SseEvent {
  id: string;
  event: string;
  data: string;
}

export const MAX_LINE_CHARS = 64 * 1024 * 1024;

export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private event = '';
  private id = '';
  private hasData = false;
  private readonly decoder = new TextDecoder();
  private pendingCr = false;
  private dispatchedInChunk = 0;

  constructor(
    private readonly emit: (event: SseEvent) => void,
    private readonly faults: ClientFaults = new Set(),
  ) {}

  push(chunk: Uint8Array): void {
    // Fault: a fresh decoder per chunk turns a split character into U+FFFD.
    const text = this.faults.has('utf8-per-chunk') ? new TextDecoder().decode(chunk) : this.decoder.decode(chunk, { stream: true });
    this.dispatchedInChunk = 0;
    if (this.faults.has('per-chunk-frames')) {
      // Fault: every chunk is parsed on its own, so a frame split across packets is lost.
      this.buffer = '';
      this.reset();
    }
    this.feed(text);
  }

  /** End of stream: a pending, unfinished event is discarded (dispatched only under a fault). */
  end(): void {
    this.feed(this.decoder.decode());
    if (this.faults.has('dispatch-at-eof')) {
      if (this.buffer !== '') this.line(this.buffer);
      this.buffer = '';
      if (this.hasData) this.dispatch();
    }
    this.reset();
  }

  private feed(text: string): void {
    let input = text;
    if (this.pendingCr && input.startsWith('\n')) input = input.slice(1);
    this.pendingCr = false;
    this.buffer += input;
    const breaks = this.faults.has('lf-only') ? /\n/ : this.faults.has('no-bare-cr') ? /\r?\n/ : /\r\n|\r|\n/;
    for (;;) {
      const match = breaks.exec(this.buffer);
      if (!match) break;
      // A CR at the very end may be the first half of a CRLF split across chunks.
      if (match[0] === '\r' && match.index === this.buffer.length - 1) {
        this.pendingCr = true;
        const line = this.buffer.slice(0, match.index);
        this.buffer = '';
        this.line(line);
        break;
      }
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      this.line(line);
    }
    const cap = this.faults.has('one-mib-lines') ? 1024 * 1024 : MAX_LINE_CHARS;
    if (this.buffer.length > cap) throw new Error(`SSE line longer than ${cap} characters`);
  }

  private line(line: string): void {
    if (line === '') {
      if (this.hasData) this.dispatch();
      this.reset();
      return;
    }
    if (line.startsWith(':')) {
      if (this.faults.has('chokes-on-comments')) throw new Error(`unexpected line in event stream: ${JSON.stringify(line)}`);
      return;
    }
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (this.faults.has('needs-space')) {
      if (!value.startsWith(' ')) return; // Fault: `data:{…}` is not recognised.
      value = value.slice(1);
    } else if (value.startsWith(' ')) value = value.slice(1);
    switch (name) {
      case 'data':
        if (this.faults.has('last-data-line-only')) this.data = [value];
        else this.data.push(value);
        this.hasData = true;
        if (this.faults.has('dispatch-on-data')) {
          this.dispatch();
          this.reset();
        }
        break;
      case 'event':
        this.event = value;
        break;
      case 'id':
        if (!value.includes('\u0000')) this.id = value;
        break;
      case 'retry':
        break;
      default:
        if (this.faults.has('unknown-field-throws')) throw new Error(`unknown SSE field ${JSON.stringify(name)}`);
    }
  }

  private dispatch(): void {
    // Fault: whatever follows the first frame of a chunk is dropped.
    if (this.faults.has('one-frame-per-chunk') && this.dispatchedInChunk++ > 0) return;
    this.emit({ id: this.id, event: this.event === '' ? 'message' : this.event, data: this.data.join('\n') });
  }

  private reset(): void {
    this.data = [];
    this.event = '';
    this.hasData = false;
  }
}
