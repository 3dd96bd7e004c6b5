// The SDK's list of paths that need a token (a call without one is refused locally) is the spec's
// `security`: every operation whose requirements all name a scheme needs one; none else does.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { expect, test } from 'vitest';
import { requiresAuth } from '../../src/internal/auth-paths.js';

interface Operation {
  security?: Record<string, string[]>[];
}

const spec = load(readFileSync(fileURLToPath(new URL('../../../spec/openapi.yaml', import.meta.url)), 'utf8')) as {
  security?: Record<string, string[]>[];
  paths: Record<string, Record<string, Operation>>;
};

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
// Path parameters filled with plausible values, as a caller would send them.
const concrete = (template: string) =>
  template.replace('{listingId}', '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b').replace('{tokenId}', 'tok_1').replace('{service}', 'echo').replace('{path}', 'echo/deeper');

const operations = Object.entries(spec.paths).flatMap(([template, item]) =>
  METHODS.filter((m) => item[m]).map((m) => {
    const security = item[m]!.security ?? spec.security ?? [];
    // `{}` among the alternatives means "no token is also fine" (e.g. /mcp).
    const needed = security.length > 0 && security.every((requirement) => Object.keys(requirement).length > 0);
    return { name: `${m.toUpperCase()} ${template}`, path: concrete(template), needed };
  }),
);

test('the spec lists operations of both kinds', () => {
  expect(operations.filter((o) => o.needed).length).toBeGreaterThan(5);
  expect(operations.filter((o) => !o.needed).length).toBeGreaterThan(5);
});

test.each(operations)('$name: requiresAuth = $needed', ({ path, needed }) => {
  expect(requiresAuth(path)).toBe(needed);
  expect(requiresAuth(path.replace(/^\//, ''))).toBe(needed);
  expect(requiresAuth(`${path}?limit=1`)).toBe(needed);
});

test('a path that only starts like a protected one is not taken for it', () => {
  expect(requiresAuth('/v1/metadata')).toBe(false);
  expect(requiresAuth('/v1/rates')).toBe(false);
  expect(requiresAuth('/v1/apis')).toBe(false);
});
