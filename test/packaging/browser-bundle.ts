// Bundles a package entry for the browser exactly as a web app would (package `exports`, browser
// conditions, no source condition) and records every Node built-in the bundler was asked for,
// with the import chain that led to it.
import { builtinModules } from 'node:module';
import { rolldown, type Plugin } from 'rolldown';
import { REPO_ROOT } from './paths.js';

export interface NodeImport {
  specifier: string;
  kind: 'static' | 'dynamic';
  /** Entry first, the module that imports `specifier` last (paths relative to the repo root). */
  chain: string[];
}

export interface BrowserBundle {
  esm: string;
  /** Same graph as a classic script that assigns the entry's exports to `globalThis[name]`. */
  iife: string;
  nodeImports: NodeImport[];
  /** Every module the graph reached, relative to the repo root (shows which files `exports` selected). */
  modules: string[];
  /** The modules that still have code in the output after tree-shaking. */
  renderedModules: string[];
  /** External imports left in the ESM output (a browser would have to resolve them). */
  externalImports: string[];
}

const BUILTINS = new Set(builtinModules);
const ENTRY = '\0packaging-entry';

export function isNodeBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || BUILTINS.has(specifier) || BUILTINS.has(specifier.split('/')[0]!);
}

const relative = (id: string) => id.startsWith(REPO_ROOT) ? id.slice(REPO_ROOT.length + 1) : id;

export function formatChain(found: NodeImport): string {
  return `${found.kind} import of ${found.specifier}: ${[...found.chain, found.specifier].join(' -> ')}`;
}

export interface BundleOptions {
  /** Name the IIFE output assigns the entry's exports to. */
  globalName?: string;
  /** The app's code; by default `export * from '<specifier>'`. */
  entryCode?: string;
}

/** Bundles an app that imports `specifier` for the browser. */
export async function bundleForBrowser(specifier: string, options: BundleOptions = {}): Promise<BrowserBundle> {
  const { globalName = 'PackagingEntry', entryCode = `export * from ${JSON.stringify(specifier)};` } = options;
  const parentOf = new Map<string, string>();
  const nodeImports: NodeImport[] = [];
  const seen = new Set<string>();
  const chainTo = (id: string): string[] => {
    const chain: string[] = [];
    for (let at: string | undefined = id; at !== undefined && at !== ENTRY; at = parentOf.get(at)) chain.unshift(relative(at));
    return [specifier, ...chain];
  };

  const recorder: Plugin = {
    name: 'record-node-builtins',
    async resolveId(source, importer, options) {
      if (source === ENTRY) return ENTRY;
      if (isNodeBuiltin(source)) {
        const key = `${source}\0${importer ?? ''}`;
        if (!seen.has(key)) {
          seen.add(key);
          const kind = options.kind === 'dynamic-import' ? 'dynamic' : 'static';
          nodeImports.push({ specifier: source, kind, chain: importer ? chainTo(importer) : [] });
        }
        return { id: source, external: true };
      }
      // Imports of the virtual entry resolve from the repository root, as a consumer's would.
      const from = importer === ENTRY ? `${REPO_ROOT}/package.json` : importer;
      const resolved = await this.resolve(source, from, { ...options, skipSelf: true });
      if (resolved && !resolved.external && importer && !parentOf.has(resolved.id)) parentOf.set(resolved.id, importer);
      return resolved;
    },
    load(id) {
      return id === ENTRY ? entryCode : null;
    },
  };

  const bundle = await rolldown({
    input: ENTRY,
    platform: 'browser',
    plugins: [recorder],
    // Unresolvable imports must fail the build, not become silent externals.
    onLog(level, log, handler) {
      if (level === 'warn' && log.code === 'UNRESOLVED_IMPORT') handler('error', log);
      else if (level !== 'warn') handler(level, log);
    },
  });
  try {
    const esm = await bundle.generate({ format: 'esm', codeSplitting: false });
    const iife = await bundle.generate({ format: 'iife', name: globalName, codeSplitting: false });
    const chunk = esm.output[0];
    return {
      esm: chunk.code,
      iife: iife.output[0].code,
      nodeImports,
      modules: [...new Set(parentOf.keys())].map(relative),
      renderedModules: Object.entries(chunk.modules).filter(([, m]) => m.renderedLength > 0).map(([id]) => relative(id)),
      externalImports: [...chunk.imports, ...chunk.dynamicImports],
    };
  } finally {
    await bundle.close();
  }
}
