// Node only: an `onReceipt` hook that keeps every receipt as one line of the receipt trail
// (`receiptTrailLine`), the format `proxygate receipts verify` / `audit` read.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { ReceiptEvent } from '../resources/calls/receipt-hook.js';
import { receiptTrailLine, type TrailEntry } from '../resources/calls/trail-line.js';

export interface ReceiptFileSinkOptions {
  /**
   * A directory of monthly files, `YYYY-MM.jsonl` (UTC month of `recorded_at`), created 0700 when
   * missing: the layout of the CLI's kept log (`proxygate receipts path`).
   */
  dir?: string;
  /** One file, appended to (created 0600 when missing). Give `dir` or `file`. */
  file?: string;
  /** The clock for `recorded_at` and the month (tests). Default: `new Date()`. */
  now?: () => Date;
}

/** An `onReceipt` hook that appends each receipt; `write` appends an entry built by other means. */
export interface ReceiptFileSink {
  (event: ReceiptEvent): Promise<void>;
  /** Appends one trail entry; resolves to the file written. */
  write(entry: TrailEntry): Promise<string>;
  /** The file an entry recorded at `at` goes to. */
  fileFor(at: Date): string;
}

/** `YYYY-MM.jsonl` of a UTC date. */
export function monthlyReceiptFileName(at: Date): string {
  return `${String(at.getUTCFullYear()).padStart(4, '0')}-${String(at.getUTCMonth() + 1).padStart(2, '0')}.jsonl`;
}

/**
 * A ready `onReceipt` hook: `new Proxygate({ keys, onReceipt: createReceiptFileSink({ dir }) })`.
 * Each receipt is one line written with a single `write(2)` on a file opened `O_APPEND`, so
 * processes sharing the file never interleave or lose lines. A write that fails rejects (the
 * SDK then reports it: a trail that silently misses receipts is no trail).
 */
export function createReceiptFileSink(options: ReceiptFileSinkOptions): ReceiptFileSink {
  const { dir, file } = options;
  if ((dir === undefined) === (file === undefined)) throw new TypeError('createReceiptFileSink needs exactly one of `dir` or `file`');
  const now = options.now ?? (() => new Date());
  const fileFor = (at: Date): string => (dir === undefined ? file! : join(dir, monthlyReceiptFileName(at)));
  let dirReady: Promise<void> | undefined;
  const ensureDir = (): Promise<void> => {
    if (dir === undefined) return Promise.resolve();
    dirReady ??= fsp.mkdir(dir, { recursive: true, mode: 0o700 }).then(
      () => undefined,
      (error: unknown) => {
        dirReady = undefined;
        throw error;
      },
    );
    return dirReady;
  };
  const write = async (entry: TrailEntry): Promise<string> => {
    const at = now();
    const target = fileFor(at);
    await ensureDir();
    await appendLine(target, `${receiptTrailLine(entry, at)}\n`);
    return target;
  };
  const sink = (async (event: ReceiptEvent): Promise<void> => {
    await write(event);
  }) as ReceiptFileSink;
  sink.write = write;
  sink.fileFor = fileFor;
  return sink;
}

/**
 * One line, one `write(2)`: `a` opens with O_APPEND|O_CREAT, so every write lands at the end,
 * whole. A short write (a full disk) is an error, never a half line followed by another.
 */
export async function appendLine(path: string, line: string, mode = 0o600): Promise<void> {
  const bytes = Buffer.from(line, 'utf8');
  const handle = await fsp.open(path, 'a', mode);
  try {
    const { bytesWritten } = await handle.write(bytes, 0, bytes.length);
    if (bytesWritten !== bytes.length) throw Object.assign(new Error(`short write to ${path} (${bytesWritten} of ${bytes.length} bytes)`), { code: 'EIO' });
  } finally {
    await handle.close();
  }
}
