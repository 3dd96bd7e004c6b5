// The published artefacts: what `npm pack` ships covers every `exports`/`bin` target, carries no
// tests, fixtures or stale build output, and every export loads in a plain Node process.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportTargets, packagePath, packAll, type PackedPackage } from './packed-files.js';
import { PACKAGES, REPO_ROOT, type PackageName } from './paths.js';

const NAMES = Object.keys(PACKAGES) as PackageName[];
// API keys, delegation JWTs, PEM private keys, private JWKs.
const SECRET_PATTERNS = /pg_live_[0-9A-Za-z]{32}|pg_del_[\w-]+\.[\w-]+\.[\w-]+|-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END|"d"\s*:\s*"[\w-]{43}"/g;
let packed: Map<PackageName, PackedPackage>;
beforeAll(() => {
  packed = packAll();
}, 60_000);
const pkg = (name: PackageName): PackedPackage => {
  const found = packed.get(name);
  if (!found) throw new Error(`npm pack reported nothing for ${name}`);
  return found;
};

/** True when `src/x.ts` has no `dist/x.js`, or changed after it was built (both dirs mirror each other). */
function isNewerThanItsBuild(dir: string, source: string): boolean {
  const built = `${dir}/dist/${source.slice('src/'.length).replace(/\.ts$/, '.js')}`;
  return !existsSync(built) || statSync(built).mtimeMs < statSync(`${dir}/${source}`).mtimeMs;
}

/** Relative files a bin script loads (`../dist/x.js`), as package paths. */
function binDependencies(p: PackedPackage, binPath: string): string[] {
  const text = readFileSync(`${p.dir}/${binPath}`, 'utf8');
  return [...text.matchAll(/['"](\.\.?\/[^'"]+\.(?:js|json))['"]/g)].map((m) => posix.normalize(posix.join(posix.dirname(binPath), m[1]!)));
}

describe.each(NAMES)('%s', (name) => {
  it('packs every exports target (all conditions), and each exists on disk', () => {
    const p = pkg(name);
    const targets = exportTargets(p.manifest).filter((t) => t.subpath !== './package.json');
    expect(targets.length).toBeGreaterThan(name === '@proxygate-kit/cli' ? -1 : 0);
    for (const t of targets) {
      const file = packagePath(t.target);
      expect(existsSync(`${p.dir}/${file}`), `${t.subpath} [${t.condition}] -> ${file} exists`).toBe(true);
      expect(p.files.has(file), `${t.subpath} [${t.condition}] -> ${file} is packed`).toBe(true);
    }
  });

  it('gives every export subpath built types (.d.ts) and built JS (.js) from dist/', () => {
    const p = pkg(name);
    for (const [subpath, value] of Object.entries(p.manifest.exports ?? {})) {
      if (subpath === './package.json') continue;
      expect(typeof value, subpath).toBe('object');
      const conditions = value as Record<string, string>;
      expect(conditions['types'], subpath).toMatch(/^\.\/dist\/.+\.d\.ts$/);
      expect(conditions['default'], subpath).toMatch(/^\.\/dist\/.+\.js$/);
      expect(conditions['types']!.replace(/\.d\.ts$/, ''), subpath).toBe(conditions['default']!.replace(/\.js$/, ''));
    }
  });

  it('packs each bin with a node shebang and every file it loads', () => {
    const p = pkg(name);
    for (const [bin, target] of Object.entries(p.manifest.bin ?? {})) {
      const file = packagePath(target);
      expect(p.files.has(file), `bin ${bin} -> ${file}`).toBe(true);
      expect(readFileSync(`${p.dir}/${file}`, 'utf8').startsWith('#!/usr/bin/env node\n'), `${file} shebang`).toBe(true);
      for (const dep of binDependencies(p, file)) expect(p.files.has(dep), `${file} loads ${dep}`).toBe(true);
    }
  });

  it('ships no tests, fixtures, coverage, build caches or TypeScript build info', () => {
    const unwanted = [...pkg(name).files].filter((f) =>
      /(^|\/)(test|tests|__tests__|fixtures?|__fixtures__|coverage|\.turbo|node_modules)\//.test(f)
      || /\.(test|spec)\.[cm]?[jt]sx?(\.map)?$|\.d\.(test|spec)\.ts$|\.tsbuildinfo$|\.log$/.test(f));
    expect(unwanted).toEqual([]);
  });

  it('ships no credentials (only fakes spelled EXAMPLE, as the shield fixtures use)', () => {
    const p = pkg(name);
    const found: string[] = [];
    for (const file of [...p.files].filter((f) => /\.(js|ts|json|md|map|mjs|cjs)$/.test(f))) {
      const text = readFileSync(`${p.dir}/${file}`, 'utf8');
      for (const m of text.matchAll(SECRET_PATTERNS)) {
        if (!/example/i.test(m[0])) found.push(`${file}: ${m[0].slice(0, 12)}…`);
      }
    }
    expect(found).toEqual([]);
  });

  it('ships no stale build output: every packed dist/ module has a current source (or is a file a bin loads)', () => {
    const p = pkg(name);
    const binLoaded = new Set(Object.values(p.manifest.bin ?? {}).flatMap((b) => binDependencies(p, packagePath(b))));
    const stale = [...p.files]
      .filter((f) => /^dist\/.+\.js$/.test(f) && !binLoaded.has(f))
      .filter((f) => !existsSync(`${p.dir}/src/${f.slice('dist/'.length).replace(/\.js$/, '.ts')}`));
    // tsc never deletes the outputs of removed sources: the build scripts must empty dist/ first.
    expect(stale, 'stale outputs would be published; rebuild from an empty dist/').toEqual([]);
  });

  it('ships every module its packed JS and declarations import by relative path', () => {
    const p = pkg(name);
    const broken: string[] = [];
    for (const file of [...p.files].filter((f) => /^(dist|bin)\/.+\.(js|d\.ts)$/.test(f))) {
      const text = readFileSync(`${p.dir}/${file}`, 'utf8');
      for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.\.?\/[^'"]+)['"]/g)) {
        const target = posix.normalize(posix.join(posix.dirname(file), m[1]!));
        if (!p.files.has(target)) broken.push(`${file} -> ${m[1]}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('ships TypeScript sources only as the targets of its source maps, and its declaration maps point at packed sources', () => {
    const p = pkg(name);
    const mapped = new Set<string>();
    const missing: string[] = [];
    for (const map of [...p.files].filter((f) => f.endsWith('.map'))) {
      const { sources } = JSON.parse(readFileSync(`${p.dir}/${map}`, 'utf8')) as { sources: string[] };
      for (const source of sources) {
        const file = posix.normalize(posix.join(posix.dirname(map), source));
        mapped.add(file);
        if (map.endsWith('.d.ts.map') && p.manifest.exports && !p.files.has(file)) missing.push(`${map} -> ${file}`);
      }
    }
    expect(missing, 'go-to-definition of the published types').toEqual([]);
    // A source written after the last build (another change in progress in the same tree, while
    // the tests run) has no map yet: that is a stale build, not a packaging fault, and says so.
    const sources = [...p.files].filter((f) => /^src\/.+\.ts$/.test(f) && !f.endsWith('.d.ts'));
    const stale = sources.filter((f) => isNewerThanItsBuild(p.dir, f));
    expect(stale, 'dist/ was built before these sources changed: build first (npx turbo run build), then pack').toEqual([]);
    const unmappedSources = sources.filter((f) => !mapped.has(f));
    expect(unmappedSources, 'sources shipped that no source map points at').toEqual([]);
  });
});

describe.each(NAMES)('%s publish metadata', (name) => {
  const manifest = () => JSON.parse(readFileSync(`${PACKAGES[name]}/package.json`, 'utf8')) as {
    repository?: { type?: string; url?: string; directory?: string };
    publishConfig?: { access?: string; provenance?: boolean };
    engines?: { node?: string };
  };

  it('names the repository and its folder (npm provenance ties the tarball to them) and publishes publicly with provenance', () => {
    const { repository, publishConfig } = manifest();
    expect(repository?.type).toBe('git');
    expect(repository?.url).toMatch(/^git\+https:\/\/github\.com\/[^/]+\/proxygate-kit\.git$/);
    expect(repository?.directory).toBe(posix.relative(REPO_ROOT, PACKAGES[name]));
    expect(publishConfig).toEqual({ access: 'public', provenance: true });
  });

  it('asks for a Node whose require() loads ES modules unflagged (20.19+, 22.12+): the packages are ESM-only', () => {
    expect(manifest().engines?.node).toBe('^20.19.0 || >=22.12.0');
  });

  it('all three name the same repository', () => {
    const urls = new Set(NAMES.map((n) => (JSON.parse(readFileSync(`${PACKAGES[n]}/package.json`, 'utf8')) as { repository?: { url?: string } }).repository?.url));
    expect(urls.size).toBe(1);
  });
});

describe('@proxygate-kit/cli contents', () => {
  it('ships no declarations or source maps: nothing imports the CLI, and its maps would point at sources it does not ship', () => {
    const p = pkg('@proxygate-kit/cli');
    expect(p.manifest.exports).toBeUndefined();
    expect([...p.files].filter((f) => /\.d\.[cm]?ts$|\.map$/.test(f))).toEqual([]);
    // Nor a comment pointing at a map that is not there.
    const pointing = [...p.files].filter((f) => /\.(c|m)?js$/.test(f) && /\/\/# sourceMappingURL=/.test(readFileSync(`${p.dir}/${f}`, 'utf8')));
    expect(pointing).toEqual([]);
  });
});

describe('the credential scan', () => {
  it('recognises credentials minted at run time', () => {
    const base62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    const apiKey = `pg_live_${Array.from(randomBytes(32), (b) => base62[b % 62]).join('')}`;
    const { privateKey } = generateKeyPairSync('ed25519');
    const jwt = ['eyJhbGciOiJFZERTQSJ9', randomBytes(24).toString('base64url'), randomBytes(64).toString('base64url')].join('.');
    const samples = [apiKey, `pg_del_${jwt}`, privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), JSON.stringify(privateKey.export({ format: 'jwk' }))];
    expect(samples.map((sample) => [...sample.matchAll(SECRET_PATTERNS)].length)).toEqual([1, 1, 1, 1]);
  });
});

describe('@proxygate-kit/cli oclif artefacts', () => {
  it('packs oclif.manifest.json, the command index, help class and hooks that package.json names', () => {
    const p = pkg('@proxygate-kit/cli');
    const oclif = p.manifest.oclif ?? {};
    const named = [oclif.commands?.target, oclif.helpClass, ...Object.values(oclif.hooks ?? {}).flat()];
    expect(named.every((f) => typeof f === 'string')).toBe(true);
    for (const file of ['oclif.manifest.json', ...(named as string[]).map(packagePath)]) expect(p.files.has(file), file).toBe(true);
  });

  it('oclif.manifest.json lists exactly the commands the built command index exports', async () => {
    const dir = PACKAGES['@proxygate-kit/cli'];
    const manifest = JSON.parse(readFileSync(`${dir}/oclif.manifest.json`, 'utf8')) as { version: string; commands: Record<string, unknown> };
    const { COMMANDS } = (await import(`${dir}/dist/commands.js`)) as { COMMANDS: Record<string, unknown> };
    expect(Object.keys(manifest.commands).sort()).toEqual(Object.keys(COMMANDS).sort());
    expect(manifest.version).toBe((pkg('@proxygate-kit/cli').manifest as { version?: string }).version);
  });
});

describe('import() of every export from a fresh Node process (default conditions, built dist/)', () => {
  const EXPECTED: Record<string, string[]> = {
    '@proxygate-kit/sdk': ['Proxygate', 'default', 'APIError', 'InsufficientCreditsError', 'formatUsd'],
    '@proxygate-kit/sdk/receipts': ['verifyReceipt', 'KeySet', 'auditReceipts', 'canonicalize'],
    '@proxygate-kit/sdk/receipts/node': ['verifyReceipt', 'createVerifierPool', 'loadKeySetFile'],
    '@proxygate-kit/sdk/mcp': ['connectGateway', 'GatewayMcpClient', 'computeToolPins'],
    '@proxygate-kit/sdk/money': ['formatUsd', 'parseUsd', 'usdToMicroUsd', 'MICRO_USD_PER_USD'],
    '@proxygate-kit/sdk/defaults': ['DEFAULT_GATEWAY_URL'],
    '@proxygate-kit/sdk/package.json': ['default'],
    '@proxygate-kit/server-mock': ['createRestHandlers', 'FaultInjector', 'scan', 'MOCK_ORIGIN'],
    '@proxygate-kit/server-mock/serve': ['startMockServer'],
    '@proxygate-kit/server-mock/package.json': ['default'],
  };

  it('lists an expectation for every exports subpath of the library packages', () => {
    const subpaths = (['@proxygate-kit/sdk', '@proxygate-kit/server-mock'] as const).flatMap((name) =>
      Object.keys(pkg(name).manifest.exports ?? {}).map((s) => (s === '.' ? name : `${name}/${s.slice(2)}`)));
    expect(subpaths.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it('loads each one and finds its public names', () => {
    const script = `
      const results = {};
      for (const specifier of ${JSON.stringify(Object.keys(EXPECTED))}) {
        try {
          const mod = await import(specifier, specifier.endsWith('.json') ? { with: { type: 'json' } } : undefined);
          results[specifier] = { keys: Object.keys(mod) };
        } catch (error) {
          results[specifier] = { error: String(error && error.message || error).split('\\n')[0] };
        }
      }
      process.stdout.write(JSON.stringify(results));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: REPO_ROOT, encoding: 'utf8', timeout: 30_000, env: { PATH: process.env['PATH'] ?? '' },
    });
    const results = JSON.parse(out) as Record<string, { keys?: string[]; error?: string }>;
    for (const [specifier, names] of Object.entries(EXPECTED)) {
      const result = results[specifier];
      expect(result?.error, specifier).toBeUndefined();
      expect(result?.keys?.length, specifier).toBeGreaterThan(0);
      expect(result?.keys, specifier).toEqual(expect.arrayContaining(names));
    }
  });
});
