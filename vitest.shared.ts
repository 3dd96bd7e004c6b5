import { defaultServerConditions, defaultClientConditions } from 'vite';
import type { UserConfig } from 'vite';

/** Workspace packages resolve to their TypeScript sources in tests (the "source" export condition). */
export const sourceConditions: UserConfig = {
  resolve: { conditions: ['source', ...defaultClientConditions] },
  ssr: { resolve: { conditions: ['source', ...defaultServerConditions] } },
};
