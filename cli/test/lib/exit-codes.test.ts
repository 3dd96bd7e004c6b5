// How the CLI turns any failure (SDK errors, oclif parse errors, anything thrown) into one
// error line and the documented exit code.
import { describe, expect, it } from 'vitest';
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
import { CliError, formatErrorLine, toCliError, UsageError } from '../../src/lib/errors.js';
import { ExitCode } from '../../src/lib/exit-codes.js';
import { maskToken } from '../../src/lib/redact.js';

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
    // A long description wraps onto indented lines: they are not argument names.
    const wrapped = Object.assign(new Error('Missing 1 required arg:\npath  path below the gateway origin (or the method, in the\n      older form METHOD PATH)\nSee more help with --help'), { oclif: { exit: 2 } });
    Object.defineProperty(wrapped, 'name', { value: 'RequiredArgsError' });
    expect(toCliError(wrapped).message).toBe('Missing 1 required arg: path');
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

describe('rate limits', () => {
  it('a 429 exits 1 and says when to retry', () => {
    const limited = APIError.generate({ status: 429, headers: new Headers({ 'retry-after': '7' }), body: { error: 'rate_limit_exceeded', message: 'slow down' } });
    const mapped = toCliError(limited);
    expect(mapped).toMatchObject({ exitCode: 1, code: 'rate_limit_exceeded' });
    expect(mapped.action).toContain('retry in 7 s');
  });

  it('the gateway\'s action sentence and the wait read as one action, without doubled punctuation', () => {
    const body = { error: 'rate_limit_exceeded', message: 'Too many requests.', action: 'Back off and retry after the Retry-After interval.' };
    const limited = APIError.generate({ status: 429, headers: new Headers({ 'retry-after': '1' }), body });
    expect(toCliError(limited).action).toBe('Back off and retry after the Retry-After interval; retry in 1 s');
  });
});
