// What the runtime lets the SDK send. Browsers (pages and their workers) check every cross-origin
// fetch against the gateway's CORS policy: a header outside the CORS-safelisted ones makes the
// browser ask first (a preflight), and a header the gateway does not allow fails the call. The
// public gateway publishes no CORS policy, so in a browser the SDK sends only what the public
// gateway's own client sends (Authorization, Content-Type, X-Proxygate-Shield) and what the
// caller asks for; server runtimes also get a User-Agent naming the SDK and X-Retry-Count.

interface RuntimeGlobals {
  window?: unknown;
  document?: unknown;
  importScripts?: unknown;
  WorkerGlobalScope?: unknown;
  process?: { versions?: { node?: string; bun?: string } };
  Deno?: { version?: { deno?: string } };
  Bun?: { version?: string };
  EdgeRuntime?: unknown;
  navigator?: { userAgent?: string };
}

/** Whether fetch is CORS-checked here: a browser page or worker, or a runtime we cannot name. */
export function corsApplies(globals: object = globalThis): boolean {
  const g = globals as RuntimeGlobals;
  // A page, even one with a `process` shim (Electron renderers, bundler polyfills).
  if (g.window !== undefined && g.document !== undefined) return true;
  if (g.process?.versions?.node !== undefined || g.Deno?.version?.deno !== undefined || g.Bun?.version !== undefined) return false;
  if (g.EdgeRuntime !== undefined || g.navigator?.userAgent === 'Cloudflare-Workers') return false;
  // A worker of a page, or a runtime we cannot tell: send only what a browser could.
  return true;
}

/** `proxygate-kit-sdk/<version>` and the runtime, for server runtimes; undefined where CORS applies. */
export function userAgent(version: string, globals: object = globalThis): string | undefined {
  if (corsApplies(globals)) return undefined;
  const g = globals as RuntimeGlobals;
  const runtime =
    g.Bun?.version !== undefined ? `bun/${g.Bun.version}`
    : g.Deno?.version?.deno !== undefined ? `deno/${g.Deno.version.deno}`
    : g.process?.versions?.node !== undefined ? `node/${g.process.versions.node}`
    : undefined;
  return runtime === undefined ? `proxygate-kit-sdk/${version}` : `proxygate-kit-sdk/${version} ${runtime}`;
}
