// The SDK's local refusals in CLI words (InvalidRequestError: exit 2, RedirectRefusedError: exit 1,
// both documented), the error classes matched by name all real, and the version the CLI gives.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Parser } from '@oclif/core';
import * as Sdk from '@proxygate-kit/sdk';
import { InvalidRequestError, RedirectRefusedError } from '@proxygate-kit/sdk';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { formatErrorLine, toCliError } from '../../src/lib/errors.js';
import { EXIT_CODE_TABLE, ExitCode } from '../../src/lib/exit-codes.js';
import { cliVersion } from '../../src/lib/version.js';
import { cli, isolatedEnv } from '../helpers/run.js';

const errorsSource = readFileSync(fileURLToPath(new URL('../../src/lib/errors.ts', import.meta.url)), 'utf8');

describe('InvalidRequestError: refused before sending, said with the flag a user types (exit 2)', () => {
  it('names the CLI flag or argument instead of the SDK option, keeping the SDK sentence', () => {
    const cases: Array<[InvalidRequestError, string]> = [
      [new InvalidRequestError('gatewayUrl', 'must not carry a query or fragment (not even an empty "?" or "#")'), 'the gateway URL (--gateway, PROXYGATE_GATEWAY_URL or the profile\'s): must not carry a query or fragment (not even an empty "?" or "#"); nothing was sent'],
      [new InvalidRequestError('headers.content-length', 'is set by the HTTP layer from the body; remove it'), 'a header "content-length": is set by the HTTP layer from the body; remove it; nothing was sent'],
      [new InvalidRequestError('query.listing', 'is set by the SDK'), 'a query parameter (--query) "listing": is set by the SDK; nothing was sent'],
      [new InvalidRequestError('idempotencyKey', 'must be 1..255 printable ASCII characters'), '--idempotency-key: must be 1..255 printable ASCII characters; nothing was sent'],
      // An option the CLI has no word for keeps the SDK's sentence as it is.
      [new InvalidRequestError('onReceipt', 'must be a function'), 'onReceipt: must be a function; nothing was sent'],
    ];
    for (const [error, message] of cases) {
      const mapped = toCliError(error, { commandId: 'api' });
      expect(mapped).toMatchObject({ code: 'invalid_request', exitCode: ExitCode.usage, message, action: 'see "proxygate api --help"' });
    }
  });

  it('a gateway URL with a query reaches the SDK and comes back as one line, exit 2, nothing sent', async () => {
    const env = await isolatedEnv({ PROXYGATE_API_KEY: `pg_live_${'x'.repeat(32)}` });
    try {
      const r = await cli(['balance', '--gateway', 'http://127.0.0.1:9/?x=1']);
      expect(r.exitCode).toBe(2);
      expect(r.stderr.trim().split('\n')).toEqual([
        'invalid_request: the gateway URL (--gateway, PROXYGATE_GATEWAY_URL or the profile\'s): must not carry a query or fragment (not even an empty "?" or "#"); nothing was sent (see "proxygate balance --help")',
      ]);
    } finally {
      await env.restore();
    }
  });
});

describe('RedirectRefusedError: a redirect is not followed (exit 1), the fix is the final gateway URL', () => {
  it('says where it pointed, in CLI words (no SDK option names)', () => {
    const mapped = toCliError(new RedirectRefusedError(301, new URL('https://elsewhere.example/v1/balance?secret=1'), 'cross_origin'));
    expect(mapped).toMatchObject({ code: 'redirect_refused', exitCode: ExitCode.failure });
    expect(formatErrorLine(mapped)).toBe(
      'redirect_refused: the gateway answered 301, a redirect to another origin (https://elsewhere.example/v1/balance): not followed (use the final gateway origin: --gateway, PROXYGATE_GATEWAY_URL or "proxygate login --gateway URL")',
    );
    expect(formatErrorLine(mapped)).not.toMatch(/gatewayUrl|secret/);
  });

  describe('from a gateway that answers with a redirect', () => {
    const origin = 'https://old-gateway.test';
    const server = setupServer(
      http.get(`${origin}/v1/balance`, () => new HttpResponse(null, { status: 308, headers: { location: 'https://new-gateway.test/v1/balance' } })),
      http.get(`${origin}/health`, () => HttpResponse.json({ status: 'ok' })),
    );
    let env: Awaited<ReturnType<typeof isolatedEnv>>;
    beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
    afterAll(() => server.close());
    beforeEach(async () => {
      env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: origin, PROXYGATE_API_KEY: `pg_live_${'y'.repeat(32)}` });
    });
    afterEach(() => env.restore());

    it('exits 1 with one line naming the target and the fix', async () => {
      const r = await cli(['balance']);
      expect(r.exitCode).toBe(1);
      expect(r.stderr.trim().split('\n')).toEqual([
        'redirect_refused: the gateway answered 308, a redirect to another origin (https://new-gateway.test/v1/balance): not followed (use the final gateway origin: --gateway, PROXYGATE_GATEWAY_URL or "proxygate login --gateway URL")',
      ]);
    });
  });

  it('both codes are documented in help exit-codes, with their exit code', () => {
    const meaning = (code: number) => EXIT_CODE_TABLE.find((row) => row.code === code)?.meaning.replace(/\s+/g, ' ') ?? '';
    expect(meaning(ExitCode.usage)).toContain('invalid_request');
    expect(meaning(ExitCode.failure)).toContain('redirect_refused');
  });
});

describe('no dead names', () => {
  it('every error class errors.ts matches by name is one the SDK exports (or oclif / the platform throws)', async () => {
    const matched = [...errorsSource.matchAll(/has\('([A-Za-z]+)'\)/g)].map((m) => m[1]!);
    expect(matched.length).toBeGreaterThan(10);
    // Thrown by oclif (its CLIError, its parser's errors: named as oclif names them when it throws
    // them here) or by the platform (DOM AbortError / TimeoutError).
    const thrownBy = async (argv: string[]) => (await Parser.parse(argv, { flags: {}, args: {}, strict: true }).then(() => undefined, (e: Error) => e.constructor.name))!;
    const notSdk = new Set(['CLIError', 'AbortError', 'TimeoutError', await thrownBy(['--nope']), await thrownBy(['extra'])]);
    expect(notSdk).toContain('NonExistentFlagsError');
    expect(notSdk).toContain('UnexpectedArgsError');
    const sdkClasses = new Set(Object.entries(Sdk).filter(([, v]) => typeof v === 'function').map(([name]) => name));
    const unknown = [...new Set(matched)].filter((name) => !sdkClasses.has(name) && !notSdk.has(name));
    expect(unknown).toEqual([]);
  });

  it('the version the CLI gives MCP servers is its package.json version', () => {
    const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { version: string };
    expect(cliVersion()).toBe(pkg.version);
  });
});
