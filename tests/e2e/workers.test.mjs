// Brokers in web workers: each broker runs in its own dedicated worker over
// its own IndexedDB database, the engine worker being the network and the
// clock. A scenario run that way gives exactly the trace `kafkascope run
// --json` gives natively with the same seed (step mode: one event at a
// time, in the simulator's order) — crashes, power cuts and restarts
// included, since a restarted broker worker recovers its log from
// IndexedDB. Where the page is not cross-origin isolated, asking for
// workers says why and changes nothing.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { withBrowser, openPage, screenshot, serveDist, launchChromium, repoRoot } from './harness.mjs';

const TIMEOUT = 180_000;

// A leader failure, a crash / power-off / restart cycle over IndexedDB,
// and a transactional read-process-write across an application crash.
const SCENARIOS = [
  'replication/leader-failure.scn',
  'replication/power-off-vs-crash.scn',
  'clients/exactly-once-crash.scn',
];

const b64url = (text) => Buffer.from(text, 'utf8').toString('base64url');

/** The native run's trace (JSON lines), as the CLI prints it. */
function nativeTrace(file, seed) {
  const run = spawnSync(
    'cargo',
    ['run', '--quiet', '-p', 'kafkascope-cli', '--', 'run', file, '--seed', String(seed), '--json'],
    { cwd: repoRoot, encoding: 'utf8', maxBuffer: 1 << 30 },
  );
  // 0: every expect held; 1: one failed (the trace is still the run's).
  assert.ok(run.status === 0 || run.status === 1, `kafkascope run ${file}: ${run.status} ${run.stderr}`);
  return run.stdout;
}

/** Asks the page (a fresh one: no trace shown yet) for the live session's trace and reads it. */
async function pageTrace(page) {
  await page.locator('#show-trace').click();
  await page.locator('#trace').waitFor({ timeout: TIMEOUT });
  // The <pre> holds the JSON lines as text; each line ends with '\n'.
  return page.locator('#trace').evaluate((el) => el.textContent);
}

describe('brokers in web workers', () => {
  const env = withBrowser();

  for (const rel of SCENARIOS) {
    it(`runs ${rel} with the same trace as kafkascope run`, async () => {
      const file = path.join(repoRoot, 'tests', 'scenarios', rel);
      const script = readFileSync(file, 'utf8');
      // The file's own seed, for which its expects hold.
      const seed = Number(script.match(/^cluster .*\bseed=(\d+)/m)?.[1] ?? 9092);
      const expected = nativeTrace(file, seed);
      assert.ok(expected.split('\n').length > 100, `${rel}: a native trace of some length`);
      const { page, problems } = await openPage(env.chrome.context);
      await page.goto(`${env.server.url}#scenario=${b64url(script)}&seed=${seed}`);
      await page.locator('tr.sim-broker').first().waitFor({ timeout: TIMEOUT });
      await page.locator('#broker-mode').selectOption('workers');
      await page.locator('#broker-mode-now', { hasText: 'own web worker' }).waitFor({ timeout: TIMEOUT });
      const errors = await page.locator('#console-output li', { hasText: /^ERROR/ }).allInnerTexts();
      assert.deepEqual(errors, [], `${rel}: no errors from the broker workers`);
      await screenshot(page, `workers-${path.basename(rel, '.scn')}.png`);
      const got = await pageTrace(page);
      if (got !== expected) {
        const a = got.split('\n');
        const b = expected.split('\n');
        const i = a.findIndex((l, k) => l !== b[k]);
        assert.fail(`${rel}: the traces differ first at line ${i + 1} of ${a.length} (native ${b.length}):\n page:   ${a[i]}\n native: ${b[i]}`);
      }
      // Every broker kept its log in its own IndexedDB database.
      const dbs = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
      for (const b of [0, 1, 2]) {
        assert.ok(dbs.includes(`kafkascope-cluster-broker-${b}`), `${rel}: database of broker ${b} in ${dbs}`);
      }
      assert.deepEqual(problems, []);
      await page.close();
    });
  }
});

describe('brokers in web workers, page not cross-origin isolated', () => {
  it('says why the brokers stay in the engine worker', async () => {
    const server = await serveDist(undefined, { isolated: false });
    const chrome = await launchChromium();
    try {
      const { page } = await openPage(chrome.context);
      await page.goto(server.url);
      await page.locator('#no-cluster').waitFor({ timeout: TIMEOUT });
      await page.locator('#broker-mode').selectOption('workers');
      await page
        .locator('#console-output li', { hasText: /cross-origin isolated/ })
        .first()
        .waitFor({ timeout: TIMEOUT });
      assert.match(await page.locator('#broker-mode-now').innerText(), /engine's worker/);
    } finally {
      await chrome.close();
      await server.close();
    }
  });
});
