// Serves the prebuilt explorer (dist/) from the gateway's own HTTP server: no CDN, no extra port.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createStaticBundleHandler, isBundleBuilt, qualities } from '../static-bundle';

const DEFAULT_DIST_DIR = fileURLToPath(new URL('./dist', import.meta.url));

/** Whether the bundle is there: `npm run build` (or `npm install`, or `npm start`) makes it. */
export function isExplorerBuilt(distDir = DEFAULT_DIST_DIR): boolean {
  return isBundleBuilt(distDir);
}

// Kept in sync with build.ts (EXPLORER_PREFIX), which this module does not import: serving the
// bundle needs no esbuild, and the gateway builds nothing.
const PREFIX = '/explorer/';

// The app loads only its own assets and talks only to /graphql on this origin. Monaco injects
// <style> elements at runtime, hence 'unsafe-inline' for styles (not for scripts), and runs its
// languages in workers.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "worker-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

export interface ExplorerHandlerOptions {
  /** Defaults to gateway/explorer/dist. */
  distDir?: string;
}

/** A browser navigating to /graphql wants the explorer; GraphQL clients ask for JSON (or anything). */
function prefersHtml(accept: string | undefined): boolean {
  const q = qualities(accept);
  const html = q.get('text/html') ?? 0;
  const json = Math.max(q.get('application/json') ?? 0, q.get('application/graphql-response+json') ?? 0);
  return html > 0 && html > json;
}

/**
 * Returns a request listener fragment for the gateway's HTTP server. It answers (and returns true)
 * for GET/HEAD `/`, `/explorer`, `/explorer/*`, and `/graphql` when a browser navigates to it;
 * for anything else it returns false and leaves the request to the gateway.
 */
export function createExplorerHandler(options: ExplorerHandlerOptions = {}): (req: IncomingMessage, res: ServerResponse) => boolean {
  return createStaticBundleHandler({
    distDir: options.distDir ?? DEFAULT_DIST_DIR,
    prefix: PREFIX,
    indexPaths: ['/', '/explorer', PREFIX],
    servesIndex: (pathname, req) => pathname === '/graphql' && prefersHtml(req.headers.accept),
    contentSecurityPolicy: CONTENT_SECURITY_POLICY,
    notBuilt: 'The explorer is not built. Run `npm run explorer:build` and reload.\n',
  });
}
