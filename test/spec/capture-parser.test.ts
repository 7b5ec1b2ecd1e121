/**
 * The capture parser (test/support/captures.ts) that the capture and parity tests stand on:
 * exact request reconstruction from curl, response framing, SSE frames, Go-style routing.
 */
import { describe, expect, it } from 'vitest';
import { captureByFile, dechunk, findHeader, findHeaders, operationFor, parseSse, replayRequest, routeFor, shellWords, type HttpCapture } from '../support/captures.js';

function http(n: number): HttpCapture {
  const capture = captureByFile(n);
  if (capture.kind !== 'http' || !capture.request || !capture.response) throw new Error(`${n} is not HTTP`);
  return capture as HttpCapture;
}

describe('requests from curl command lines', () => {
  it('keeps duplicate headers in order (013)', () => {
    expect(findHeaders(http(13).request.headers, 'authorization')).toEqual(['Bearer $TOKEN', 'Bearer wrong']);
  });

  it('trims header values but keeps the raw line (012)', () => {
    const [auth] = http(12).request.headers;
    expect(auth?.value).toBe('Bearer $TOKEN');
    expect(auth?.raw).toBe('Authorization:    Bearer $TOKEN   ');
  });

  it('knows the method, target and body (024, 028, 056, 058, 062)', () => {
    expect(http(24).request).toMatchObject({ method: 'GET', target: '/v1/memories?limit=1', pathname: '/v1/memories', search: '?limit=1' });
    expect(http(28).request.method).toBe('DELETE');
    // Single quotes: the backslash sequences reach the daemon as two characters each.
    expect(http(56).request.body).toBe('{"text":" \\n\\t "}');
    expect(http(58).request).toMatchObject({ method: 'POST' });
    expect(http(58).request.body).toBeUndefined();
    expect(http(62).request).toMatchObject({ method: 'POST', body: '{"text":"form content type"}', contentType: 'application/x-www-form-urlencoded' });
    expect(http(48).request.contentType).toBe('application/json');
  });

  it('reads curl switches (005 -I, 051 --raw, 135 --max-time)', () => {
    expect(http(5).request).toMatchObject({ method: 'HEAD', curl: { head: true } });
    expect(http(51).request.curl.raw).toBe(true);
    expect(http(135).request.curl).toMatchObject({ noBuffer: true, maxTimeSeconds: 1 });
  });

  it('builds a replayable request without leaking placeholders', () => {
    const replay = replayRequest(http(13).request, { baseUrl: 'http://127.0.0.1:1/', token: 'T0K' });
    expect(replay.url).toBe('http://127.0.0.1:1/v1/status');
    expect(replay.headers).toEqual([['Authorization', 'Bearer T0K'], ['Authorization', 'Bearer wrong']]);
    const form = replayRequest(http(62).request, { baseUrl: 'http://h', token: 'T' });
    expect(form.headers).toContainEqual(['Content-Type', 'application/x-www-form-urlencoded']);
    expect(replayRequest(http(63).request, { baseUrl: 'http://h', token: 'T' }).url).toBe('http://h/v1/sessions/esc%3Cape/runs');
  });

  it('splits shell words like sh', () => {
    expect(shellWords(`curl -H "A: \\"q\\" \\$X" -d '{"a":"b c"}' $BASE/x 2>&1`)).toEqual(['curl', '-H', 'A: "q" $X', '-d', '{"a":"b c"}', '$BASE/x', '2>&1']);
  });
});

describe('responses', () => {
  it('parses status line, headers and JSON (003)', () => {
    const { response } = http(3);
    expect(response).toMatchObject({ httpVersion: 'HTTP/1.1', status: 200, statusText: 'OK', bodyText: '{"ok":true,"version":1}\n', json: { ok: true, version: 1 } });
    expect(findHeader(response.headers, 'content-length')).toBe('24');
  });

  it('has no body for HEAD (005)', () => {
    expect(http(5).response).toMatchObject({ status: 405, bodyText: '', isJson: false });
    expect(findHeader(http(5).response.headers, 'Content-Length')).toBe('89');
  });

  it('de-chunks the --raw capture into the same SSE text as the plain one (051 vs 049)', () => {
    const raw = http(51).response;
    expect(raw.rawBodyText.startsWith('129\r\nid: evt_')).toBe(true);
    expect(raw.chunks).toHaveLength(10);
    expect(raw.bodyText).toBe(http(49).response.bodyText);
    expect(raw.sse?.frames.map((f) => f.event)).toEqual(http(49).response.sse?.frames.map((f) => f.event));
  });

  it('parses SSE frames with raw text (049) and marks cut streams (135)', () => {
    const sse = http(49).response.sse;
    expect(sse?.frames).toHaveLength(10);
    expect(sse?.ended).toBe(true);
    const first = sse?.frames[0];
    expect(first).toMatchObject({ event: 'run_start', id: 'evt_d75dbed5fc361778965cc1e5ed8da704', terminated: true });
    expect(first?.raw.split('\n')).toHaveLength(3);
    expect((first?.json as { seq?: number }).seq).toBe(1);
    expect(http(135).response.sse?.ended).toBe(false);
  });

  it('lists the non-HTTP files with reasons', () => {
    expect(captureByFile(186)).toMatchObject({ kind: 'other', reason: expect.stringContaining('could not connect') });
    expect(captureByFile(1).kind).toBe('other');
  });
});

describe('routing like the Go daemon', () => {
  it('decodes the path before matching', () => {
    expect(routeFor(http(63))).toEqual({ kind: 'operation', operationId: 'startRun', params: { session_id: 'esc<ape' } });
    expect(routeFor(http(65))).toMatchObject({ params: { session_id: 'telegram:42' } });
    expect(routeFor(http(67))).toEqual({ kind: 'unknown_route' }); // a%2Fb becomes a real slash
    expect(routeFor(http(69))).toEqual({ kind: 'unknown_route' });
  });

  it('tells 405 paths from unknown routes', () => {
    expect(routeFor(http(31))).toMatchObject({ kind: 'method_not_allowed', operations: [{ operationId: 'deleteMemory' }] });
    expect(operationFor(http(31))).toBeUndefined();
    expect(operationFor(http(130))).toBeUndefined();
    expect(operationFor(http(84))).toBe('decidePermission');
    expect(operationFor(captureByFile(2))).toBeUndefined();
  });
});

describe('parseSse and dechunk on hostile input', () => {
  it('handles CRLF, comments, multi-line data and a cut-off block', () => {
    const sse = parseSse(': hi\r\nid: 1\r\nevent: x\r\ndata: a\r\ndata:b\r\n\r\nid: 2\ndata: {"k":1}');
    expect(sse.frames.map((f) => [f.id, f.event, f.data, f.terminated])).toEqual([
      ['1', 'x', 'a\nb', true],
      ['2', undefined, '{"k":1}', false],
    ]);
    expect(sse.frames[1]?.json).toEqual({ k: 1 });
    expect(sse.frames[0]?.jsonError).toBeDefined();
    expect(sse.ended).toBe(false);
  });

  it('counts chunk sizes in bytes', () => {
    expect(dechunk('2\r\né\r\n3\r\n✓\r\n0\r\n\r\n')).toEqual(['é', '✓']);
    expect(() => dechunk('3\r\né✓\r\n0\r\n\r\n')).toThrow(/not followed by CRLF/);
    expect(dechunk('5\r\né✓\r\n0\r\n\r\n')).toEqual(['é✓']);
    expect(() => dechunk('zz\r\n')).toThrow(/bad size/);
  });
});

describe('the cache', () => {
  it('is frozen, so no test can change what another sees', () => {
    const json = http(3).response.json as { ok: boolean };
    expect(() => {
      json.ok = false;
    }).toThrow(TypeError);
  });
});
