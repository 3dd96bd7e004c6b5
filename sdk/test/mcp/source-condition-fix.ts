// Vitest starts its workers with `--conditions source` (for our workspace packages), so Node
// resolves externalised dependencies that also publish a "source" export (eventsource-parser,
// used by the MCP SDK's HTTP client transport) to TypeScript files it cannot load. This resolve
// hook sends those back to the published JavaScript. Import it before the MCP SDK.
import { register } from 'node:module';

const hook = `
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  const m = /\\/node_modules\\/eventsource-parser\\/src\\/([\\w-]+)\\.ts$/.exec(result.url);
  if (m) return { ...result, url: result.url.replace(/\\/src\\/([\\w-]+)\\.ts$/, '/dist/$1.js'), format: 'module' };
  return result;
}`;

register(`data:text/javascript,${encodeURIComponent(hook)}`);
