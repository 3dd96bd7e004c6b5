import { Args, Flags } from '@oclif/core';
import { buildFields, fieldsAsQuery, type RawField } from '../lib/api-fields.js';
import { BaseCommand } from '../lib/base-command.js';
import { createClient } from '../lib/client.js';
import { CliError, UsageError } from '../lib/errors.js';
import { ExitCode } from '../lib/exit-codes.js';
import { formatBody, formatResponseHead } from '../lib/http-output.js';
import { checkIdempotencyKey, parsePairs, readRequestBody } from '../lib/input.js';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] as const;
type Method = (typeof METHODS)[number];

export default class Api extends BaseCommand {
  static override summary = 'make an authenticated request to any gateway path (like gh api)';
  static override description = `PATH is below the gateway origin, with or without its leading slash (/v1/balance or v1/balance).
The method is GET, or POST when fields or a body are given; -X sets it. -f key=value adds a string
field, -F key=value a typed one (true, false, null and integers as JSON; @file reads a file, @- stdin);
key[sub]=v and key[]=v nest them. Fields go in a JSON body, or in the query string of a GET (and
beside a -d body). The stored key, retries and error handling are those of every other command.
The response body goes to stdout; with --include the status line and headers go to stderr.
--paginate (GET) follows the list's cursor and prints every page's items as one JSON array.
The older form "api METHOD PATH" still works.`;
  static override usage = 'api PATH [-X METHOD] [-f key=value]... [-F key=value]... [-H "Name: value"]... [-d JSON|@file|-] [--paginate] [--json]';
  static override examples = [
    '<%= config.bin %> api /v1/balance',
    '<%= config.bin %> api v1/apis -f q=weather -F limit=5 -X GET',
    '<%= config.bin %> api /v1/usage -X GET -f service=weather --paginate',
    '<%= config.bin %> api /v1/rate -F is_positive=true -f request_id="$REQUEST_ID"',
  ];
  static override enableJsonFlag = true;
  static override args = {
    path: Args.string({ ignoreStdin: true, description: 'path below the gateway origin, e.g. /v1/balance (or the method, in the older form METHOD PATH)', required: true }),
    // The older form's path (`api GET /v1/balance`); hidden from help, which shows -X.
    legacyPath: Args.string({ ignoreStdin: true, description: 'the path, after a METHOD (older form)', required: false, hidden: true }),
  };
  static override flags = {
    method: Flags.string({ char: 'X', description: `HTTP method (${METHODS.join(', ')}; any case). Default: GET, or POST with fields or a body` }),
    'raw-field': Flags.string({ char: 'f', description: 'a string field key=value (repeatable): JSON body, or query string of a GET', multiple: true }),
    field: Flags.string({ char: 'F', description: 'a typed field key=value (repeatable): true, false, null, integers; @file, @- for stdin', multiple: true }),
    data: Flags.string({ char: 'd', description: 'JSON body: inline, @file, or - for stdin' }),
    query: Flags.string({ char: 'q', description: 'query parameter key=value (repeatable)', multiple: true }),
    header: Flags.string({ char: 'H', description: 'extra request header "Name: value" (repeatable)', multiple: true }),
    include: Flags.boolean({ char: 'i', description: 'print the status line and response headers to stderr' }),
    'idempotency-key': Flags.string({ description: 'Idempotency-Key to send (makes a retried POST safe)' }),
    paginate: Flags.boolean({ description: "GET lists: follow cursors and print every page's items as one array" }),
    'max-retries': Flags.integer({ description: 'retries after the first attempt for retryable failures', min: 0, max: 10 }),
  };

  async run(): Promise<unknown> {
    const { args, flags, raw } = await this.parse(Api);
    checkIdempotencyKey(flags['idempotency-key']);
    const target = requestTarget(args.path, args.legacyPath, flags.method);
    const path = normalizePath(target.path);
    // -f and -F in command-line order: a later field of the same name wins, as in gh.
    const tokens = (raw ?? []).filter((token) => token.type === 'flag' && (token.flag === 'raw-field' || token.flag === 'field')) as Array<{ flag: string; input: string }>;
    const rawFields: RawField[] =
      tokens.length > 0
        ? tokens.map((token) => ({ pair: token.input, typed: token.flag === 'field' }))
        : [...(flags['raw-field'] ?? []).map((pair) => ({ pair, typed: false })), ...(flags.field ?? []).map((pair) => ({ pair, typed: true }))];
    // fetch refuses a GET or HEAD body only once the request is made (a "connection error"):
    // say what is wrong before anything is read or sent.
    if (flags.data !== undefined && (target.method === 'GET' || target.method === 'HEAD')) {
      throw new UsageError(`a ${target.method} request cannot have a body (-d)`, `put the values in -f/-F fields (a ${target.method}'s query string), or use -X POST`);
    }
    const fields = rawFields.length > 0 ? await buildFields(rawFields) : undefined;
    const body = flags.data === undefined ? undefined : await readRequestBody(flags.data);
    const method: Method = target.method ?? ((fields || body) && !flags.paginate ? 'POST' : 'GET');
    if (flags.paginate && (method !== 'GET' || body)) throw new UsageError('--paginate works with GET requests only');
    const auth = await this.resolveAuth(flags);
    const client = await createClient(auth, flags['max-retries'] === undefined ? {} : { maxRetries: flags['max-retries'] });
    const query: Record<string, string[]> = {};
    for (const [k, v] of parsePairs(flags.query ?? [], 'query')) (query[k] ??= []).push(v);
    // A GET (or HEAD) has no body, and a -d body is sent as given: fields go in the query string.
    const fieldsInQuery = fields !== undefined && (method === 'GET' || method === 'HEAD' || body !== undefined);
    if (fields && fieldsInQuery) for (const [k, v] of fieldsAsQuery(fields)) (query[k] ??= []).push(v);
    const sent = body?.raw ?? (fields && !fieldsInQuery ? JSON.stringify(fields) : undefined);
    const headers: Record<string, string> = {};
    for (const value of flags.header ?? []) {
      const at = value.indexOf(':');
      if (at <= 0) throw new UsageError(`--header expects "Name: value", got "${value}"`);
      const name = value.slice(0, at).trim().toLowerCase();
      if (name === 'authorization') throw new UsageError('set the token with --api-key, PROXYGATE_API_KEY or login, not a header');
      headers[name] = value.slice(at + 1).trim();
    }
    const response = await client.request({
      method,
      path,
      query,
      headers: sent !== undefined ? { 'content-type': 'application/json', ...headers } : headers,
      ...(sent !== undefined ? { rawBody: sent } : {}),
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
        if (!page || !Array.isArray(list)) throw new UsageError(`${path} did not answer a list ({ data | usage | services | categories, cursor, has_more })`);
        items.push(...(list as unknown[]));
        if (page['has_more'] !== true || typeof page['cursor'] !== 'string' || page['cursor'] === '') break;
        const cursor = page['cursor'];
        if (seen.has(cursor)) {
          throw new CliError(
            'pagination_loop',
            `${path} returned a cursor it had already returned (after ${seen.size + 1} pages); stopped instead of looping forever`,
            ExitCode.failure,
            'drop --paginate and follow --query cursor=... by hand, or report the gateway bug',
          );
        }
        seen.add(cursor);
        const next = await client.request({ method, path, query: { ...query, cursor: [cursor] }, headers });
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

/** `PATH`, or the older `METHOD PATH`; `-X` names the method (the same one twice is fine). */
function requestTarget(first: string, second: string | undefined, flag: string | undefined): { method: Method | undefined; path: string } {
  const asMethod = (word: string, from: string): Method => {
    const upper = word.toUpperCase();
    if (!(METHODS as readonly string[]).includes(upper)) throw new UsageError(`unknown method "${word}"${from}`, `use one of ${METHODS.join(', ')}`);
    return upper as Method;
  };
  const fromFlag = flag === undefined ? undefined : asMethod(flag, ' (-X)');
  if (second === undefined) {
    if ((METHODS as readonly string[]).includes(first.toUpperCase()) && !first.includes('/')) {
      throw new UsageError(`"${first}" is a method: the path is missing`, `e.g. proxygate api /v1/balance -X ${first.toUpperCase()}`);
    }
    return { method: fromFlag, path: first };
  }
  // `api /v1/balance extra`: the first word is the path, so the second is one word too many (as
  // oclif says it of `api GET /v1/balance extra`), unless it reads as the path after a mistyped method.
  if (!(METHODS as readonly string[]).includes(first.toUpperCase()) && (first.includes('/') || !second.includes('/'))) {
    throw new UsageError(`Unexpected argument: ${second}`, 'see "proxygate api --help"');
  }
  const legacy = asMethod(first, ` (before the path "${second}")`);
  if (fromFlag && fromFlag !== legacy) throw new UsageError(`two methods: ${legacy} and -X ${fromFlag}`, 'give the method once, with -X');
  return { method: legacy, path: second };
}

/** `/v1/balance` or `v1/balance` (as gh takes `repos/...`); a URL is refused: the token goes to the gateway only. */
function normalizePath(path: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith('//')) {
    throw new UsageError(`the path must be below the gateway (got "${path}")`, 'pass a path such as /v1/balance, not a URL; --gateway sets the gateway');
  }
  return path.startsWith('/') ? path : `/${path}`;
}
