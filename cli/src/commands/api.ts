import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../lib/base-command.js';
import { createClient } from '../lib/client.js';
import { CliError, UsageError } from '../lib/errors.js';
import { ExitCode } from '../lib/exit-codes.js';
import { formatBody, formatResponseHead } from '../lib/http-output.js';
import { checkIdempotencyKey, parsePairs, readRequestBody } from '../lib/input.js';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] as const;

export default class Api extends BaseCommand {
  static override summary = 'make an authenticated request to any gateway path (like gh api)';
  static override description = `Uses the stored key, retries and error handling of every other command. The response body goes
to stdout; with --include the status line and headers go to stderr.`;
  static override examples = [
    '<%= config.bin %> api GET /v1/balance',
    '<%= config.bin %> api GET /v1/apis --query q=weather --query limit=5',
    '<%= config.bin %> api GET /v1/usage --query service=weather --paginate',
  ];
  static override enableJsonFlag = true;
  static override args = {
    method: Args.string({ ignoreStdin: true, description: `HTTP method (${METHODS.join(', ')}; any case)`, required: true }),
    path: Args.string({ ignoreStdin: true, description: 'path below the gateway origin, e.g. /v1/balance', required: true }),
  };
  static override flags = {
    data: Flags.string({ char: 'd', description: 'JSON body: inline, @file, or - for stdin' }),
    query: Flags.string({ char: 'q', description: 'query parameter key=value (repeatable)', multiple: true }),
    header: Flags.string({ char: 'H', description: 'extra request header "Name: value" (repeatable)', multiple: true }),
    include: Flags.boolean({ char: 'i', description: 'print the status line and response headers to stderr' }),
    'idempotency-key': Flags.string({ description: 'Idempotency-Key to send (makes a retried POST safe)' }),
    paginate: Flags.boolean({ description: 'GET lists: follow cursors and print every page\'s items as one array' }),
    'max-retries': Flags.integer({ description: 'retries after the first attempt for retryable failures', min: 0, max: 10 }),
  };

  async run(): Promise<unknown> {
    const { args, flags } = await this.parse(Api);
    checkIdempotencyKey(flags['idempotency-key']);
    const method = args.method.toUpperCase() as (typeof METHODS)[number];
    if (!METHODS.includes(method)) throw new UsageError(`unknown method "${args.method}"`, `use one of ${METHODS.join(', ')}`);
    if (!args.path.startsWith('/')) throw new UsageError(`the path must start with "/" (got "${args.path}")`, 'pass a path such as /v1/balance, not a URL');
    const auth = await this.resolveAuth(flags);
    const client = await createClient(auth, flags['max-retries'] === undefined ? {} : { maxRetries: flags['max-retries'] });
    const query: Record<string, string[]> = {};
    for (const [k, v] of parsePairs(flags.query ?? [], 'query')) (query[k] ??= []).push(v);
    const headers: Record<string, string> = {};
    for (const value of flags.header ?? []) {
      const at = value.indexOf(':');
      if (at <= 0) throw new UsageError(`--header expects "Name: value", got "${value}"`);
      const name = value.slice(0, at).trim().toLowerCase();
      if (name === 'authorization') throw new UsageError('set the token with --api-key, PROXYGATE_API_KEY or login, not a header');
      headers[name] = value.slice(at + 1).trim();
    }
    const body = flags.data === undefined ? undefined : await readRequestBody(flags.data);
    if (flags.paginate && (method !== 'GET' || body)) throw new UsageError('--paginate works with GET requests only');
    const response = await client.request({
      method,
      path: args.path,
      query,
      headers: body ? { 'content-type': 'application/json', ...headers } : headers,
      ...(body ? { rawBody: body.raw } : {}),
      ...(flags['idempotency-key'] ? { idempotencyKey: flags['idempotency-key'] } : {}),
    });
    if (flags.include) this.note(formatResponseHead(response.status, response.headers));
    let data = response.data;
    if (flags.paginate) {
      // Lists are { <items>, cursor, has_more }; the items key is `data` or the route's own
      // (`usage`, `services`, `categories`): keep asking with the cursor until has_more is false.
      const items: unknown[] = [];
      // A server handing back any earlier cursor (A -> B -> A) would make this loop forever.
      const seen = new Set<string>();
      let page = data as Record<string, unknown> | null;
      const key = page ? itemsKey(page) : undefined;
      for (;;) {
        const list = page && key ? page[key] : undefined;
        if (!page || !Array.isArray(list)) throw new UsageError(`${args.path} did not answer a list ({ data | usage | services | categories, cursor, has_more })`);
        items.push(...(list as unknown[]));
        if (page['has_more'] !== true || typeof page['cursor'] !== 'string' || page['cursor'] === '') break;
        const cursor = page['cursor'];
        if (seen.has(cursor)) {
          throw new CliError(
            'pagination_loop',
            `${args.path} returned a cursor it had already returned (after ${seen.size + 1} pages); stopped instead of looping forever`,
            ExitCode.failure,
            'drop --paginate and follow --query cursor=... by hand, or report the gateway bug',
          );
        }
        seen.add(cursor);
        const next = await client.request({ method, path: args.path, query: { ...query, cursor: [cursor] }, headers });
        page = next.data as typeof page;
      }
      data = items;
    }
    const text = formatBody(data);
    if (text) this.out(text);
    return data ?? null;
  }
}

/** The list's items key: `data`, or the array a public-wire list wraps its items in. */
function itemsKey(page: Record<string, unknown>): string | undefined {
  for (const key of ['data', 'usage', 'services', 'categories']) if (Array.isArray(page[key])) return key;
  const arrays = Object.keys(page).filter((key) => Array.isArray(page[key]));
  return arrays.length === 1 ? arrays[0] : undefined;
}
