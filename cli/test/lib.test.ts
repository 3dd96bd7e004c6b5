import { mkdtemp, readFile, stat, writeFile, chmod, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AmbiguousListingError,
  AuthenticationError,
  ConnectionError,
  ExtensionNotSupportedError,
  InvalidRequestError,
  InsufficientScopeError,
  NotFoundError,
  PaidCallOutcomeUnknownError,
  PermissionDeniedError,
  ShieldBlockedError,
  SpendLimitError,
  APIError,
} from '@proxygate-kit/sdk';
import { CliError, formatErrorLine, toCliError, UsageError } from '../src/lib/errors.js';
import { ExitCode } from '../src/lib/exit-codes.js';
import { parseExpiry, renderTable } from '../src/lib/format.js';
import { parseUsdFlag } from '../src/lib/money.js';
import { receiptLine } from '../src/lib/receipt-file.js';
import { maskToken, redactSecrets } from '../src/lib/redact.js';
import { deleteProfile, loadProfile, saveProfile, listProfiles } from '../src/lib/credentials.js';
import { parsePairs, readRequestBody } from '../src/lib/input.js';
import { colorEnabled } from '../src/lib/terminal.js';

const fakeKey = () => `pg_live_${'Ab3'.repeat(10)}${Math.random().toString(36).slice(2, 4)}`;

describe('exit code mapping', () => {
  const headers = (h: Record<string, string>) => new Headers(h);
  it('maps SDK error classes to the documented codes', () => {
    const scope = APIError.generate({
      status: 403,
      headers: headers({ 'www-authenticate': 'Bearer error="insufficient_scope", scope="trade"' }),
      body: { error: 'insufficient_scope', required_scope: 'trade', message: 'needs trade' },
    });
    expect(scope).toBeInstanceOf(InsufficientScopeError);
    const mapped = toCliError(scope);
    expect(mapped.exitCode).toBe(ExitCode.insufficientScope);
    expect(mapped.action).toContain('trade');

    const auth = APIError.generate({ status: 401, body: { error: 'token_expired', message: 'expired' } });
    expect(auth).toBeInstanceOf(AuthenticationError);
    expect(toCliError(auth)).toMatchObject({ exitCode: ExitCode.authRequired, code: 'token_expired' });

    const blocked = APIError.generate({ status: 422, body: { error: 'response_blocked', code: 'shield_blocked', shield_score: 0.9, shield_flags: ['prompt_injection'], refunded: true, message: 'blocked' } });
    expect(blocked).toBeInstanceOf(ShieldBlockedError);
    expect(toCliError(blocked).exitCode).toBe(ExitCode.shieldBlocked);

    const missing = APIError.generate({ status: 404, body: { error: 'listing_not_found', message: 'no such listing', action: 'run proxygate apis' } });
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(toCliError(missing)).toMatchObject({ exitCode: ExitCode.failure, code: 'listing_not_found', action: 'run proxygate apis' });
    // The line says the code once: the gateway's sentence, not the SDK's "404 listing_not_found …".
    expect(formatErrorLine(toCliError(missing))).toBe('listing_not_found: no such listing (run proxygate apis)');
    const local = Object.assign(new Error('ambiguous_listing: "weather" names 2 listings'), { code: 'ambiguous_listing' });
    expect(formatErrorLine(toCliError(local))).toBe('ambiguous_listing: "weather" names 2 listings (pass one of them as SELLER/SLUG or by its listing id)');

    expect(toCliError(new ConnectionError('Connection error: ECONNREFUSED')).exitCode).toBe(ExitCode.failure);
    // The public gateway's 403 names no scope: exit 3 with the scope the SDK says it likely needs.
    const forbidden = APIError.generate({ status: 403, body: { error: 'forbidden', message: 'not permitted' }, likelyScope: '"proxy" (public gateway scope) or "trade"' });
    expect(forbidden).toBeInstanceOf(PermissionDeniedError);
    expect(toCliError(forbidden)).toMatchObject({ exitCode: ExitCode.insufficientScope, code: 'forbidden', action: 'use a token with the "proxy" (public gateway scope) or "trade" scope' });
    const spend = APIError.generate({ status: 429, body: { error: 'spend_limit_exceeded', message: 'over the limit' } });
    expect(toCliError(new SpendLimitError({ status: 429, body: { error: 'spend_limit_exceeded', message: 'over the limit' } }))).toMatchObject({
      exitCode: ExitCode.failure,
      code: 'spend_limit_exceeded',
      message: 'over the limit: a spend limit blocked the call; nothing was charged',
    });
    expect(spend.status).toBe(429);
    const ambiguous = new AmbiguousListingError('web-search', 'slug', [{ listing_id: 'a', slug: 'web-search', seller_slug: 'findly' }, { listing_id: 'b', slug: 'web-search', seller_slug: 'seekr' }], false);
    expect(toCliError(ambiguous)).toMatchObject({ exitCode: ExitCode.usage, code: 'ambiguous_listing', details: { candidates: ambiguous.candidates } });
    expect(toCliError(new ExtensionNotSupportedError('tokens', 'tokens.list()'))).toMatchObject({ exitCode: ExitCode.failure, code: 'extension_not_supported' });
    // Refused by the SDK before sending: the command line is at fault.
    expect(toCliError(new InvalidRequestError('method', 'TRACE is not a published method'), { commandId: 'call' })).toMatchObject({ exitCode: ExitCode.usage, action: 'see "proxygate call --help"' });
    const lost = new PaidCallOutcomeUnknownError(
      { method: 'GET', path: '/proxy/weather/current?listing=x', service: 'weather', listingId: 'x', sentAt: '2026-11-25T12:05:00.000Z', idempotencyKey: null, usageQuery: { service: 'weather', from: '2026-11-25T12:00:00.000Z' } },
      'Connection error',
    );
    const mapped6 = toCliError(lost);
    expect(mapped6).toMatchObject({ exitCode: ExitCode.outcomeUnknown, code: 'paid_call_outcome_unknown' });
    expect(mapped6.action).toBe('check with "proxygate usage --service weather --from 2026-11-25T12:00:00.000Z" before calling again');
    expect(mapped6.message).toMatch(/^the paid call GET \/proxy\/weather\/current \(listing x\) sent at 2026-11-25T12:05:00\.000Z may have been charged: Connection error\. It was not sent again \(this gateway does not replay paid calls by key, so a re-send could be charged twice\)$/);
    expect(toCliError(InsufficientScopeError.missing('tokens:write', ['trade'])).exitCode).toBe(ExitCode.insufficientScope);
  });

  it('treats oclif parse errors and UsageError as usage (2), unknown throwables as failures (1)', () => {
    const parseError = Object.assign(new Error('Missing 1 required arg:\nid'), { oclif: { exit: 2 } });
    Object.defineProperty(parseError, 'name', { value: 'RequiredArgsError' });
    const mapped = toCliError(parseError);
    expect(mapped.exitCode).toBe(ExitCode.usage);
    expect(mapped.message).toBe('Missing 1 required arg: id');
    expect(toCliError(new UsageError('bad')).exitCode).toBe(2);
    expect(toCliError(new Error('boom')).exitCode).toBe(1);
    expect(toCliError('weird').exitCode).toBe(1);
  });

  it('formats one line with code, message and action, masking secrets', () => {
    const key = fakeKey();
    const line = formatErrorLine(new CliError('unauthorized', `key ${key} was\nrejected`, 4, 'run login'), [key]);
    expect(line).toBe(`unauthorized: key ${maskToken(key)} was rejected (run login)`);
    expect(line).not.toContain(key);
    expect(line.split('\n')).toHaveLength(1);
  });
});

describe('receipts kept by call --receipts', () => {
  const json = '{"request_id":"r","buyer":"b","seller":"s","amount":1050,"timestamp":1700000000,"signature":"c2ln"}';
  it('a base64 header is decoded to its JSON text, unchanged (integers, key order, duplicates)', () => {
    expect(receiptLine(Buffer.from(json).toString('base64'))).toBe(json);
    const duplicated = '{"amount":1,"amount":2}';
    expect(receiptLine(Buffer.from(duplicated).toString('base64'))).toBe(duplicated);
    expect(receiptLine(json)).toBe(json);
  });
  it('a receipt spanning lines becomes one line (whitespace outside strings only)', () => {
    expect(receiptLine('{\n  "a": "x y",\n  "b": 1\n}')).toBe('{"a":"x y","b":1}');
  });
  it('anything that is not a JSON object is kept, wrapped, never dropped', () => {
    for (const raw of ['not*a*receipt', Buffer.from('[1,2]').toString('base64'), Buffer.from([0xff, 0xfe, 0x00]).toString('base64'), '{broken']) {
      expect(JSON.parse(receiptLine(raw))).toEqual({ unparsed_receipt: raw });
      expect(receiptLine(raw)).not.toContain('\n');
    }
  });
});

describe('redaction', () => {
  it('shows at most the prefix and last four characters', () => {
    const key = fakeKey();
    expect(maskToken(key)).toBe(`pg_live_…${key.slice(-4)}`);
    expect(maskToken('pg_live_short')).toBe('pg_live_…');
    const del = `pg_del_eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ0b2sifQ.c2lnbmF0dXJlc2lnbmF0dXJl`;
    const text = redactSecrets(`a ${key} b ${del} c`);
    expect(text).not.toContain(key);
    expect(text).not.toContain(del);
    expect(text).toContain(`pg_del_…${del.slice(-4)}`);
  });
});

describe('money and time formatting', () => {
  it('USD flags become integer micro-USD exactly: at most 6 decimals, never negative', async () => {
    expect(await parseUsdFlag('max-cost', '2.50')).toBe(2_500_000);
    expect(await parseUsdFlag('max-cost', '$0.000001')).toBe(1);
    expect(await parseUsdFlag('max-cost', '0.00105')).toBe(1050);
    expect(await parseUsdFlag('max-cost', '1,000')).toBe(1_000_000_000);
    for (const bad of ['1.1234567', '-1', 'abc', '', '0.1.2']) {
      await expect(parseUsdFlag('max-cost', bad)).rejects.toMatchObject({ exitCode: ExitCode.usage, message: expect.stringMatching(/^--max-cost /) });
    }
  });
  it('parses expiry durations and timestamps', () => {
    const now = Date.parse('2026-11-25T12:00:00.000Z');
    expect(parseExpiry('1h', now)).toBe('2026-11-25T13:00:00.000Z');
    expect(parseExpiry('7d', now)).toBe('2026-12-02T12:00:00.000Z');
    expect(parseExpiry('2026-12-01T00:00:00Z', now)).toBe('2026-12-01T00:00:00.000Z');
    expect(parseExpiry('tomorrow', now)).toBeUndefined();
  });
  it('renders aligned tables', () => {
    const out = renderTable([{ a: 'x', b: 1 }, { a: 'long value', b: null }], [
      { header: 'a', get: (r) => r.a },
      { header: 'b', get: (r) => r.b },
    ]);
    expect(out.split('\n')).toEqual(['A           B', 'x           1', 'long value  -']);
  });
});

describe('terminal discipline', () => {
  it('honours NO_COLOR and non-TTY streams', () => {
    expect(colorEnabled({ isTTY: true }, {})).toBe(true);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled({ isTTY: false }, {})).toBe(false);
  });
});

describe('credentials store (file backend)', () => {
  let dir: string;
  let env: Record<string, string>;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pg-cred-'));
    env = { PROXYGATE_CONFIG_DIR: join(dir, 'cfg'), PROXYGATE_CREDENTIAL_STORE: 'file' };
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('writes credentials.json 0600 in a 0700 directory and reads profiles back', async () => {
    const key = fakeKey();
    const saved = await saveProfile('ci', key, 'http://127.0.0.1:9', env);
    expect(saved.storage).toBe('file');
    const file = join(dir, 'cfg', 'credentials.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'cfg'))).mode & 0o777).toBe(0o700);
    const loaded = await loadProfile('ci', env);
    expect(loaded?.apiKey).toBe(key);
    expect(loaded?.entry.gateway_url).toBe('http://127.0.0.1:9');
    expect(loaded?.entry.token_hint).toBe(maskToken(key));
    expect(await loadProfile('default', env)).toBeUndefined();
    expect(await listProfiles(env)).toEqual(['ci']);
    expect(await deleteProfile('ci', env)).toBe(true);
    expect(await deleteProfile('ci', env)).toBe(false);
    expect(JSON.parse(await readFile(file, 'utf8')).profiles).toEqual({});
  });

  it('tightens a credentials file left readable by others', async () => {
    await saveProfile('default', fakeKey(), undefined, env);
    const file = join(dir, 'cfg', 'credentials.json');
    await chmod(file, 0o644);
    await loadProfile('default', env);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });
});

describe('input parsing', () => {
  it('parses key=value pairs and rejects malformed ones as usage errors', () => {
    expect(parsePairs(['a=1', 'b=x=y', 'c='], 'query')).toEqual([['a', '1'], ['b', 'x=y'], ['c', '']]);
    expect(() => parsePairs(['novalue'], 'query')).toThrow(UsageError);
  });
  it('reads bodies inline and from @file, keeping the exact bytes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pg-body-'));
    const file = join(dir, 'body.json');
    await writeFile(file, '{ "city" : "Oslo" }\n');
    expect(await readRequestBody('@' + file)).toEqual({ raw: '{ "city" : "Oslo" }\n', json: { city: 'Oslo' } });
    expect((await readRequestBody('[1,2]')).json).toEqual([1, 2]);
    await expect(readRequestBody('{nope')).rejects.toBeInstanceOf(UsageError);
    await expect(readRequestBody('@' + join(dir, 'missing.json'))).rejects.toMatchObject({ exitCode: 2 });
    await rm(dir, { recursive: true, force: true });
  });
});

describe('prompts and progress only with a human at a terminal', () => {
  it('CI or PROXYGATE_PROMPT_DISABLED turn prompts and spinners off whatever the TTY says', async () => {
    const { canPrompt, canShowProgress, isNonInteractiveEnv } = await import('../src/lib/terminal.js');
    expect(isNonInteractiveEnv({ CI: 'true' })).toBe(true);
    expect(isNonInteractiveEnv({ CI: '0' })).toBe(false);
    expect(isNonInteractiveEnv({ PROXYGATE_PROMPT_DISABLED: '1' })).toBe(true);
    expect(isNonInteractiveEnv({})).toBe(false);
    const stdin = Object.getOwnPropertyDescriptor(process.stdin, 'isTTY');
    const stderr = Object.getOwnPropertyDescriptor(process.stderr, 'isTTY');
    try {
      Object.defineProperty(process.stdin, 'isTTY', { value: true, configurable: true });
      Object.defineProperty(process.stderr, 'isTTY', { value: true, configurable: true });
      expect(canPrompt({})).toBe(true);
      expect(canShowProgress({})).toBe(true);
      expect(canPrompt({ CI: '1' })).toBe(false);
      expect(canShowProgress({ CI: '1' })).toBe(false);
      Object.defineProperty(process.stdin, 'isTTY', { value: false, configurable: true });
      expect(canPrompt({})).toBe(false);
    } finally {
      if (stdin) Object.defineProperty(process.stdin, 'isTTY', stdin);
      else delete (process.stdin as { isTTY?: boolean }).isTTY;
      if (stderr) Object.defineProperty(process.stderr, 'isTTY', stderr);
      else delete (process.stderr as { isTTY?: boolean }).isTTY;
    }
  });
});

describe('rate limits', () => {
  it('a 429 exits 1 and says when to retry', () => {
    const limited = APIError.generate({ status: 429, headers: new Headers({ 'retry-after': '7' }), body: { error: 'rate_limit_exceeded', message: 'slow down' } });
    const mapped = toCliError(limited);
    expect(mapped).toMatchObject({ exitCode: 1, code: 'rate_limit_exceeded' });
    expect(mapped.action).toContain('retry in 7 s');
  });
});
