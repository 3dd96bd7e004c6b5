// The pure parts of the CLI's manners: "did you mean", gh-style api fields, tool arguments read and
// checked by an input schema, relative usage dates, the key-rotation hint.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildFields, fieldsAsQuery } from '../src/lib/api-fields.js';
import { usageBound } from '../src/commands/usage.js';
import { editDistance, guessCommandLine } from '../src/lib/help-suggest.js';
import { receiptInvalidFailure, unknownKeyAction } from '../src/lib/key-rotation-hint.js';
import { expectedFields, readArgValue, schemaProblems } from '../src/lib/tool-arguments.js';
import { COMMANDS } from '../src/commands.js';

const IDS = Object.keys(COMMANDS);
const TOPICS = ['apis', 'tokens', 'receipts', 'receipts:keys', 'receipts:audit', 'mcp'];
const WITH_ARGS = new Set(IDS.filter((id) => {
  const command = COMMANDS[id as keyof typeof COMMANDS] as { args?: Record<string, unknown>; strict?: boolean };
  return command.strict === false || Object.keys(command.args ?? {}).length > 0;
}));
const guess = (line: string) => guessCommandLine(line.split(' '), IDS, TOPICS, WITH_ARGS);

describe('did you mean', () => {
  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('apsi', 'apis')).toBe(1);
    expect(editDistance('reciepts', 'receipts')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('suggests the closest commands and topics, the most words matched first', () => {
    expect(guess('apsi').suggestions).toEqual(['api', 'apis']);
    expect(guess('reciepts').suggestions).toEqual(['receipts']);
    expect(guess('receipts verfy').suggestions).toEqual(['receipts verify']);
    expect(guess('reciepts verify').suggestions).toEqual(['receipts verify']);
    expect(guess('tokens lst').suggestions).toEqual(['tokens list']);
    expect(guess('receipts keys shwo').suggestions).toEqual(['receipts keys show']);
    expect(guess('mcp tool').suggestions).toEqual(['mcp tools']);
    expect(guess('balanse').suggestions).toEqual(['balance']);
    // A prefix of a longer name, as cobra (gh) suggests.
    expect(guess('cat').suggestions).toEqual(['categories']);
    expect(guess('frobnicate').suggestions).toEqual([]);
    expect(guess('receipts frob').suggestions).toEqual([]);
  });

  it('a real command followed by a word it does not take is an unexpected argument, not an unknown command', () => {
    expect(guess('balance extra')).toEqual({ unexpected: { command: 'balance', argument: 'extra' }, suggestions: [] });
    expect(guess('mcp tools x y')).toEqual({ unexpected: { command: 'mcp tools', argument: 'x' }, suggestions: [] });
    expect(guess('receipts path now').unexpected).toEqual({ command: 'receipts path', argument: 'now' });
  });
});

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

// The shape zod gives an MCP tool's arguments (call_api's, as the mock declares it).
const CALL_API = {
  type: 'object',
  properties: {
    listing_id: { type: 'string', minLength: 1 },
    method: { type: 'string', enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] },
    path: { type: 'string', pattern: '^/' },
    query: { type: 'object', additionalProperties: { type: 'string' } },
    limit: { type: 'integer', minimum: 1, maximum: 100 },
  },
  required: ['listing_id', 'path'],
  additionalProperties: false,
};

describe('tool arguments against an input schema', () => {
  it('reads a string field as typed text and other fields as JSON', () => {
    expect(readArgValue('123', CALL_API.properties.listing_id)).toBe('123');
    expect(readArgValue('{"city":"Oslo"}', CALL_API.properties.query)).toEqual({ city: 'Oslo' });
    expect(readArgValue('5', CALL_API.properties.limit)).toBe(5);
    expect(readArgValue('5', undefined)).toBe(5);
    expect(readArgValue('Oslo', undefined)).toBe('Oslo');
  });

  it('names each problem where it is, and lists the fields the tool takes', () => {
    expect(schemaProblems({ listing_id: 'x', path: '/echo', query: { city: 'Oslo' }, limit: 5 }, CALL_API, '')).toEqual([]);
    expect(schemaProblems({ path: 'echo', method: 'TRACE', limit: 0, query: { n: 1 }, extra: true }, CALL_API, '').sort()).toEqual(
      [
        'listing_id is required',
        'path must match ^/',
        'method must be one of "GET", "POST", "PUT", "PATCH", "DELETE", got "TRACE"',
        'limit must be >= 1',
        'query.n must be a string, got integer 1',
        'extra is not a field of this tool',
      ].sort(),
    );
    expect(schemaProblems({ listing_id: 7, path: '/' }, CALL_API, '')).toEqual(['listing_id must be a string, got integer 7']);
    // Schemas as gateways publish them, without additionalProperties: an unknown --arg is still a typo;
    // inside a value, other fields are the schema's default (allowed).
    const { additionalProperties: _open, ...published } = CALL_API;
    expect(schemaProblems({ listing_id: 'x', path: '/', shiled: 'off' }, published, '')).toEqual(['shiled is not a field of this tool']);
    expect(schemaProblems({ listing_id: 'x', path: '/', extra: 1 }, { ...published, additionalProperties: true }, '')).toEqual([]);
    const nested = { type: 'object', properties: { body: { type: 'object', properties: { a: { type: 'string' } } } } };
    expect(schemaProblems({ body: { a: 'x', b: 2 } }, nested, '')).toEqual([]);
    expect(expectedFields(CALL_API)).toEqual([
      'listing_id (string, required)',
      'method (GET|POST|PUT|PATCH|DELETE)',
      'path (string, required)',
      'query (object)',
      'limit (integer 1..100)',
    ]);
  });
});

describe('usage --from/--to', () => {
  const now = Date.parse('2026-12-02T12:00:00.000Z');
  it('take a duration before now, a plain date (a --to date through its end) or an instant', () => {
    expect(usageBound('from', '7d', now)).toBe('2026-11-25T12:00:00.000Z');
    expect(usageBound('from', '24h', now)).toBe('2026-12-01T12:00:00.000Z');
    expect(usageBound('from', '30m', now)).toBe('2026-12-02T11:30:00.000Z');
    expect(usageBound('to', '2w', now)).toBe('2026-11-18T12:00:00.000Z');
    expect(usageBound('from', '2026-11-01', now)).toBe('2026-11-01T00:00:00.000Z');
    expect(usageBound('to', '2026-11-30', now)).toBe('2026-11-30T23:59:59.999Z');
    expect(usageBound('to', '2026-11-30T10:00:00Z', now)).toBe('2026-11-30T10:00:00.000Z');
    expect(() => usageBound('from', 'last week', now)).toThrow(expect.objectContaining({ exitCode: 2, action: expect.stringContaining('a duration before now (30m, 24h, 7d, 2w)') }));
    // The example dates are the day of `now`, never a fixed one.
    expect(() => usageBound('to', 'yesterday', now)).toThrow(expect.objectContaining({ action: expect.stringContaining(`a date like ${new Date(now).toISOString().slice(0, 10)}, or RFC 3339 like ${new Date(now).toISOString().slice(0, 10)}T00:00:00Z`) }));
  });
});

describe('after a key rotation', () => {
  it('a verify or audit with unknown keys says to export or pin the keys again', () => {
    expect(unknownKeyAction({ bad_signature: 2 })).toBeUndefined();
    const action = unknownKeyAction({ unknown_key: 3, bad_signature: 1 });
    expect(action).toMatch(/^3 receipt\(s\) name a key the key set does not hold: if the gateway rotated its receipt keys/);
    expect(action).toContain('"proxygate receipts keys export > keys.json"');
    expect(action).toContain('"proxygate receipts keys trust"');
    expect(receiptInvalidFailure({ reason: 'unknown_key' }).action).toContain('receipts keys export');
    expect(receiptInvalidFailure({ reason: 'bad_signature' }).action).toBe('keep the response and the receipt; report the request id to the gateway');
  });
});
