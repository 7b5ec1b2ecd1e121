/**
 * The node:http floor (bench/floor.ts) replays a recorded `hello` exchange byte for byte: the
 * recording's parser keeps every chunk boundary and refuses what node:http could not write back
 * exactly, and the floor server, read by the bench's raw reader, returns exactly the recorded
 * bytes (here: the Go daemon's captures 048 and 051). Nothing here is timed.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeResponse, floorRecording, parseResponses } from '../../bench/floor-recording.js';
import { createFloorServer, type FloorRecording } from '../../bench/floor-server.js';
import { rawRun } from '../../bench/raw-client.js';
import { CAPTURES_DIR } from '../support/captures.js';

/** A capture file's response bytes: everything after its `# curl …` line. */
function captured(file: string): Buffer {
  const bytes = readFileSync(`${CAPTURES_DIR}/${file}`);
  return bytes.subarray(bytes.indexOf(0x0a) + 1);
}

// Go's answer to POST /v1/sessions/default/runs, then its raw (chunk-framed) hello event stream.
const goHello = Buffer.concat([captured('048-run-start-text.txt'), captured('051-events-hello-raw-chunk-framing.txt')]);

const chunked = (frames: string[]): string => frames.map((f) => `${Buffer.byteLength(f).toString(16)}\r\n${f}\r\n`).join('') + '0\r\n\r\n';
const start = 'HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 14\r\n\r\n{"run_id":"r"}';
const eventsHead = 'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n';

describe('floor recording', () => {
  it("splits Go's hello exchange into its two responses, one payload per SSE chunk, and re-encodes it byte for byte", () => {
    const recording = floorRecording(goHello, 'go');
    expect([recording.start.status, recording.start.reason, recording.events.status]).toEqual([201, 'Created', 200]);
    expect(recording.start.headers).toEqual(['Content-Type', 'application/json', 'Date', 'Tue, 24 Nov 2026 16:50:26 GMT', 'Content-Length', '141']);
    const chunks = 'chunks' in recording.events.body ? recording.events.body.chunks.map((c) => Buffer.from(c, 'base64').toString('utf8')) : [];
    expect(chunks.length).toBeGreaterThan(5);
    // One SSE event per chunk, as Go writes them (capture 051).
    for (const chunk of chunks) expect(chunk).toMatch(/^id: evt_[0-9a-f]{32}\nevent: [a-z_]+\ndata: \{.*\}\n\n$/);
    expect(chunks[0]).toContain('event: run_start\n');
    expect(chunks.at(-1)).toContain('event: run_done\n');
    expect(Buffer.concat([encodeResponse(recording.start), encodeResponse(recording.events)]).equals(goHello)).toBe(true);
  });

  it('keeps chunk boundaries as recorded, even inside one event', () => {
    const [events] = parseResponses(Buffer.from(eventsHead + chunked(['id: a\nevent: run_start\n', 'data: {}\n\n'])));
    expect(events?.body).toEqual({ chunks: [Buffer.from('id: a\nevent: run_start\n').toString('base64'), Buffer.from('data: {}\n\n').toString('base64')] });
  });

  it('refuses bytes node:http would not write back exactly, and exchanges that are not a hello run', () => {
    const bad: [string, RegExp][] = [
      [start + eventsHead + '5;ext=1\r\nhello\r\n0\r\n\r\n', /chunk size line/],
      [start + eventsHead + 'A\r\n0123456789\r\n0\r\n\r\n', /chunk size line/],
      [start + eventsHead + '5\r\nhello\r\n0\r\nX-Trailer: 1\r\n\r\n', /trailer/],
      [start + eventsHead + '5\r\nhel', /truncated chunk/],
      [start + 'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\nid: a\n\n', /neither Content-Length nor chunked/],
      [start.replace('Content-Type: ', 'Content-Type:  '), /header line/],
      [start.replace('HTTP/1.1', 'HTTP/1.0'), /status line/],
      [start, /1 responses/],
      [start.replace('201 Created', '200 OK') + eventsHead + chunked(['x\n\n']), /the POST answered 200/],
      [start + start, /the GET answered 201/],
    ];
    for (const [wire, message] of bad) expect(() => floorRecording(Buffer.from(wire, 'latin1'), 'test'), JSON.stringify(wire.slice(-40))).toThrow(message);
  });
});

describe('node:http floor server', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  async function serve(recording: FloorRecording): Promise<string> {
    const server = createFloorServer(recording);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    close = () => new Promise<void>((resolve) => server.close(() => resolve()));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it("answers the raw reader's POST and GET with exactly the recorded bytes, on one keep-alive socket, run after run", async () => {
    const url = await serve(floorRecording(goHello, 'go'));
    for (const session of ['a', 'b']) {
      const run = rawRun({ url, token: 'floor' }, session, 'hello', { idleTimeoutMs: 10_000, recordWire: true });
      const tally = await run.finished;
      expect(tally.problem).toBeUndefined();
      expect([tally.runId, tally.firstType, tally.lastType]).toEqual(['run_6be554b27b67fdc4e75a77c3fddc8042', 'run_start', 'run_done']);
      expect(Buffer.concat(run.wire).equals(goHello)).toBe(true);
    }
  });
});
