// Serves a prebuilt browser bundle (the explorer's, the dashboard's) from the gateway's own HTTP
// server under a URL prefix: no CDN, no extra port. The bundles come from bundle-build.ts, which
// this module does not import: serving needs no esbuild, and the gateway builds nothing.
import { createReadStream, existsSync, statSync, type Stats } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

/** A route of the gateway's HTTP server: true when it answered, false to leave the request alone. */
export type StaticRoute = (req: IncomingMessage, res: ServerResponse) => boolean;

export interface StaticBundleOptions {
  /** The bundle directory; index.html in it is written last, so its presence means a complete build. */
  distDir: string;
  /** URL prefix of every asset, with both slashes (`/explorer/`); the build's publicPath. */
  prefix: string;
  /** Pathnames answered with index.html (`/dashboard`, `/dashboard/`, ...). */
  indexPaths: readonly string[];
  /** Further requests answered with index.html (the explorer's: a browser navigating to /graphql). */
  servesIndex?: (pathname: string, req: IncomingMessage) => boolean;
  /** Sent with index.html (and every other .html file). */
  contentSecurityPolicy: string;
  /** The 503 body while the bundle is not built: how to build it. */
  notBuilt: string;
}

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

/** Whether the bundle is there: `npm run build` (or `npm install`, or `npm start`) makes it. */
export function isBundleBuilt(distDir: string): boolean {
  return existsSync(join(distDir, 'index.html'));
}

/** Quality values of an Accept-style header, by lower-cased token (`gzip`, `text/html`, ...). */
export function qualities(header: string | undefined): Map<string, number> {
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

function sendFile(req: IncomingMessage, res: ServerResponse, path: string, stats: Stats, contentSecurityPolicy: string): void {
  const headers: Record<string, string | number> = {
    'Content-Type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream',
    // index.html and fixed-name files (the explorer's workers) are revalidated so a rebuild reaches every browser.
    'Cache-Control': HASHED_NAME.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache',
    ETag: `W/"${stats.size.toString(16)}-${Math.trunc(stats.mtimeMs).toString(16)}"`,
    'X-Content-Type-Options': 'nosniff',
  };
  if (path.endsWith('.html')) {
    headers['Content-Security-Policy'] = contentSecurityPolicy;
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
 * A route answering GET/HEAD for the index paths (and whatever servesIndex accepts) with
 * index.html, and for `<prefix>*` with the file of that name in distDir; every other request is
 * left to the gateway. The gzip twins are served in place of their originals, never by name.
 */
export function createStaticBundleHandler(options: StaticBundleOptions): StaticRoute {
  const distDir = resolve(options.distDir);
  const indexPath = join(distDir, 'index.html');
  const { prefix, notBuilt, contentSecurityPolicy } = options;
  const indexPaths = new Set(options.indexPaths);

  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    let pathname: string;
    try {
      pathname = new URL(req.url ?? '/', 'http://bundle.invalid').pathname;
    } catch {
      return false;
    }

    if (indexPaths.has(pathname) || options.servesIndex?.(pathname, req)) {
      const stats = statFile(indexPath);
      if (stats) sendFile(req, res, indexPath, stats, contentSecurityPolicy);
      else sendText(res, 503, notBuilt);
      return true;
    }
    if (!pathname.startsWith(prefix)) return false;

    let relativePath: string;
    try {
      relativePath = decodeURIComponent(pathname.slice(prefix.length));
    } catch {
      sendText(res, 400, 'Bad request\n');
      return true;
    }
    const filePath = resolve(distDir, relativePath);
    // Anything that resolves outside distDir (../, encoded slashes, NUL) is refused outright.
    if (relativePath.includes('\0') || !filePath.startsWith(distDir + sep)) {
      sendText(res, 403, 'Forbidden\n');
      return true;
    }
    const stats = filePath.endsWith('.gz') ? undefined : statFile(filePath);
    if (stats) sendFile(req, res, filePath, stats, contentSecurityPolicy);
    else if (isBundleBuilt(distDir)) sendText(res, 404, 'Not found\n');
    else sendText(res, 503, notBuilt);
    return true;
  };
}
