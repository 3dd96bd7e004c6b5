import { hasLoneSurrogate } from './strict-json.js';

/**
 * RFC 8785 JSON Canonicalization Scheme: object keys sorted by UTF-16 code units, no whitespace,
 * strings escaped as ECMAScript JSON.stringify does, numbers in ECMAScript shortest form.
 * Throws a TypeError for values JSON cannot carry (NaN, Infinity, bigint, undefined, functions,
 * lone surrogates), because a canonical form of those would be a lie.
 */
export function canonicalize(value: unknown): string {
  switch (typeof value) {
    case 'string':
      if (hasLoneSurrogate(value)) throw new TypeError('canonicalize: lone surrogate in string');
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonicalize: non-finite number');
      // JSON.stringify already prints -0 as 0 and uses the ECMAScript shortest round-trip form.
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + canonicalize(value[i]);
        return out + ']';
      }
      const record = value as Record<string, unknown>;
      // Default sort compares UTF-16 code units, which is exactly what RFC 8785 §3.2.3 asks for.
      const keys = Object.keys(record).sort();
      let out = '{';
      let first = true;
      for (const key of keys) {
        const v = record[key];
        if (v === undefined) continue;
        if (hasLoneSurrogate(key)) throw new TypeError('canonicalize: lone surrogate in key');
        out += (first ? '' : ',') + JSON.stringify(key) + ':' + canonicalize(v);
        first = false;
      }
      return out + '}';
    }
    default:
      throw new TypeError(`canonicalize: ${typeof value} is not JSON`);
  }
}
