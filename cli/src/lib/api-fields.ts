// `proxygate api -f/-F` request fields, read as `gh api` reads them: `-f key=value` is a string,
// `-F key=value` a typed value (true, false, null, integers; @file reads a file, @- stdin), and
// `key[sub]=v` / `key[]=v` build nested objects and arrays.
import { UsageError } from './errors.js';
import { readInputFile } from './input.js';

export type FieldValue = string | number | boolean | null | FieldValue[] | { [key: string]: FieldValue };

export interface RawField {
  pair: string;
  /** `-F`: read the value as a typed one. */
  typed: boolean;
}

/** The fields in command-line order, merged into one object. */
export async function buildFields(fields: readonly RawField[]): Promise<Record<string, FieldValue>> {
  const root: Record<string, FieldValue> = {};
  for (const { pair, typed } of fields) {
    const flag = typed ? '-F/--field' : '-f/--raw-field';
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`${flag} expects key=value, got "${pair}"`);
    const path = keyPath(pair.slice(0, at), flag);
    const value = typed ? await typedValue(pair.slice(at + 1)) : pair.slice(at + 1);
    place(root, path, value, pair.slice(0, at), flag);
  }
  return root;
}

/** `a[b][]` -> ["a", "b", ""] (an empty segment appends to an array). */
function keyPath(key: string, flag: string): string[] {
  const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
  if (!match) throw new UsageError(`${flag}: "${key}" is not a field name (name, name[key] or name[])`);
  const rest = [...match[2]!.matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1]!);
  return [match[1]!, ...rest];
}

function place(root: Record<string, FieldValue>, path: readonly string[], value: FieldValue, key: string, flag: string): void {
  let holder: Record<string, FieldValue> | FieldValue[] = root;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i]!;
    const last = i === path.length - 1;
    const appending = segment === '';
    if (Array.isArray(holder) !== appending) throw new UsageError(`${flag}: "${key}" mixes an array ([]) and an object ([key]) at one place`);
    if (last) {
      if (Array.isArray(holder)) holder.push(value);
      else holder[segment] = value;
      return;
    }
    const wantArray = path[i + 1] === '';
    if (Array.isArray(holder)) {
      // `a[][b]=1`: each such field starts a new object in the array (as gh does).
      const next: FieldValue[] | Record<string, FieldValue> = wantArray ? [] : {};
      holder.push(next);
      holder = next;
      continue;
    }
    const existing: FieldValue | undefined = holder[segment];
    if (existing === undefined) {
      const next: FieldValue[] | Record<string, FieldValue> = wantArray ? [] : {};
      holder[segment] = next;
      holder = next;
    } else if (typeof existing === 'object' && existing !== null) {
      holder = existing;
    } else {
      throw new UsageError(`${flag}: "${key}" puts a field inside "${path.slice(0, i + 1).join('.')}", which already holds a value`);
    }
  }
}

/** `-F` values: literals and integers typed, @file read as text, anything else a string. */
async function typedValue(raw: string): Promise<FieldValue> {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (raw === 'null') return null;
  if (/^-?(0|[1-9]\d{0,14})$/.test(raw)) return Number(raw);
  if (raw.startsWith('@')) return (await readInputFile(raw.slice(1))).toString('utf8');
  return raw;
}

/** A GET's fields as query parameters: scalars, or arrays of scalars repeated. */
export function fieldsAsQuery(fields: Record<string, FieldValue>): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  const scalar = (key: string, value: FieldValue): string => {
    if (value !== null && typeof value === 'object') throw new UsageError(`the field "${key}" is an object; a query string holds only names and values`, 'send it as a JSON body: -X POST, or -d');
    return value === null ? '' : String(value);
  };
  for (const [key, value] of Object.entries(fields)) {
    if (Array.isArray(value)) for (const item of value) pairs.push([`${key}[]`, scalar(key, item)]);
    else pairs.push([key, scalar(key, value)]);
  }
  return pairs;
}
