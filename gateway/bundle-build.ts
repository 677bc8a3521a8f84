// Build-time plumbing shared by the browser bundles the gateway serves (explorer/build.ts,
// dashboard/build.ts): a build lands in a scratch directory, is precompressed, then swapped in
// whole, so a running gateway (static-bundle.ts) never serves half a build. Never imported by
// the running gateway (eslint.config.js), nor compiled into the production dist/ (scripts/build.ts).
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Metafile } from 'esbuild';

/** The repository root: every bundle builds with it as esbuild's absWorkingDir. */
export const rootDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const COMPRESSIBLE = /\.(?:js|css|html|json|svg|map|txt)$/;

export interface BundleBuildOptions {
  /** Names the bundle in the log line and in errors (`explorer`, `dashboard`). */
  name: string;
  /** Where the bundle lands; the scratch directories are made beside it. */
  distDir: string;
  /** Writes the whole bundle into outdir, index.html last (its presence means a complete build). */
  write: (outdir: string) => Promise<void>;
  /** Deletes empty output files (the explorer's: Monaco's skipped CSS leaves empty chunks). */
  dropEmptyFiles?: boolean;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? walk(path) : [path];
  });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// Scratch directories of builds that were killed mid-way (live builds of other processes stay).
function removeStaleScratchDirs(distDir: string): void {
  const parent = dirname(distDir);
  const prefix = `${basename(distDir)}.`;
  for (const name of readdirSync(parent)) {
    const match = name.startsWith(prefix) ? /^(?:tmp|old)-(\d+)$/.exec(name.slice(prefix.length)) : null;
    if (match && !isRunning(Number(match[1]))) rmSync(join(parent, name), { recursive: true, force: true });
  }
}

/** Precompressed once here, so serving is a plain file stream; tiny files aren't worth it. */
function precompress(outdir: string, dropEmptyFiles: boolean): void {
  for (const file of walk(outdir)) {
    const content = readFileSync(file);
    if (content.length === 0 && dropEmptyFiles) {
      rmSync(file);
      continue;
    }
    if (!COMPRESSIBLE.test(file) || content.length < 1024) continue;
    const gzipped = gzipSync(content, { level: 9 });
    if (gzipped.length < content.length) writeFileSync(`${file}.gz`, gzipped);
  }
}

/** True when distDir holds a complete build (index.html is written last). */
/** The bundle's index.html: its script and stylesheet under `prefix`, and a line to show until the app has loaded. */
export function indexPage({
  prefix,
  title,
  name,
  script,
  stylesheet,
}: {
  prefix: string;
  title: string;
  name: string;
  script: string;
  stylesheet: string | undefined;
}): string {
  const css = stylesheet ? `\n    <link rel="stylesheet" href="${prefix}${stylesheet}" />` : '';
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${title}</title>
    <link rel="icon" href="data:," />${css}
    <script type="module" src="${prefix}${script}"></script>
  </head>
  <body>
    <div id="root"><p class="${name}-loading">Loading the ${name}…</p></div>
    <noscript>The ${name} needs JavaScript. The GraphQL endpoint itself is at /graphql.</noscript>
  </body>
</html>
`;
}

export function bundleIsBuilt(distDir: string): boolean {
  return existsSync(join(distDir, 'index.html'));
}

/** Builds everything into a scratch directory, then swaps it in so a running gateway never serves half a build. */
export async function buildBundle({ name, distDir, write, dropEmptyFiles = false }: BundleBuildOptions): Promise<void> {
  const started = Date.now();
  removeStaleScratchDirs(distDir);
  const outdir = `${distDir}.tmp-${process.pid}`;
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  try {
    await write(outdir);
    if (!bundleIsBuilt(outdir)) throw new Error(`${name} build: no index.html written`);
    precompress(outdir, dropEmptyFiles);

    // A directory can't be renamed over a non-empty one: move the old build aside first.
    const previous = `${distDir}.old-${process.pid}`;
    if (existsSync(distDir)) renameSync(distDir, previous);
    try {
      renameSync(outdir, distDir);
    } catch (error) {
      // Another process (a parallel test worker, say) swapped in its identical build first.
      if (!bundleIsBuilt(distDir)) throw error;
      rmSync(outdir, { recursive: true, force: true });
    }
    rmSync(previous, { recursive: true, force: true });
  } catch (error) {
    rmSync(outdir, { recursive: true, force: true });
    throw error;
  }
  const size = walk(distDir)
    .filter((file) => !file.endsWith('.gz'))
    .reduce((total, file) => total + statSync(file).size, 0);
  console.log(`${name}: built ${relative(rootDir, distDir)} (${(size / 1e6).toFixed(1)} MB) in ${Date.now() - started} ms`);
}

/**
 * The script and stylesheet of an entry point, relative to outdir, from esbuild's metafile (whose
 * paths are relative to rootDir): what index.html links.
 */
export function entryOutputs(metafile: Metafile, outdir: string, entryFile: string): { script: string; stylesheet: string | undefined } {
  const entry = Object.entries(metafile.outputs).find(([, output]) => output.entryPoint?.endsWith(entryFile));
  if (!entry) throw new Error(`esbuild produced no output for ${entryFile}`);
  const [entryPath, entryOutput] = entry;
  return {
    script: relative(outdir, resolve(rootDir, entryPath)),
    stylesheet: entryOutput.cssBundle ? relative(outdir, resolve(rootDir, entryOutput.cssBundle)) : undefined,
  };
}

/** An app folder's own sources: its .ts, .tsx and .css files, save serve.ts (runtime, not bundled). */
export function appSources(appDir: string): string[] {
  return readdirSync(appDir)
    .filter((file) => /\.(?:tsx?|css)$/.test(file) && file !== 'serve.ts')
    .map((file) => join(appDir, file));
}

/**
 * Builds only when distDir is missing or older than its sources (and this file, and the lock file:
 * a dependency upgrade changes the bundle too); cheap enough to call on every start.
 */
export async function ensureBundleBuilt(distDir: string, sources: readonly string[], build: () => Promise<void>): Promise<void> {
  const all = [...sources, fileURLToPath(import.meta.url), join(rootDir, 'package-lock.json')];
  const newest = Math.max(...all.filter((file) => existsSync(file)).map((file) => statSync(file).mtimeMs));
  if (bundleIsBuilt(distDir) && statSync(join(distDir, 'index.html')).mtimeMs >= newest) return;
  await build();
}
