// msw tries each handler in turn, and each try parses the request's cookies and matches its path
// (~0.1 ms a handler): a route near the end of the list (`/health`, the 404s) waited several ms
// on every request, which every test and benchmark over real sockets paid. The server hands msw
// only the handlers that can answer the request's method and path, by msw's own tests, in their
// order: msw then picks among them exactly as it would among all of them.
import { matchRequestUrl, type RequestHandler } from 'msw';

/** What the route table needs of a handler: msw's HttpHandler has both (others are always tried). */
interface RoutableHandler {
  info: { path?: unknown };
  matchMethod?: (method: string) => boolean;
}

/** Distinct method, origin and path triples remembered; past it the memory starts over. */
const MEMO_LIMIT = 4096;

/**
 * The handlers of `handlers` that may answer `method` on `url` (its query and fragment play no
 * part, as in msw), remembered per method, origin and path. Equal sets are one array: the caller
 * may key what it builds per set (the server's msw app) by the array itself.
 */
export function handlerRoutes<H extends RequestHandler>(handlers: readonly H[]): (method: string, url: URL) => readonly H[] {
  const memo = new Map<string, readonly H[]>();
  // By the handlers' positions: few distinct sets, however many paths.
  const sets = new Map<string, readonly H[]>();
  return (method, url) => {
    const key = `${method} ${url.origin}${url.pathname}`;
    let found = memo.get(key);
    if (!found) {
      let positions: number[];
      try {
        positions = handlers.flatMap((handler, i) => (mayAnswer(handler as unknown as RoutableHandler, method, url) ? [i] : []));
      } catch {
        // A path msw cannot decode (`/v1/%ZZ`) makes its matching throw: all of them, and msw answers as before.
        positions = handlers.map((_, i) => i);
      }
      const id = positions.join(',');
      found = sets.get(id);
      if (!found) {
        found = positions.map((i) => handlers[i]!);
        sets.set(id, found);
      }
      if (memo.size >= MEMO_LIMIT) memo.clear();
      memo.set(key, found);
    }
    return found;
  };
}

function mayAnswer(handler: RoutableHandler, method: string, url: URL): boolean {
  const { path } = handler.info;
  // Not an HttpHandler (or a custom predicate): msw decides, as before.
  if (typeof handler.matchMethod !== 'function' || (typeof path !== 'string' && !(path instanceof RegExp))) return true;
  return handler.matchMethod(method) && matchRequestUrl(url, path, url.origin).matches;
}
