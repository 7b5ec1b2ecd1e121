/**
 * fast-check generators of hostile HTTP requests against the daemon's routes: odd methods, ids
 * with odd percent-encoding, raw CR/LF and invalid UTF-8 in the target, mangled auth, bodies of
 * the wrong shape, deep nesting, invalid UTF-8, and lying or chunked framing. Requests are raw
 * bytes so nothing on our side cleans them up first.
 */
import fc from 'fast-check';

/** Inputs node:http would answer by itself, outside serveNode's envelope, unless serveNode handles them. */
export const NODE_ANSWERED = { methods: ['CONNECT'], expect: ['', 'keep-alive', 'x', '200-ok'] };

export interface FuzzRequest {
  method: string;
  /** Request target exactly as sent (latin1 bytes). */
  target: string;
  headers: [string, string][];
  body: Buffer | undefined;
  framing: 'length' | 'chunked' | 'short-length' | 'none';
  /** For failure messages: which auth variant was used. */
  auth: string;
}

const TEMPLATES = [
  '/v1/health',
  '/v1/status',
  '/v1/diagnostics',
  '/v1/tools',
  '/v1/skills',
  '/v1/roles',
  '/v1/recall',
  '/v1/memories',
  '/v1/memories/{id}',
  '/v1/permissions',
  '/v1/permissions/{id}',
  '/v1/mcp/resources',
  '/v1/mcp/resources/read',
  '/v1/mcp/prompts',
  '/v1/mcp/prompts/get',
  '/v1/sessions',
  '/v1/sessions/{id}',
  '/v1/sessions/{id}/messages',
  '/v1/sessions/{id}/runs',
  '/v1/runs/{id}',
  '/v1/runs/{id}/events',
  '/v1/runs/{id}/permissions/{id}/decision',
] as const;

/** An id segment: plausible, encoded unicode, odd percent-escapes, encoded CR/LF, invalid UTF-8. */
function idSegment(knownIds: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(...knownIds, 'default', 'run_00000000000000000000000000000000', 'mem_1', 'grant_0000000000000000'),
    fc.string({ maxLength: 24 }).map((s) => encodeURIComponent(s)),
    fc.string({ unit: 'grapheme', maxLength: 12 }).map((s) => encodeURIComponent(s)),
    fc.stringMatching(/^(?:%[0-9A-Fa-f]{2}|%[G-Zg-z0-9]?|[A-Za-z0-9._~:@!$&'()*+,;=-]){1,16}$/),
    fc.constantFrom('%0D%0A', 'a%0Ab', '%00', '%2F', '%2f..%2f', '%FF%FE', '%C3%28', '%E2%82', '%ED%A0%80', '%25', '%', '%%', '..', '.', '%20', '+', '%2B'),
    // Raw bytes a well-behaved client would encode: CR/LF (header injection), high bytes, spaces.
    fc.constantFrom('a\r\nX-Injected: 1', 'a\nb', 'a\rb', '\u00ff\u00fe', '\u00c3\u0028', 'a b', 'a\tb', '#frag', '?q=\r\n'),
  );
}

function target(knownIds: readonly string[]): fc.Arbitrary<string> {
  const filled = fc
    .tuple(fc.constantFrom(...TEMPLATES), fc.array(idSegment(knownIds), { minLength: 2, maxLength: 2 }))
    .map(([template, ids]) => {
      let i = 0;
      return template.replace(/\{id\}/g, () => ids[i++] ?? 'x');
    });
  const query = fc.oneof(
    fc.constant(''),
    fc.constantFrom('?limit=1', '?limit=-1', '?limit=abc', '?limit=99999999999999999999', '?limit=%FF', '?limit=1&limit=2', '?%zz', '?'),
  );
  return fc.oneof(
    { weight: 8, arbitrary: fc.tuple(filled, query).map(([p, q]) => p + q) },
    { weight: 1, arbitrary: fc.constantFrom('*', '/', '//v1//health', '/v1/health/', 'http://127.0.0.1/v1/status', '/V1/STATUS', '/v1/status%00', '/v1/%73tatus', '/v1/runs/', '/v1/sessions//runs') },
    { weight: 1, arbitrary: fc.webPath() },
  );
}

function method(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom('GET', 'POST', 'DELETE') },
    { weight: 2, arbitrary: fc.constantFrom('PUT', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND', 'M-SEARCH', 'get', 'Post', ...NODE_ANSWERED.methods) },
    { weight: 1, arbitrary: fc.stringMatching(/^[A-Z!#$%&'*+.^_`|~0-9-]{1,12}$/) },
    { weight: 1, arbitrary: fc.constantFrom('', 'G ET', 'GET\u00ff', '\u0000') },
  );
}

/** Header values that mangle the bearer token; `token` is the daemon's own. */
function authorization(token: string): fc.Arbitrary<[string, string | undefined]> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant<[string, string | undefined]>(['valid', `Bearer ${token}`]) },
    {
      weight: 3,
      arbitrary: fc.constantFrom<[string, string | undefined]>(
        ['missing', undefined],
        ['lowercase scheme', `bearer ${token}`],
        ['double space', `Bearer  ${token}`],
        ['padded', ` Bearer ${token}\t`],
        ['no scheme', token],
        ['prefix', `Bearer ${token.slice(0, -1)}`],
        ['suffix', `Bearer ${token}0`],
        ['case-swapped', `Bearer ${token.toUpperCase()}`],
        ['basic', `Basic ${Buffer.from(`u:${token}`).toString('base64')}`],
        ['empty', ''],
      ),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map((s): [string, string | undefined] => ['random', s]) },
  );
}

/** Bodies: the right shape with wrong types, any JSON, deep nesting, truncated, invalid UTF-8. */
function body(): fc.Arbitrary<Buffer | undefined> {
  const value = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }));
  // Texts that would start a huge scripted run (flood N) are left out: that is load, not fuzz.
  const text = fc.string({ maxLength: 64 }).filter((s) => !/flood/i.test(s));
  const shaped = fc.oneof(
    fc.record({ text }, { requiredKeys: [] }),
    fc.record({ text: value, skill: value, arguments: value, role: value, model: value, client_id: value, max_turns: value }, { requiredKeys: [] }),
    fc.record({ allow: value, reason: value, remember_for: fc.oneof(value, fc.constantFrom('never', 'session', 'session_target', 'forever', 'always')) }, { requiredKeys: [] }),
    fc.record({ query: value, limit: value, server: value, uri: value, name: value, arguments: value }, { requiredKeys: [] }),
  );
  const asText = (v: unknown): Buffer => Buffer.from(JSON.stringify(v) ?? 'null', 'utf8');
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 5, arbitrary: shaped.map(asText) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map(asText) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.integer({ min: 1, max: 20_000 }), fc.constantFrom('[', '{"a":'), fc.boolean())
        .map(([depth, open, closed]) => Buffer.from(open.repeat(depth) + (open === '[' ? '' : '1') + (closed ? (open === '[' ? ']' : '}').repeat(depth) : ''))),
    },
    { weight: 1, arbitrary: shaped.map((v) => asText(v).subarray(0, Math.max(0, asText(v).length - 3))) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 256 }).map((a) => Buffer.from(a)) },
    { weight: 1, arbitrary: fc.constantFrom('{"text":"\xff\xfe"}', '{"text":"\u00c3\u0028"}', '{"text":"a\u0000b"}', '{"text":"\\ud800"}', '\ufeff{"text":"hi"}', '{"text":"hi"} trailing', '{"text":"hi"}{"text":"again"}').map((s) => Buffer.from(s, 'latin1')) },
  );
}

function extraHeaders(): fc.Arbitrary<[string, string][]> {
  const header = fc.oneof(
    fc.tuple(fc.constant('Content-Type'), fc.constantFrom('application/json', 'text/plain', 'application/json; charset=latin1', 'multipart/form-data; boundary=x', '', '\u00ff')),
    fc.tuple(fc.constant('X-Glue-Client-ID'), fc.oneof(fc.stringMatching(/^[ -~]{0,40}$/), fc.constantFrom('', 'a\u00ffb'))),
    fc.tuple(fc.constantFrom('Accept', 'Last-Event-ID', 'Transfer-Encoding', 'Connection', 'Host', 'Upgrade'), fc.constantFrom('*/*', 'text/event-stream', '100-continue', 'gzip', 'keep-alive', 'websocket', '', 'x')),
    fc.tuple(fc.constant('Expect'), fc.constantFrom('100-continue', '100-Continue', ...NODE_ANSWERED.expect)),
    fc.tuple(fc.stringMatching(/^[A-Za-z0-9-]{1,20}$/), fc.stringMatching(/^[ -~]{0,40}$/)),
    fc.tuple(fc.constantFrom('Bad Name', 'X-Crlf', '', ':authority'), fc.constantFrom('v', 'a\r\nX-Injected: 1', 'a\nb')),
  );
  return fc.array(header, { maxLength: 3 });
}

/** Routes with their own method, for requests that get past the HTTP parser and into the handlers. */
const ROUTES: readonly [string, string][] = [
  ['GET', '/v1/status'],
  ['GET', '/v1/diagnostics'],
  ['POST', '/v1/recall'],
  ['GET', '/v1/memories'],
  ['DELETE', '/v1/memories/{id}'],
  ['GET', '/v1/permissions'],
  ['DELETE', '/v1/permissions/{id}'],
  ['POST', '/v1/mcp/resources/read'],
  ['POST', '/v1/mcp/prompts/get'],
  ['GET', '/v1/sessions/{id}'],
  ['GET', '/v1/sessions/{id}/messages'],
  ['POST', '/v1/sessions/{id}/runs'],
  ['POST', '/v1/sessions/{id}/runs'],
  ['POST', '/v1/sessions/{id}/runs'],
  ['GET', '/v1/runs/{id}/events'],
  ['DELETE', '/v1/runs/{id}'],
  ['POST', '/v1/runs/{id}/permissions/{id}/decision'],
];

/** Well-formed HTTP with the right auth, aimed at real routes, carrying wrong or odd values. */
function plausibleRequest(token: string, knownIds: readonly string[]): fc.Arbitrary<FuzzRequest> {
  const id = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...knownIds, 'default', 'fuzz') },
    { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 16 }).map((s) => encodeURIComponent(s)) },
    { weight: 1, arbitrary: fc.constantFrom('%0D%0A', 'a%0Ab', '%00', '%2F', '%FF%FE', '%C3%28', '%ED%A0%80', '%25', '%zz', '%', '+', '%20') },
  );
  const text = fc.oneof(fc.constantFrom('hello', 'permission', 'fail', 'slow', 'read', ' hello ', ''), fc.string({ maxLength: 40 }).filter((s) => !/flood/i.test(s)));
  const odd = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean(), fc.constant(null), fc.constant([]), fc.constant({}));
  const json = fc.oneof(
    fc.record({ text, client_id: fc.option(fc.string({ maxLength: 8 }), { nil: undefined }), role: fc.option(fc.constantFrom('reviewer', 'nobody'), { nil: undefined }), max_turns: fc.option(fc.integer({ min: -2, max: 3 }), { nil: undefined }) }, { requiredKeys: ['text'] }),
    fc.record({ skill: fc.oneof(fc.constantFrom('summarize', 'nope'), odd), arguments: fc.oneof(fc.jsonValue({ maxDepth: 2 }), odd) }, { requiredKeys: ['skill'] }),
    fc.record({ allow: fc.oneof(fc.boolean(), odd), reason: fc.oneof(fc.string(), odd), remember_for: fc.oneof(fc.constantFrom('', 'never', 'session', 'session_target', 'forever', 'always'), odd) }, { requiredKeys: ['allow'] }),
    fc.record({ query: fc.oneof(fc.string({ maxLength: 20 }), odd), limit: fc.oneof(fc.integer({ min: -5, max: 1e9 }), odd) }, { requiredKeys: ['query'] }),
    fc.record({ server: fc.oneof(fc.string({ maxLength: 10 }), odd), uri: fc.oneof(fc.string({ maxLength: 20 }), odd), name: fc.oneof(fc.string({ maxLength: 10 }), odd), arguments: fc.oneof(fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 })), odd) }),
    fc.jsonValue({ maxDepth: 3 }),
  );
  return fc
    .record({
      route: fc.constantFrom(...ROUTES),
      wrongMethod: fc.oneof({ weight: 8, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', 'OPTIONS') }),
      ids: fc.array(id, { minLength: 2, maxLength: 2 }),
      query: fc.constantFrom('', '', '', '?limit=2', '?limit=-1', '?limit=x'),
      // fc.option: `freq` is the odds of `nil` (1 in freq).
      body: fc.option(json.map((v) => Buffer.from(JSON.stringify(v) ?? 'null')), { freq: 6, nil: undefined }),
      clientId: fc.option(fc.stringMatching(/^[ -~]{0,20}$/), { freq: 2, nil: undefined }),
      contentType: fc.constantFrom('application/json', 'application/json', 'text/plain', undefined),
    })
    .map(({ route, wrongMethod, ids, query, body: b, clientId, contentType }) => {
      let i = 0;
      const headers: [string, string][] = [['Authorization', `Bearer ${token}`]];
      if (contentType !== undefined) headers.push(['Content-Type', contentType]);
      if (clientId !== undefined) headers.push(['X-Glue-Client-ID', clientId]);
      return {
        method: wrongMethod ?? route[0],
        target: route[1].replace(/\{id\}/g, () => ids[i++] ?? 'x') + query,
        headers,
        body: b,
        framing: 'length' as const,
        auth: 'valid',
      };
    });
}

export function fuzzRequest(token: string, knownIds: readonly string[]): fc.Arbitrary<FuzzRequest> {
  return fc.oneof({ weight: 3, arbitrary: plausibleRequest(token, knownIds) }, { weight: 2, arbitrary: hostileRequest(token, knownIds) });
}

/** Anything goes: bad methods, raw bytes in the target, mangled auth and headers, lying framing. */
function hostileRequest(token: string, knownIds: readonly string[]): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      method: method(),
      target: target(knownIds),
      auth: authorization(token),
      headers: extraHeaders(),
      body: body(),
      framing: fc.constantFrom<FuzzRequest['framing']>('length', 'length', 'length', 'chunked', 'short-length', 'none'),
    })
    .map(({ method: m, target: t, auth, headers, body: b, framing }) => {
      const all: [string, string][] = [];
      if (auth[1] !== undefined) all.push(['Authorization', auth[1]]);
      all.push(...headers);
      return { method: m, target: t, headers: all, body: b, framing, auth: auth[0] };
    });
}

/** The request as bytes on the wire. `Connection: close` so the server ends the exchange. */
export function encodeRequest(request: FuzzRequest, host: string): Buffer {
  const lines = [`${request.method} ${request.target} HTTP/1.1`, `Host: ${host}`, 'Connection: close'];
  for (const [name, value] of request.headers) lines.push(`${name}: ${value}`);
  const body = request.body ?? Buffer.alloc(0);
  let payload = body;
  if (request.body !== undefined) {
    if (request.framing === 'length') lines.push(`Content-Length: ${body.length}`);
    else if (request.framing === 'short-length') lines.push(`Content-Length: ${Math.floor(body.length / 2)}`);
    else if (request.framing === 'chunked') {
      lines.push('Transfer-Encoding: chunked');
      const half = Math.floor(body.length / 2);
      const parts = [body.subarray(0, half), body.subarray(half)].filter((p) => p.length > 0);
      payload = Buffer.concat([...parts.flatMap((p) => [Buffer.from(`${p.length.toString(16)}\r\n`), p, Buffer.from('\r\n')]), Buffer.from('0\r\n\r\n')]);
    }
    // 'none': body bytes without any framing header; the server must treat them as a next request.
  }
  return Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1'), payload]);
}
