// Untrusted input (issue 7). A scenario file from someone else whose
// narration and record keys and values are markup is shown as text only:
// no element it names appears in the strips, the producer's fates, the
// record inspector, the segment view, the event log or the console, and
// its script never runs. A file that does not parse is refused with its
// name and line, says nothing was loaded, and the session is unchanged.
// The Content-Security-Policy is sent as a header on every response, so
// the workers (which parse the scenarios) have it too, beside the
// cross-origin isolation headers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { withBrowser, openPage, screenshot, type, consoleShows, metaCsp } from './harness.mjs';

const TIMEOUT = 60_000;
const IMG = '<img src=x onerror=window.__pwned=1>';
const BOLD = '<b>bold</b>';

/** Loads `text` as the file `name` through the page's file input. */
async function loadFile(page, name, text) {
  await page.locator('#scenario-file').setInputFiles({ name, mimeType: 'text/plain', buffer: Buffer.from(text) });
}

/** Elements that markup in the input would have made, in `root`. */
const injected = (page, root) =>
  page.evaluate(
    (sel) => [...document.querySelectorAll(sel)].flatMap((r) => [...r.querySelectorAll('img, b, script, iframe, object, embed')].map((e) => e.outerHTML)),
    root,
  );

describe('untrusted input', () => {
  const env = withBrowser();

  it('shows markup in narration, keys and values as text, nowhere as elements', async () => {
    const { page, problems } = await openPage(env.chrome.context);
    await page.goto(env.server.url);
    await page.locator('#no-cluster').waitFor({ timeout: TIMEOUT });
    await loadFile(
      page,
      'markup.scn',
      [
        'cluster brokers=2',
        'topic create t partitions=1 replication-factor=2 assignment=0:1',
        `say "${IMG} ${BOLD} narrated"`,
        'producer p acks=all',
        `send p t key="${IMG}" value="${BOLD}"`,
        `send p t key="${BOLD}" value="${IMG}"`,
        'flush p',
        'consumer c group=g',
        'subscribe c t',
        'poll c',
        'tick 500',
        'expect hw t-0 == 2',
        '',
      ].join('\n'),
    );
    await consoleShows(page, 'PASS line 12: hw t-0 == 2');
    await consoleShows(page, 'Loaded markup.scn.');
    // The narration, as text.
    await consoleShows(page, `${IMG} ${BOLD} narrated`);
    // Typed in the console too.
    await type(page, `say "${IMG} typed ${BOLD}"`);
    await consoleShows(page, `${IMG} typed ${BOLD}`);

    // The strip cells carry the values as text (label, tooltip).
    const cell = (o) => page.locator(`.partition[data-partition="t-0"] tr.replica[data-broker="0"] .strip button.cell[data-offset="${o}"]`);
    assert.match(await cell(0).getAttribute('aria-label'), new RegExp(`Inspect offset 0 on broker 0: ${BOLD}`));
    assert.match(await cell(1).getAttribute('title'), /offset 1: <img src=x onerror=window\.__pwned=1>/);
    // The producer's fates.
    const fates = page.locator('.producer[data-producer="p"]');
    await fates.waitFor({ timeout: TIMEOUT });
    assert.ok((await fates.innerText()).includes(BOLD), await fates.innerText());
    // The record inspector, from the cell whose value is an <img>.
    await cell(1).click();
    await page.locator('#record-verdict').waitFor({ timeout: TIMEOUT });
    assert.ok((await page.locator('#inspector .record-name').innerText()).includes(`value ${IMG}`));
    // The segment view of that replica, one batch open.
    await page.locator('#segments-partition').selectOption('t-0');
    await page.locator('#segments-broker').selectOption('0');
    await page.locator('#segments-show').click();
    await page.locator('#segment-list tr.segment button').first().click();
    await page.locator('#segment-detail').waitFor({ timeout: TIMEOUT });
    await page.locator('details').evaluateAll((ds) => ds.forEach((d) => (d.open = true)));
    await screenshot(page, 'untrusted-markup.png');

    for (const root of [
      '.partition[data-partition="t-0"]',
      '.producer[data-producer="p"]',
      '#inspector',
      'section.segments',
      '#event-log',
      '#console-output',
      'main',
    ]) {
      assert.equal(await page.locator(root).first().count(), 1, `${root} is on the page`);
      assert.deepEqual(await injected(page, root), [], `markup became elements in ${root}`);
    }
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('refuses a file that does not parse with its name and line, and keeps the session', async () => {
    const { page, problems } = await openPage(env.chrome.context);
    await page.goto(env.server.url);
    await page.locator('#no-cluster').waitFor({ timeout: TIMEOUT });
    await loadFile(page, 'good.scn', 'cluster brokers=3\ntopic create g partitions=1 replication-factor=3\nexpect controller != none\n');
    await consoleShows(page, 'PASS line 3: controller != none');
    await consoleShows(page, 'Loaded good.scn.');
    const before = {
      position: await page.locator('#position').innerText(),
      brokers: await page.locator('tr.sim-broker').count(),
      link: await page.locator('#share-link').getAttribute('href'),
      lines: await page.locator('#console-output li').count(),
    };

    await loadFile(page, 'broken.scn', 'cluster brokers=2\ntopic create b partitions=1 replication-factor=2\nsend nobody b value=x\n');
    const refused = page.locator('#console-output li.refused');
    await refused.first().waitFor({ timeout: TIMEOUT });
    assert.match(await refused.first().innerText(), /^error: broken\.scn line 3: .*nobody/);
    // Said only once the engine accepted a file: not for this one.
    assert.equal(await page.locator('#console-output li.note', { hasText: 'Loaded broken.scn.' }).count(), 0);
    // Nothing lost: the same session, the same console before the refusal.
    assert.equal(await page.locator('#position').innerText(), before.position);
    assert.equal(await page.locator('tr.sim-broker').count(), before.brokers);
    assert.equal(await page.locator('#share-link').getAttribute('href'), before.link);
    assert.equal(await page.locator('details.partition[data-partition="g-0"]').count(), 1);
    assert.equal(await page.locator('details.partition[data-partition="b-0"]').count(), 0);
    assert.ok((await page.locator('#console-output li').count()) > before.lines);
    await consoleShows(page, 'Loaded good.scn.');

    // In Chinese, the refusal names the file and line too.
    await page.locator('#lang').selectOption('zh');
    await page.locator('#console-title', { hasText: '控制台' }).waitFor({ timeout: TIMEOUT });
    await loadFile(page, '坏.scn', 'cluster brokers=2\ncrash 9\n');
    await page.locator('#console-output li.refused', { hasText: '坏.scn 第 2 行' }).waitFor({ timeout: TIMEOUT });
    assert.equal(await page.locator('tr.sim-broker').count(), before.brokers);
    await screenshot(page, 'untrusted-refused.png');
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('notes a link opened later in the language shown then', async () => {
    const { page, problems } = await openPage(env.chrome.context);
    await page.goto(env.server.url);
    await page.locator('#no-cluster').waitFor({ timeout: TIMEOUT });
    await page.locator('#lang').selectOption('zh');
    await page.locator('#console-title', { hasText: '控制台' }).waitFor({ timeout: TIMEOUT });
    const script = Buffer.from('cluster brokers=2\nexpect controller != none\n').toString('base64url');
    await page.evaluate((h) => {
      location.hash = h;
    }, `scenario=${script}&seed=3`);
    await consoleShows(page, '已从链接加载 场景。');
    assert.equal(await page.locator('#console-output li.note', { hasText: 'Loaded' }).count(), 0);
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('sends the CSP as a header with every response, workers included, and stays cross-origin isolated', async () => {
    const { page, problems } = await openPage(env.chrome.context);
    const headers = new Map();
    page.context().on('response', (r) => {
      if (r.url().startsWith(env.server.url)) headers.set(new URL(r.url()).pathname, r.headers());
    });
    await page.goto(env.server.url);
    await page.locator('#no-cluster').waitFor({ timeout: TIMEOUT });
    await page.locator('#cluster-status', { hasText: '3 brokers online' }).waitFor({ timeout: TIMEOUT });
    const csp = metaCsp(await (await fetch(env.server.url)).text());
    assert.ok(csp, 'index.html has a CSP <meta>');
    for (const file of ['/', '/cluster-worker_loader.js', '/broker-worker_loader.js', '/cluster-worker_bg.wasm', '/boot.js']) {
      const h = headers.get(file);
      assert.ok(h, `the page loaded ${file}: ${[...headers.keys()].join(' ')}`);
      assert.equal(h['content-security-policy'], csp, file);
      assert.equal(h['cross-origin-opener-policy'], 'same-origin', file);
      assert.equal(h['cross-origin-embedder-policy'], 'require-corp', file);
    }
    assert.equal(await page.evaluate(() => crossOriginIsolated), true);
    // The engine worker itself is under that policy: a fetch to another
    // origin is a CSP violation there, not merely a failed request.
    const engine = page.workers().find((w) => w.url().endsWith('/cluster-worker_loader.js'));
    assert.ok(engine, `the engine worker: ${page.workers().map((w) => w.url()).join(' ')}`);
    const violated = await engine.evaluate(
      () =>
        new Promise((resolve) => {
          self.addEventListener('securitypolicyviolation', (e) => resolve(e.violatedDirective));
          fetch('http://127.0.0.2:9/').then(
            () => resolve('fetched'),
            () => setTimeout(() => resolve('no violation'), 500),
          );
        }),
    );
    assert.equal(violated, 'connect-src');
    assert.deepEqual(problems.filter((p) => !/127\.0\.0\.2|connect-src/.test(p)), []);
    await page.close();
  });
});
