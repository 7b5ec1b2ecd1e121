/**
 * The request target exactly as the client sent it (`/v1/sessions/./runs?x`), beside the
 * web-standard `Request` whose WHATWG URL has already resolved `.`/`..` (and `%2e`) segments.
 * Go routes `r.URL.Path` parsed from the raw target, dot segments kept, so the node adapter records
 * the raw target here and the handler routes on it. A `Request` built elsewhere (MSW, tests) has
 * none, and its URL is used as is.
 */
const targets = new WeakMap<Request, string>();

export function withRawTarget(request: Request, target: string): Request {
  targets.set(request, target);
  return request;
}

/** The raw path (still percent-encoded) and query of `request`. */
export function rawPathAndQuery(request: Request, url: URL): { path: string; search: string } {
  const target = targets.get(request);
  if (target === undefined) return { path: url.pathname, search: url.search };
  const query = target.indexOf('?');
  return query < 0 ? { path: target, search: '' } : { path: target.slice(0, query), search: target.slice(query) };
}
