// Finds a system Chromium for the browser tests, which drive it with playwright-core (it ships no
// browser). Nothing here installs one: `.ci/run` installs Debian's; elsewhere it is the user's.
import { accessSync, constants } from 'node:fs';

export const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

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
  return CHROMIUM_CANDIDATES.find(isExecutable);
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
