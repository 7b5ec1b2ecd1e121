/**
 * A daemon whose `handle()` runs behind middleware, otherwise the very same object: every other
 * member (shutdown, close, stats…) is the wrapped server's own, bound to it.
 */
import { compose, type Middleware } from './middleware.js';

export interface HandlesRequests {
  handle(request: Request): Promise<Response>;
}

export function wrapServer<S extends HandlesRequests>(server: S, middlewares: readonly Middleware[]): S {
  if (middlewares.length === 0) return server;
  const handle = compose((request) => server.handle(request), middlewares);
  return new Proxy(server, {
    get(target, property) {
      if (property === 'handle') return handle;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
