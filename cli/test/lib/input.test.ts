// --query/--header pairs and request bodies (inline or @file, bytes kept) as given on the command line.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/lib/errors.js';
import { parsePairs, readRequestBody } from '../../src/lib/input.js';

describe('input parsing', () => {
  it('parses key=value pairs and rejects malformed ones as usage errors', () => {
    expect(parsePairs(['a=1', 'b=x=y', 'c='], 'query')).toEqual([['a', '1'], ['b', 'x=y'], ['c', '']]);
    expect(() => parsePairs(['novalue'], 'query')).toThrow(UsageError);
  });
  it('reads bodies inline and from @file, keeping the exact bytes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pg-body-'));
    const file = join(dir, 'body.json');
    await writeFile(file, '{ "city" : "Oslo" }\n');
    expect(await readRequestBody('@' + file)).toEqual({ raw: '{ "city" : "Oslo" }\n', json: { city: 'Oslo' } });
    expect((await readRequestBody('[1,2]')).json).toEqual([1, 2]);
    await expect(readRequestBody('{nope')).rejects.toBeInstanceOf(UsageError);
    await expect(readRequestBody('@' + join(dir, 'missing.json'))).rejects.toMatchObject({ exitCode: 2 });
    await rm(dir, { recursive: true, force: true });
  });
});
