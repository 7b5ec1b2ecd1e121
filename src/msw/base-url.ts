/** The MSW entries' shared URL handling (Node and browser): the client's base URL and its prefix. */
export function parseBaseUrl(baseUrl: string): URL {
  try {
    const url = new URL(baseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
    return url;
  } catch {
    throw new Error(`glue-conformance/msw: Failed to create handlers: invalid baseUrl "${baseUrl}". Pass an absolute http(s) URL such as http://glue.test.`);
  }
}

/** The daemon routes on `/v1/...`; a client configured with `http://host/glue` sends `/glue/v1/...`. */
export function stripPrefix(request: Request, prefix: string): Request {
  const url = new URL(request.url);
  url.pathname = url.pathname.slice(prefix.length) || '/';
  const init: RequestInit & { duplex?: 'half' } = { method: request.method, headers: request.headers, signal: request.signal };
  if (request.body) {
    init.body = request.body;
    init.duplex = 'half';
  }
  return new Request(url, init);
}
