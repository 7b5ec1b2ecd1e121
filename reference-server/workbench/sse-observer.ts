/**
 * Passes an SSE body through unchanged (same chunks, pulled one at a time) while counting its
 * events, and reports once when it ends, is canceled by the reader, or fails.
 */
export interface SseSummary {
  events: number;
  bytes: number;
  /** Events per type, in first-seen order. */
  types: Record<string, number>;
  last: string | undefined;
  ended: 'end' | 'canceled' | 'error';
}

/** Types beyond this many distinct names are counted under `…` (a hostile stream stays bounded). */
const MAX_TYPES = 32;
const MAX_LINE = 4096;

export function observeSse(body: ReadableStream<Uint8Array>, onEnd: (summary: SseSummary) => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const summary: SseSummary = { events: 0, bytes: 0, types: {}, last: undefined, ended: 'end' };
  let carry = '';
  let reported = false;
  const finish = (ended: SseSummary['ended']): void => {
    if (reported) return;
    reported = true;
    summary.ended = ended;
    onEnd(summary);
  };
  const count = (text: string): void => {
    const lines = (carry + text).split('\n');
    carry = (lines.pop() ?? '').slice(0, MAX_LINE);
    for (const line of lines) {
      if (!line.startsWith('event:')) continue;
      const type = line.slice(6).trim();
      const key = type in summary.types || Object.keys(summary.types).length < MAX_TYPES ? type : '…';
      summary.types[key] = (summary.types[key] ?? 0) + 1;
      summary.events++;
      summary.last = type;
    }
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) {
            controller.close();
            finish('end');
            return;
          }
          summary.bytes += value.byteLength;
          count(decoder.decode(value, { stream: true }));
          controller.enqueue(value);
        } catch (error) {
          controller.error(error);
          finish('error');
        }
      },
      async cancel(reason) {
        finish('canceled');
        await reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

/** `9 events (text_delta×2, …), last run_done, 1.9 KB` */
export function describeSse(summary: SseSummary): string {
  const types = Object.entries(summary.types)
    .filter(([, n]) => n > 1)
    .map(([type, n]) => `${type}×${n}`);
  const kb = summary.bytes < 1024 ? `${summary.bytes} B` : `${(summary.bytes / 1024).toFixed(1)} KB`;
  const how = summary.ended === 'end' ? '' : summary.ended === 'canceled' ? ', closed by the client' : ', failed';
  return `SSE ${summary.events} event${summary.events === 1 ? '' : 's'}${types.length ? ` (${types.join(', ')})` : ''}${summary.last ? `, last ${summary.last}` : ''}, ${kb}${how}`;
}
