// The first live slice: the page starts three broker workers, each opens
// its own IndexedDB database, writes and reads back a record batch and
// reports in; the page says "3 brokers online".
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { withBrowser, openPage, screenshot, ISOLATION_HEADERS } from './harness.mjs';

const BROKERS = ['1', '2', '3'];
const TIMEOUT = 60_000;

describe('cluster start-up', () => {
  const env = withBrowser();

  it('shows 3 brokers online with their ids and stored bytes', async () => {
    const { page, problems } = await openPage(env.chrome.context);
    await page.goto(env.server.url);
    const status = page.locator('#cluster-status');
    await status.filter({ hasText: '3 brokers online' }).waitFor({ timeout: TIMEOUT });
    assert.equal((await status.textContent()).trim(), '3 brokers online');

    const rows = page.locator('tr.broker.online');
    assert.equal(await rows.count(), 3);
    const seen = [];
    for (let i = 0; i < 3; i++) {
      const row = rows.nth(i);
      const id = await row.getAttribute('data-broker-id');
      const bytes = Number(await row.getAttribute('data-stored-bytes'));
      const text = await row.innerText();
      seen.push(id);
      assert.ok(bytes > 61, `broker ${id} stores ${bytes} bytes (a v2 batch header alone is 61)`);
      assert.match(text, new RegExp(`broker ${id}\\b`));
      assert.match(text, new RegExp(`\\b${bytes} B\\b`));
      assert.match(text, /00000000000000000000\.log/);
      assert.match(text, new RegExp(`kafkascope-broker-${id}\\b`));
    }
    assert.deepEqual(seen.sort(), BROKERS);

    // Each broker has its own database, created by its worker.
    const dbs = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name).sort());
    for (const id of BROKERS) assert.ok(dbs.includes(`kafkascope-broker-${id}`), `databases: ${dbs}`);

    // The CSP holds: no inline script, nothing from another origin.
    const html = await (await fetch(env.server.url)).text();
    assert.match(html, /http-equiv="Content-Security-Policy"/);
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'an inline <script> in index.html');
    assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//, 'a resource from another origin in index.html');
    const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'|\*|https?:/);

    const file = await screenshot(page, 'brokers-online.png');
    console.log(`screenshot: ${file}`);
    assert.deepEqual(problems, [], 'no console errors, page errors or CSP violations');
    await page.close();
  });

  it('comes back online after a reload, from the same databases', async () => {
    const { page, problems } = await openPage(env.chrome.context);
    await page.goto(env.server.url);
    await page.locator('#cluster-status', { hasText: '3 brokers online' }).waitFor({ timeout: TIMEOUT });
    await page.reload();
    await page.locator('#cluster-status', { hasText: '3 brokers online' }).waitFor({ timeout: TIMEOUT });
    assert.equal(await page.locator('tr.broker.online').count(), 3);
    assert.deepEqual(problems, []);
    await page.close();
  });
});

describe('failures are shown, not swallowed', () => {
  const env = withBrowser();

  it('reports IndexedDB being unavailable in the workers', async () => {
    const { page } = await openPage(env.chrome.context);
    // Serve a worker loader that hides indexedDB before the broker starts.
    await page.route('**/broker-worker_loader.js', (route) =>
      route.fulfill({
        contentType: 'text/javascript',
        // The page is cross-origin isolated: its workers' scripts must be too.
        headers: ISOLATION_HEADERS,
        body:
          "Object.defineProperty(self, 'indexedDB', { value: undefined });" +
          'importScripts("./broker-worker.js");wasm_bindgen("./broker-worker_bg.wasm");',
      }),
    );
    await page.goto(env.server.url);
    const status = page.locator('#cluster-status');
    await status.filter({ hasText: '3 failed' }).waitFor({ timeout: TIMEOUT });
    assert.equal((await status.textContent()).trim(), '0 brokers online, 3 failed');
    const errors = await page.locator('tr.broker.failed td.error').allInnerTexts();
    assert.equal(errors.length, 3);
    for (const e of errors) assert.match(e, /IndexedDB open kafkascope-broker-\d failed: not available/);
    await screenshot(page, 'indexeddb-unavailable.png');
    await page.close();
  });

  it('reports a broker worker script that does not load', async () => {
    const { page } = await openPage(env.chrome.context);
    await page.route('**/broker-worker_loader.js', (route) => route.fulfill({ status: 404, body: '' }));
    await page.goto(env.server.url);
    await page.locator('#cluster-status', { hasText: '3 failed' }).waitFor({ timeout: TIMEOUT });
    const errors = await page.locator('tr.broker.failed td.error').allInnerTexts();
    assert.equal(errors.length, 3);
    for (const e of errors) assert.match(e, /worker/);
    await page.close();
  });
});
