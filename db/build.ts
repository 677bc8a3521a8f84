// Builds the embedded FerretDB engine from the Go module proxy, once per engine version.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const PROJECT_ROOT = resolve(here, '..');
const SOURCE_DIR = join(here, 'ferretdb');

/** The FerretDB version pinned in db/ferretdb/go.mod. */
export function engineVersion(): string {
  const goMod = readFileSync(join(SOURCE_DIR, 'go.mod'), 'utf8');
  const match = /github\.com\/FerretDB\/FerretDB (v[\w.-]+)/.exec(goMod);
  if (!match?.[1]) throw new Error('db/ferretdb/go.mod does not pin github.com/FerretDB/FerretDB');
  return match[1];
}

/** Where built engines live; ENGINE_DIR overrides (read at each call, so tests can point it elsewhere). */
function engineDir(): string {
  return process.env.ENGINE_DIR ?? join(PROJECT_ROOT, '.engine');
}

/** The binary's path: the version and a hash of the wrapper's sources, so either change rebuilds. */
export function enginePath(): string {
  const hash = createHash('sha256');
  const sources = readdirSync(SOURCE_DIR).filter((file) => /\.go$|^go\.(mod|sum)$/.test(file)).sort();
  for (const file of sources) hash.update(file).update(readFileSync(join(SOURCE_DIR, file)));
  return join(engineDir(), `ferretdb-${engineVersion()}-${hash.digest('hex').slice(0, 10)}`);
}

export function goAvailable(): boolean {
  return spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0;
}

export class EngineUnavailableError extends Error {
  constructor() {
    super(
      'The embedded database engine (FerretDB) is not built and Go is not installed to build it.\n' +
        'Either install Go 1.24 or later and run `npm run engine:build`,\n' +
        'or point the platform at a MongoDB server: MONGODB_URI=mongodb://host:27017 npm start',
    );
    this.name = 'EngineUnavailableError';
  }
}

/** Builds the engine unless the current version is already there. Returns the binary's path. */
export function buildEngine(log: (line: string) => void = console.log): string {
  const target = enginePath();
  if (existsSync(target)) return target;
  if (!goAvailable()) throw new EngineUnavailableError();

  mkdirSync(engineDir(), { recursive: true });
  log(`Building FerretDB ${engineVersion()} with Go (first time only, about a minute)...`);
  execFileSync('go', ['build', '-trimpath', '-ldflags=-s -w', '-o', target, '.'], {
    cwd: SOURCE_DIR,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=readonly' },
  });
  removeStaleBinaries(target);
  log(`FerretDB built: ${target}`);
  return target;
}

function removeStaleBinaries(current: string): void {
  for (const name of readdirSync(engineDir())) {
    const path = join(engineDir(), name);
    if (name.startsWith('ferretdb-') && path !== current) rmSync(path, { force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    buildEngine();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
