// Serves the prebuilt dashboard (dist/) at /dashboard from the gateway's own HTTP server, beside
// the explorer at /: no CDN, no extra port. The page itself asks POST /graphql with the caller's token.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createStaticBundleHandler, isBundleBuilt } from '../static-bundle';

const DEFAULT_DIST_DIR = fileURLToPath(new URL('./dist', import.meta.url));

/** Whether the bundle is there: `npm run build` (or `npm install`, or `npm start`) makes it. */
export function isDashboardBuilt(distDir = DEFAULT_DIST_DIR): boolean {
  return isBundleBuilt(distDir);
}

// Kept in sync with build.ts (DASHBOARD_PREFIX), which this module does not import: serving the
// bundle needs no esbuild, and the gateway builds nothing.
const PREFIX = '/dashboard/';

// The page loads only its own assets and talks only to /graphql and /auth/* on this origin.
// Chart.js draws on canvases and sizes them through the CSSOM, which style-src does not govern.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

export interface DashboardHandlerOptions {
  /** Defaults to gateway/dashboard/dist. */
  distDir?: string;
}

/**
 * A route for the gateway's HTTP server: it answers (and returns true) for GET/HEAD `/dashboard`,
 * `/dashboard/` and `/dashboard/*`; for anything else it returns false and leaves the request alone.
 * The precompressed .gz twins are served in place of their originals, never asked for by name.
 */
export function createDashboardHandler(options: DashboardHandlerOptions = {}): (req: IncomingMessage, res: ServerResponse) => boolean {
  return createStaticBundleHandler({
    distDir: options.distDir ?? DEFAULT_DIST_DIR,
    prefix: PREFIX,
    indexPaths: ['/dashboard', PREFIX, `${PREFIX}index.html`],
    contentSecurityPolicy: CONTENT_SECURITY_POLICY,
    notBuilt: 'The dashboard is not built. Run `npm run dashboard:build` and reload.\n',
  });
}
