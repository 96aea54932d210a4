// Shared pieces of the browser end-to-end tests: a static server for dist/
// on 127.0.0.1 and headless Debian Chromium through playwright-core.
// (Not a test file itself: `cargo xtask test` runs e2e/*.test.mjs.)
import { createServer } from 'node:http';
import { readFile, stat, mkdir } from 'node:fs/promises';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { before, after } from 'node:test';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');
export const distDir = path.resolve(process.env.KAFKASCOPE_DIST ?? path.join(repoRoot, 'dist'));
/** Screenshots and other artifacts go under target/ (never committed). */
export const outDir = path.join(repoRoot, 'target', 'e2e');
export const chromiumPath = process.env.KAFKASCOPE_CHROMIUM ?? '/usr/bin/chromium';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** The headers that make a page cross-origin isolated. */
export const ISOLATION_HEADERS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
};

/** The `content` of the page's `<meta http-equiv="Content-Security-Policy">`. */
export function metaCsp(html) {
  return html.match(/http-equiv="Content-Security-Policy"\s+content="([^"]*)"/)?.[1];
}

/**
 * Serves `root` on 127.0.0.1 (a free port); resolves to { url, close }.
 * Cross-origin isolated unless `isolated` is false (to test the page
 * where SharedArrayBuffer is not available). Every response carries the
 * CSP of `root/index.html`'s `<meta>` as a header, as `cargo xtask serve`
 * does: workers take their policy from their own script's response.
 */
export async function serveDist(root = distDir, { isolated = true } = {}) {
  if (!existsSync(path.join(root, 'index.html'))) {
    throw new Error(`${root}/index.html is missing: build the app first (cargo xtask test does)`);
  }
  const csp = metaCsp(await readFile(path.join(root, 'index.html'), 'utf8'));
  if (!csp) throw new Error(`${root}/index.html has no Content-Security-Policy <meta>`);
  const server = createServer(async (req, res) => {
    try {
      const pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      let file = path.join(root, pathname);
      if (!file.startsWith(root)) {
        res.writeHead(403, { 'content-security-policy': csp }).end();
        return;
      }
      if ((await stat(file).catch(() => null))?.isDirectory()) file = path.join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': MIME[path.extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
        // Cross-origin isolated, as `cargo xtask serve` serves the app:
        // brokers in web workers need SharedArrayBuffer.
        ...(isolated ? ISOLATION_HEADERS : {}),
        'content-security-policy': csp,
      });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain', 'content-security-policy': csp }).end('not found');
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** Launches headless Chromium with a fresh profile; resolves to { browser, close }. */
export async function launchChromium() {
  if (!existsSync(chromiumPath)) {
    throw new Error(`${chromiumPath} is missing: install it with: sudo apt-get install chromium chromium-driver`);
  }
  const profile = mkdtempSync(path.join(tmpdir(), 'kafkascope-e2e-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    viewport: { width: 1100, height: 640 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Opens a new page that records console errors, page errors and CSP violations. */
export async function openPage(context) {
  const page = await context.newPage();
  const problems = [];
  // Report CSP violations explicitly (the init script runs outside the page's CSP).
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline code'}`),
    );
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  return { page, problems };
}

export async function screenshot(page, name) {
  await mkdir(outDir, { recursive: true });
  const file = path.join(outDir, name);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * For a describe block: serves dist/ and launches Chromium before its tests
 * and closes both after them. The returned object gets `server` and
 * `chrome` once `before` has run.
 */
export function withBrowser() {
  const env = {};
  before(async () => {
    env.server = await serveDist();
    env.chrome = await launchChromium();
  });
  after(async () => {
    await env.chrome?.close();
    await env.server?.close();
  });
  return env;
}

/** Types `line` into the page's console and presses Enter. */
export async function type(page, line) {
  const input = page.locator('#console-input');
  await input.fill(line);
  await input.press('Enter');
}

/** Waits until the console shows a line matching `re` (a string or RegExp). */
export async function consoleShows(page, re, timeout = 60_000) {
  await page.locator('#console-output li', { hasText: re }).first().waitFor({ timeout });
}

/** Types `expect PREDICATE` as console line `n` and waits for its PASS. */
export async function expectPass(page, n, predicate) {
  await type(page, `expect ${predicate}`);
  await consoleShows(page, `PASS line ${n}: ${predicate}`);
}
