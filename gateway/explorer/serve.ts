// Serves the prebuilt explorer (dist/) from the gateway's own HTTP server: no CDN, no extra port.
import { createReadStream, existsSync, statSync, type Stats } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const DEFAULT_DIST_DIR = fileURLToPath(new URL('./dist', import.meta.url));

/** Whether the bundle is there: `npm run build` (or `npm install`, or `npm start`) makes it. */
export function isExplorerBuilt(distDir = DEFAULT_DIST_DIR): boolean {
  return existsSync(join(distDir, 'index.html'));
}
// Kept in sync with build.ts (EXPLORER_PREFIX), which this module does not import: serving the
// bundle needs no esbuild, and the gateway builds nothing.
const PREFIX = '/explorer/';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

// esbuild's [hash] is 8 base32 characters: such names never change content, so cache forever.
const HASHED_NAME = /-[A-Z0-9]{8}\.[a-z0-9]+$/;

// The app loads only its own assets and talks only to /graphql on this origin. Monaco injects
// <style> elements at runtime, hence 'unsafe-inline' for styles (not for scripts).
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

/** Quality values of an Accept-style header, by lower-cased token (`gzip`, `text/html`, ...). */
function qualities(header: string | undefined): Map<string, number> {
  const result = new Map<string, number>();
  for (const part of (header ?? '').split(',')) {
    const [token, ...params] = part.split(';').map((piece) => piece.trim().toLowerCase());
    if (!token) continue;
    const q = params.find((param) => param.startsWith('q='));
    const value = q ? Number(q.slice(2)) : 1;
    result.set(token, Number.isFinite(value) ? value : 0);
  }
  return result;
}

/** A browser navigating to /graphql wants the explorer; GraphQL clients ask for JSON (or anything). */
function prefersHtml(accept: string | undefined): boolean {
  const q = qualities(accept);
  const html = q.get('text/html') ?? 0;
  const json = Math.max(q.get('application/json') ?? 0, q.get('application/graphql-response+json') ?? 0);
  return html > 0 && html > json;
}

function acceptsGzip(acceptEncoding: string | undefined): boolean {
  const q = qualities(acceptEncoding);
  return (q.get('gzip') ?? q.get('*') ?? 0) > 0;
}

function sendText(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(message),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(message);
}

function statFile(path: string): Stats | undefined {
  try {
    const stats = statSync(path);
    return stats.isFile() ? stats : undefined;
  } catch {
    return undefined;
  }
}

function sendFile(req: IncomingMessage, res: ServerResponse, path: string, stats: Stats): void {
  const isHtml = path.endsWith('.html');
  const headers: Record<string, string | number> = {
    'Content-Type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream',
    // index.html and the fixed-name workers must be revalidated so a rebuild reaches every browser.
    'Cache-Control': HASHED_NAME.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache',
    ETag: `W/"${stats.size.toString(16)}-${Math.trunc(stats.mtimeMs).toString(16)}"`,
    'X-Content-Type-Options': 'nosniff',
  };
  if (isHtml) {
    headers['Content-Security-Policy'] = CONTENT_SECURITY_POLICY;
    headers['Referrer-Policy'] = 'no-referrer';
  }

  let body = path;
  let length = stats.size;
  const gzipped = statFile(`${path}.gz`);
  if (gzipped) {
    headers['Vary'] = 'Accept-Encoding';
    if (acceptsGzip(req.headers['accept-encoding'])) {
      body = `${path}.gz`;
      length = gzipped.size;
      headers['Content-Encoding'] = 'gzip';
    }
  }

  if (req.headers['if-none-match'] === headers.ETag) {
    delete headers['Content-Type'];
    delete headers['Content-Encoding'];
    res.writeHead(304, headers);
    res.end();
    return;
  }
  headers['Content-Length'] = length;
  res.writeHead(200, headers);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(body)
    .on('error', () => res.destroy())
    .pipe(res);
}

/**
 * Returns a request listener fragment for the gateway's HTTP server. It answers (and returns true)
 * for GET/HEAD `/`, `/explorer`, `/explorer/*`, and `/graphql` when a browser navigates to it;
 * for anything else it returns false and leaves the request to the gateway.
 */
export function createExplorerHandler(options: ExplorerHandlerOptions = {}): (req: IncomingMessage, res: ServerResponse) => boolean {
  const distDir = resolve(options.distDir ?? DEFAULT_DIST_DIR);
  const indexPath = join(distDir, 'index.html');

  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    let pathname: string;
    try {
      pathname = new URL(req.url ?? '/', 'http://explorer.invalid').pathname;
    } catch {
      return false;
    }

    const wantsIndex = pathname === '/' || pathname === '/explorer' || pathname === PREFIX || (pathname === '/graphql' && prefersHtml(req.headers.accept));
    if (!wantsIndex && !pathname.startsWith(PREFIX)) return false;

    if (!existsSync(indexPath)) {
      sendText(res, 503, 'The explorer is not built. Run `npm run explorer:build` and reload.\n');
      return true;
    }
    if (wantsIndex) {
      const stats = statFile(indexPath);
      if (stats) sendFile(req, res, indexPath, stats);
      else sendText(res, 503, 'The explorer is not built. Run `npm run explorer:build` and reload.\n');
      return true;
    }

    let relativePath: string;
    try {
      relativePath = decodeURIComponent(pathname.slice(PREFIX.length));
    } catch {
      sendText(res, 400, 'Bad request\n');
      return true;
    }
    const filePath = resolve(distDir, relativePath);
    // Anything that resolves outside dist/ (../, encoded slashes, NUL) is refused outright.
    if (relativePath.includes('\0') || !filePath.startsWith(distDir + sep)) {
      sendText(res, 403, 'Forbidden\n');
      return true;
    }
    const stats = statFile(filePath);
    if (!stats) {
      sendText(res, 404, 'Not found\n');
      return true;
    }
    sendFile(req, res, filePath, stats);
    return true;
  };
}
