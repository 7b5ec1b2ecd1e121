/**
 * A daemon that costs nothing: it answers any POST with a fixed run and any GET with a recorded
 * events response (chunk framing included) in one write. Run as its own process by
 * bench/ceiling.ts to measure how fast the raw reader can read: `replay-server.ts FILE` prints its port.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const file = process.argv[2];
if (!file) throw new Error('usage: replay-server.ts FILE');
const recorded = readFileSync(file);
const runBody = JSON.stringify({ run_id: 'run_replay', events_url: '/v1/runs/run_replay/events' });
const started = Buffer.from(`HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: ${runBody.length}\r\n\r\n${runBody}`);
const eventsHead = Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n');

const server = createServer((socket) => {
  let buf = Buffer.alloc(0);
  socket.on('error', () => undefined);
  socket.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.toString('latin1', 0, end);
      const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
      if (buf.length < end + 4 + length) return;
      buf = buf.subarray(end + 4 + length);
      if (head.startsWith('POST')) socket.write(started);
      else {
        socket.write(eventsHead);
        socket.write(recorded);
      }
    }
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`);
});
