import { createRequire } from 'node:module';

/** The package's own version, read from its package.json (`../package.json` from src/ and dist/ alike). */
export const MOCK_VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
