/**
 * `@proxygate-kit/sdk/receipts/node`: Node-only helpers for receipts (worker-thread verifier
 * pool, key-set files). Everything in `@proxygate-kit/sdk/receipts` is re-exported here too.
 */
// node:fs, not node:fs/promises: a CommonJS bundle of this entry then loads the promises API only when used.
import { promises as fsp } from 'node:fs';
import { KeySet } from './key-set.js';
import { parseAuditState, serializeAuditState, type AuditState } from './audit-state.js';
import { AuditStateError } from './errors.js';

export * from './index.js';
export { nodeCryptoBackend } from './node-backend.js';
export { createVerifierPool, type VerifierPool, type VerifierPoolOptions } from './pool.js';
export { appendLine, createReceiptFileSink, monthlyReceiptFileName, type ReceiptFileSink, type ReceiptFileSinkOptions } from './file-sink.js';
export { receiptTextOf, receiptTrailLine, type TrailEntry } from '../resources/calls/trail-line.js';
export type { ReceiptEvent, ReceiptCallDetails } from '../resources/calls/receipt-hook.js';

/** Reads a saved key-set document (what `receipts keys export` writes) and validates every key. */
export async function loadKeySetFile(path: string | URL): Promise<KeySet> {
  return KeySet.fromDocument(new Uint8Array(await fsp.readFile(path)));
}

/**
 * Reads and checks a saved audit state (see `parseAuditState`); `undefined` when the file does
 * not exist yet (a first run). Any other problem throws: a damaged state is never trusted.
 */
export async function readAuditStateFile(path: string, keys: KeySet): Promise<AuditState | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await fsp.readFile(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new AuditStateError('malformed', `cannot read the audit state (${(error as NodeJS.ErrnoException).code ?? 'EIO'})`);
  }
  return parseAuditState(bytes, keys);
}

/** Writes the state atomically (see `writeFileAtomic`), readable by its owner only. */
export async function writeAuditStateFile(path: string, state: AuditState): Promise<void> {
  await writeFileAtomic(path, serializeAuditState(state), 0o600);
}

/**
 * Replaces `path` all at once: the data goes to a temporary file beside it (same directory, so
 * the same file system), is flushed to disk, then renamed over `path`, and the directory is
 * flushed. A crash leaves the old file or the new one, never half of one.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const { dirname, basename, join } = await import('node:path');
  const { randomBytes } = await import('node:crypto');
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await fsp.open(temp, 'wx', mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await fsp.rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await fsp.chmod(temp, mode);
    await fsp.rename(temp, path);
  } catch (error) {
    await fsp.rm(temp, { force: true });
    throw error;
  }
  // The rename is durable once the directory entry is (not every platform lets a directory be opened).
  const dirHandle = await fsp.open(dir, 'r').catch(() => undefined);
  if (dirHandle) await dirHandle.sync().catch(() => undefined).finally(() => dirHandle.close());
}
