import { Command, Errors, Flags, type Interfaces } from '@oclif/core';
import { DEFAULT_GATEWAY_URL } from '@proxygate-kit/sdk/defaults';
import { DEFAULT_PROFILE, describeLocation, loadProfile } from './credentials.js';
import { CliError, errorJsonOutput, formatErrorLine, toCliError, UsageError } from './errors.js';
import { chooseGateway } from './gateway-url.js';
import { ExitCode } from './exit-codes.js';
import { booleanGivenValue } from './fast/argv-parser.js';
import { redactSecrets } from './redact.js';

// Defined once, in the SDK (a leaf module: nothing of the client is loaded).
export { DEFAULT_GATEWAY_URL };

export interface ResolvedAuth {
  apiKey: string | undefined;
  /** Where the key came from, for whoami and error hints. */
  source: 'flag' | 'env' | 'profile' | 'none';
  profile: string;
  gatewayUrl: string;
  /** Where the stored secret lives (profile source only). */
  storedAt?: string;
}

/**
 * One error path, plain JSON output. A command that never reaches a gateway (`version`) extends it
 * directly, so its help lists no connection flags.
 */
export abstract class OutputCommand extends Command {
  /** Secrets seen by this run, masked in any error line. */
  protected readonly secrets: string[] = [];

  /**
   * oclif's parse, after refusing `--flag=value` on a boolean flag: oclif would take the flag and
   * make the value an argument (`apis --verified=true` searching for "true", `balance --json=true`
   * an unexpected argument "true").
   */
  // The constraints are oclif's FlagOutput and ArgOutput, which @oclif/core does not export.
  protected override async parse<F extends Record<string, any>, B extends Record<string, any>, A extends Record<string, any>>(
    options?: Interfaces.Input<F, B, A>,
    argv: string[] = this.argv,
  ): Promise<Interfaces.ParserOutput<F, B, A>> {
    const input = (options ?? this.ctor) as { flags?: object; baseFlags?: object; enableJsonFlag?: boolean };
    const flags = { ...input.baseFlags, ...input.flags, ...(input.enableJsonFlag ? { json: { type: 'boolean' } } : {}) } as Parameters<typeof booleanGivenValue>[1];
    const given = booleanGivenValue(argv, flags);
    if (given !== undefined) {
      const name = given.slice(0, given.indexOf('='));
      const flag = flags[name.slice(2)];
      const plain = flag ? name : `--${name.slice('--no-'.length)}`;
      const forms = flag?.allowNo || !flag ? `${plain} or --no-${plain.slice(2)}` : `${plain} alone`;
      throw new UsageError(`${name} is a boolean flag: it takes no value (got "${given}")`, `write ${forms}; see "proxygate ${(this.id ?? '').replace(/:/g, ' ')} --help"`);
    }
    return super.parse(options, argv);
  }

  /** Human output to stdout; silent under --json (run() returns the data instead). */
  protected out(text: string): void {
    if (!this.jsonEnabled()) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Notes for humans (costs, receipts, hints) go to stderr so stdout stays pipeable. */
  protected note(text: string): void {
    process.stderr.write(redactSecrets(text.endsWith('\n') ? text : `${text}\n`, this.secrets));
  }

  override logJson(json: unknown): void {
    // Plain JSON, never colourised: --json output is for programs.
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  }

  /** Every failure ends here: one line on stderr, a JSON error under --json, a documented exit code. */
  override async catch(thrown: Error & { exitCode?: number }): Promise<never> {
    const failure = toCliError(thrown, { commandId: this.id });
    if (process.env['DEBUG'] && thrown instanceof Error && thrown.stack) {
      process.stderr.write(`${redactSecrets(thrown.stack, this.secrets)}\n`);
    }
    process.stderr.write(`${formatErrorLine(failure, this.secrets)}\n`);
    // A command that already printed its own report (receipts verify) only needs the exit code.
    const reported = (thrown as { reported?: boolean }).reported === true;
    if (this.jsonEnabled() && !reported) this.logJson(errorJsonOutput(failure, this.secrets));
    const exit = new Errors.CLIError(redactSecrets(failure.message, this.secrets), { exit: failure.exitCode, code: failure.code });
    exit.skipOclifErrorHandling = true;
    throw exit;
  }
}

/** Base of every command that talks to a gateway: the shared connection flags, over OutputCommand. */
export abstract class BaseCommand extends OutputCommand {
  static override baseFlags = {
    'api-key': Flags.string({
      description: 'API key or delegation token (prefer PROXYGATE_API_KEY or `proxygate login`: flags show up in shell history)',
      helpGroup: 'CONNECTION',
    }),
    gateway: Flags.string({ description: `gateway base URL [env: PROXYGATE_GATEWAY_URL] (default ${DEFAULT_GATEWAY_URL})`, helpGroup: 'CONNECTION' }),
    profile: Flags.string({ description: 'stored credentials profile [env: PROXYGATE_PROFILE] (default "default")', helpGroup: 'CONNECTION' }),
  };

  /** `--api-key` > PROXYGATE_API_KEY > stored profile; `--gateway` > PROXYGATE_GATEWAY_URL > profile > default. */
  protected async resolveAuth(flags: { 'api-key'?: string | undefined; gateway?: string | undefined; profile?: string | undefined }): Promise<ResolvedAuth> {
    const env = process.env;
    const profile = flags.profile ?? nonEmpty(env['PROXYGATE_PROFILE']) ?? DEFAULT_PROFILE;
    const flagKey = nonEmpty(flags['api-key']);
    const envKey = nonEmpty(env['PROXYGATE_API_KEY']);
    let apiKey = flagKey ?? envKey;
    let source: ResolvedAuth['source'] = flagKey ? 'flag' : envKey ? 'env' : 'none';
    let storedGateway: string | undefined;
    let storedAt: string | undefined;
    // The profile is read even when a key came from elsewhere, for its gateway URL.
    // A damaged store is reported, unless the key came from elsewhere and the store is not needed.
    const stored = await loadProfile(profile).catch((error: unknown) => {
      if (apiKey) return undefined;
      throw error;
    });
    if (stored) {
      storedGateway = stored.entry.gateway_url;
      if (!apiKey && stored.apiKey) {
        apiKey = stored.apiKey;
        source = 'profile';
        storedAt = describeLocation(stored.entry).description;
      }
    }
    if (apiKey) this.secrets.push(apiKey);
    const gatewayUrl = chooseGateway([['--gateway', flags.gateway], ['PROXYGATE_GATEWAY_URL', env['PROXYGATE_GATEWAY_URL']], [`profile "${profile}"`, storedGateway]]);
    const auth: ResolvedAuth = { apiKey, source, profile, gatewayUrl };
    if (storedAt) auth.storedAt = storedAt;
    return auth;
  }

  protected requireKey(auth: ResolvedAuth): string {
    if (!auth.apiKey) {
      throw new CliError('unauthorized', 'no API key for this command', ExitCode.authRequired, 'run "proxygate login", pass --api-key or set PROXYGATE_API_KEY');
    }
    return auth.apiKey;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

