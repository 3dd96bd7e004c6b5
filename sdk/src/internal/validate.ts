import { z } from 'zod';
import { ValidationError, type ValidationIssue } from '../core/error.js';

/** How responses are checked: `lenient` keeps unknown fields, `strict` rejects them, `off` trusts the wire. */
export type ValidationMode = 'lenient' | 'strict' | 'off';

type ObjectFactory = typeof z.looseObject;

/**
 * A response shape built twice from one description: with loose objects (unknown fields kept)
 * and with strict objects (unknown fields rejected). Zod types stay inside the SDK.
 */
export interface Model<T> {
  readonly loose: z.ZodType<T>;
  readonly strict: z.ZodType<T>;
  /** Builds this shape from an object factory, to nest it inside another model. */
  readonly build: (object: ObjectFactory) => z.ZodType<T>;
}

export function model<S extends z.ZodType>(build: (object: ObjectFactory) => S): Model<z.output<S>> {
  return {
    loose: build(z.looseObject) as z.ZodType<z.output<S>>,
    strict: build(z.strictObject as unknown as ObjectFactory) as z.ZodType<z.output<S>>,
    build: build as (object: ObjectFactory) => z.ZodType<z.output<S>>,
  };
}

/**
 * A set of values a gateway may grow (listing types, HTTP methods): closed in strict mode; in
 * lenient mode any other string passes too, so a newer gateway adding one does not break reads.
 * Typed as the known values, as the spec lists them. Not for money or security verdicts.
 */
export function openEnum<const T extends readonly [string, ...string[]]>(values: T, object: ObjectFactory): z.ZodType<T[number]> {
  const known = z.enum(values);
  return (object === z.looseObject ? z.union([known, z.string()]) : known) as unknown as z.ZodType<T[number]>;
}

/** Money and counters: a JSON integer within Number.MAX_SAFE_INTEGER. */
export const safeInt = (): z.ZodInt => z.int();

/** Validates `value` against `schema` in `mode`; throws ValidationError listing every issue. */
export function validate<T>(schema: Model<T>, value: unknown, mode: ValidationMode, requestId?: string): T {
  if (mode === 'off') return value as T;
  const result = (mode === 'strict' ? schema.strict : schema.loose).safeParse(value);
  if (result.success) return result.data;
  const issues: ValidationIssue[] = result.error.issues.map((issue) => ({
    path: issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
    message: issue.message,
    code: issue.code,
  }));
  const summary = issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
  throw new ValidationError(`Response did not match the expected shape: ${summary}`, issues, value, requestId);
}
