// Builds the embedded FerretDB engine from the Go module proxy, once per engine version.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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
  const sources = readdirSync(SOURCE_DIR).filter((file) => /\.(go|sql)$|^go\.(mod|sum)$/.test(file)).sort();
  for (const file of sources) hash.update(file).update(readFileSync(join(SOURCE_DIR, file)));
  for (const fix of FERRETDB_FIXES) hash.update(fix.file).update(fix.find).update(fix.replace);
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
  const env = { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=readonly' };
  execFileSync('go', ['mod', 'download', 'github.com/FerretDB/FerretDB'], { cwd: SOURCE_DIR, stdio: ['ignore', 'inherit', 'inherit'], env });
  const goMod = writePatchedModule(target);
  execFileSync('go', ['build', '-trimpath', '-ldflags=-s -w', `-modfile=${goMod}`, '-o', target, '.'], {
    cwd: SOURCE_DIR,
    stdio: ['ignore', 'inherit', 'inherit'],
    env,
  });
  for (const scratch of [`${target}.src`, goMod, `${target}.go.sum`]) rmSync(scratch, { recursive: true, force: true });
  removeStaleBinaries(target);
  log(`FerretDB built: ${target}`);
  return target;
}

/** A change to one of FerretDB's own files, applied to a copy of the module at build time. */
interface SourceFix {
  /** Path inside the FerretDB module. */
  file: string;
  find: string;
  replace: string;
}

// In v1.24.2 `update` defers closing each statement's query until the whole command returns, so
// a command of N statements holds N pooled backend connections (plus one per write) and hangs the
// engine for good once that reaches the pool's 50. Closed right after the statement's write, one
// command uses two connections whatever its size.
const FERRETDB_FIXES: readonly SourceFix[] = [
  {
    file: 'internal/handler/msg_update.go',
    find: '\t\tcloser := iterator.NewMultiCloser()\n\t\tdefer closer.Close()\n',
    replace: '\t\tcloser := iterator.NewMultiCloser()\n',
  },
  {
    file: 'internal/handler/msg_update.go',
    find: '\t\tresult, err := common.UpdateDocument(ctx, c, "update", iter, &u)\n',
    replace: '\t\tresult, err := common.UpdateDocument(ctx, c, "update", iter, &u)\n\t\tcloser.Close()\n',
  },
];

/**
 * Copies the FerretDB module next to the binary, applies the fixes, and writes a go.mod that
 * replaces the module with the copy (Go refuses overlays of files in its module cache).
 */
function writePatchedModule(target: string): string {
  const moduleDir = execFileSync('go', ['list', '-m', '-f', '{{.Dir}}', 'github.com/FerretDB/FerretDB'], { cwd: SOURCE_DIR, encoding: 'utf8' }).trim();
  const copy = `${target}.src`;
  rmSync(copy, { recursive: true, force: true });
  cpSync(moduleDir, copy, { recursive: true });
  execFileSync('chmod', ['-R', 'u+w', copy]);
  for (const fix of FERRETDB_FIXES) {
    const file = join(copy, fix.file);
    const text = readFileSync(file, 'utf8');
    if (text.split(fix.find).length !== 2) {
      throw new Error(`Cannot patch FerretDB ${engineVersion()}: ${fix.file} no longer contains exactly one ${JSON.stringify(fix.find)}`);
    }
    writeFileSync(file, text.replace(fix.find, fix.replace));
  }
  const goMod = `${target}.go.mod`;
  writeFileSync(goMod, `${readFileSync(join(SOURCE_DIR, 'go.mod'), 'utf8')}\nreplace github.com/FerretDB/FerretDB => ${copy}\n`);
  cpSync(join(SOURCE_DIR, 'go.sum'), `${target}.go.sum`);
  return goMod;
}

function removeStaleBinaries(current: string): void {
  for (const name of readdirSync(engineDir())) {
    const path = join(engineDir(), name);
    if (name.startsWith('ferretdb-') && !path.startsWith(current)) rmSync(path, { force: true });
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
