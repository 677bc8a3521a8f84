// Bundles the dashboard (app.tsx + React + Chart.js) into dist/ so the gateway can serve it at
// /dashboard with no CDN, as the explorer is. Run directly (`npm run dashboard:build`) or call
// ensureDashboardBuilt(): npm install (scripts/postinstall.ts) and npm start (scripts/start.ts) do.
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { appSources, buildBundle, bundleIsBuilt, ensureBundleBuilt, entryOutputs, rootDir, indexPage } from '../bundle-build';

const dashboardDir = dirname(fileURLToPath(import.meta.url));

/** Where the bundle lands; serve.ts serves it under DASHBOARD_PREFIX. */
export const dashboardDistDir = join(dashboardDir, 'dist');
/** URL prefix of every asset; serve.ts hard-codes the same value. */
export const DASHBOARD_PREFIX = '/dashboard/';

const TITLE = 'Customs risk graph — dashboard';

/** Builds into a scratch directory, then swaps it in so a running gateway never serves half a build. */
export async function buildDashboard(): Promise<void> {
  await buildBundle({
    name: 'dashboard',
    distDir: dashboardDistDir,
    write: async (outdir) => {
      const result = await esbuild.build({
        absWorkingDir: rootDir,
        entryPoints: { app: join(dashboardDir, 'app.tsx') },
        outdir,
        bundle: true,
        format: 'esm',
        platform: 'browser',
        target: 'es2022',
        minify: true,
        jsx: 'automatic',
        define: { 'process.env.NODE_ENV': '"production"' },
        // Content hashes in every name let serve.ts mark them immutable.
        entryNames: '[name]-[hash]',
        assetNames: 'assets/[name]-[hash]',
        publicPath: DASHBOARD_PREFIX,
        metafile: true,
        logLevel: 'warning',
      });
      const { script, stylesheet } = entryOutputs(result.metafile, outdir, 'app.tsx');
      writeFileSync(join(outdir, 'index.html'), indexPage({ prefix: DASHBOARD_PREFIX, title: TITLE, name: 'dashboard', script, stylesheet }));
    },
  });
}

/** True when dist/ holds a complete build (index.html is written last). */
export function dashboardIsBuilt(): boolean {
  return bundleIsBuilt(dashboardDistDir);
}

/** Builds only when dist/ is missing or older than its sources; cheap enough to call on every start. */
export async function ensureDashboardBuilt(): Promise<void> {
  // The sign-in bar is the explorer's own, shared.
  const sources = [...appSources(dashboardDir), join(rootDir, 'gateway/explorer/sign-in.tsx'), join(rootDir, 'gateway/explorer/sign-in.css')];
  await ensureBundleBuilt(dashboardDistDir, sources, buildDashboard);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildDashboard().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
