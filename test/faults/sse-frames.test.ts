import { describe, expect, it } from 'vitest';
import {
  parseSseBlock,
  rewriteSseStream,
  serializeSseBlock,
  splitSseBlocks,
  type FrameRewriter,
} from '../../reference-server/faults/sse-frames.js';
import { fakeFrames } from './fake-daemon.js';

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let index = 0;
  return new ReadableStream({
    pull(controller) {
      const chunk = chunks[index++];
      if (chunk === undefined) controller.close();
      else controller.enqueue(encoder.encode(chunk));
    },
  });
}

async function readText(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

const identity = (): FrameRewriter => ({ onFrame: (frame) => [frame] });

describe('SSE frames', () => {
  it('parses and re-serialises a daemon frame byte for byte', () => {
    for (const frame of fakeFrames()) {
      expect(serializeSseBlock(parseSseBlock(frame.slice(0, -2)))).toBe(frame);
    }
  });

  it('joins several data lines and skips comments', () => {
    expect(parseSseBlock(': hi\nid: 1\nevent: x\ndata: a\ndata:b')).toEqual({ id: '1', event: 'x', data: 'a\nb' });
  });

  it('keeps an unfinished block as the remainder', () => {
    expect(splitSseBlocks('id: 1\ndata: a\n\nid: 2\nda')).toEqual({ blocks: ['id: 1\ndata: a'], rest: 'id: 2\nda' });
  });

  it('passes a stream through unchanged, whatever the chunking', async () => {
    const text = fakeFrames().join('');
    const chunks = text.match(/[\s\S]{1,7}/g) ?? [];
    expect(await readText(rewriteSseStream(streamOf(chunks), identity()))).toBe(text);
  });

  it('does not stall when a rewriter drops frames', async () => {
    const dropAll: FrameRewriter = { onFrame: () => [], onEnd: () => [{ id: 'end', event: 'x', data: '{}' }] };
    expect(await readText(rewriteSseStream(streamOf(fakeFrames()), dropAll))).toBe('id: end\nevent: x\ndata: {}\n\n');
  });

  it('emits one chunk per frame', async () => {
    const reader = rewriteSseStream(streamOf([fakeFrames().join('')]), identity()).getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe(fakeFrames()[0]);
    await reader.cancel();
  });

  it('keeps the stream open after the end when asked, until the reader cancels, and cancels the source', async () => {
    let sourceCancelled = false;
    const source = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(fakeFrames()[0] ?? ''));
        controller.close();
      },
    });
    const reader = rewriteSseStream(source, { onFrame: (frame) => [frame], keepOpen: true }).getReader();
    expect((await reader.read()).done).toBe(false);
    const next = reader.read();
    let settled = false;
    void next.then(() => (settled = true));
    // Everything here is in memory: a few macrotask turns are enough for a close to show up.
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    await reader.cancel();
    expect((await next).done).toBe(true);

    const live = new ReadableStream<Uint8Array>({
      pull() {
        return new Promise(() => undefined);
      },
      cancel() {
        sourceCancelled = true;
      },
    });
    const liveReader = rewriteSseStream(live, identity()).getReader();
    void liveReader.read().catch(() => undefined);
    await liveReader.cancel();
    expect(sourceCancelled).toBe(true);
  });
});
