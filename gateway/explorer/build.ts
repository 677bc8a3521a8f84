// Bundles the explorer (app.tsx + GraphiQL + Monaco and its workers) into dist/ so the gateway
// can serve it with no CDN. Run directly (`npm run explorer:build`) or call ensureExplorerBuilt().
import { readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { appSources, buildBundle, bundleIsBuilt, ensureBundleBuilt, entryOutputs, rootDir, indexPage } from '../bundle-build';
import { readContractOperations } from './operations';

const explorerDir = dirname(fileURLToPath(import.meta.url));
const operationsDir = join(rootDir, 'schema/operations');

/** Where the bundle lands; serve.ts serves it under EXPLORER_PREFIX. */
export const explorerDistDir = join(explorerDir, 'dist');
/** URL prefix of every asset; app.tsx hard-codes the same value for the worker URLs. */
export const EXPLORER_PREFIX = '/explorer/';

// Monaco's languages each run in a worker; the label Monaco asks for picks the file (see app.tsx).
const WORKER_ENTRIES: Record<string, string> = {
  'editor.worker': 'monaco-editor/esm/vs/editor/editor.worker.js',
  'json.worker': 'monaco-editor/esm/vs/language/json/json.worker.js',
  'graphql.worker': 'monaco-graphql/esm/graphql.worker.js',
};

const TITLE = 'Customs risk graph — explorer';

const define = { 'process.env.NODE_ENV': '"production"' };

// Turns `import ops from 'virtual:contract-operations'` into the parsed contract files.
const contractOperationsPlugin: esbuild.Plugin = {
  name: 'contract-operations',
  setup(build) {
    build.onResolve({ filter: /^virtual:contract-operations$/ }, (args) => ({
      path: args.path,
      namespace: 'contract-operations',
    }));
    build.onLoad({ filter: /.*/, namespace: 'contract-operations' }, () => ({
      contents: `export default ${JSON.stringify(readContractOperations(operationsDir))};`,
      loader: 'js',
      watchDirs: [operationsDir],
    }));
  },
};

// graphiql/style.css already contains Monaco's CSS (and the codicon font inline); Monaco's ESM
// modules also import their own .css files, which would ship the same rules twice.
const skipMonacoCssPlugin: esbuild.Plugin = {
  name: 'skip-monaco-css',
  setup(build) {
    build.onResolve({ filter: /\.css$/ }, (args) =>
      /[\\/]node_modules[\\/]monaco-editor[\\/]/.test(args.importer) ? { path: args.path, namespace: 'skip-monaco-css' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'skip-monaco-css' }, () => ({ contents: '', loader: 'css' }));
  },
};

/** Builds everything into a scratch directory, then swaps it in so a running gateway never serves half a build. */
export async function buildExplorer(): Promise<void> {
  await buildBundle({
    name: 'explorer',
    distDir: explorerDistDir,
    // Monaco's dynamically imported modules each leave an empty CSS chunk (their CSS is skipped above).
    dropEmptyFiles: true,
    write: async (outdir) => {
      const [app] = await Promise.all([
        esbuild.build({
          absWorkingDir: rootDir,
          entryPoints: { app: join(explorerDir, 'app.tsx') },
          outdir,
          bundle: true,
          // Monaco, prettier and graphql-ws are dynamic imports in GraphiQL: as chunks they load on demand.
          splitting: true,
          format: 'esm',
          platform: 'browser',
          target: 'es2022',
          minify: true,
          jsx: 'automatic',
          define,
          // Content hashes in every name let serve.ts mark them immutable.
          entryNames: '[name]-[hash]',
          chunkNames: 'chunks/[name]-[hash]',
          assetNames: 'assets/[name]-[hash]',
          publicPath: EXPLORER_PREFIX,
          loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file', '.svg': 'file', '.png': 'file' },
          plugins: [contractOperationsPlugin, skipMonacoCssPlugin],
          metafile: true,
          logLevel: 'warning',
        }),
        esbuild.build({
          absWorkingDir: rootDir,
          entryPoints: WORKER_ENTRIES,
          outdir,
          bundle: true,
          // Classic workers (`new Worker(url)`) cannot use import statements.
          format: 'iife',
          platform: 'browser',
          target: 'es2022',
          minify: true,
          define,
          entryNames: '[name]',
          logLevel: 'warning',
        }),
      ]);
      const { script, stylesheet } = entryOutputs(app.metafile, outdir, 'app.tsx');
      writeFileSync(join(outdir, 'index.html'), indexPage({ prefix: EXPLORER_PREFIX, title: TITLE, name: 'explorer', script, stylesheet }));
    },
  });
}

/** True when dist/ holds a complete build (index.html is written last). */
export function explorerIsBuilt(): boolean {
  return bundleIsBuilt(explorerDistDir);
}

/** Builds only when dist/ is missing or older than its sources; cheap enough to call on every start. */
export async function ensureExplorerBuilt(): Promise<void> {
  const operations = readdirSync(operationsDir).map((file) => join(operationsDir, file));
  await ensureBundleBuilt(explorerDistDir, [...appSources(explorerDir), ...operations], buildExplorer);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildExplorer().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
