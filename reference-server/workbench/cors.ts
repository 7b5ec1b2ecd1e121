/**
 * `--cors ORIGIN` (repeatable; `*` for any origin): lets a web page on ORIGIN talk to the daemon.
 * A preflight (`OPTIONS` with `Access-Control-Request-Method`) from an allowed origin is answered
 * 204 here, without a token (browsers never send credentials on a preflight); every other answer
 * to an allowed origin, event streams included, carries `Access-Control-Allow-Origin` and the
 * exposed headers. Requests from other origins, or without `Origin`, get the daemon's answer untouched.
 */
type Handle = (request: Request) => Promise<Response>;

const ALLOW_METHODS = 'GET, POST, DELETE';
const ALLOW_HEADERS = 'Authorization, Content-Type, X-Glue-Client-ID, Last-Event-ID';
const EXPOSE_HEADERS = 'Content-Type, Cache-Control';
const MAX_AGE_SECONDS = '600';

/** `*` or an origin as browsers send it: scheme://host[:port], nothing else. */
export function parseCorsOrigin(text: string): string | undefined {
  if (text === '*') return '*';
  try {
    const url = new URL(text);
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== text.replace(/\/$/, '')) return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}

export function corsHandler(inner: Handle, origins: readonly string[]): Handle {
  const any = origins.includes('*');
  const allowed = new Set(origins);
  const allows = (origin: string | null): origin is string => origin !== null && (any || allowed.has(origin));

  return async (request) => {
    const origin = request.headers.get('origin');
    if (!allows(origin)) return inner(request);
    if (request.method === 'OPTIONS' && request.headers.has('access-control-request-method')) {
      return new Response(null, {
        status: 204,
        headers: {
          'Access-Control-Allow-Origin': origin,
          'Access-Control-Allow-Methods': ALLOW_METHODS,
          'Access-Control-Allow-Headers': ALLOW_HEADERS,
          'Access-Control-Max-Age': MAX_AGE_SECONDS,
          Vary: 'Origin',
        },
      });
    }
    const response = await inner(request);
    const headers = new Headers(response.headers);
    headers.set('Access-Control-Allow-Origin', origin);
    headers.set('Access-Control-Expose-Headers', EXPOSE_HEADERS);
    headers.append('Vary', 'Origin');
    // Same body stream (an SSE response keeps streaming), new headers.
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  };
}
