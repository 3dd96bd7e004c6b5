// A plain JS realm with the web platform globals a browser or edge runtime offers and none of
// Node's (no process, require, Buffer, module, global): bundles that run here do not need Node.
import vm from 'node:vm';

const WEB_GLOBALS = [
  'crypto', 'TextEncoder', 'TextDecoder', 'atob', 'btoa', 'URL', 'URLSearchParams', 'console',
  'AbortController', 'AbortSignal', 'Headers', 'Request', 'Response', 'FormData', 'Blob',
  'ReadableStream', 'WritableStream', 'TransformStream', 'TextDecoderStream', 'TextEncoderStream',
  'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'queueMicrotask', 'structuredClone',
  'Event', 'EventTarget', 'DOMException', 'performance',
] as const;

export const NODE_GLOBALS = ['process', 'require', 'Buffer', 'module', 'global', 'setImmediate', '__dirname'] as const;

export interface BrowserRealm {
  context: vm.Context;
  /** Runs a classic script in the realm and returns its completion value. */
  run(code: string): unknown;
}

export function createBrowserRealm(extra: Record<string, unknown> = {}): BrowserRealm {
  const sandbox: Record<string, unknown> = {};
  for (const name of WEB_GLOBALS) sandbox[name] = (globalThis as Record<string, unknown>)[name];
  Object.assign(sandbox, extra);
  const context = vm.createContext(sandbox);
  vm.runInContext('globalThis.self = globalThis; globalThis.window = globalThis;', context);
  return { context, run: (code) => vm.runInContext(code, context) };
}
