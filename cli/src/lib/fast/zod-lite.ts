// What the SDK's response models use of `zod/mini`, for the data path's bundle only (rolldown
// aliases `zod/mini` here in dist/data-path.bundle.cjs). Building the SDK's models with zod costs
// a data command more than its whole HTTP exchange; here each builder call is only recorded.
// `safeParse` checks a value against the recorded shape with a plain walk that accepts only what
// zod accepts and returns what zod returns (new objects and arrays, declared keys first, then
// the unknown keys a loose object keeps, in input order; values of `unknown()` as given). Whatever
// the walk does not accept, or does not know, is handed to real zod/mini: the recorded calls are
// replayed on it once, and its result (success, data, issues) is the answer. So a response zod
// would refuse is refused in zod's words, and one it would take is taken the same. A test runs
// both on the SDK's own models against mock responses and their mutations.
import { createRequire } from 'node:module';

type RealZod = Record<string, (...args: unknown[]) => unknown>;
interface RealSchema {
  safeParse(value: unknown, params?: unknown): unknown;
  parse(value: unknown, params?: unknown): unknown;
  check(...checks: unknown[]): RealSchema;
}

let realZod: RealZod | undefined;

/**
 * zod/mini as the SDK resolves it (it is the SDK's dependency), loaded on the first response the
 * walk does not accept. `import.meta.url` is the bundle's file in the bundle.
 */
function loadRealZod(): RealZod {
  if (realZod) return realZod;
  const here = createRequire(import.meta.url);
  let from = here;
  try {
    from = createRequire(here.resolve('@proxygate-kit/sdk/package.json'));
  } catch {
    // No SDK package beside this file (a test from source): zod from here.
  }
  realZod = from('zod/mini') as RealZod;
  return realZod;
}

/** Lets a test give the zod the walk is compared with. */
export function useRealZod(zod: unknown): void {
  realZod = zod as RealZod;
}

/** A recorded call: the zod/mini function and its arguments (schemas, shapes, values). */
interface Recipe {
  fn: string;
  args: readonly unknown[];
}

type Check = { kind: 'gte'; value: number; recipe: Recipe } | { kind: 'lte'; value: number; recipe: Recipe } | { kind: 'regex'; pattern: RegExp; recipe: Recipe } | { kind: 'opaque'; recipe: Recipe };

type Def =
  | { type: 'string' | 'number' | 'int' | 'boolean' | 'unknown' | 'opaque' }
  | { type: 'literal'; values: readonly unknown[] }
  | { type: 'enum'; values: readonly unknown[] }
  | { type: 'union'; options: readonly LiteSchema[] }
  | { type: 'array'; element: LiteSchema }
  | { type: 'record'; key: LiteSchema; value: LiteSchema }
  | { type: 'object'; shape: Readonly<Record<string, LiteSchema>>; loose: boolean; fields: ReadonlyArray<readonly [string, LiteSchema]>; walkable: boolean }
  | { type: 'nullable' | 'exactOptional'; inner: LiteSchema };

/** The walk's answer when zod must answer. */
const DEFER: unique symbol = Symbol('defer to zod');
type Walked = unknown;

const real = new WeakMap<LiteSchema, RealSchema>();

export class LiteSchema {
  constructor(
    readonly def: Def,
    readonly recipe: Recipe,
    readonly checks: readonly Check[] = [],
  ) {}

  check(...checks: Check[]): LiteSchema {
    return new LiteSchema(this.def, this.recipe, [...this.checks, ...checks]);
  }

  safeParse(value: unknown, params?: unknown): unknown {
    if (params === undefined) {
      const data = walk(this, value);
      if (data !== DEFER) return { success: true, data };
    }
    return toReal(this).safeParse(value, params);
  }

  parse(value: unknown, params?: unknown): unknown {
    if (params === undefined) {
      const data = walk(this, value);
      if (data !== DEFER) return data;
    }
    return toReal(this).parse(value, params);
  }
}

/** The walk alone: zod's data for `value`, or undefined where zod must answer (for tests). */
export function walkOnly(schema: LiteSchema, value: unknown): { data: unknown } | undefined {
  const data = walk(schema, value);
  return data === DEFER ? undefined : { data };
}

/** The same schema in real zod/mini: the recorded calls replayed (once per schema). */
export function toReal(schema: LiteSchema): RealSchema {
  let out = real.get(schema);
  if (!out) {
    const zod = loadRealZod();
    out = replay(zod, schema.recipe) as RealSchema;
    if (schema.checks.length > 0) out = out.check(...schema.checks.map((c) => replay(zod, c.recipe)));
    real.set(schema, out);
  }
  return out;
}

function replay(zod: RealZod, recipe: Recipe): unknown {
  const fn = zod[recipe.fn];
  if (typeof fn !== 'function') throw new Error(`zod/mini has no ${recipe.fn}`);
  return fn(...recipe.args.map((arg) => realArg(arg)));
}

function realArg(arg: unknown): unknown {
  if (arg instanceof LiteSchema) return toReal(arg);
  if (Array.isArray(arg)) return arg.map(realArg);
  if (arg && typeof arg === 'object' && Object.getPrototypeOf(arg) === Object.prototype) {
    return Object.fromEntries(Object.entries(arg).map(([k, v]) => [k, realArg(v)]));
  }
  return arg;
}

const isPlain = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;

/** Kinds whose walk refuses exactly what zod refuses (a union may try the next option after them). */
function exact(schema: LiteSchema): boolean {
  const { type } = schema.def;
  return schema.checks.every((c) => c.kind !== 'opaque') && (type === 'string' || type === 'number' || type === 'int' || type === 'boolean' || type === 'literal' || type === 'enum');
}

/** zod's output for `value`, or DEFER where zod may answer otherwise (a refusal, or a form not walked). */
function walk(schema: LiteSchema, value: unknown): Walked | typeof DEFER {
  const def = schema.def;
  let out: unknown;
  switch (def.type) {
    case 'string':
      if (typeof value !== 'string') return DEFER;
      out = value;
      break;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return DEFER;
      out = value;
      break;
    case 'int':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) return DEFER;
      out = value;
      break;
    case 'boolean':
      if (typeof value !== 'boolean') return DEFER;
      out = value;
      break;
    case 'unknown':
      out = value;
      break;
    case 'literal':
    case 'enum':
      if (!def.values.includes(value) || (typeof value === 'number' && Number.isNaN(value))) return DEFER;
      out = value;
      break;
    case 'nullable':
      if (value === null) out = null;
      else out = walk(def.inner, value);
      break;
    case 'exactOptional':
      // Absent keys are the object's to handle; a value present is the inner schema's.
      if (value === undefined) return DEFER;
      out = walk(def.inner, value);
      break;
    case 'union': {
      out = DEFER;
      for (const option of def.options) {
        out = walk(option, value);
        // zod takes the first option that accepts: a later one only when the earlier surely refuse.
        if (out !== DEFER || !exact(option)) break;
      }
      break;
    }
    case 'array': {
      if (!Array.isArray(value)) return DEFER;
      const items = new Array<unknown>(value.length);
      for (let i = 0; i < value.length; i++) {
        if (!(i in value)) return DEFER;
        const item = walk(def.element, value[i]);
        if (item === DEFER) return DEFER;
        items[i] = item;
      }
      out = items;
      break;
    }
    case 'record': {
      if (!isPlain(value) || def.key.def.type !== 'string' || def.key.checks.length > 0) return DEFER;
      const record: Record<string, unknown> = {};
      for (const key of Reflect.ownKeys(value)) {
        if (typeof key !== 'string' || key === '__proto__' || !Object.prototype.propertyIsEnumerable.call(value, key)) return DEFER;
        const item = walk(def.value, value[key]);
        if (item === DEFER || item === undefined) return DEFER;
        record[key] = item;
      }
      out = record;
      break;
    }
    case 'object': {
      if (!def.walkable || !isPlain(value)) return DEFER;
      const object: Record<string, unknown> = {};
      for (const [key, field] of def.fields) {
        if (!Object.hasOwn(value, key)) {
          if (field.def.type === 'exactOptional') continue;
          return DEFER;
        }
        const item = walk(field, value[key]);
        if (item === DEFER || item === undefined) return DEFER;
        object[key] = item;
      }
      for (const key in value) {
        if (Object.hasOwn(def.shape, key)) continue;
        // A strict object refuses unknown keys; a loose one keeps them as given (not __proto__).
        if (!def.loose || key === '__proto__' || value[key] === undefined) return DEFER;
        object[key] = value[key];
      }
      out = object;
      break;
    }
    default:
      return DEFER;
  }
  if (out === DEFER) return DEFER;
  for (const check of schema.checks) {
    if (check.kind === 'opaque') return DEFER;
    if (check.kind === 'regex') {
      if (typeof out !== 'string') return DEFER;
      check.pattern.lastIndex = 0;
      if (!check.pattern.test(out)) return DEFER;
    } else {
      if (typeof out !== 'number') return DEFER;
      if (check.kind === 'gte' ? !(out >= check.value) : !(out <= check.value)) return DEFER;
    }
  }
  return out;
}

const make = (def: Def, fn: string, args: readonly unknown[]) => new LiteSchema(def, { fn, args });
/** A builder the walk does not know: zod answers every value. */
const opaque = (fn: string) => (...args: unknown[]) => make({ type: 'opaque' }, fn, args);

// Builders named and called as zod/mini's (params such as error messages make the schema opaque:
// zod then answers, with them).
export const string = (...args: unknown[]) => make(args.length ? { type: 'opaque' } : { type: 'string' }, 'string', args);
export const number = (...args: unknown[]) => make(args.length ? { type: 'opaque' } : { type: 'number' }, 'number', args);
export const int = (...args: unknown[]) => make(args.length ? { type: 'opaque' } : { type: 'int' }, 'int', args);
export const boolean = (...args: unknown[]) => make(args.length ? { type: 'opaque' } : { type: 'boolean' }, 'boolean', args);
export const unknown = () => make({ type: 'unknown' }, 'unknown', []);
export const literal = (value: unknown, ...rest: unknown[]) =>
  make(rest.length ? { type: 'opaque' } : { type: 'literal', values: Array.isArray(value) ? [...(value as unknown[])] : [value] }, 'literal', [value, ...rest]);
function enumOf(values: unknown, ...rest: unknown[]): LiteSchema {
  return make(rest.length || !Array.isArray(values) ? { type: 'opaque' } : { type: 'enum', values: [...(values as unknown[])] }, 'enum', [values, ...rest]);
}
export { enumOf as enum };
export const union = (options: LiteSchema[], ...rest: unknown[]) => make(rest.length ? { type: 'opaque' } : { type: 'union', options: [...options] }, 'union', [options, ...rest]);
export const array = (element: LiteSchema, ...rest: unknown[]) => make(rest.length ? { type: 'opaque' } : { type: 'array', element }, 'array', [element, ...rest]);
export const record = (key: LiteSchema, value: LiteSchema, ...rest: unknown[]) =>
  make(rest.length || !(value instanceof LiteSchema) ? { type: 'opaque' } : { type: 'record', key, value }, 'record', [key, value, ...rest]);
/** An object's shape as the walk reads it; keys Object.prototype has (zod reads them through it) and __proto__ are zod's to judge. */
function objectDef(shape: Record<string, LiteSchema>, loose: boolean): Def {
  const copy = { ...shape };
  const fields = Object.keys(copy).map((key) => [key, copy[key] as LiteSchema] as const);
  return { type: 'object', shape: copy, loose, fields, walkable: fields.every(([key]) => !(key in Object.prototype)) };
}
export const looseObject = (shape: Record<string, LiteSchema>, ...rest: unknown[]) => make(rest.length ? { type: 'opaque' } : objectDef(shape, true), 'looseObject', [shape, ...rest]);
export const strictObject = (shape: Record<string, LiteSchema>, ...rest: unknown[]) => make(rest.length ? { type: 'opaque' } : objectDef(shape, false), 'strictObject', [shape, ...rest]);
export const nullable = (inner: LiteSchema) => make({ type: 'nullable', inner }, 'nullable', [inner]);
export const exactOptional = (inner: LiteSchema) => make({ type: 'exactOptional', inner }, 'exactOptional', [inner]);
export const object = opaque('object');
export const optional = opaque('optional');
export const any = opaque('any');

// Checks, as `schema.check(...)` takes them.
const numberCheck = (kind: 'gte' | 'lte', fn: string) => (value: number, ...rest: unknown[]): Check =>
  rest.length || typeof value !== 'number' ? { kind: 'opaque', recipe: { fn, args: [value, ...rest] } } : { kind, value, recipe: { fn, args: [value] } };
export const minimum = numberCheck('gte', 'minimum');
export const gte = numberCheck('gte', 'gte');
export const maximum = numberCheck('lte', 'maximum');
export const lte = numberCheck('lte', 'lte');
export const nonnegative = (...args: unknown[]): Check => (args.length ? { kind: 'opaque', recipe: { fn: 'nonnegative', args } } : { kind: 'gte', value: 0, recipe: { fn: 'nonnegative', args: [] } });
export const regex = (pattern: RegExp, ...rest: unknown[]): Check =>
  rest.length || !(pattern instanceof RegExp) ? { kind: 'opaque', recipe: { fn: 'regex', args: [pattern, ...rest] } } : { kind: 'regex', pattern, recipe: { fn: 'regex', args: [pattern] } };
