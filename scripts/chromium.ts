// Finds (or, as root on Debian, installs) a system Chromium for the browser tests. We drive it with
// playwright-core, which ships no browser, so nothing is downloaded outside the package managers.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** CHROMIUM_PATH if set and executable, else the first system Chromium/Chrome found. */
export function findChromium(): string | undefined {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv && isExecutable(fromEnv)) return fromEnv;
  return CANDIDATES.find(isExecutable);
}

function hasAptGet(): boolean {
  return spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
}

function aptGet(...args: string[]): boolean {
  const result = spawnSync('apt-get', args, {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return result.status === 0;
}

/**
 * Makes sure a Chromium exists. As root with apt-get it installs Debian's `chromium`
 * (refreshing the package lists only if the first attempt fails, as they are often fresh enough);
 * otherwise it prints what to do. Never throws: a missing browser only fails the browser tests.
 */
export function ensureChromium(): void {
  if (findChromium()) return;
  const isRoot = process.getuid?.() === 0;
  if (isRoot && hasAptGet()) {
    console.log('chromium: not found, installing it with apt-get (needed by test/browser)…');
    if (aptGet('install', '-y', 'chromium') || (aptGet('update') && aptGet('install', '-y', 'chromium'))) {
      if (findChromium()) return;
    }
    console.warn('chromium: apt-get install failed; the browser tests will fail until Chromium is installed.');
    return;
  }
  console.warn(
    'chromium: not found. Install it (Debian/Ubuntu: `sudo apt-get install -y chromium`) or set CHROMIUM_PATH; the browser tests need it.',
  );
}

/**
 * Flags for a headless Chromium that runs as root in a container with no network access.
 * Pass `userDataDir` when spawning Chromium yourself; leave it out for playwright-core, which
 * refuses `--user-data-dir` in `args` and creates a fresh temporary profile on its own.
 */
export function chromiumLaunchArgs(userDataDir?: string): string[] {
  const args = [
    '--headless',
    // Chromium's sandbox cannot start as root (and needs user namespaces containers often lack).
    '--no-sandbox',
    '--disable-gpu',
    // No network: stop Chromium phoning home (updates, sync, QUIC probes) and stalling on timeouts.
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ];
  if (userDataDir) args.push(`--user-data-dir=${userDataDir}`);
  return args;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureChromium();
  console.log(findChromium() ?? 'chromium: not available');
}
