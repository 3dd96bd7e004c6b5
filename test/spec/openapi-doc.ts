// Reads spec/openapi.yaml for the cross-package spec tests: walks operations and responses and
// compiles ajv (JSON Schema 2020-12, the dialect of OpenAPI 3.1) validators for any schema in it.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as Ajv2020Module from 'ajv/dist/2020.js';
import * as addFormatsModule from 'ajv-formats';
import type { ErrorObject, ValidateFunction } from 'ajv';
import yaml from 'js-yaml';

export const specPath = fileURLToPath(new URL('../../spec/openapi.yaml', import.meta.url));

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface Operation {
  readonly path: string;
  readonly method: (typeof HTTP_METHODS)[number];
  readonly pointer: string;
  readonly node: JsonObject;
}

export interface ResolvedResponse {
  readonly status: string;
  /** JSON pointer of the response object after following its $ref, for error messages and ajv refs. */
  readonly pointer: string;
  readonly node: JsonObject;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function loadSpec(): JsonObject {
  const doc: unknown = yaml.load(readFileSync(specPath, 'utf8'));
  if (!isObject(doc)) throw new Error('spec/openapi.yaml is not a YAML mapping');
  return doc;
}

/** RFC 6901 escaping of one reference token. */
export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function resolvePointer(doc: JsonObject, pointer: string): Json {
  if (!pointer.startsWith('#')) throw new Error(`only local refs are used in the spec, got ${pointer}`);
  let node: Json = doc;
  for (const raw of pointer.slice(2).split('/').filter((t) => t !== '')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObject(node) || !(token in node)) throw new Error(`unresolved pointer ${pointer}`);
    node = node[token] as Json;
  }
  return node;
}

/** Follows `$ref` chains (response, header, example and parameter objects). */
export function deref(doc: JsonObject, node: Json, pointer: string): { node: Json; pointer: string } {
  let current = node;
  let at = pointer;
  const seen = new Set<string>();
  while (isObject(current) && typeof current['$ref'] === 'string') {
    const ref = current['$ref'];
    if (seen.has(ref)) throw new Error(`$ref cycle at ${ref}`);
    seen.add(ref);
    at = ref;
    current = resolvePointer(doc, ref);
  }
  return { node: current, pointer: at };
}

export function listOperations(doc: JsonObject): Operation[] {
  const paths = doc['paths'];
  if (!isObject(paths)) return [];
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(paths)) {
    if (!isObject(item)) continue;
    for (const method of HTTP_METHODS) {
      const node = item[method];
      if (isObject(node)) {
        operations.push({ path, method, node, pointer: `#/paths/${escapePointerToken(path)}/${method}` });
      }
    }
  }
  return operations;
}

export function responsesOf(doc: JsonObject, operation: Operation): ResolvedResponse[] {
  const responses = operation.node['responses'];
  if (!isObject(responses)) return [];
  return Object.entries(responses).map(([status, raw]) => {
    const { node, pointer } = deref(doc, raw, `${operation.pointer}/responses/${status}`);
    if (!isObject(node)) throw new Error(`response ${status} of ${operation.pointer} is not an object`);
    return { status, node, pointer };
  });
}

type AjvInstance = {
  addSchema(schema: object, key: string): unknown;
  compile(schema: object): ValidateFunction;
};

function defaultExport<T>(module: unknown): T {
  // CJS packages seen through ESM interop: the export is either the module or its `default`.
  const candidate = (module as { default?: unknown }).default ?? module;
  return ((candidate as { default?: unknown }).default ?? candidate) as T;
}

const SPEC_KEY = 'openapi.yaml';

/** Compiles validators against the spec's own schemas (all `$ref`s resolve inside the document). */
export function createSpecValidator(doc: JsonObject): {
  validatorAt(pointer: string): ValidateFunction;
} {
  const Ajv2020 = defaultExport<new (options: object) => AjvInstance>(Ajv2020Module);
  const addFormats = defaultExport<(ajv: AjvInstance) => void>(addFormatsModule);
  // strict: false because OpenAPI adds keywords JSON Schema does not know (example, x-*).
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  ajv.addSchema(doc, SPEC_KEY);
  const cache = new Map<string, ValidateFunction>();
  return {
    validatorAt(pointer: string) {
      let validate = cache.get(pointer);
      if (!validate) {
        validate = ajv.compile({ $ref: `${SPEC_KEY}${pointer}` });
        cache.set(pointer, validate);
      }
      return validate;
    },
  };
}

export function describeErrors(errors: readonly ErrorObject[] | null | undefined): string {
  return (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`).join('; ');
}

/** Every example of a media type object, by name (`example` is named "example"). */
export function examplesOf(doc: JsonObject, mediaType: JsonObject): Map<string, Json> {
  const found = new Map<string, Json>();
  if ('example' in mediaType) found.set('example', mediaType['example'] as Json);
  const examples = mediaType['examples'];
  if (isObject(examples)) {
    for (const [name, raw] of Object.entries(examples)) {
      const { node } = deref(doc, raw, '');
      if (isObject(node) && 'value' in node) found.set(name, node['value'] as Json);
    }
  }
  return found;
}

/**
 * Keys of `value` that its schema does not declare (following $ref, allOf, anyOf and oneOf),
 * as JSON pointers. Objects whose schema declares no properties at all (pass-through bodies,
 * free-form maps) are not inspected. Run it on values that already validate.
 */
export function undeclaredKeys(doc: JsonObject, schemaPointer: string, value: unknown): string[] {
  const found: string[] = [];
  const visit = (schemas: Json[], at: unknown, path: string): void => {
    const resolved = schemas.flatMap((s) => expand(s));
    if (Array.isArray(at)) {
      const items = resolved.map((s) => s['items']).filter((s): s is JsonObject => isObject(s));
      if (items.length > 0) at.forEach((item, i) => visit(items, item, `${path}/${i}`));
      return;
    }
    if (!isObject(at)) return;
    const declared = new Map<string, Json[]>();
    for (const schema of resolved) {
      const properties = schema['properties'];
      if (!isObject(properties)) continue;
      for (const [key, sub] of Object.entries(properties)) declared.set(key, [...(declared.get(key) ?? []), sub]);
    }
    if (declared.size === 0) return;
    for (const [key, child] of Object.entries(at)) {
      const subs = declared.get(key);
      if (!subs) found.push(`${path}/${escapePointerToken(key)}`);
      else visit(subs, child, `${path}/${escapePointerToken(key)}`);
    }
  };
  const expand = (schema: Json): JsonObject[] => {
    const { node } = deref(doc, schema, '');
    if (!isObject(node)) return [];
    const parts = ['allOf', 'anyOf', 'oneOf'].flatMap((k) => (Array.isArray(node[k]) ? (node[k] as Json[]) : []));
    return [node, ...parts.flatMap((p) => expand(p))];
  };
  visit([{ $ref: schemaPointer }], value, '');
  return found;
}

/** The vendor extension that marks what only our extended gateway serves (spec/README.md). */
export const EXTENSION_MARKER = 'x-proxygate-extension';

/** Visits every object under `node` with its JSON pointer (YAML aliases are visited at each use). */
export function walkObjects(node: Json, pointer: string, visit: (value: JsonObject, pointer: string) => void): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => walkObjects(item, `${pointer}/${i}`, visit));
  } else if (isObject(node)) {
    visit(node, pointer);
    for (const [key, value] of Object.entries(node)) walkObjects(value, `${pointer}/${escapePointerToken(key)}`, visit);
  }
}

/** Every `x-proxygate-extension` marker of the document: pointer of the marked object -> feature. */
export function extensionMarkers(doc: JsonObject): Map<string, Json> {
  const found = new Map<string, Json>();
  walkObjects(doc, '#', (node, pointer) => {
    if (EXTENSION_MARKER in node) found.set(pointer, node[EXTENSION_MARKER] as Json);
  });
  return found;
}

/** Path-level and operation-level parameters of an operation, `$ref`s followed. */
export function parametersOf(doc: JsonObject, operation: Operation): JsonObject[] {
  const pathItem = resolvePointer(doc, operation.pointer.replace(/\/[a-z]+$/, ''));
  const raw = [
    ...((isObject(pathItem) && Array.isArray(pathItem['parameters']) ? pathItem['parameters'] : []) as Json[]),
    ...((Array.isArray(operation.node['parameters']) ? operation.node['parameters'] : []) as Json[]),
  ];
  return raw.map((p) => {
    const { node } = deref(doc, p, '');
    if (!isObject(node)) throw new Error(`a parameter of ${operation.pointer} is not an object`);
    return node;
  });
}

/** `$ref`s of a media type's schema: the schema's own, or those of its top-level anyOf/oneOf. */
export function schemaRefsOf(schema: Json): string[] {
  if (!isObject(schema)) return [];
  const branches = [...(Array.isArray(schema['anyOf']) ? schema['anyOf'] : []), ...(Array.isArray(schema['oneOf']) ? schema['oneOf'] : [])];
  return [schema, ...branches].flatMap((s) => (isObject(s) && typeof s['$ref'] === 'string' ? [s['$ref']] : []));
}
