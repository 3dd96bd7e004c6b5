// The CLI's manners against the mock gateway, both profiles: `api` as gh api, one --json shape for
// every list (and how to get the rest), mcp tools with input schemas and mcp call checking its
// arguments before sending, relative usage dates, the key-rotation hint.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useInProcessMock, type MockProfile } from './helpers/mock.js';
import { cli, isolatedEnv } from './helpers/run.js';

type Json = Record<string, any>;
const json = (r: { stdout: string }): Json => JSON.parse(r.stdout) as Json;

describe.each<MockProfile>(['extended', 'public'])('against the %s profile', (profile) => {
  const ctx = useInProcessMock(`cli-manners-${profile}`, profile);
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  beforeEach(async () => {
    env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: ctx.origin, PROXYGATE_API_KEY: ctx.mock.demoTokens.trader });
  });
  afterEach(() => env.restore());

  describe('api, like gh api', () => {
    it('takes PATH alone, with or without its leading slash, and the older METHOD PATH form', async () => {
      const slash = await cli(['api', '/v1/balance', '--json']);
      expect(slash.exitCode, slash.stderr).toBe(0);
      expect(json(slash)).toMatchObject({ available: expect.any(Number), currency: 'lamports' });
      const bare = await cli(['api', 'v1/balance', '--json']);
      expect(json(bare)).toEqual(json(slash));
      expect(json(await cli(['api', 'GET', '/v1/balance', '--json']))).toEqual(json(slash));
      expect(json(await cli(['api', '/v1/balance', '-X', 'get', '--json']))).toEqual(json(slash));
    });

    it('-f/-F fields: a JSON body (POST by default), or the query string of a GET', async () => {
      const listing = ctx.mock.gateway.listing('echo').id;
      // GET: the fields are the query string.
      const page = await cli(['api', 'v1/apis', '-X', 'GET', '-f', 'q=weather', '-F', 'limit=1', '--json']);
      expect(page.exitCode, page.stderr).toBe(0);
      expect(json(page).data).toHaveLength(1);
      expect(json(page).has_more).toBe(true);
      // Fields without -X: POST with a JSON body (the echo upstream sends back what it got).
      const posted = await cli(['api', `/proxy/echo/echo?listing=${listing}`, '-f', 'text=hi', '-F', 'n=2', '-F', 'ok=true', '-f', 'tags[]=a', '--json']);
      expect(posted.exitCode, posted.stderr).toBe(0);
      const echoed = json(posted);
      expect(echoed.method).toBe('POST');
      expect(JSON.parse(typeof echoed.body === 'string' ? echoed.body : JSON.stringify(echoed.body))).toEqual({ text: 'hi', n: 2, ok: true, tags: ['a'] });
      // -X GET: the same fields go in the query string (the echo upstream shows its query).
      const got = json(await cli(['api', '/proxy/echo/echo', '-X', 'GET', '-f', `listing=${listing}`, '-f', 'text=hi', '-F', 'n=2', '--json']));
      expect(got).toMatchObject({ method: 'GET', query: expect.objectContaining({ text: 'hi', n: '2' }) });
    });

    it('refuses what gh would: a method without a path, two different methods, a URL, --paginate on a POST', async () => {
      for (const args of [
        ['api', 'GET'],
        ['api', 'POST', '/v1/balance', '-X', 'GET'],
        ['api', 'TRACE', '/v1/balance'],
        ['api', 'https://evil.example/v1/balance'],
        ['api', '/v1/apis', '-X', 'POST', '--paginate'],
        ['api', '/v1/apis', '-F', 'a=1', '-F', 'a[b]=2'],
      ]) {
        const r = await cli(args);
        expect(r.exitCode, args.join(' ')).toBe(2);
        expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
        expect(r.stderr).toMatch(/^usage_error: /);
      }
      expect((await cli(['api', 'GET'])).stderr).toContain('"GET" is a method: the path is missing');
      // --paginate without -X stays a GET, its fields in the query string.
      const all = await cli(['api', '/v1/categories', '-F', 'limit=2', '--paginate', '--json']);
      expect(all.exitCode, all.stderr).toBe(0);
      expect(json(all).length).toBe(json(await cli(['categories', '--all', '--json'])).data.length);
    });

    it('a GET or HEAD with a -d body is a usage error, refused before anything is sent', async () => {
      const sent: string[] = [];
      const onRequest = ({ request }: { request: Request }) => void sent.push(request.url);
      ctx.server.events.on('request:start', onRequest);
      try {
        for (const args of [
          ['api', '/v1/apis', '-X', 'GET', '-f', 'limit=1', '-d', '{"a":1}'],
          ['api', 'GET', '/v1/apis', '-d', '{}'],
          ['api', '/v1/balance', '-X', 'head', '-d', '{}'],
        ]) {
          const r = await cli(args);
          expect(r.exitCode, args.join(' ')).toBe(2);
          expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
          expect(r.stderr, args.join(' ')).toMatch(/^usage_error: a (GET|HEAD) request cannot have a body \(-d\) \(/);
        }
      } finally {
        ctx.server.events.removeListener('request:start', onRequest);
      }
      expect(sent).toEqual([]);
    });

    it('a word after the path is an unexpected argument, as after METHOD PATH', async () => {
      for (const args of [['api', '/v1/balance', 'extra'], ['api', 'GET', '/v1/balance', 'extra'], ['api', 'v1/balance', 'extra']]) {
        const r = await cli(args);
        expect(r.exitCode, args.join(' ')).toBe(2);
        expect(r.stderr, args.join(' ')).toBe('usage_error: Unexpected argument: extra (see "proxygate api --help")\n');
      }
      // A mistyped method before a path is still named as a method.
      expect((await cli(['api', 'GTE', '/v1/balance'])).stderr).toMatch(/^usage_error: unknown method "GTE"/);
    });

    it('no argument at all names the missing path in one clean line', async () => {
      const r = await cli(['api']);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toBe('usage_error: Missing 1 required arg: path (see "proxygate api --help")\n');
    });
  });

  describe('one --json shape for every list', () => {
    const lists: Array<{ args: string[]; extended?: true }> = [
      { args: ['apis'] },
      { args: ['pricing'] },
      { args: ['services'] },
      { args: ['categories'] },
      { args: ['usage'] },
      { args: ['tokens', 'list', '--no-all'], extended: true },
    ];

    it('is {data, cursor, has_more}: a page says how to get the next one, on stderr too, and --all gets them all', async () => {
      // Enough rows for two pages of usage and tokens.
      for (let i = 0; i < 2; i++) expect((await cli(['call', 'echo', '/echo', '--no-keep'])).exitCode).toBe(0);
      if (profile === 'extended') for (let i = 0; i < 2; i++) expect((await cli(['tokens', 'create', '--scope', 'catalog:read', '--expires', '1h'])).exitCode).toBe(0);
      for (const { args, extended } of lists) {
        if (extended && profile !== 'extended') continue;
        const name = args.join(' ');
        const first = await cli([...args, '--limit', '1', '--json']);
        expect(first.exitCode, `${name}: ${first.stderr}`).toBe(0);
        const page = json(first);
        expect(Array.isArray(page.data), name).toBe(true);
        expect(page.data, name).toHaveLength(1);
        expect(page.has_more, name).toBe(true);
        expect(page.cursor, name).toEqual(expect.any(String));
        expect(first.stderr, name).toContain(`More results: --cursor ${page.cursor} for the next page (or --all for every page)`);
        const next = json(await cli([...args, '--limit', '1', '--cursor', page.cursor, '--json']));
        expect(JSON.stringify(next.data[0]), name).not.toBe(JSON.stringify(page.data[0]));
        const allArgs = args.includes('--no-all') ? args.filter((a) => a !== '--no-all') : [...args, '--all'];
        const all = await cli([...allArgs, '--limit', '1', '--json']);
        expect(json(all), name).toMatchObject({ has_more: false, cursor: null });
        expect(json(all).data.length, name).toBeGreaterThan(1);
        expect(all.stderr, name).not.toContain('More results');
      }
    });

    it('usage keeps its summary and total beside the rows; receipts keys show --all and mcp tools are lists too', async () => {
      expect((await cli(['call', 'echo', '/echo'])).exitCode).toBe(0);
      const usage = json(await cli(['usage', '--json']));
      expect(usage).toMatchObject({ data: expect.any(Array), cursor: null, has_more: false, summary: expect.any(Array), total_cost_micro_usd: expect.any(Number) });
      const pins = json(await cli(['receipts', 'keys', 'show', '--all', '--json']));
      expect(pins).toMatchObject({ data: [expect.objectContaining({ gateway: ctx.origin })], cursor: null, has_more: false });
      const tools = json(await cli(['mcp', 'tools', '--json']));
      expect(tools).toMatchObject({ cursor: null, has_more: false });
      expect(tools.data.map((t: { name: string }) => t.name)).toContain('call_api');
    });
  });

  describe('usage dates relative to now', () => {
    it('--from 1h lists a call just made; --to 1h leaves it out', async () => {
      const call = json(await cli(['call', 'echo', '/echo', '--json']));
      const id = profile === 'extended' ? 'request_id' : 'id';
      const recent = json(await cli(['usage', '--from', '1h', '--all', '--json'])).data as Json[];
      expect(recent.length).toBeGreaterThan(0);
      if (profile === 'extended') expect(recent.map((row) => row[id])).toContain(call.request_id);
      const older = json(await cli(['usage', '--to', '1h', '--all', '--json'])).data as Json[];
      expect(older).toEqual([]);
    });
  });

  describe('mcp tools and mcp call', () => {
    it('mcp tools --json gives each tool its input schema', async () => {
      const tools = json(await cli(['mcp', 'tools', '--json'])).data as Array<{ name: string; pin: string; input_schema: Json }>;
      expect(tools).toHaveLength(7);
      const callApi = tools.find((t) => t.name === 'call_api')!;
      expect(callApi.pin).toMatch(/^[0-9a-f]{64}$/);
      expect(callApi.input_schema).toMatchObject({ type: 'object', properties: { listing_id: expect.any(Object), path: expect.any(Object) } });
      expect(callApi.input_schema['required']).toEqual(expect.arrayContaining(['listing_id', 'path']));
    });

    it('mcp call checks --arg against the schema before calling: exit 2, the expected fields listed, nothing charged', async () => {
      const before = ctx.mock.ledger().length;
      const missing = await cli(['mcp', 'call', 'call_api', '--arg', 'path=/echo', '--no-keep']);
      expect(missing.exitCode).toBe(2);
      expect(missing.stderr.trim().split('\n')).toHaveLength(1);
      expect(missing.stderr).toMatch(/^usage_error: the arguments do not fit call_api's input schema: listing_id is required \(call_api takes --arg listing_id \(string, required\), .*path \(string, required\)/);
      const typed = await cli(['mcp', 'call', 'browse_apis', '--arg', 'limit=many', '--json']);
      expect(typed.exitCode).toBe(2);
      expect(json(typed).error).toMatchObject({ code: 'usage_error', exit_code: 2, expected: expect.arrayContaining(['limit (integer 1..100)']), input_schema: expect.any(Object) });
      expect(json(typed).error.message).toContain('limit must be an integer, got string "many"');
      // A misspelt field would silently drop what it sets (here the shield mode of a paid call).
      const typo = await cli(['mcp', 'call', 'call_api', '--arg', `listing_id=${ctx.mock.gateway.listing('echo').id}`, '--arg', 'path=/echo', '--arg', 'shiled=off', '--no-keep']);
      expect(typo.exitCode).toBe(2);
      expect(typo.stderr).toMatch(/^usage_error: the arguments do not fit call_api's input schema: shiled is not a field of this tool \(call_api takes --arg .*shield/);
      const bounds = await cli(['mcp', 'call', 'browse_apis', '--arg', 'limit=0']);
      expect(bounds.exitCode).toBe(2);
      expect(bounds.stderr).toContain('limit must be >= 1');
      expect(ctx.mock.ledger().length).toBe(before);
      // A string field keeps the text as typed (a number-looking query is still a query).
      const browse = await cli(['mcp', 'call', 'browse_apis', '--arg', 'q=404', '--arg', 'limit=1', '--json']);
      expect(browse.exitCode, browse.stderr).toBe(0);
      // And the paid call with its fields right goes through.
      const paid = await cli(['mcp', 'call', 'call_api', '--arg', `listing_id=${ctx.mock.gateway.listing('echo').id}`, '--arg', 'path=/echo', '--arg', 'query={"a":"1"}', '--no-keep']);
      expect(paid.exitCode, paid.stderr).toBe(0);
    });
  });
});

describe('after a key rotation', () => {
  const ctx = useInProcessMock('cli-manners-rotation', 'extended');
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  beforeEach(async () => {
    env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: ctx.origin, PROXYGATE_API_KEY: ctx.mock.demoTokens.trader });
  });
  afterEach(() => env.restore());

  it('receipts verify with the keys exported before says to export or pin them again; a call with those keys too', async () => {
    const keys = join(env.dir, 'keys.json');
    const receipts = join(env.dir, 'receipts.jsonl');
    expect((await cli(['receipts', 'keys', 'export', '--output', keys])).exitCode).toBe(0);
    expect((await cli(['call', 'echo', '/echo', '--receipts', receipts, '--keys', keys])).exitCode).toBe(0);
    ctx.mock.rotateKeys();
    expect((await cli(['call', 'echo', '/echo', '--receipts', receipts, '--no-keep', '--keys', keys])).exitCode).toBe(1);
    const verify = await cli(['receipts', 'verify', receipts, '--keys', keys]);
    expect(verify.exitCode).toBe(1);
    expect(verify.stdout).toMatch(/:2: unknown_key: /);
    expect(verify.stderr.trim()).toMatch(/^verification_failed: 1 problem\(s\) found \(1 receipt\(s\) name a key the key set does not hold: if the gateway rotated its receipt keys, .*"proxygate receipts keys export > keys\.json".*"proxygate receipts keys trust"/);
    const audit = await cli(['receipts', 'audit', receipts, '--keys', keys]);
    expect(audit.exitCode).toBe(1);
    expect(audit.stderr).toContain('"proxygate receipts keys export > keys.json"');
    // The keys exported again verify both receipts.
    expect((await cli(['receipts', 'keys', 'export', '--output', keys])).exitCode).toBe(0);
    expect((await cli(['receipts', 'verify', receipts, '--keys', keys])).exitCode).toBe(0);
    expect(JSON.parse(await readFile(keys, 'utf8')).keys.length).toBeGreaterThan(1);
  });
});

describe('apis QUERY that is a typo of a subcommand', () => {
  const ctx = useInProcessMock('cli-manners-apis-typo', 'public');
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  beforeEach(async () => {
    env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: ctx.origin });
  });
  afterEach(() => env.restore());

  it('finds nothing, and says which subcommand was probably meant', async () => {
    const r = await cli(['apis', 'shwo']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('No listings match.\n');
    expect(r.stderr).toBe('"shwo" is searched for as text; did you mean "proxygate apis show"?\n');
    // A search that finds listings is not second-guessed.
    expect((await cli(['apis', 'echo'])).stderr).toBe('');
  });
});
