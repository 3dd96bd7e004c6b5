// zod/mini, imported as a namespace, so bundlers keep only the checks the models use (classic zod
// costs a browser app ~20 kB min+gz more; `import { z } from 'zod'` keeps all of it).
import * as z from 'zod/mini';
import { ValidationError, type ValidationIssue } from './errors.js';

/** How responses are checked: `lenient` keeps unknown fields, `strict` rejects them, `off` trusts the wire. */
export type ValidationMode = 'lenient' | 'strict' | 'off';

type ObjectFactory = typeof z.looseObject;

/**
 * A response shape built twice from one description: with loose objects (unknown fields kept)
 * and with strict objects (unknown fields rejected). Zod types stay inside the SDK.
 */
export interface Model<T> {
  readonly loose: z.ZodMiniType<T>;
  readonly strict: z.ZodMiniType<T>;
  /** Builds this shape from an object factory, to nest it inside another model. */
  readonly build: (object: ObjectFactory) => z.ZodMiniType<T>;
}

export function model<S extends z.ZodMiniType>(build: (object: ObjectFactory) => S): Model<z.output<S>> {
  return {
    loose: build(z.looseObject) as z.ZodMiniType<z.output<S>>,
    strict: build(z.strictObject as unknown as ObjectFactory) as z.ZodMiniType<z.output<S>>,
    build: build as (object: ObjectFactory) => z.ZodMiniType<z.output<S>>,
  };
}

/**
 * A set of values a gateway may grow (listing types, HTTP methods): closed in strict mode; in
 * lenient mode any other string passes too, so a newer gateway adding one does not break reads.
 * Typed as the known values, as the spec lists them. Not for money or security verdicts.
 */
export function openEnum<const T extends readonly [string, ...string[]]>(values: T, object: ObjectFactory): z.ZodMiniType<T[number]> {
  const known = z.enum(values);
  return (object === z.looseObject ? z.union([known, z.string()]) : known) as unknown as z.ZodMiniType<T[number]>;
}

/** Money and counters: a JSON integer within Number.MAX_SAFE_INTEGER. */
export const safeInt = (): z.ZodMiniInt => z.int();

type Issue = z.core.$ZodIssue;

const typeOf = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);

/**
 * What is wrong, in words (zod/mini ships no message locale: its own messages all read
 * "Invalid input"). Never quotes the value itself, only its type.
 */
function describe(issue: Issue, input: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}, received ${typeOf(input)}`;
    case 'invalid_value':
      return `expected ${issue.values.map((v) => JSON.stringify(v)).join(' | ')}`;
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length === 1 ? '' : 's'} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    case 'too_small':
      return `must be ${issue.inclusive === false ? '>' : '>='} ${String(issue.minimum)}`;
    case 'too_big':
      return `must be ${issue.inclusive === false ? '<' : '<='} ${String(issue.maximum)}`;
    case 'invalid_format':
      return `must match ${issue.pattern ?? issue.format}`;
    case 'invalid_union':
      return 'matches none of the allowed shapes';
    default:
      return issue.message;
  }
}

/** The value at `path` inside `root` (to name the type that was received). */
function at(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** Validates `value` against `schema` in `mode`; throws ValidationError listing every issue. */
export function validate<T>(schema: Model<T>, value: unknown, mode: ValidationMode, requestId?: string): T {
  if (mode === 'off') return value as T;
  const result = (mode === 'strict' ? schema.strict : schema.loose).safeParse(value);
  if (result.success) return result.data;
  const issues: ValidationIssue[] = result.error.issues.map((issue) => ({
    path: issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
    message: describe(issue, at(value, issue.path)),
    code: issue.code,
  }));
  const summary = issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
  throw new ValidationError(`Response did not match the expected shape: ${summary}`, issues, value, requestId);
}
