import { constants } from 'node:fs';
import { access, appendFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UsageError } from './errors.js';

const ACTION = 'check that the directory exists and is writable';

function cannotWrite(path: string, error: unknown): UsageError {
  const code = (error as { code?: unknown }).code;
  return new UsageError(`cannot write ${path}${typeof code === 'string' ? ` (${code})` : ''}`, ACTION);
}

/** Writes (or appends to) a file named on the command line; failures are one usage_error line. */
export async function writeOutputFile(path: string, data: string, options: { append?: boolean } = {}): Promise<void> {
  try {
    await (options.append ? appendFile(path, data) : writeFile(path, data));
  } catch (error) {
    throw cannotWrite(path, error);
  }
}

/**
 * Refuses before a paid call when its output file could not be written afterwards: the charge
 * would stand and the receipt would be lost.
 */
export async function assertWritable(path: string): Promise<void> {
  try {
    await access(path, constants.W_OK);
    return;
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ENOENT') throw cannotWrite(path, error);
  }
  try {
    await access(dirname(path), constants.W_OK);
  } catch (error) {
    throw cannotWrite(path, error);
  }
}
