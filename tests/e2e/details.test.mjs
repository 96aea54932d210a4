// Page details a review found untested (issue 7): a producer's record
// that failed (its fate says why, as the engine's `errors` predicate
// does); a link's "Drop the next N" button dropping what it says; a
// segment's time index; and saving the scenario file (the download holds
// the session's script). Screenshot under target/e2e/.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { withBrowser, openPage, screenshot, type, consoleShows, expectPass } from './harness.mjs';

const TIMEOUT = 60_000;

describe('page details', () => {
  const env = withBrowser();

  it("shows a failed record's fate, drops N messages from a link's form, a time index, and saves the script", async () => {
    const { page, problems } = await openPage(env.chrome.context);
    await page.goto(env.server.url);
    await page.locator('#no-cluster').waitFor({ timeout: TIMEOUT });
    const lines = [
      'cluster brokers=3',
      'topic create t partitions=1 replication-factor=3 assignment=0:1:2 min.insync.replicas=3 segment.bytes=400 index.interval.bytes=100',
      'producer p acks=all delivery.timeout.ms=5000 request.timeout.ms=1000 linger.ms=0 batch.size=1',
      'send p t value=r{i} count=12',
      'flush p',
    ];
    for (const l of lines) await type(page, l);
    await page.locator('tr.sim-broker').nth(2).waitFor({ timeout: TIMEOUT });
    await expectPass(page, 6, 'acked p == 12');

    // The time index of the second segment: (timestamp, offset) entries
    // inside the segment, both never going down.
    await page.locator('#segments-partition').selectOption('t-0');
    await page.locator('#segments-broker').selectOption('0');
    await page.locator('#segments-show').click();
    const list = page.locator('#segments-view[data-broker="0"] #segment-list');
    await list.waitFor({ timeout: TIMEOUT });
    const bases = await list.locator('tr.segment').evaluateAll((rows) => rows.map((r) => Number(r.dataset.base)));
    assert.ok(bases.length >= 2, `the log rolled: ${bases}`);
    await list.locator(`tr.segment[data-base="${bases[1]}"] button`).click();
    const detail = page.locator(`#segment-detail[data-base="${bases[1]}"]`);
    await detail.waitFor({ timeout: TIMEOUT });
    const entries = await detail
      .locator('#segment-timeindex tbody tr')
      .evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => Number(td.textContent))));
    assert.ok(entries.length >= 1, 'the time index has entries');
    for (const [i, [ts, off]] of entries.entries()) {
      assert.ok(off >= bases[1] && off < (bases[2] ?? Infinity), `offset ${off} in segment ${bases[1]}`);
      if (i > 0) assert.ok(ts >= entries[i - 1][0] && off > entries[i - 1][1], `${JSON.stringify(entries)}`);
    }
    await page.locator('#segments-close').click();

    // A follower down, the ISR below min.insync.replicas: the next record
    // is refused until delivery.timeout.ms, and its fate says so.
    await type(page, 'crash 2');
    await type(page, 'run until isr t-0 == 0,1 timeout=60000');
    await type(page, 'send p t value=doomed');
    await type(page, 'tick 8000');
    await expectPass(page, 11, 'acked p == 12');
    await expectPass(page, 12, 'errors p == REQUEST_TIMED_OUT');
    const failed = page.locator('section.producers table.fates tr.failed');
    await failed.first().waitFor({ timeout: TIMEOUT });
    assert.equal(await failed.count(), 1);
    assert.match(await failed.locator('td.fate').innerText(), /failed: REQUEST_TIMED_OUT/);
    assert.equal(await failed.locator('code').first().innerText(), 'doomed');
    await failed.scrollIntoViewIfNeeded();
    await screenshot(page, 'details-failed-fate.png');

    // Drop the next 2 messages on the follower's link to the leader, from
    // the link's own form: the Links view counts them dropped.
    const link = page.locator('#links tr.link[data-from="1"][data-to="0"]');
    await link.locator('details.link-controls summary').click();
    await link.locator('input.link-count').fill('2');
    await link.locator('input.link-count').press('Tab');
    await link.locator('button.link-drop').click();
    await consoleShows(page, 'drop 1->0 count=2');
    await type(page, 'tick 2000');
    await consoleShows(page, 'tick 2000');
    const dropped = async () =>
      (await link.locator('td.dropped li .n').allInnerTexts()).map(Number).reduce((a, b) => a + b, 0);
    await page.waitForFunction(
      () => document.querySelectorAll('#links tr.link[data-from="1"][data-to="0"] td.dropped li').length > 0,
      null,
      { timeout: TIMEOUT },
    );
    // A dropped Fetch is resent only after the follower's request times
    // out (replica.socket.timeout.ms, 30 s): the second drop comes later,
    // and no third (the rule was for 2).
    await type(page, 'tick 40000');
    await consoleShows(page, 'tick 40000');
    await page.waitForFunction(
      () => [...document.querySelectorAll('#links tr.link[data-from="1"][data-to="0"] td.dropped li .n')]
        .reduce((a, n) => a + Number(n.textContent), 0) >= 2,
      null,
      { timeout: TIMEOUT },
    );
    await type(page, 'tick 40000');
    await expectPass(page, 17, 'isr t-0 == 0,1');
    assert.equal(await dropped(), 2);

    // Save: the download is the session's script, line for line.
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#save-scenario').click()]);
    assert.equal(download.suggestedFilename(), 'kafkascope.scn');
    const saved = await readFile(await download.path(), 'utf8');
    const script = saved.split('\n').filter((l) => l.trim() !== '');
    for (const l of [...lines, 'drop 1->0 count=2', 'crash 2', 'send p t value=doomed']) {
      assert.ok(script.includes(l), `saved script has "${l}":\n${saved}`);
    }
    assert.deepEqual(problems, []);
    await page.close();
  });
});
