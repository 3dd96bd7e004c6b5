import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { createServer as createMswApp } from '@mswjs/http-middleware';
import type { RequestHandler } from 'msw';
import { handlerRoutes } from './handler-routes.js';
import { createMockGateway, FAULT_HEADER } from './index.js';
import type { DemoTokenSecrets, Gateway, Profile, ReceiptVersion } from './state/index.js';

export interface StartMockServerOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1; the mock is for local tests only. */
  host?: string;
  /** `extended` (default) or `public` (see README "Profiles"). */
  profile?: Profile;
  seed?: string | number;
  receiptVersion?: ReceiptVersion;
  /** v1 receipts carry the optional `receipt_version: 1`. */
  tagV1Receipts?: boolean;
  now?: () => Date;
  /** Suppress the one-line request log on stderr (default true: no log). */
  quiet?: boolean;
}

export interface MockServer {
  url: string;
  profile: Profile;
  gateway: Gateway;
  demoTokens: DemoTokenSecrets;
  close(): Promise<void>;
}

/**
 * Turns the internal fault markers into socket faults: `reset`, a connection reset instead of an
 * answer; `truncate`, the headers and the partial body sent, then the connection cut instead of
 * the body's end (the chunked terminator never comes).
 */
function socketFaults(res: ServerResponse): void {
  const appendHeader = res.appendHeader.bind(res);
  res.appendHeader = ((name: string, value: string | readonly string[]) => {
    if (name.toLowerCase() !== FAULT_HEADER) return appendHeader(name, value);
    if (value === 'truncate') {
      res.end = ((callback?: () => void) => {
        const socket = res.socket;
        // The callback of an empty write comes after every earlier write is on the wire.
        if (socket) socket.write('', () => socket.destroy());
        if (typeof callback === 'function') callback();
        return res;
      }) as ServerResponse['end'];
    } else {
      res.socket?.resetAndDestroy();
    }
    return res;
  }) as ServerResponse['appendHeader'];
  // Any body stream that fails midway: a cut connection, not a response that never ends.
  res.on('pipe', (source: Readable) => {
    source.once('error', () => res.destroy());
  });
}

/**
 * The request's path as msw will match it. Every handler's path starts with `*` (any origin), so
 * a fixed origin does: the Host header (absent, or an IPv6 literal) cannot change the route.
 */
function requestUrl(req: IncomingMessage): URL {
  try {
    return new URL(req.url ?? '/', 'http://localhost');
  } catch {
    return new URL('http://localhost/');
  }
}

/** Serves the mock gateway over real HTTP (bound to 127.0.0.1 by default). */
export async function startMockServer(options: StartMockServerOptions = {}): Promise<MockServer> {
  const host = options.host ?? '127.0.0.1';
  const mock = createMockGateway({
    realSockets: true,
    ...(options.profile === undefined ? {} : { profile: options.profile }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.receiptVersion === undefined ? {} : { receiptVersion: options.receiptVersion }),
    ...(options.tagV1Receipts === undefined ? {} : { tagV1Receipts: options.tagV1Receipts }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  // Each request goes to an app holding only the handlers that may answer it (handler-routes.ts),
  // one app per distinct set; none: the app without handlers answers http-middleware's 404.
  const routes = handlerRoutes(mock.handlers);
  const apps = new Map<readonly RequestHandler[], ReturnType<typeof createMswApp>>();
  const appFor = (handlers: readonly RequestHandler[]) => {
    let app = apps.get(handlers);
    if (!app) {
      // http-middleware is CommonJS and sees msw's CJS typings; the handlers are the same at run time.
      app = createMswApp(...(handlers as unknown as Parameters<typeof createMswApp>));
      app.disable('x-powered-by');
      apps.set(handlers, app);
    }
    return app;
  };
  const quiet = options.quiet ?? true;
  const server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    socketFaults(res);
    if (!quiet) res.on('finish', () => process.stderr.write(`${req.method ?? 'GET'} ${(req.url ?? '').split('?')[0]} ${res.statusCode}\n`));
    appFor(routes(req.method ?? 'GET', requestUrl(req)))(req, res);
  });
  // As Node's default: a client may reuse its connection (close() ends them all at once).
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${hostPart}:${address.port}`;
  mock.gateway.setOrigin(url);
  return {
    url,
    profile: mock.profile,
    gateway: mock.gateway,
    get demoTokens() {
      return mock.gateway.demoTokens;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
