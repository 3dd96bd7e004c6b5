// One line of a batch: a JSON object naming one paid call, checked field by field before anything
// is sent. A line that is not a call is reported with its number (exit class 2); the others run.
import { ExitCode } from '../exit-codes.js';
import { readUsdAmount } from '../money.js';

type QueryValue = string | number | boolean;

/** A checked call line. Money is integer micro-USD. */
export interface BatchCall {
  line: number;
  listing: string;
  path: string;
  method: string | undefined;
  query: Record<string, QueryValue | QueryValue[]>;
  /** The exact bytes to send (JSON text), as `-d` sends them. */
  body: string | undefined;
  shield: 'off' | 'monitor' | 'strict' | undefined;
  maxCost: number | undefined;
  idempotencyKey: string | undefined;
}

/** Why a line is not a call. */
export class LineError extends Error {
  readonly code = 'invalid_line';
  readonly exitCode = ExitCode.usage;
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

/** The fields a line may have; anything else is refused (a typo would otherwise be dropped silently). */
export const BATCH_FIELDS = ['listing', 'path', 'method', 'query', 'body', 'shield', 'max_cost', 'idempotency_key'] as const;
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const SHIELDS = ['off', 'monitor', 'strict'] as const;

/** USD text to micro-USD (the SDK's exact parser); throws on anything else. */
export type UsdParser = (text: string) => bigint;

/**
 * Reads one line. `null` stands for a field not given (what `jq` writes for a missing key).
 * `body`: a string is JSON text sent byte for byte (as `-d` sends it, so the receipt's request
 * hash covers exactly those bytes); any other JSON value is sent as `JSON.stringify` writes it.
 */
export function parseCallLine(line: number, text: string, parseUsd: UsdParser): BatchCall {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (error) {
    throw new LineError(line, `line ${line} is not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LineError(line, `line ${line} is not a JSON object: each line names one call, e.g. {"listing":"echo","path":"/echo"}`);
  }
  const fields = value as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((key) => !(BATCH_FIELDS as readonly string[]).includes(key));
  if (unknown.length > 0) {
    throw new LineError(line, `line ${line} has ${unknown.length === 1 ? 'an unknown field' : 'unknown fields'} ${unknown.map((k) => JSON.stringify(k)).join(', ')} (a call line has ${BATCH_FIELDS.join(', ')})`);
  }
  const given = (key: (typeof BATCH_FIELDS)[number]): unknown => (fields[key] === null ? undefined : fields[key]);
  const wrong = (key: string, what: string) => new LineError(line, `line ${line}: "${key}" must be ${what}`);

  const listing = given('listing');
  if (listing === undefined) throw new LineError(line, `line ${line} has no "listing" (a listing id, SELLER/SLUG, slug or service name)`);
  if (typeof listing !== 'string' || listing.trim() === '') throw wrong('listing', 'a non-empty string (a listing id, SELLER/SLUG, slug or service name)');

  const path = given('path');
  if (path === undefined) throw new LineError(line, `line ${line} has no "path" (the upstream path, e.g. "/current")`);
  if (typeof path !== 'string' || !path.startsWith('/')) throw wrong('path', 'a string starting with "/"');

  const method = given('method');
  if (method !== undefined && (typeof method !== 'string' || !METHODS.includes(method.toUpperCase()))) throw wrong('method', METHODS.join(', '));

  const query: Record<string, QueryValue | QueryValue[]> = {};
  const rawQuery = given('query');
  if (rawQuery !== undefined) {
    if (typeof rawQuery !== 'object' || Array.isArray(rawQuery)) throw wrong('query', 'an object of names to strings, numbers or booleans (or arrays of them)');
    for (const [key, item] of Object.entries(rawQuery as Record<string, unknown>)) {
      if (key === 'listing') throw wrong('query', 'free of "listing" (the CLI sets it from "listing")');
      const items = Array.isArray(item) ? item : [item];
      if (!items.every(isQueryValue)) throw wrong(`query.${key}`, 'a string, number or boolean (or an array of them)');
      query[key] = item as QueryValue | QueryValue[];
    }
  }

  const rawBody = fields['body'];
  let body: string | undefined;
  if (rawBody !== undefined && rawBody !== null) {
    if (typeof rawBody === 'string') {
      try {
        JSON.parse(rawBody);
      } catch {
        throw wrong('body', 'JSON: a JSON value, or a string holding JSON text (sent as written)');
      }
      body = rawBody;
    } else {
      body = JSON.stringify(rawBody);
    }
  }

  const shield = given('shield');
  if (shield !== undefined && !(SHIELDS as readonly unknown[]).includes(shield)) throw wrong('shield', SHIELDS.join(', '));

  const maxCostText = given('max_cost');
  let maxCost: number | undefined;
  if (maxCostText !== undefined) {
    const usd = 'a string of USD with at most 6 decimals, e.g. "0.01" (a JSON number would be read in binary floating point)';
    if (typeof maxCostText !== 'string') throw wrong('max_cost', usd);
    const amount = readUsdAmount(parseUsd, maxCostText);
    if (amount === 'not_usd') throw wrong('max_cost', usd);
    if (typeof amount !== 'number') throw wrong('max_cost', 'a USD amount that is not negative');
    maxCost = amount;
  }

  const idempotencyKey = given('idempotency_key');
  if (idempotencyKey !== undefined && (typeof idempotencyKey !== 'string' || !/^[\x20-\x7e]{1,255}$/.test(idempotencyKey))) {
    throw wrong('idempotency_key', '1..255 printable ASCII characters');
  }

  return {
    line,
    listing: listing.trim(),
    path,
    method: typeof method === 'string' ? method.toUpperCase() : undefined,
    query,
    body,
    shield: shield as BatchCall['shield'],
    maxCost,
    idempotencyKey: idempotencyKey as string | undefined,
  };
}

function isQueryValue(value: unknown): value is QueryValue {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean';
}
