/**
 * Serves the operator dashboard (src/web, a static single-page app with no build step): the page at `/`, its
 * modules, style sheet and icon under `/ui/`. The files are read once at start-up into memory (the set is small and
 * fixed), so a request can only ever reach a file that was listed then: no path from a URL touches the disk.
 *
 * Every answer carries a strict Content-Security-Policy (same-origin scripts, styles and fetches only; no inline
 * code, no framing) and `cache-control: no-cache` with a strong ETag: browsers revalidate every time and get a
 * 304 while the file is unchanged, so a new version is never hidden behind a stale cache.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

export const DASHBOARD_ASSET_PREFIX = '/ui/';

export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': DASHBOARD_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

interface Asset {
  body: Buffer;
  contentType: string;
  etag: string;
}

export interface DashboardOptions {
  /** Folder holding index.html and the assets (default: src/web beside this file's folder). */
  root?: string;
}

/** Every servable file under `root`, keyed by its path relative to it with `/` separators. */
export function loadAssets(root: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      const contentType = CONTENT_TYPES[extname(entry.name)];
      if (!entry.isFile() || contentType === undefined) continue;
      const body = readFileSync(path);
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
      assets.set(relative(root, path).split(sep).join('/'), { body, contentType, etag });
    }
  };
  walk(root);
  return assets;
}

export async function registerDashboard(app: FastifyInstance, options: DashboardOptions = {}): Promise<void> {
  const root = options.root ?? fileURLToPath(new URL('../web/', import.meta.url));
  const assets = loadAssets(root);
  const index = assets.get('index.html');
  if (!index) throw new Error(`the dashboard has no index.html in ${root}`);

  const send = (reply: FastifyReply, asset: Asset, ifNoneMatch: string | undefined): FastifyReply => {
    void reply.headers(SECURITY_HEADERS).header('cache-control', 'no-cache').header('etag', asset.etag);
    if (ifNoneMatch !== undefined && ifNoneMatch.split(/\s*,\s*/).includes(asset.etag)) return reply.code(304).send();
    return reply.type(asset.contentType).send(asset.body);
  };

  const hidden = { schema: { hide: true } };
  app.get('/', hidden, (request, reply) => send(reply, index, request.headers['if-none-match']));
  app.get<{ Params: { '*': string } }>(`${DASHBOARD_ASSET_PREFIX}*`, hidden, (request, reply) => {
    const asset = assets.get(request.params['*']);
    if (!asset) {
      return reply.code(404).headers(SECURITY_HEADERS).type('text/plain; charset=utf-8').header('cache-control', 'no-store').send('Not found\n');
    }
    return send(reply, asset, request.headers['if-none-match']);
  });
}
