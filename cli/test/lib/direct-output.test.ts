import { describe, expect, it } from 'vitest';
import { writeDirect } from '../../src/lib/direct-output.js';

const errno = (code: string) => Object.assign(new Error(code), { code });
const decode = (chunks: Uint8Array[]) => new TextDecoder().decode(Buffer.concat(chunks));

describe.skipIf(process.platform === 'win32')('writeDirect (the fast path writes to fd 1 and 2 itself)', () => {
  it('loops over partial writes until every byte is out, UTF-8 encoded', () => {
    const written: Uint8Array[] = [];
    const write = (_fd: number, buffer: Uint8Array, offset: number, length: number) => {
      const n = Math.min(3, length);
      written.push(buffer.slice(offset, offset + n));
      return n;
    };
    writeDirect(1, 'ok: 1 valid — ✓\n', write, () => expect.unreachable());
    expect(decode(written)).toBe('ok: 1 valid — ✓\n');
    expect(written.length).toBeGreaterThan(5);
  });

  it('hands the rest to Node’s stream when a non-blocking descriptor is full (EAGAIN)', () => {
    let calls = 0;
    const write = (_fd: number, _buffer: Uint8Array, _offset: number, length: number) => {
      if (++calls > 1) throw errno('EAGAIN');
      return Math.min(4, length);
    };
    const handed: [number, string][] = [];
    writeDirect(2, 'abcdefgh', write, (fd, rest) => handed.push([fd, new TextDecoder().decode(rest)]));
    expect(handed).toEqual([[2, 'efgh']]);
  });

  it('drops the rest when the reader went away (EPIPE), as `| head -1` expects', () => {
    const write = () => {
      throw errno('EPIPE');
    };
    expect(() => writeDirect(1, 'report\n', write, () => expect.unreachable())).not.toThrow();
  });

  it('throws any other error on stdout: a report cut by a full disk must not pass for a whole one', () => {
    const write = () => {
      throw errno('ENOSPC');
    };
    expect(() => writeDirect(1, 'report\n', write, () => expect.unreachable())).toThrow('ENOSPC');
  });

  it('ignores errors on stderr: a note that cannot be written must not change the exit code', () => {
    const write = () => {
      throw errno('ENOSPC');
    };
    expect(() => writeDirect(2, 'no receipts found in the input\n', write, () => expect.unreachable())).not.toThrow();
  });
});
