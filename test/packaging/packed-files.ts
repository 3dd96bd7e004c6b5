// What `npm pack` would publish for each workspace package, and what its package.json promises.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGES, REPO_ROOT, type PackageName } from './paths.js';

export interface PackedPackage {
  name: PackageName;
  dir: string;
  files: Set<string>;
  /** The .tgz, when packed into a destination. */
  tarball?: string;
  manifest: PackageManifest;
}

export interface PackageManifest {
  name: string;
  bin?: Record<string, string>;
  exports?: Record<string, string | Record<string, string>>;
  files?: string[];
  oclif?: { commands?: { target?: string }; helpClass?: string; hooks?: Record<string, string | string[]> };
}

/**
 * One `npm pack --json` for all packages (lifecycle scripts off: nothing is built or run): a dry
 * run, or real tarballs written to `destination`.
 */
export function packAll(destination?: string): Map<PackageName, PackedPackage> {
  const names = Object.keys(PACKAGES) as PackageName[];
  const mode = destination === undefined ? ['--dry-run'] : ['--pack-destination', destination];
  const out = execFileSync('npm', ['pack', ...mode, '--json', '--ignore-scripts', ...names.flatMap((n) => ['-w', n])], {
    cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000,
  });
  const reports = JSON.parse(out) as { name: PackageName; filename: string; files: { path: string }[] }[];
  return new Map(reports.map((r) => [r.name, {
    name: r.name,
    dir: PACKAGES[r.name],
    files: new Set(r.files.map((f) => f.path)),
    ...(destination === undefined ? {} : { tarball: join(destination, r.filename) }),
    manifest: JSON.parse(readFileSync(`${PACKAGES[r.name]}/package.json`, 'utf8')) as PackageManifest,
  }]));
}

/** Every (subpath, condition, target) of an `exports` map. */
export function exportTargets(manifest: PackageManifest): { subpath: string; condition: string; target: string }[] {
  return Object.entries(manifest.exports ?? {}).flatMap(([subpath, value]) =>
    typeof value === 'string'
      ? [{ subpath, condition: 'default', target: value }]
      : Object.entries(value).map(([condition, target]) => ({ subpath, condition, target })));
}

export const packagePath = (target: string) => target.replace(/^\.\//, '');
