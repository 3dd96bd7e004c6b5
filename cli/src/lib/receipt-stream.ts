import { createReadStream, readFileSync, statSync } from 'node:fs';
import { CliError, UsageError } from './errors.js';
import { ExitCode } from './exit-codes.js';

// Where receipt bytes come from: a regular file of any size, stdin, a FIFO, a process
// substitution (`verify <(cat f)`, a /dev/fd path), a character device. Every kind ends up as
// the same stream of byte chunks, read by one parser (receipt-input.ts): the same bytes get the
// same verdicts however they arrive.

export interface InputSource {
  /** The name in reports: the path as given, `stdin` for `-`. */
  name: string;
  /** Size in bytes of a regular file (progress ETA); undefined for pipes and stdin. */
  size?: number;
  chunks: AsyncIterable<Uint8Array>;
}

// Small regular files are read in one synchronous call: streaming them would only add the wait
// for libuv's thread pool to the start-up time of a CI step. The bytes are the same either way.
const READ_WHOLE_BELOW = 4 << 20;
const CHUNK = 1 << 16;

function cannotRead(path: string, error: unknown): UsageError {
  return new UsageError(`cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'EIO'})`, 'check the file path');
}

/** Chunks of a stream, with a read failure turned into one CLI error naming the input. */
async function* guarded(name: string, stream: AsyncIterable<unknown>): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of stream) yield typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array);
  } catch (error) {
    throw new CliError('read_failed', `reading ${name} failed (${(error as NodeJS.ErrnoException).code ?? 'EIO'})`, ExitCode.usage, 'check the input; nothing was judged after the failure');
  }
}

/**
 * A path named on the command line (`-` is stdin). Missing files and directories are usage errors
 * here, before anything is read; the bytes are read only when the chunks are (one file at a time).
 */
export function openInput(path: string, stdin?: AsyncIterable<unknown>): InputSource {
  // process.stdin is set up only when read: its getter costs start-up time.
  if (path === '-') return { name: 'stdin', chunks: guarded('stdin', stdin ?? process.stdin) };
  let info;
  try {
    info = statSync(path);
  } catch (error) {
    throw cannotRead(path, error);
  }
  if (info.isDirectory()) throw cannotRead(path, { code: 'EISDIR' });
  const small = info.isFile() && info.size < READ_WHOLE_BELOW;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    if (!small) {
      // Large files, FIFOs, /dev/fd/N of a process substitution, sockets, devices: streamed.
      yield* guarded(path, createReadStream(path, { highWaterMark: CHUNK }));
      return;
    }
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch (error) {
      throw cannotRead(path, error);
    }
    if (bytes.length > 0) yield bytes;
  }
  const source: InputSource = { name: path, chunks: chunks() };
  if (info.isFile()) source.size = info.size;
  return source;
}

type Stdin = AsyncIterable<unknown> & { isTTY?: boolean; readableEnded?: boolean; destroyed?: boolean };

/**
 * Stdin when nothing is named: its chunks when something arrives, undefined when it is a terminal
 * or ends before its first byte (`< /dev/null`, a CI step's closed stdin), so the caller can read
 * the kept log instead. Waits for the first chunk or the end: a writer that never closes its end
 * keeps the command waiting, as `cat` would.
 */
export async function pipedStdin(given?: Stdin): Promise<InputSource | undefined> {
  const stdin = given ?? process.stdin;
  // Ended already: the start-up fast path looked first and found nothing.
  if (stdin.isTTY || stdin.readableEnded || stdin.destroyed) return undefined;
  const chunks = guarded('stdin', stdin)[Symbol.asyncIterator]();
  const first = await chunks.next();
  if (first.done) return undefined;
  async function* all(): AsyncGenerator<Uint8Array> {
    yield first.value;
    for (;;) {
      const next = await chunks.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { name: 'stdin', chunks: all() };
}

/** What to read: the named inputs, or (nothing named, nothing piped) the profile's kept log. */
export type InputPlan = { sources: InputSource[]; keptLog?: undefined } | { keptLog: true; sources?: undefined };

/**
 * The input rule of `receipts verify` / `audit`: FILES as named (`-` is stdin, once); with no
 * FILES, stdin when something is piped into it, else the kept log of the profile's paid calls.
 */
export async function planInputs(files: readonly string[], stdin?: Stdin): Promise<InputPlan> {
  if (files.filter((f) => f === '-').length > 1) throw new UsageError('stdin (-) can be read only once');
  if (files.length > 0) return { sources: files.map((f) => openInput(f, stdin)) };
  const piped = await pipedStdin(stdin);
  return piped ? { sources: [piped] } : { keptLog: true };
}

/** Bytes of all inputs when every one is a regular file (the ETA needs the whole). */
export function totalBytes(sources: readonly InputSource[]): number | undefined {
  let total = 0;
  for (const s of sources) {
    if (s.size === undefined) return undefined;
    total += s.size;
  }
  return total;
}
