// The session survives a reload: the page offers to resume it as it was
// (the engine runs the kept script again from its seed) or to start fresh.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { withBrowser, openPage, screenshot, type, consoleShows } from './harness.mjs';

const TIMEOUT = 60_000;

/** LEO and HW of each replica of `name`, as the partition panel shows them. */
async function offsets(page, name) {
  const part = page.locator(`details.partition[data-partition="${name}"]`);
  await part.waitFor({ timeout: TIMEOUT });
  const out = {};
  for (const row of await part.locator('tr.replica').all()) {
    out[await row.getAttribute('data-broker')] = [
      Number(await row.locator('td.leo').innerText()),
      Number(await row.locator('td.hw').innerText()),
    ];
  }
  return out;
}

describe('reload', () => {
  const env = withBrowser();

  it('offers to resume the session as it was, or to start fresh', async () => {
    const { page, problems } = await openPage(env.chrome.context);
    await page.goto(env.server.url);
    await page.locator('#no-cluster').waitFor({ timeout: TIMEOUT });
    // A fresh profile has nothing to resume.
    assert.equal(await page.locator('#resume-offer').count(), 0);
    for (const line of [
      'cluster brokers=3',
      'topic create t partitions=1 replication-factor=3 assignment=0:1:2',
      'producer p acks=all',
      'send p t value=v{i} count=5',
      'flush p',
      'crash 2',
      'tick 1000',
    ]) {
      await type(page, line);
    }
    await type(page, 'expect hw t-0 == 5');
    await consoleShows(page, 'PASS line 8: hw t-0 == 5');
    const before = await offsets(page, 't-0');
    const script = await page.locator('#share-link').getAttribute('href');

    await page.reload();
    await page.locator('#resume-offer').waitFor({ timeout: TIMEOUT });
    assert.match(await page.locator('#resume-offer').innerText(), /8 lines, seed 9092/);
    await screenshot(page, 'resume-offer.png');
    await page.locator('#resume-session').click();
    await consoleShows(page, 'PASS line 8: hw t-0 == 5');
    assert.deepEqual(await offsets(page, 't-0'), before, 'the same cluster after the reload');
    assert.equal(await page.locator('#share-link').getAttribute('href'), script);
    assert.equal(await page.locator('#resume-offer').count(), 0);

    // Start fresh: the kept session is forgotten.
    await page.reload();
    await page.locator('#resume-offer').waitFor({ timeout: TIMEOUT });
    await page.locator('#fresh-session').click();
    await page.locator('#no-cluster').waitFor({ timeout: TIMEOUT });
    await page.reload();
    await page.locator('#no-cluster').waitFor({ timeout: TIMEOUT });
    assert.equal(await page.locator('#resume-offer').count(), 0);
    assert.deepEqual(problems, []);
    await page.close();
  });
});
