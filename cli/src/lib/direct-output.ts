import { writeSync } from 'node:fs';

// The start-up fast path writes its few lines straight to the file descriptor: setting up
// process.stdout on a pipe costs ~4 ms, a tenth of a `receipts verify` run in a CI loop.

type Fd = 1 | 2;
type Fallback = (fd: Fd, rest: Uint8Array) => void;
type WriteSync = (fd: number, buffer: Uint8Array, offset: number, length: number) => number;

const watched = new WeakSet<NodeJS.WriteStream>();

const viaStream: Fallback = (fd, rest) => {
  const stream = fd === 1 ? process.stdout : process.stderr;
  if (!watched.has(stream)) {
    watched.add(stream);
    // While Node's stream waits, the reader may go away (EPIPE: fine) or the write fail (the
    // report is cut: exit 1); neither may become a stack trace.
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && fd === 1) process.exitCode = 1;
    });
  }
  stream.write(rest);
};

/**
 * Writes all of `text` to stdout (1) or stderr (2). A non-blocking descriptor that is full
 * (EAGAIN) hands the rest to Node's stream, which waits for it; a reader that went away (EPIPE)
 * drops the rest, as `proxygate ... | head -1` expects. Any other error on stdout (a full disk)
 * throws: a cut report must not pass for a whole one. Errors on stderr are ignored.
 */
export function writeDirect(fd: Fd, text: string, write: WriteSync = writeSync, fallback: Fallback = viaStream): void {
  const bytes = new TextEncoder().encode(text);
  // Windows consoles need Node's stream to convert the text; descriptors there are not pipes.
  if (process.platform === 'win32') return fallback(fd, bytes);
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += write(fd, bytes, offset, bytes.length - offset);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') return fallback(fd, bytes.subarray(offset));
      // Notes on stderr are best effort: the exit code already carries the result.
      if (code === 'EPIPE' || fd === 2) return;
      throw error;
    }
  }
}
