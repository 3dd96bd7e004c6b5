import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let version: string | undefined;

/**
 * This CLI's version, from its own package.json (what `proxygate --version` prints): found upwards
 * from this module, so it holds from src/, dist/ and a start-up bundle alike. Read on first use.
 */
export function cliVersion(): string {
  if (version !== undefined) return version;
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === '@proxygate-kit/cli' && typeof pkg.version === 'string') return (version = pkg.version);
    } catch {
      // No package.json here (or not JSON): look further up.
    }
    if (dirname(dir) === dir) return (version = '0.0.0-unknown');
  }
}
