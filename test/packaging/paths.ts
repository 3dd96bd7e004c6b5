import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');

/** The published packages and their directories. */
export const PACKAGES = {
  '@proxygate-kit/sdk': `${REPO_ROOT}/sdk`,
  '@proxygate-kit/server-mock': `${REPO_ROOT}/server-mock`,
  '@proxygate-kit/cli': `${REPO_ROOT}/cli`,
} as const;
export type PackageName = keyof typeof PACKAGES;
