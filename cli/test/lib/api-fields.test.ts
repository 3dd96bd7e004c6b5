// `api -f/-F` fields as gh api reads them: strings, typed values, @file, nested keys, clear refusals.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildFields, fieldsAsQuery } from '../../src/lib/api-fields.js';

describe('api fields (-f/-F), as gh api reads them', () => {
  it('-f is a string, -F types true/false/null/integers and reads @file; key[sub] and key[] nest', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pg-fields-'));
    try {
      await writeFile(join(dir, 'note.txt'), 'from a file');
      const fields = await buildFields([
        { pair: 'count=5', typed: false },
        { pair: 'n=5', typed: true },
        { pair: 'on=true', typed: true },
        { pair: 'off=false', typed: true },
        { pair: 'none=null', typed: true },
        { pair: 'ratio=0.5', typed: true },
        { pair: 'text=a=b', typed: false },
        { pair: `note=@${join(dir, 'note.txt')}`, typed: true },
        { pair: 'query[city]=Oslo', typed: false },
        { pair: 'query[days]=3', typed: true },
        { pair: 'tags[]=a', typed: false },
        { pair: 'tags[]=b', typed: false },
      ]);
      expect(fields).toEqual({
        count: '5', n: 5, on: true, off: false, none: null, ratio: '0.5', text: 'a=b', note: 'from a file',
        query: { city: 'Oslo', days: 3 }, tags: ['a', 'b'],
      });
      expect(fieldsAsQuery({ q: 'weather', limit: 5, tags: ['a', 'b'] })).toEqual([['q', 'weather'], ['limit', '5'], ['tags[]', 'a'], ['tags[]', 'b']]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses what cannot be a field, with the flag named', async () => {
    await expect(buildFields([{ pair: 'novalue', typed: false }])).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/^-f\/--raw-field expects key=value/) });
    await expect(buildFields([{ pair: 'a=1', typed: true }, { pair: 'a[b]=2', typed: true }])).rejects.toMatchObject({ exitCode: 2 });
    await expect(buildFields([{ pair: 'a[b=1', typed: false }])).rejects.toMatchObject({ exitCode: 2 });
    await expect(buildFields([{ pair: 'x=@/no/such/file', typed: true }])).rejects.toMatchObject({ exitCode: 2 });
    expect(() => fieldsAsQuery({ query: { city: 'Oslo' } })).toThrow(/is an object/);
  });
});
