import { readFileSync } from 'node:fs';
import { UsageError } from './errors.js';

/** All of stdin as bytes (for `-d -`, `receipts verify -`, `login` with a piped key). */
export async function readStdin(stream: NodeJS.ReadableStream = process.stdin): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}

export async function readInputFile(path: string): Promise<Buffer> {
  if (path === '-') return readStdin();
  try {
    // Sync on purpose: the first async fs call waits for libuv's thread pool, which shows in
    // the start-up time of `receipts verify`; a CLI has nothing else to do meanwhile.
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    throw new UsageError(`cannot read ${path} (${code})`, 'check the file path');
  }
}

export interface RequestBody {
  /** Exact bytes to send: what the receipt's request_sha256 commits to. */
  raw: string;
  json: unknown;
}

/**
 * `-d` value: inline JSON, `@file`, or `-` for stdin. The text is validated as JSON but sent as
 * written, so the request hash in the receipt matches the bytes the user supplied.
 */
export async function readRequestBody(data: string): Promise<RequestBody> {
  let raw: string;
  let origin: string;
  if (data === '-') {
    raw = (await readStdin()).toString('utf8');
    origin = 'stdin';
  } else if (data.startsWith('@')) {
    raw = (await readInputFile(data.slice(1))).toString('utf8');
    origin = data.slice(1);
  } else {
    raw = data;
    origin = '--data';
  }
  try {
    return { raw, json: JSON.parse(raw) as unknown };
  } catch {
    throw new UsageError(`the body from ${origin} is not valid JSON`, 'pass a JSON value, @file or - for stdin');
  }
}

/** `k=v` pairs (repeatable flags) into ordered entries; `=` may appear in the value. */
export function parsePairs(pairs: readonly string[], flag: string): Array<[string, string]> {
  return pairs.map((pair) => {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--${flag} expects key=value, got "${pair}"`);
    return [pair.slice(0, at), pair.slice(at + 1)];
  });
}

/**
 * Text of a file saved by any common tool: UTF-8 with or without a byte-order mark, or UTF-16
 * with one (Windows PowerShell 5 writes `>` redirections as UTF-16LE).
 */
export function decodeText(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  return new TextDecoder().decode(bytes);
}

/** A JSON file named on the command line, as text (see decodeText). */
export async function readTextFile(path: string): Promise<string> {
  return decodeText(await readInputFile(path));
}

/** `--idempotency-key`: the gateway's rule (1..255 printable ASCII), checked before anything is sent. */
export function checkIdempotencyKey(key: string | undefined): void {
  if (key !== undefined && !/^[\x20-\x7e]{1,255}$/.test(key)) {
    throw new UsageError('--idempotency-key must be 1..255 printable ASCII characters', 'e.g. --idempotency-key order-1234');
  }
}
