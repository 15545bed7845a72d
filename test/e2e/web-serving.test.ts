/**
 * The dashboard's files as the real server (startJoule) serves them: content types, the Content-Security-Policy
 * and other security headers, revalidation with ETags, every module the page imports reachable, no external
 * resource, no way out of the asset folder, and the API untouched beside it.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { DASHBOARD_CSP } from '../../src/api/dashboard.ts';
import { startApi, type TestApi } from './api-support.ts';

let api: TestApi;

before(async () => {
  api = await startApi();
});

after(async () => {
  await api.close();
});

async function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; text: string }> {
  const response = await fetch(`${api.base}${path}`, { headers });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** A request with the path sent exactly as written (fetch would normalise `..`). */
function rawGet(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: api.joule.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function assertSecurityHeaders(headers: Headers, what: string): void {
  assert.equal(headers.get('content-security-policy'), DASHBOARD_CSP, `${what}: CSP`);
  assert.equal(headers.get('x-content-type-options'), 'nosniff', `${what}: nosniff`);
  assert.equal(headers.get('x-frame-options'), 'DENY', `${what}: framing`);
  assert.equal(headers.get('referrer-policy'), 'no-referrer', `${what}: referrer`);
}

/** Every /ui/ module reachable from main.js through static `import ... from './x.js'` statements. */
async function moduleGraph(entry: string): Promise<Map<string, string>> {
  const seen = new Map<string, string>();
  const queue = [entry];
  while (queue.length > 0) {
    const path = queue.shift() as string;
    if (seen.has(path)) continue;
    const response = await get(path);
    assert.equal(response.status, 200, `${path} is served`);
    assert.equal(response.headers.get('content-type'), 'text/javascript; charset=utf-8', `${path} content type`);
    assertSecurityHeaders(response.headers, path);
    seen.set(path, response.text);
    for (const match of response.text.matchAll(/^import [^;]*? from '(\.{1,2}\/[^']+)';$/gm)) {
      queue.push(new URL(match[1] as string, `http://x${path}`).pathname);
    }
  }
  return seen;
}

describe('dashboard files', () => {
  test('the page at / is HTML with a strict CSP, no caching surprises and only same-origin assets', async () => {
    const page = await get('/');
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    assertSecurityHeaders(page.headers, '/');
    assert.equal(page.headers.get('cache-control'), 'no-cache');
    assert.match(page.headers.get('etag') ?? '', /^"[A-Za-z0-9_-]{27}"$/);
    assert.match(page.text, /<script type="module" src="\/ui\/js\/main\.js"><\/script>/);
    assert.match(page.text, /<link rel="stylesheet" href="\/ui\/app\.css">/);
    // No inline code: the CSP would block it, and nothing may load from another origin (works offline).
    assert.doesNotMatch(page.text, /<script(?![^>]*\bsrc=)[^>]*>/);
    assert.doesNotMatch(page.text, /\sstyle=|\son[a-z]+=/i);
    assert.doesNotMatch(page.text, /(src|href)="(https?:)?\/\//);

    const csp = DASHBOARD_CSP;
    for (const directive of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"]) {
      assert.ok(csp.includes(directive), `CSP has ${directive}`);
    }
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
  });

  test('the style sheet, the icon and every module the page imports are served with their content types', async () => {
    const css = await get('/ui/app.css');
    assert.equal(css.status, 200);
    assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
    assertSecurityHeaders(css.headers, 'app.css');
    assert.doesNotMatch(css.text, /url\(|@import/, 'the style sheet loads nothing else');

    const icon = await get('/ui/icon.svg');
    assert.equal(icon.status, 200);
    assert.equal(icon.headers.get('content-type'), 'image/svg+xml');

    const modules = await moduleGraph('/ui/js/main.js');
    for (const view of ['login', 'stations', 'station', 'commands', 'transactions', 'transaction', 'tokens']) {
      assert.ok(modules.has(`/ui/js/views/${view}.js`), `${view}.js is part of the app`);
    }
    for (const [path, source] of modules) {
      assert.doesNotMatch(source, /\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML\(|document\.write\(|\beval\(|new Function\(/, `${path} builds no markup from strings`);
      assert.doesNotMatch(source, /from '(https?:)?\/\//, `${path} imports nothing from another origin`);
    }
  });

  test('an unchanged file revalidates with 304; a changed ETag gets the file', async () => {
    const first = await get('/ui/js/main.js');
    const etag = first.headers.get('etag');
    assert.ok(etag);
    const again = await get('/ui/js/main.js', { 'if-none-match': etag });
    assert.equal(again.status, 304);
    assert.equal(again.text, '');
    assert.equal(again.headers.get('etag'), etag);
    const stale = await get('/ui/js/main.js', { 'if-none-match': '"something-else"' });
    assert.equal(stale.status, 200);
    assert.equal(stale.text, first.text);
    const page = await get('/', { 'if-none-match': `"x", ${(await get('/')).headers.get('etag')}` });
    assert.equal(page.status, 304);
  });

  test('HEAD answers like GET without a body', async () => {
    const response = await fetch(`${api.base}/`, { method: 'HEAD' });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(response.headers.get('content-security-policy'), DASHBOARD_CSP);
    assert.equal(await response.text(), '');
  });

  test('unknown files and paths that try to leave the asset folder are 404', async () => {
    const missing = await get('/ui/js/nope.js');
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(missing.headers.get('cache-control'), 'no-store');
    assertSecurityHeaders(missing.headers, '404');
    for (const path of ['/ui/../package.json', '/ui/..%2fpackage.json', '/ui/..%2f..%2fpackage.json', '/ui/%2e%2e/%2e%2e/package.json', '/ui/js/../../api/dashboard.ts', '/ui/']) {
      const response = await rawGet(path);
      assert.notEqual(response.status, 200, path);
      assert.doesNotMatch(response.body, /"name": "joule"|registerDashboard/, `${path} leaks nothing`);
    }
  });

  test('the API beside it is unchanged: JSON 404 and 401 under /api/v1, health is public', async () => {
    const health = await api.call('GET', '/health', { key: null });
    assert.equal(health.status, 200);
    assert.equal(health.headers.get('content-security-policy'), null, 'the API keeps its own headers');
    const unknown = await api.call('GET', '/no-such-route');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error, 'not_found');
    const noKey = await api.call('GET', '/stations', { key: null });
    assert.equal(noKey.status, 401);
  });
});
