import { Flags } from '@oclif/core';
import { BaseCommand } from './base-command.js';
import { toCliError, type CliError } from './errors.js';
import { currentGateway, keptLogSources, pinnedKeys, profileName } from './receipt-defaults.js';
import { planInputs, type InputSource } from './receipt-stream.js';
import { explicitKeys, githubErrorLine, hasExplicitKeys, parseFormat, REPORT_FORMATS, type ChosenKeys, type ReportFormat } from './receipts-verify.js';

// What `receipts verify`, `receipts audit` and `receipts audit merge` share: the keys they judge
// against, where their input comes from, the report formats and how a failure is shown.

export const INPUT_RULE = `Input: FILES as named (JSON Lines, the receipt trail's lines, JSON arrays, receipt-log pages, base64 header values; - is stdin). With no FILES: stdin when something is piped into it, else the kept receipts of the profile's paid calls (its month files, "proxygate receipts path").`;

export const KEYS_RULE = `Keys: --keys FILE (from "receipts keys export"), --pin KID=KEY (platform=… and receipt-ca=… for v1/v2), PROXYGATE_RECEIPT_KEYS, else the keys pinned for the current gateway (--gateway, PROXYGATE_GATEWAY_URL or the profile's). Never fetched: offline by design.

Downgrade: when the key set is a key-set document listing v3 keys (a gateway that signs v3 receipts), a v1/v2 receipt is a "downgrade" failure; --allow-legacy accepts them, --require-v3 refuses them whatever the keys.`;

export const keyFlags = {
  keys: Flags.string({ description: 'key set file saved by "receipts keys export" [env: PROXYGATE_RECEIPT_KEYS]' }),
  pin: Flags.string({ description: 'pin one key as KID=KEY (repeatable; platform=… and receipt-ca=… for v1/v2)', multiple: true }),
  'require-v3': Flags.boolean({ description: 'a v1/v2 receipt is a downgrade failure, whatever the keys' }),
  'allow-legacy': Flags.boolean({ description: 'accept v1/v2 receipts even when the key set is of a gateway that signs v3' }),
};

export const reportFlags = {
  format: Flags.string({ description: 'report format', options: [...REPORT_FORMATS] }),
  'allow-empty': Flags.boolean({ description: 'no receipts at all is not a failure' }),
  'max-issues': Flags.integer({ description: 'failures listed in the report (every one is counted; default 1000)', min: 0 }),
};

interface KeyFlagValues {
  keys?: string | undefined;
  pin?: string[] | undefined;
  profile?: string | undefined;
  gateway?: string | undefined;
}

/** Explicit keys, else the pin of the current gateway for the profile. */
export async function chooseKeys(flags: KeyFlagValues): Promise<ChosenKeys> {
  const request = { keys: flags.keys, pins: flags.pin ?? [] };
  if (hasExplicitKeys(request)) return explicitKeys(request);
  const profile = profileName(flags.profile);
  return pinnedKeys(profile, currentGateway(profile, flags.gateway));
}

/** The inputs by the rule above; `note` says when the kept log is read. */
export async function chooseInputs(files: readonly string[], profileFlag: string | undefined, note: (text: string) => void): Promise<InputSource[]> {
  const plan = await planInputs(files);
  if (plan.sources) return plan.sources;
  const kept = keptLogSources(profileName(profileFlag));
  note(kept.note);
  return kept.sources;
}

/** The value of `--format` in raw arguments (before oclif parsed them: a failure may come first). */
function rawFormat(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return undefined;
    if (arg === '--format') return argv[i + 1];
    if (arg.startsWith('--format=')) return arg.slice('--format='.length);
  }
  return undefined;
}

/** Base of the report commands: `--format json` is JSON output too, `--format github` shows failures as annotations. */
export abstract class ReportCommand extends BaseCommand {
  static override enableJsonFlag = true;

  protected reportFormat(flags: { format?: string | undefined; json?: boolean | undefined }): ReportFormat {
    const envJson = process.env['PROXYGATE_CONTENT_TYPE']?.toLowerCase() === 'json';
    return parseFormat(flags.format, Boolean(flags.json) || (flags.format === undefined && envJson));
  }

  override jsonEnabled(): boolean {
    return super.jsonEnabled() || rawFormat(this.argv) === 'json';
  }

  override async catch(thrown: Error & { exitCode?: number }): Promise<never> {
    const reported = (thrown as { reported?: boolean }).reported === true;
    if (rawFormat(this.argv) === 'github' && !reported) process.stdout.write(githubErrorLine(toCliError(thrown, { commandId: this.id })));
    return super.catch(thrown);
  }

  /** The report on stdout (not through oclif's JSON: the formats are ours). */
  protected write(text: string): void {
    process.stdout.write(text);
  }

  protected io(): CommandIo {
    return { note: (text) => this.note(text), write: (text) => this.write(text), reported: (failure, format) => this.reported(failure, format) };
  }

  /**
   * The failure after the report was printed: only its line on stderr (and, for github, an
   * annotation when the report itself does not show it: an empty input).
   */
  protected reported(failure: CliError, format: ReportFormat): CliError {
    if (format === 'github' && failure.code === 'no_receipts') this.write(githubErrorLine(failure));
    return Object.assign(failure, { reported: true });
  }
}

/** What the shared runners need of a command. */
export interface CommandIo {
  note(text: string): void;
  write(text: string): void;
  reported(failure: CliError, format: ReportFormat): CliError;
}
