// `mcp call TOOL --arg k=v`: the values read by the tool's input schema (a string field keeps its
// text, `--arg city=123` stays "123"), then checked against that schema before anything is sent, so
// a typo is a usage error (exit 2) naming the fields the tool takes, not a round trip to the gateway.
// A small JSON Schema subset: what MCP servers put in tool input schemas (types, required, enum,
// const, lengths, bounds, pattern, items, nested properties, additionalProperties, anyOf/oneOf).

export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  pattern?: string;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  description?: string;
};

function asSchema(value: unknown): JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonSchema) : {};
}

function types(schema: JsonSchema): string[] {
  if (schema.type !== undefined) return Array.isArray(schema.type) ? schema.type : [schema.type];
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) return branches.flatMap((b) => types(asSchema(b)));
  if (schema.enum) return [...new Set(schema.enum.map((v) => (v === null ? 'null' : typeof v)))];
  return [];
}

/** `--arg` text as the schema's field wants it: text for a string field, else JSON when it parses. */
export function readArgValue(raw: string, field: unknown): unknown {
  const wanted = types(asSchema(field));
  if (wanted.length > 0 && wanted.every((t) => t === 'string')) return raw;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function matchesType(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  return actual === type || (type === 'number' && actual === 'integer');
}

/** Problems of `value` against `schema`, each naming where (`query.city`). Empty: it fits. */
export function schemaProblems(value: unknown, schemaValue: unknown, where: string): string[] {
  const schema = asSchema(schemaValue);
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches && branches.length > 0) {
    const fits = branches.some((branch) => schemaProblems(value, branch, where).length === 0);
    if (!fits) return [`${where} is not ${describeType(schema)}`];
  }
  if (schema.type !== undefined) {
    const wanted = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!wanted.some((t) => matchesType(value, t))) return [`${where} must be ${describeType(schema)}, got ${typeOf(value)} ${preview(value)}`];
  }
  if (schema.const !== undefined && JSON.stringify(value) !== JSON.stringify(schema.const)) return [`${where} must be ${JSON.stringify(schema.const)}`];
  if (schema.enum && !schema.enum.some((option) => JSON.stringify(option) === JSON.stringify(value))) {
    return [`${where} must be one of ${schema.enum.map((o) => JSON.stringify(o)).join(', ')}, got ${preview(value)}`];
  }
  const problems: string[] = [];
  if (typeof value === 'string') {
    const length = [...value].length;
    if (schema.minLength !== undefined && length < schema.minLength) problems.push(`${where} must have at least ${schema.minLength} character(s)`);
    if (schema.maxLength !== undefined && length > schema.maxLength) problems.push(`${where} must have at most ${schema.maxLength} characters`);
    if (schema.pattern !== undefined && !safePattern(schema.pattern)?.test(value)) problems.push(`${where} must match ${schema.pattern}`);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) problems.push(`${where} must be >= ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) problems.push(`${where} must be <= ${schema.maximum}`);
    if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) problems.push(`${where} must be > ${schema.exclusiveMinimum}`);
    if (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum) problems.push(`${where} must be < ${schema.exclusiveMaximum}`);
  }
  if (Array.isArray(value) && schema.items) value.forEach((item, i) => problems.push(...schemaProblems(item, schema.items, `${where}[${i}]`)));
  if (typeOf(value) === 'object') problems.push(...objectProblems(value as Record<string, unknown>, schema, where));
  return problems;
}

function objectProblems(value: Record<string, unknown>, schema: JsonSchema, where: string): string[] {
  const problems: string[] = [];
  const properties = schema.properties ?? {};
  const at = (key: string) => (where ? `${where}.${key}` : key);
  // An --arg the tool does not name is a typo (`shiled=off` would drop the shield mode silently):
  // refused unless the schema admits other fields, which JSON Schema does by default, so at the
  // top level only an explicit `additionalProperties` admits them.
  const closed = schema.additionalProperties === false || (where === '' && schema.additionalProperties === undefined);
  for (const key of schema.required ?? []) if (!Object.hasOwn(value, key)) problems.push(`${at(key)} is required`);
  for (const [key, item] of Object.entries(value)) {
    if (Object.hasOwn(properties, key)) problems.push(...schemaProblems(item, properties[key], at(key)));
    else if (closed) problems.push(`${at(key)} is not a field of this tool`);
    else if (typeof schema.additionalProperties === 'object') problems.push(...schemaProblems(item, schema.additionalProperties, at(key)));
  }
  return problems;
}

function safePattern(pattern: string): RegExp | undefined {
  try {
    return new RegExp(pattern, 'u');
  } catch {
    return undefined;
  }
}

function describeType(schema: JsonSchema): string {
  if (schema.enum) return `one of ${schema.enum.map((o) => JSON.stringify(o)).join(', ')}`;
  const list = types(schema);
  if (list.length === 0) return 'a value';
  return list.map((t) => (t === 'object' && schema.additionalProperties && typeof schema.additionalProperties === 'object' ? `an object of ${describeType(schema.additionalProperties)}` : t === 'integer' ? 'an integer' : t === 'array' ? 'an array' : t === 'object' ? 'an object' : `a ${t}`)).join(' or ');
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** `listing_id (string, required), limit (integer 1..100), sort (price_asc|price_desc)`: what the tool takes. */
export function expectedFields(schemaValue: unknown): string[] {
  const schema = asSchema(schemaValue);
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([name, fieldValue]) => {
    const field = asSchema(fieldValue);
    const kind = field.enum ? field.enum.map((o) => (typeof o === 'string' ? o : JSON.stringify(o))).join('|') : types(field).join('|') || 'any';
    const bounds = field.minimum !== undefined || field.maximum !== undefined ? ` ${field.minimum ?? ''}..${field.maximum ?? ''}` : '';
    return `${name} (${kind}${bounds}${required.has(name) ? ', required' : ''})`;
  });
}
