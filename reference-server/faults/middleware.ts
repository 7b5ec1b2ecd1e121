/**
 * Middleware around the daemon's `handle()`: a fault that can be expressed as a rewrite of one
 * request or one response lives here rather than inside the daemon core, so the core carries
 * no code for it. Helpers build the rewritten messages the way the daemon would write them.
 */
import { encodeGoJson } from '../go-json.js';
import { rawPathAndQuery } from '../raw-target.js';
import { decodedPath, matchRoute, type RouteMatch } from '../routes.js';

export type Handler = (request: Request) => Promise<Response>;
export type Middleware = (request: Request, next: Handler) => Promise<Response>;

/** What a middleware fault may know about the daemon it wraps. */
export interface FaultContext {
  /** The daemon's token: auth faults need it to let a wrong credential through. */
  readonly token: string;
}

export type MiddlewareFactory = (context: FaultContext) => Middleware;

/** Runs `handler` behind the middlewares, the first one outermost. */
export function compose(handler: Handler, middlewares: readonly Middleware[]): Handler {
  return middlewares.reduceRight<Handler>((next, middleware) => (request) => middleware(request, next), handler);
}

/** The daemon route a request addresses (method not considered), as the daemon matches it. */
export function routeOf(request: Request): RouteMatch | undefined {
  const url = new URL(request.url);
  const path = decodedPath(rawPathAndQuery(request, url).path);
  return path === undefined ? undefined : matchRoute(path);
}

/** True when the request addresses `name` with the route's own method. */
export function isRoute(request: Request, name: RouteMatch['name']): boolean {
  const route = routeOf(request);
  return route !== undefined && route.name === name && route.method === request.method;
}

/** The same request with its headers changed (body, method and signal kept). */
export function withHeaders(request: Request, change: (headers: Headers) => void): Request {
  const headers = new Headers(request.headers);
  change(headers);
  return new Request(request, { headers });
}

/** The same request with another URL (headers, method and body kept). */
export function withUrl(request: Request, url: URL): Request {
  return new Request(url, request);
}

/** The same request with another JSON body (method, URL and headers kept). */
export function withJsonBody(request: Request, body: unknown): Request {
  const headers = new Headers(request.headers);
  headers.delete('Content-Length');
  return new Request(request.url, { method: request.method, headers, body: JSON.stringify(body), signal: request.signal });
}

/** The request's JSON body when it is an object; the request itself stays readable. */
export async function jsonBodyOf(request: Request): Promise<Record<string, unknown> | undefined> {
  const body: unknown = await request.clone().json().catch(() => undefined);
  return isRecord(body) ? body : undefined;
}

/** A JSON response written as the daemon writes one (compact Go JSON + newline). */
export function goJsonResponse(status: number, value: unknown, headers?: HeadersInit): Response {
  const merged = new Headers(headers);
  merged.set('Content-Type', 'application/json');
  merged.delete('Content-Length');
  return new Response(encodeGoJson(value) + '\n', { status, headers: merged });
}

/** Go's 404 for a path no route matches. */
export const routeNotFound = (): Response =>
  goJsonResponse(404, { error: { code: 'not_found', message: 'route not found', retryable: false } });

export function withoutKey(record: Record<string, unknown>, key: string): Record<string, unknown> {
  const copy = { ...record };
  delete copy[key];
  return copy;
}

export function isJson(response: Response): boolean {
  return (response.headers.get('content-type') ?? '').startsWith('application/json');
}

/**
 * Rewrites a JSON body (and optionally the status). `change` returns the new body; non-JSON
 * responses pass through untouched.
 */
export async function rewriteJson(
  response: Response,
  change: (body: unknown, status: number) => unknown,
  status: number = response.status,
): Promise<Response> {
  if (!isJson(response)) return response;
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return new Response(text, { status: response.status, headers: response.headers });
  }
  return goJsonResponse(status, change(body, response.status), response.headers);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The error envelope's `error` object of a parsed body, if it has one. */
export function errorOf(body: unknown): Record<string, unknown> | undefined {
  return isRecord(body) && isRecord(body['error']) ? body['error'] : undefined;
}
