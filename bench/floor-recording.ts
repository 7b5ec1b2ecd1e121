/**
 * The bytes the node:http floor replays: the HTTP/1.1 responses of one recorded run exchange,
 * split into status line, header lines and body (Content-Length, or one payload per chunk) so that
 * node:http writes them back byte for byte. Refuses what node could not reproduce exactly (chunk
 * extensions, upper-case chunk sizes, a trailer, odd header spacing). Pure; test/bench/floor.test.ts.
 */
import type { FloorRecording, RecordedResponse } from './floor-server.js';

const CRLF = '\r\n';

/** Splits the bytes a client received on one keep-alive socket into its responses. */
export function parseResponses(wire: Buffer): RecordedResponse[] {
  const out: RecordedResponse[] = [];
  let i = 0;
  while (i < wire.length) {
    const end = wire.indexOf(`${CRLF}${CRLF}`, i);
    if (end < 0) throw new Error(`floor recording: truncated header block at byte ${i}`);
    const [statusLine = '', ...lines] = wire.toString('latin1', i, end).split(CRLF);
    const status = /^HTTP\/1\.1 (\d{3}) (.*)$/.exec(statusLine);
    if (!status) throw new Error(`floor recording: bad status line ${JSON.stringify(statusLine.slice(0, 60))}`);
    const headers: string[] = [];
    for (const line of lines) {
      const header = /^([^:\s]+): (\S(?:.*\S)?)$/.exec(line);
      if (!header) throw new Error(`floor recording: header line node would not write back as is: ${JSON.stringify(line.slice(0, 60))}`);
      headers.push(header[1] ?? '', header[2] ?? '');
    }
    i = end + 4;
    const value = (name: string): string | undefined => {
      const at = headers.findIndex((h, k) => k % 2 === 0 && h.toLowerCase() === name);
      return at < 0 ? undefined : headers[at + 1];
    };
    let body: RecordedResponse['body'];
    if (value('transfer-encoding') === 'chunked') {
      const chunks: string[] = [];
      for (;;) {
        const lineEnd = wire.indexOf(CRLF, i);
        if (lineEnd < 0) throw new Error('floor recording: truncated chunk size line');
        const sizeLine = wire.toString('latin1', i, lineEnd);
        const size = Number.parseInt(sizeLine, 16);
        if (!/^[0-9a-f]+$/.test(sizeLine) || size.toString(16) !== sizeLine) throw new Error(`floor recording: chunk size line node would not write: ${JSON.stringify(sizeLine.slice(0, 40))}`);
        i = lineEnd + 2;
        if (size === 0) {
          if (wire.toString('latin1', i, i + 2) !== CRLF) throw new Error('floor recording: a trailer after the last chunk');
          i += 2;
          break;
        }
        if (i + size + 2 > wire.length || wire.toString('latin1', i + size, i + size + 2) !== CRLF) throw new Error('floor recording: truncated chunk');
        chunks.push(wire.subarray(i, i + size).toString('base64'));
        i += size + 2;
      }
      body = { chunks };
    } else if (value('content-length') !== undefined) {
      const length = Number(value('content-length'));
      if (!Number.isSafeInteger(length) || length < 0 || i + length > wire.length) throw new Error('floor recording: truncated or bad Content-Length body');
      body = { fixed: wire.subarray(i, i + length).toString('base64') };
      i += length;
    } else throw new Error(`floor recording: a ${status[1] ?? ''} response with neither Content-Length nor chunked framing`);
    out.push({ status: Number(status[1]), reason: status[2] ?? '', headers, body });
  }
  return out;
}

/** The wire bytes of one recorded response, as node:http writes them back (the inverse of parseResponses). */
export function encodeResponse(r: RecordedResponse): Buffer {
  const head: string[] = [`HTTP/1.1 ${r.status} ${r.reason}`];
  for (let k = 0; k < r.headers.length; k += 2) head.push(`${r.headers[k] ?? ''}: ${r.headers[k + 1] ?? ''}`);
  const parts = [Buffer.from(`${head.join(CRLF)}${CRLF}${CRLF}`, 'latin1')];
  if ('fixed' in r.body) parts.push(Buffer.from(r.body.fixed, 'base64'));
  else {
    for (const chunk of r.body.chunks) {
      const bytes = Buffer.from(chunk, 'base64');
      parts.push(Buffer.from(`${bytes.length.toString(16)}${CRLF}`, 'latin1'), bytes, Buffer.from(CRLF, 'latin1'));
    }
    parts.push(Buffer.from(`0${CRLF}${CRLF}`, 'latin1'));
  }
  return Buffer.concat(parts);
}

/** A run exchange: exactly a 201 with a Content-Length body, then a 200 chunked event stream. */
export function floorRecording(wire: Buffer, recordedFrom: string): FloorRecording {
  const responses = parseResponses(wire);
  const [start, events] = responses;
  if (responses.length !== 2 || !start || !events) throw new Error(`floor recording: ${responses.length} responses, expected the POST's and the GET's`);
  if (start.status !== 201 || !('fixed' in start.body)) throw new Error(`floor recording: the POST answered ${start.status} ${'fixed' in start.body ? '' : '(chunked)'}, expected 201 with a JSON body`);
  if (events.status !== 200 || !('chunks' in events.body)) throw new Error(`floor recording: the GET answered ${events.status}, expected a 200 chunked event stream`);
  if (!Buffer.concat([encodeResponse(start), encodeResponse(events)]).equals(wire)) throw new Error('floor recording: the parsed responses do not re-encode to the recorded bytes');
  return { recordedFrom, start, events };
}
