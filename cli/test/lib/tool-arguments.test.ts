// `mcp call --arg` values read and checked against the tool's input schema before anything is sent.
import { describe, expect, it } from 'vitest';
import { expectedFields, readArgValue, schemaProblems } from '../../src/lib/tool-arguments.js';

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
