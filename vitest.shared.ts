import { defaultServerConditions, defaultClientConditions } from 'vite';
import type { UserConfig } from 'vite';

/**
 * Workspace packages resolve to their TypeScript sources in tests through a condition named after
 * the project: a generic "source" condition would also select other packages' published .ts
 * sources (eventsource-parser ships one), which Node cannot load.
 */
export const SOURCE_CONDITION = '@proxygate-kit/source';

export const sourceConditions: UserConfig = {
  resolve: { conditions: [SOURCE_CONDITION, ...defaultClientConditions] },
  ssr: { resolve: { conditions: [SOURCE_CONDITION, ...defaultServerConditions] } },
};
