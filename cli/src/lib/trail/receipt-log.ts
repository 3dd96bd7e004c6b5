import { constants } from 'node:fs';
import { access, chmod, mkdir, stat } from 'node:fs/promises';
import type { TrailEntry } from '@proxygate-kit/sdk';
import { CliError, UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { assertWritable } from '../output-file.js';
import { currentReceiptLogFile, receiptLogDir, trailNow } from './paths.js';

type Env = Record<string, string | undefined>;
type ReceiptsNode = typeof import('@proxygate-kit/sdk/receipts/node');

/**
 * Where a paid call's receipts go: the profile's kept log (one file per month, unless
 * `--no-keep`) and `--receipts FILE`, both in the trail line format, each line one O_APPEND
 * write. Both are checked before anything is sent: a charge whose receipt cannot be kept is
 * refused up front.
 */
export class ReceiptLog {
  private constructor(
    /** The profile's log directory, or undefined with `--no-keep`. */
    readonly dir: string | undefined,
    /** `--receipts FILE`, when given. */
    readonly file: string | undefined,
    private readonly env: Env,
    private readonly sdk: ReceiptsNode,
  ) {}

  static async open(options: { profile: string; keep: boolean; file?: string | undefined; env?: Env }): Promise<ReceiptLog> {
    const env = options.env ?? process.env;
    const dir = options.keep ? receiptLogDir(options.profile, env) : undefined;
    if (dir) await prepareLogDir(dir, currentReceiptLogFile(options.profile, trailNow(env), env));
    if (options.file) await assertWritable(options.file);
    return new ReceiptLog(dir, options.file, env, await import('@proxygate-kit/sdk/receipts/node'));
  }

  /**
   * Appends the entry to the log and to `--receipts FILE`; resolves to the files written. Both
   * are tried; a failure names the receipt so it is not lost with the file.
   */
  async keep(entry: TrailEntry): Promise<string[]> {
    // One instant for every copy, so the log and --receipts FILE hold the same line.
    const at = trailNow(this.env);
    const now = () => at;
    const sinks = [
      ...(this.dir === undefined ? [] : [this.sdk.createReceiptFileSink({ dir: this.dir, now })]),
      ...(this.file === undefined ? [] : [this.sdk.createReceiptFileSink({ file: this.file, now })]),
    ];
    const written: string[] = [];
    const failures: string[] = [];
    for (const sink of sinks) {
      try {
        written.push(await sink.write(entry));
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        failures.push(`${sink.fileFor(now())}${typeof code === 'string' ? ` (${code})` : ''}`);
      }
    }
    if (failures.length > 0) {
      throw new CliError(
        'receipt_not_kept',
        `the receipt of request ${entry.call.requestId ?? 'unknown'} could not be written to ${failures.join(', ')}; the receipt as received: ${entry.rawReceipt}`,
        ExitCode.failure,
        'copy the receipt above into your records; check the disk and the directory permissions',
      );
    }
    return written;
  }
}

/** The log directory 0700 (created when missing) and the current month file 0600 if it exists. */
async function prepareLogDir(dir: string, current: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    if (process.platform !== 'win32') {
      await chmod(dir, 0o700);
      // A file left readable by others (copied by hand, an older tool) is tightened before use.
      const info = await stat(current).catch(() => undefined);
      if (info && (info.mode & 0o077) !== 0) await chmod(current, 0o600);
    }
    await access(dir, constants.W_OK);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new UsageError(
      `cannot keep receipts in ${dir}${typeof code === 'string' ? ` (${code})` : ''}; nothing was sent`,
      'set PROXYGATE_DATA_DIR to a writable directory, or pass --no-keep (then keep the receipt yourself with --receipts FILE)',
    );
  }
}

