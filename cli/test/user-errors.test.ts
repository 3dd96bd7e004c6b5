import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_GATEWAY_URL } from '@proxygate-kit/sdk/defaults';
import { startInProcessMock } from './helpers/mock.js';
import { buyerPrice, callCost, usd } from './helpers/prices.js';
import { cli, isolatedEnv } from './helpers/run.js';
import { toBareReceipts } from './helpers/trail.js';

// Found by using the CLI as a newcomer would: each error must be one line a user can act on.
const { mock, server, origin } = startInProcessMock('cli-user-errors');
afterAll(() => server.close());

const oneLine = (r: { stderr: string }) => {
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0] ?? '';
};

describe('command-line mistakes say what is wrong, on one line', () => {
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  beforeEach(async () => {
    env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: origin, PROXYGATE_API_KEY: mock.demoTokens.trader });
  });
  afterEach(() => env.restore());

  it('a missing argument is named, and the action names the command', async () => {
    const r = await cli(['rate']);
    expect(r.exitCode).toBe(2);
    expect(oneLine(r)).toBe('usage_error: Missing 1 required arg: requestId (see "proxygate rate --help")');
  });

  it('several missing arguments are all named, without oclif notes', async () => {
    const r = await cli(['call']);
    expect(r.exitCode).toBe(2);
    expect(oneLine(r)).toBe('usage_error: Missing 2 required args: listing, path (see "proxygate call --help")');
  });

  it('a flag conflict says which flags conflict', async () => {
    const r = await cli(['rate', 'req_1', '--up', '--down']);
    expect(r.exitCode).toBe(2);
    expect(oneLine(r)).toMatch(/^usage_error: --down cannot also be provided when using --up; --up cannot also be provided when using --down \(see "proxygate rate --help"\)$/);
  });

  it('a missing required flag is named', async () => {
    const r = await cli(['tokens', 'create']);
    expect(r.exitCode).toBe(2);
    expect(oneLine(r)).toBe('usage_error: Missing required flag scope (see "proxygate tokens create --help")');
  });

  it('a flag value out of range says what was expected', async () => {
    const r = await cli(['apis', '--limit', '0']);
    expect(r.exitCode).toBe(2);
    expect(oneLine(r)).toBe('usage_error: Parsing --limit: Expected an integer greater than or equal to 1 but received: 0 (see "proxygate apis --help")');
  });

  it('an unknown flag gets "did you mean" the closest flags of the command, as an unknown command does', async () => {
    const cases: Array<[string[], string]> = [
      [['apis', '--limt', '5'], 'usage_error: Nonexistent flag: --limt (did you mean --limit? see "proxygate apis --help")'],
      [['balance', '--jsno'], 'usage_error: Nonexistent flag: --jsno (did you mean --json? see "proxygate balance --help")'],
      [['call', 'echo', '/echo', '--no-kep'], 'usage_error: Nonexistent flag: --no-kep (did you mean --no-keep? see "proxygate call --help")'],
      [['apis', '--limt=5', '--sortt', 'x'], 'usage_error: Nonexistent flags: --limt=5, --sortt (did you mean --limit for --limt=5, --sort for --sortt? see "proxygate apis --help")'],
      // Nothing close: no guess.
      [['balance', '--frobnicate'], 'usage_error: Nonexistent flag: --frobnicate (see "proxygate balance --help")'],
    ];
    for (const [args, line] of cases) {
      const r = await cli(args);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(oneLine(r), args.join(' ')).toBe(line);
    }
  });

  it('a value given to a boolean flag is a usage error, not an argument', async () => {
    const cases: Array<[string[], string]> = [
      [['apis', '--verified=true'], 'usage_error: --verified is a boolean flag: it takes no value (got "--verified=true") (write --verified alone; see "proxygate apis --help")'],
      [['apis', '--json=yes'], 'usage_error: --json is a boolean flag: it takes no value (got "--json=yes") (write --json alone; see "proxygate apis --help")'],
      [['apis', '--all=1'], 'usage_error: --all is a boolean flag: it takes no value (got "--all=1") (write --all alone; see "proxygate apis --help")'],
      [['balance', '--json=true'], 'usage_error: --json is a boolean flag: it takes no value (got "--json=true") (write --json alone; see "proxygate balance --help")'],
      [['call', 'echo', '/echo', '--no-keep=1'], 'usage_error: --no-keep is a boolean flag: it takes no value (got "--no-keep=1") (write --keep or --no-keep; see "proxygate call --help")'],
    ];
    for (const [args, line] of cases) {
      const r = await cli(args);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stdout, args.join(' ')).toBe('');
      expect(oneLine(r), args.join(' ')).toBe(line);
    }
  });

  it('a percentage filter that is not a number from 0 to 100 is refused, as --max-latency abc is', async () => {
    for (const flag of ['--min-uptime', '--min-rating', '--min-trust-score']) {
      for (const value of ['abc', '101', '-1', '1e3']) {
        const r = await cli(['apis', flag, value]);
        expect(r.exitCode, `${flag} ${value}`).toBe(2);
        expect(oneLine(r), `${flag} ${value}`).toBe(`usage_error: Parsing ${flag}: Expected a number from 0 to 100 but received: ${value} (see "proxygate apis --help")`);
      }
      expect((await cli(['apis', flag, '99.5', '--json'])).exitCode, flag).toBe(0);
    }
  });

  it('the same detail reaches the --json error object', async () => {
    const r = await cli(['rate', '--json']);
    expect(r.exitCode).toBe(2);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'usage_error', message: 'Missing 1 required arg: requestId', exit_code: 2 });
  });

  it('a gateway URL that is not an http(s) URL is a usage error naming --gateway', async () => {
    const flag = await cli(['balance', '--gateway', 'notaurl']);
    expect(flag.exitCode).toBe(2);
    expect(oneLine(flag)).toMatch(/^usage_error: .*"notaurl".*--gateway/);
    process.env['PROXYGATE_GATEWAY_URL'] = '127.0.0.1:8080';
    const env = await cli(['balance', '--json']);
    expect(env.exitCode).toBe(2);
    expect(JSON.parse(env.stdout).error.message).toContain('"127.0.0.1:8080"');
    expect(oneLine(env)).toMatch(/PROXYGATE_GATEWAY_URL/);
  });

  it('PROXYGATE_TIMEOUT bounds each attempt against a gateway that never answers; a bad value is a usage error', async () => {
    const { http } = await import('msw');
    // Answers nothing until the client gives up (its abort ends the wait; the client reads no answer).
    server.use(http.get('*/v1/balance', ({ request }) => new Promise<Response>((resolve) => request.signal.addEventListener('abort', () => resolve(Response.error())))));
    try {
      process.env['PROXYGATE_TIMEOUT'] = '0.05';
      const slow = await cli(['balance']);
      expect(slow.exitCode).toBe(1);
      expect(oneLine(slow)).toMatch(/^connection_error: Request timed out/);
    } finally {
      server.resetHandlers();
    }
    process.env['PROXYGATE_TIMEOUT'] = 'soon';
    const bad = await cli(['balance']);
    expect(bad.exitCode).toBe(2);
    expect(oneLine(bad)).toBe('usage_error: PROXYGATE_TIMEOUT is not a number of seconds between 0 and 3600: "soon" (e.g. PROXYGATE_TIMEOUT=10)');
    delete process.env['PROXYGATE_TIMEOUT'];
  });

  it('a blank gateway URL is a usage error, not the default gateway with the key; receipts verify says the same', async () => {
    process.env['PROXYGATE_GATEWAY_URL'] = ' ';
    const sent: string[] = [];
    const count = ({ request }: { request: Request }) => void sent.push(request.url);
    server.events.on('request:start', count);
    const balance = await cli(['balance']);
    server.events.removeListener('request:start', count);
    expect(balance.exitCode).toBe(2);
    expect(oneLine(balance)).toBe(`usage_error: the gateway URL from PROXYGATE_GATEWAY_URL is blank (unset it, or give an http(s) URL (e.g. ${DEFAULT_GATEWAY_URL}))`);
    expect(sent).toEqual([]);
    const verify = await cli(['receipts', 'verify']);
    expect(verify.exitCode).toBe(2);
    expect(oneLine(verify)).toBe(oneLine(balance));
    // The same URL check, the same words, on both paths.
    process.env['PROXYGATE_GATEWAY_URL'] = 'ftp://example';
    expect(oneLine(await cli(['receipts', 'verify']))).toBe(oneLine(await cli(['balance'])));
    // An empty variable is unset, as shells mean it.
    process.env['PROXYGATE_GATEWAY_URL'] = '';
    expect((await cli(['balance', '--gateway', origin])).exitCode).toBe(0);
  });
});

describe('a dead token says what to do in CLI terms', () => {
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  beforeEach(async () => {
    env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: origin, PROXYGATE_API_KEY: mock.demoTokens.trader });
  });
  afterEach(() => env.restore());

  it('revoked and unknown tokens exit 4 with a CLI action, not an HTTP header recipe', async () => {
    const created = await cli(['tokens', 'create', '--scope', 'account:read', '--json']);
    const child = JSON.parse(created.stdout) as { token: string; info: { id: string } };
    expect((await cli(['tokens', 'revoke', child.info.id])).exitCode).toBe(0);
    const revoked = await cli(['balance', '--api-key', child.token]);
    expect(revoked.exitCode).toBe(4);
    const line = oneLine(revoked);
    expect(line).toMatch(/^token_revoked: The token has been revoked\. \(.*proxygate login.*\)$/);
    expect(line).not.toMatch(/REDACTED|Authorization/);
    expect(revoked.stdout + revoked.stderr).not.toContain(child.token);

    process.env['PROXYGATE_API_KEY'] = `pg_live_${'Q'.repeat(32)}`;
    const unknown = await cli(['balance']);
    expect(unknown.exitCode).toBe(4);
    expect(oneLine(unknown)).toMatch(/^invalid_token: .*\(.*proxygate login.*\)$/);
    expect(unknown.stderr).not.toMatch(/REDACTED|Authorization|Q{32}/);
  });
});

describe('gateway refusals point to CLI commands and flags', () => {
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  beforeEach(async () => {
    env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: origin, PROXYGATE_API_KEY: mock.demoTokens.trader });
  });
  afterEach(() => env.restore());

  it('--max-cost refusals speak USD and flags, and nothing is charged', async () => {
    const charges = mock.ledger().length;
    const r = await cli(['call', 'weather-current', '/current', '--max-cost', '0.001']);
    expect(r.exitCode).toBe(1);
    expect(oneLine(r)).toBe(
      `max_cost_exceeded: weather-current costs ${usd(callCost(mock, 'weather-current'))} with the shield surcharge, above --max-cost $0.001; nothing was sent (raise --max-cost, pick a cheaper listing, or pass --shield off to skip the shield surcharge)`,
    );
    expect(mock.ledger()).toHaveLength(charges);
    const off = await cli(['call', 'weather-current', '/current', '--max-cost', '0.001', '--shield', 'off']);
    expect(oneLine(off)).toBe(`max_cost_exceeded: weather-current costs ${usd(buyerPrice(mock, 'weather-current'))}, above --max-cost $0.001; nothing was sent (raise --max-cost or pick a cheaper listing)`);
  });

  it('a reference that matches several listings is not guessed: exit 2 listing the candidates, nothing charged', async () => {
    const charges = mock.ledger().length;
    const r = await cli(['call', 'web-search', '/search', '--query', 'q=x']);
    expect(r.exitCode).toBe(2);
    expect(oneLine(r)).toMatch(/^ambiguous_listing: "web-search" matches 2 listings by slug: findly\/web-search \([0-9a-f-]{36}\), seekr\/web-search \([0-9a-f-]{36}\) \(pass one of them as SELLER\/SLUG or by its listing id\)$/);
    expect(mock.ledger()).toHaveLength(charges);
    expect((await cli(['call', 'seekr/web-search', '/search', '--query', 'q=x'])).exitCode).toBe(0);
  });

  it('an unknown listing or endpoint points to apis / apis show, not to REST paths', async () => {
    const listing = await cli(['apis', 'show', 'no-such-listing']);
    expect(listing.exitCode).toBe(1);
    expect(oneLine(listing)).toMatch(/^listing_not_found: .*\(run "proxygate apis" to find listings\)$/);
    const endpoint = await cli(['call', 'echo', '/nope', '-X', 'PUT']);
    expect(endpoint.exitCode).toBe(1);
    expect(oneLine(endpoint)).toMatch(/^path_not_allowed: .*\(run "proxygate apis show echo" for its endpoints\)$/);
  });
});

describe('--stream on a listing that answers plain JSON', () => {
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  beforeEach(async () => {
    env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: origin, PROXYGATE_API_KEY: mock.demoTokens.trader });
  });
  afterEach(() => env.restore());

  it('still prints the paid-for body as is, with a note', async () => {
    const plain = await cli(['call', 'weather-current', '/current', '--query', 'city=Oslo']);
    const streamed = await cli(['call', 'weather-current', '/current', '--query', 'city=Oslo', '--stream']);
    expect(streamed.exitCode).toBe(0);
    expect(plain.stdout).toMatch(/"city":"Oslo"/);
    expect(streamed.stdout).toBe(plain.stdout);
    expect(streamed.stderr).toMatch(/not an event stream/);
    const json = JSON.parse((await cli(['call', 'weather-current', '/current', '--query', 'city=Oslo', '--stream', '--json'])).stdout);
    expect(json).toMatchObject({ events: [], body: JSON.parse(plain.stdout) });
  });
});

describe('flag values the SDK would refuse are usage errors', () => {
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  beforeEach(async () => {
    env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: origin, PROXYGATE_API_KEY: mock.demoTokens.trader });
  });
  afterEach(() => env.restore());

  it('an empty or non-ASCII --idempotency-key exits 2 naming the flag, and nothing is charged', async () => {
    const charges = mock.ledger().length;
    for (const key of ['', 'clé-1', 'x'.repeat(256)]) {
      const r = await cli(['call', 'echo', '/echo', `--idempotency-key=${key}`]);
      expect(r.exitCode).toBe(2);
      expect(oneLine(r)).toMatch(/^usage_error: --idempotency-key must be 1\.\.255 printable ASCII characters/);
    }
    const api = await cli(['api', 'POST', '/v1/tokens', '-d', '{"scopes":["trade"]}', '--idempotency-key', 'clé']);
    expect(api.exitCode).toBe(2);
    expect(mock.ledger()).toHaveLength(charges);
  });
});

describe('output files that cannot be written', () => {
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  beforeEach(async () => {
    env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: origin, PROXYGATE_API_KEY: mock.demoTokens.trader });
  });
  afterEach(() => env.restore());

  it('call --receipts into a missing directory is refused before paying, so no receipt is lost', async () => {
    const charges = mock.ledger().length;
    const target = `${env.dir}/no-such-dir/receipts.jsonl`;
    const r = await cli(['call', 'echo', '/echo', '--receipts', target]);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(oneLine(r)).toBe(`usage_error: cannot write ${target} (ENOENT) (check that the directory exists and is writable)`);
    expect(mock.ledger()).toHaveLength(charges);
  });

  it('-o into a missing directory is one usage_error line, not a bare ENOENT', async () => {
    const target = `${env.dir}/no-such-dir/keys.json`;
    const r = await cli(['receipts', 'keys', 'export', '-o', target]);
    expect(r.exitCode).toBe(2);
    expect(oneLine(r)).toBe(`usage_error: cannot write ${target} (ENOENT) (check that the directory exists and is writable)`);
  });
});

describe('a damaged credentials store', () => {
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  beforeEach(async () => {
    env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: origin });
  });
  afterEach(() => env.restore());

  it('a corrupt credentials.json is named with a fix, not "no API key" or a bare JSON error', async () => {
    const { mkdir, writeFile } = await import('node:fs/promises');
    const dir = process.env['PROXYGATE_CONFIG_DIR'] ?? '';
    await mkdir(dir, { recursive: true });
    await writeFile(`${dir}/credentials.json`, '{bad');
    const who = await cli(['whoami']);
    expect(who.exitCode).toBe(2);
    expect(oneLine(who)).toBe(`credentials_unreadable: ${dir}/credentials.json is not valid JSON (fix or delete it, then run "proxygate login")`);
    const login = await cli(['login', '--key', mock.demoTokens.trader]);
    expect(login.exitCode).toBe(2);
    expect(oneLine(login)).toMatch(/^credentials_unreadable: .*credentials\.json is not valid JSON/);
    expect(login.stdout + login.stderr).not.toContain(mock.demoTokens.trader);
    // A key from the environment does not need the store.
    process.env['PROXYGATE_API_KEY'] = mock.demoTokens.trader;
    expect((await cli(['balance'])).exitCode).toBe(0);
  });

  it('PROXYGATE_CONFIG_DIR naming a file is one line that names the variable', async () => {
    const { writeFile } = await import('node:fs/promises');
    const file = `${env.dir}/not-a-dir`;
    await writeFile(file, 'x');
    process.env['PROXYGATE_CONFIG_DIR'] = file;
    const r = await cli(['login', '--key', mock.demoTokens.trader]);
    expect(r.exitCode).toBe(2);
    expect(oneLine(r)).toMatch(/^credentials_unreadable: cannot (read|write) .*not-a-dir.* \(ENOTDIR\) \(check PROXYGATE_CONFIG_DIR/);
  });
});

describe('an answer the SDK cannot read', () => {
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  beforeEach(async () => {
    env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: origin, PROXYGATE_API_KEY: mock.demoTokens.trader });
  });
  afterEach(async () => {
    mock.faults.clear();
    await env.restore();
  });

  it('says to check the gateway URL, not to set an SDK option the CLI user cannot reach', async () => {
    mock.faults.inject({ kind: 'malformed_json', path: '/v1/balance', times: 5 });
    const r = await cli(['balance']);
    expect(r.exitCode).toBe(1);
    const line = oneLine(r);
    expect(line).toMatch(/^invalid_response: .*\(check that --gateway \/ PROXYGATE_GATEWAY_URL points to a Proxygate gateway; retry later\)$/);
    expect(line).not.toMatch(/validation|Upgrade the SDK/);
  });

  it('says the body is not valid JSON, not that a string is not the object expected', async () => {
    mock.faults.inject({ kind: 'malformed_json', path: '/v1/balance', times: 5 });
    const line = oneLine(await cli(['balance']));
    expect(line).toMatch(/^invalid_response: The 200 answer to GET \/v1\/balance is not valid JSON: /);
    expect(line).not.toMatch(/expected object|received string/);
  });
});

describe('help for something that does not exist', () => {
  it('is one usage_error line, like an unknown command', async () => {
    const r = await cli(['help', 'nosuch', 'thing']);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(oneLine(r)).toBe('usage_error: no command or help topic "nosuch thing" (run "proxygate --help" for the list)');
  });
});

describe('files saved with a UTF-8 byte-order mark (Windows editors, PowerShell)', () => {
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  beforeEach(async () => {
    env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: origin, PROXYGATE_API_KEY: mock.demoTokens.trader });
  });
  afterEach(() => env.restore());

  it('are read like the receipts beside them: keys, head and usage files', async () => {
    const { readFile, writeFile } = await import('node:fs/promises');
    const bom = async (file: string) => writeFile(file, `\uFEFF${await readFile(file, 'utf8')}`);
    const keys = `${env.dir}/keys.json`;
    const receipts = `${env.dir}/receipts.jsonl`;
    const head = `${env.dir}/head.json`;
    const log = `${env.dir}/log.jsonl`;
    const usage = `${env.dir}/usage.json`;
    expect((await cli(['receipts', 'keys', 'export', '-o', keys])).exitCode).toBe(0);
    expect((await cli(['call', 'echo', '/echo', '--receipts', receipts])).exitCode).toBe(0);
    await toBareReceipts(receipts);
    expect((await cli(['receipts', 'log', '-o', log, '--head', head])).exitCode).toBe(0);
    await writeFile(usage, (await cli(['usage', '--all', '--json'])).stdout);
    await Promise.all([bom(keys), bom(head), bom(usage)]);
    const verified = await cli(['receipts', 'verify', receipts, '--keys', keys]);
    expect(verified.stderr).toBe('');
    expect(verified.exitCode).toBe(0);
    const audited = await cli(['receipts', 'audit', log, '--keys', keys, '--head', head, '--json']);
    expect(audited.exitCode).toBe(0);
    expect(JSON.parse(audited.stdout).head).toMatchObject({ verified: true, root_matches: true });
    const reconciled = await cli(['receipts', 'audit', log, '--keys', keys, '--usage', usage, '--json']);
    expect(JSON.parse(reconciled.stdout).usage.joined.matched).toBeGreaterThan(0);
  });
});

describe('files written by Windows PowerShell 5 redirection (UTF-16LE with a BOM)', () => {
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  beforeEach(async () => {
    env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: origin, PROXYGATE_API_KEY: mock.demoTokens.trader });
  });
  afterEach(() => env.restore());

  it('`receipts keys export > keys.json` there still gives a usable key file, and UTF-16 receipts verify', async () => {
    const { readFile, writeFile } = await import('node:fs/promises');
    const utf16 = (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const keys = `${env.dir}/keys.json`;
    const receipts = `${env.dir}/receipts.jsonl`;
    await writeFile(keys, utf16((await cli(['receipts', 'keys', 'export'])).stdout));
    expect((await cli(['call', 'echo', '/echo', '--receipts', receipts])).exitCode).toBe(0);
    expect((await cli(['call', 'echo', '/echo', '--receipts', receipts])).exitCode).toBe(0);
    await writeFile(receipts, utf16(await readFile(await toBareReceipts(receipts), 'utf8')));
    const r = await cli(['receipts', 'verify', receipts, '--keys', keys, '--json']);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ valid: 2, invalid: 0 });
  });
});

describe('no command takes an argument from stdin behind the user\'s back', () => {
  it('every argument of every command sets ignoreStdin (oclif reads piped stdin into a missing one)', async () => {
    const { COMMANDS } = await import('../src/commands.js');
    const args = Object.entries(COMMANDS).flatMap(([id, command]) =>
      Object.entries((command as { args?: Record<string, { ignoreStdin?: boolean }> }).args ?? {}).map(([name, arg]) => ({ id, name, ignoreStdin: arg.ignoreStdin })),
    );
    expect(args.length).toBeGreaterThan(5);
    expect(args.filter((a) => a.ignoreStdin !== true)).toEqual([]);
  });
});

describe('tokens create --expires', () => {
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  beforeEach(async () => {
    env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: origin, PROXYGATE_API_KEY: mock.demoTokens.trader });
  });
  afterEach(() => env.restore());

  it('takes a plain date like usage --from does (midnight UTC)', async () => {
    const r = await cli(['tokens', 'create', '--scope', 'catalog:read', '--expires', '2999-01-01', '--json']);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout).info.expires_at).toBe('2999-01-01T00:00:00.000Z');
  });

  it('says a time in the past is in the past (exit 2, nothing sent), not that it is no time', async () => {
    for (const value of ['2020-01-01', '2020-01-01T00:00:00Z', '0s']) {
      const r = await cli(['tokens', 'create', '--scope', 'catalog:read', '--expires', value]);
      expect(r.exitCode).toBe(2);
      expect(oneLine(r)).toMatch(new RegExp(`^usage_error: --expires is in the past: "${value}" \\(e\\.g\\. --expires 1h or --expires \\d{4}-\\d{2}-\\d{2}\\)$`));
    }
  });

  it('suggests a date that works: one in the future, whatever today is', async () => {
    for (const value of ['2020-01-01', 'soon']) {
      const r = await cli(['tokens', 'create', '--scope', 'catalog:read', '--expires', value]);
      expect(r.exitCode, value).toBe(2);
      const example = /--expires (\d{4}-\d{2}-\d{2})\)$/.exec(oneLine(r))?.[1];
      expect(example, value).toBeDefined();
      expect(Date.parse(`${example}T00:00:00Z`), value).toBeGreaterThan(Date.now());
      const followed = await cli(['tokens', 'create', '--scope', 'catalog:read', '--expires', example!, '--json']);
      expect(followed.exitCode, followed.stderr).toBe(0);
    }
  });
});

describe('audit findings that are not about one receipt', () => {
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  beforeEach(async () => {
    env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: origin, PROXYGATE_API_KEY: mock.demoTokens.trader });
  });
  afterEach(() => env.restore());

  it('name the usage or head file they come from instead of "-" (which reads as stdin)', async () => {
    const { writeFile } = await import('node:fs/promises');
    const keys = `${env.dir}/keys.json`;
    const receipts = `${env.dir}/receipts.jsonl`;
    const usage = `${env.dir}/usage.json`;
    const head = `${env.dir}/head.json`;
    expect((await cli(['receipts', 'keys', 'export', '-o', keys])).exitCode).toBe(0);
    const saved = JSON.parse((await cli(['call', 'echo', '/echo', '--receipts', receipts, '--json'])).stdout) as { request_id: string };
    const unsaved = JSON.parse((await cli(['call', 'echo', '/echo', '--json'])).stdout) as { request_id: string };
    await toBareReceipts(receipts);
    await writeFile(usage, (await cli(['usage', '--all', '--json'])).stdout);
    expect((await cli(['receipts', 'log', '-o', `${env.dir}/log.jsonl`, '--head', head])).exitCode).toBe(0);
    const r = await cli(['receipts', 'audit', receipts, '--keys', keys, '--usage', usage]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain(`${usage}: chain_gap: usage entry ${unsaved.request_id} has no valid receipt`);
    expect(r.stdout).not.toContain(`usage entry ${saved.request_id}`);
    expect(r.stdout).not.toMatch(/^-: /m);
    const short = await cli(['receipts', 'audit', receipts, '--keys', keys, '--head', head]);
    expect(short.exitCode).toBe(1);
    expect(short.stdout).toMatch(new RegExp(`^${head.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: chain_gap: the log holds`, 'm'));
  });
});

describe('PROXYGATE_RECEIPT_KEYS naming a missing file', () => {
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  beforeEach(async () => {
    env = await isolatedEnv();
  });
  afterEach(() => env.restore());

  it('says the path came from the variable, since the command line shows no --keys', async () => {
    process.env['PROXYGATE_RECEIPT_KEYS'] = `${env.dir}/gone.json`;
    const { writeFile } = await import('node:fs/promises');
    await writeFile(`${env.dir}/r.jsonl`, '');
    const r = await cli(['receipts', 'verify', `${env.dir}/r.jsonl`]);
    expect(r.exitCode).toBe(2);
    expect(oneLine(r)).toBe(`usage_error: cannot read ${env.dir}/gone.json (ENOENT), named by PROXYGATE_RECEIPT_KEYS (check the file path)`);
    delete process.env['PROXYGATE_RECEIPT_KEYS'];
  });

  it('unusable keys are named by where they came from (--keys, the variable, --pin), not "the pinned keys"', async () => {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(`${env.dir}/r.jsonl`, '');
    await writeFile(`${env.dir}/keys.json`, '{"keys": 3}');
    const flag = await cli(['receipts', 'verify', `${env.dir}/r.jsonl`, '--keys', `${env.dir}/keys.json`]);
    expect(flag.exitCode).toBe(2);
    expect(oneLine(flag)).toBe(`usage_error: the keys in ${env.dir}/keys.json are not usable: keys: must be an array (export them again ("proxygate receipts keys export > ${env.dir}/keys.json"))`);
    process.env['PROXYGATE_RECEIPT_KEYS'] = `${env.dir}/keys.json`;
    expect(oneLine(await cli(['receipts', 'verify', `${env.dir}/r.jsonl`]))).toContain(`the keys in ${env.dir}/keys.json (named by PROXYGATE_RECEIPT_KEYS) are not usable`);
    delete process.env['PROXYGATE_RECEIPT_KEYS'];
    const pin = await cli(['receipts', 'verify', `${env.dir}/r.jsonl`, '--pin', 'k1=notakey']);
    expect(pin.exitCode).toBe(2);
    expect(oneLine(pin)).toMatch(/^usage_error: the --pin keys are not usable: .*\(give each as KID=KEY/);
  });
});

describe('a token at its spend limit', () => {
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  beforeEach(async () => {
    env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: origin, PROXYGATE_API_KEY: mock.demoTokens.capped });
  });
  afterEach(() => env.restore());

  it('exits 1, says nothing was charged and how to go on', async () => {
    let last = await cli(['call', 'weather-current', '/current']);
    for (let i = 0; i < 10 && last.exitCode === 0; i++) last = await cli(['call', 'weather-current', '/current']);
    expect(last.exitCode).toBe(1);
    expect(oneLine(last)).toMatch(/^spend_limit_exceeded: .+; nothing was charged \(wait for the limit to reset, raise it, or use a key with a higher limit; "proxygate whoami" shows the key\)$/);
  });
});

describe('a token limited to other listings', () => {
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  beforeEach(async () => {
    env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: origin, PROXYGATE_API_KEY: mock.demoTokens.trader });
  });
  afterEach(() => env.restore());

  it('exits 3 and says how to see which listings the token may call', async () => {
    const created = JSON.parse((await cli(['tokens', 'create', '--scope', 'trade', '--listing', 'weather-current', '--json'])).stdout) as { token: string };
    const r = await cli(['call', 'echo', '/echo', '--api-key', created.token]);
    expect(r.exitCode).toBe(3);
    expect(oneLine(r)).toMatch(/^listing_not_allowed: .+ \(use a token allowed on this listing; "proxygate whoami" lists the token's listings\)$/);
    expect(r.stderr).not.toContain(created.token);
  });
});

describe('usage --from/--to with plain dates', () => {
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  beforeEach(async () => {
    env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: origin, PROXYGATE_API_KEY: mock.demoTokens.trader });
  });
  afterEach(() => env.restore());

  it('--to DAY includes that day (a month is --from 2026-11-01 --to 2026-11-30); an instant is inclusive', async () => {
    const call = JSON.parse((await cli(['call', 'echo', '/echo', '--json'])).stdout) as { request_id: string };
    const all = JSON.parse((await cli(['usage', '--all', '--json'])).stdout) as { data: Array<{ request_id: string; created_at: string }> };
    const row = all.data.find((e) => e.request_id === call.request_id);
    const day = row?.created_at.slice(0, 10) ?? '';
    expect(day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const through = JSON.parse((await cli(['usage', '--from', day, '--to', day, '--all', '--json'])).stdout) as { data: Array<{ request_id: string }> };
    expect(through.data.map((e) => e.request_id)).toContain(call.request_id);
    // An exact instant is inclusive, as the API defines it; a millisecond earlier leaves the call out.
    const at = Date.parse(row?.created_at ?? '');
    const upTo = (ms: number) => new Date(ms).toISOString();
    const inclusive = JSON.parse((await cli(['usage', '--to', upTo(at), '--all', '--json'])).stdout) as { data: Array<{ request_id: string }> };
    expect(inclusive.data.map((e) => e.request_id)).toContain(call.request_id);
    const before = JSON.parse((await cli(['usage', '--to', upTo(at - 1), '--all', '--json'])).stdout) as { data: Array<{ request_id: string }> };
    expect(before.data.map((e) => e.request_id)).not.toContain(call.request_id);
  });

  it('an inverted range is a usage error, not an empty list', async () => {
    const r = await cli(['usage', '--from', '2026-12-01', '--to', '2026-11-01']);
    expect(r.exitCode).toBe(2);
    expect(oneLine(r)).toMatch(/^usage_error: --from \(2026-12-01\) is after --to \(2026-11-01\)/);
  });
});
