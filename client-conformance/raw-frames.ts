/**
 * The one raw-frame writer of the client suite: SSE frames written byte for byte the way a case
 * wants them (line endings, `data:` with or without the space, field order, comment lines,
 * unknown fields, data spread over several lines), and the pacing that decides how those bytes
 * reach the socket (one frame per write, one byte per write, everything in one write). Every
 * variant is legal SSE (WHATWG HTML §9.2 "Server-sent events"), so a correct reader sees the same
 * events whatever the style.
 */

export type LineEnding = '\n' | '\r\n' | '\r';
export type FieldName = 'id' | 'event' | 'data';

export interface FrameStyle {
  /** Line ending of every line (default `\n`, as the daemon writes). */
  eol?: LineEnding;
  /** A space after the colon (default true; the standard strips one space if present). */
  space?: boolean;
  /** Order of the fields in a block (default id, event, data). */
  order?: readonly FieldName[];
  /** `: keep-alive` comment lines before the block and between its fields. */
  comments?: boolean;
  /** Unknown field lines (`x-glue-case: …`, a bare `x-flag`), which a reader must ignore. */
  unknownFields?: boolean;
  /** The JSON envelope spread over several `data:` lines (the reader joins them with `\n`). */
  multilineData?: boolean;
}

export interface FrameFields {
  id?: string | undefined;
  event?: string | undefined;
  data?: string | undefined;
}

const DEFAULT_ORDER: readonly FieldName[] = ['id', 'event', 'data'];

/** One SSE block, blank line included, in the given style. */
export function writeFrame(frame: FrameFields, style: FrameStyle = {}): string {
  const eol = style.eol ?? '\n';
  const sep = style.space === false ? ':' : ': ';
  const lines: string[] = [];
  if (style.comments) lines.push(': keep-alive');
  if (style.unknownFields) lines.push(`x-glue-case${sep}ignored`, 'x-flag');
  for (const name of style.order ?? DEFAULT_ORDER) {
    const value = frame[name];
    if (value === undefined) continue;
    if (name === 'data' && style.multilineData) {
      // JSON allows a line break between tokens: break after every comma outside strings is
      // overkill; after the first `{` and before the last `}` is enough to need the join.
      const inner = value.slice(1, -1);
      lines.push(`data${sep}{`, `data${sep}${inner}`, `data${sep}}`);
    } else lines.push(`${name}${sep}${value}`);
    if (style.comments) lines.push(':');
  }
  return lines.map((line) => line + eol).join('') + eol;
}

/** How written bytes go to the socket. */
export type Pacing = 'frame' | 'byte' | 'all';

const encoder = new TextEncoder();
// setImmediate: each byte is its own socket write, without a timer's millisecond per byte.
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * A byte stream from text pieces: `frame` writes each piece as it comes, `byte` writes every byte
 * on its own after a timer tick (so frames, lines and UTF-8 sequences are split at every
 * position), `all` holds everything back and writes it in one chunk at the end. `hold` keeps the
 * stream open after the pieces end, until the reader goes away (a stalled daemon).
 */
export function pacedStream(pieces: AsyncIterable<string>, pacing: Pacing, hold = false, onCancel?: () => void): ReadableStream<Uint8Array> {
  const iterator = pieces[Symbol.asyncIterator]();
  let pending: Uint8Array | undefined;
  let offset = 0;
  let finished = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        for (;;) {
          if (finished) return; // held open: never close again, the reader's cancel ends us
          if (pending && offset < pending.length) {
            await tick();
            controller.enqueue(pending.slice(offset, ++offset));
            return;
          }
          if (pacing === 'all') {
            let text = '';
            for (let next = await iterator.next(); !next.done; next = await iterator.next()) text += next.value;
            controller.enqueue(encoder.encode(text));
          } else {
            const next = await iterator.next();
            if (!next.done) {
              if (pacing === 'byte') {
                pending = encoder.encode(next.value);
                offset = 0;
                continue;
              }
              controller.enqueue(encoder.encode(next.value));
              return;
            }
          }
          finished = true;
          if (!hold) controller.close();
          return;
        }
      },
      cancel() {
        finished = true;
        onCancel?.();
        void iterator.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}
