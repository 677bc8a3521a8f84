// `npm run build` (after the type check and the explorer bundle): every runtime module as plain
// JavaScript in dist/, at the same path as its source, so `npm run start:prod` runs on Node
// alone, without tsx, esbuild or any other dev dependency.
//
// Each file is compiled on its own; its relative imports get the `.js` Node needs. Modules find
// their files (schemas, the engine, the data) relative to where they are, so dist/ links to
// them at the same relative places; PROJECT_ROOT in dist is dist/, whose links lead back here.
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');

/** What runs: the launcher and tools, the engine's starter, the gateway, the subgraphs, the demo data. */
const RUNTIME_DIRS = ['db', 'gateway', 'subgraphs', 'scripts', 'demo'];
/** Build-time only: the explorer's and the dashboard's browser apps, their bundlers and the plumbing they share, and this file. */
const NOT_RUNTIME = [
  /^gateway\/bundle-build\.ts$/,
  /^gateway\/explorer\/(app\.tsx|build\.ts)$/,
  /^gateway\/dashboard\/(?!serve\.ts$)/,
  /^scripts\/build\.ts$/,
  /\.d\.ts$/,
];
/** Files the modules read at run time, reached through links from dist/. */
const LINKED = ['.engine', '.data', 'data', 'schema', 'db/ferretdb', 'gateway/explorer/dist', 'gateway/dashboard/dist'];

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = `${dir}/${name}`;
    if (statSync(join(ROOT, path)).isDirectory()) return path.endsWith('/dist') || name === 'node_modules' ? [] : sources(path);
    return /\.tsx?$/.test(name) && !NOT_RUNTIME.some((pattern) => pattern.test(path)) ? [path] : [];
  });
}

/** Keeps every import as an import, with the file name Node resolves: `./writes` → `./writes.js`, a folder → its index.js. */
const nodeSpecifiers: Plugin = {
  name: 'node-specifiers',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      if (!args.path.startsWith('.')) return { path: args.path, external: true };
      const target = resolve(args.resolveDir, args.path);
      if (existsSync(`${target}.ts`) || existsSync(`${target}.tsx`)) return { path: `${args.path}.js`, external: true };
      if (existsSync(join(target, 'index.ts'))) return { path: `${args.path}/index.js`, external: true };
      return { path: args.path, external: true };
    });
  },
};

const entryPoints = RUNTIME_DIRS.flatMap(sources);
rmSync(DIST, { recursive: true, force: true });
await build({
  entryPoints,
  outdir: DIST,
  outbase: ROOT,
  bundle: true,
  plugins: [nodeSpecifiers],
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
});

// The engine and the data directory are made on first use; their links must lead somewhere already.
for (const dir of ['.engine', '.data']) mkdirSync(join(ROOT, dir), { recursive: true });
for (const path of LINKED) {
  const link = join(DIST, path);
  mkdirSync(dirname(link), { recursive: true });
  symlinkSync(relative(dirname(link), join(ROOT, path)), link);
}
for (const schema of sources('subgraphs').map((path) => join(dirname(path), 'schema.graphql'))) {
  if (existsSync(join(ROOT, schema)) && !existsSync(join(DIST, schema))) copyFileSync(join(ROOT, schema), join(DIST, schema));
}
console.log(`built ${entryPoints.length} modules into dist/; run it with npm run start:prod`);
