// Which runtimes get the server-only headers (User-Agent, X-Retry-Count): the SDK decides from the
// globals it finds, and treats a runtime it cannot name as a browser (fetch CORS-checked).
import { expect, test } from 'vitest';
import { corsApplies, userAgent } from '../../src/internal/platform.js';

const node = { process: { versions: { node: '20.19.0' } } };
test.each([
  ['a browser page', { window: {}, document: {}, navigator: { userAgent: 'Mozilla/5.0' } }, true, undefined],
  ['a page with a process shim (Electron renderer, bundler polyfill)', { window: {}, document: {}, ...node }, true, undefined],
  ['a dedicated worker of a page', { importScripts: () => undefined, WorkerGlobalScope: class {}, navigator: { userAgent: 'Mozilla/5.0' } }, true, undefined],
  ['an unknown runtime', {}, true, undefined],
  ['Node', node, false, 'proxygate-kit-sdk/1.2.3 node/20.19.0'],
  ['Bun', { Bun: { version: '1.2.0' }, process: { versions: { node: '22.6.0', bun: '1.2.0' } } }, false, 'proxygate-kit-sdk/1.2.3 bun/1.2.0'],
  ['Deno', { Deno: { version: { deno: '2.1.0' } } }, false, 'proxygate-kit-sdk/1.2.3 deno/2.1.0'],
  ['Vercel Edge', { EdgeRuntime: 'edge-runtime' }, false, 'proxygate-kit-sdk/1.2.3'],
  ['Cloudflare Workers', { navigator: { userAgent: 'Cloudflare-Workers' } }, false, 'proxygate-kit-sdk/1.2.3'],
] as const)('%s: CORS applies = %s, User-Agent %s', (_name, globals, cors, agent) => {
  expect(corsApplies(globals)).toBe(cors);
  expect(userAgent('1.2.3', globals)).toBe(agent);
});

test('this test process is Node: the real globals give the Node answer', () => {
  expect(corsApplies()).toBe(false);
  expect(userAgent('1.2.3')).toBe(`proxygate-kit-sdk/1.2.3 node/${process.versions.node}`);
});
