// Brokers in web workers, live: every broker in its own dedicated worker,
// inputs posted without waiting, the brokers working at the same time and
// virtual time following the real clock. Three brokers with RF=3 take
// acks=all records, a consumer reads them, the leader's worker is
// terminated (crash) and another broker is elected; the clock moves with
// no command typed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { withBrowser, openPage, screenshot, type, consoleShows } from './harness.mjs';

const TIMEOUT = 180_000;

const b64url = (text) => Buffer.from(text, 'utf8').toString('base64url');

const SETUP = `cluster brokers=3
topic create t partitions=1 replication-factor=3 assignment=0:1:2
producer p acks=all
consumer c group=g auto.offset.reset=earliest
subscribe c t
run until assignment g c == t-0 timeout=60000
`;

/** Console lines starting with FAIL or ERROR. */
async function failures(page) {
  return page.locator('#console-output li', { hasText: /^(FAIL|ERROR)/ }).allInnerTexts();
}

describe('brokers in web workers, live', () => {
  const env = withBrowser();

  it('replicates acks=all records to a consumer and elects a new leader after a crash', async () => {
    const { page, problems } = await openPage(env.chrome.context);
    await page.goto(`${env.server.url}#scenario=${b64url(SETUP)}&seed=5`);
    await page.locator('tr.sim-broker').first().waitFor({ timeout: TIMEOUT });
    await page.locator('#broker-mode').selectOption('live');
    await page.locator('#broker-mode-now', { hasText: 'Live:' }).waitFor({ timeout: TIMEOUT });
    assert.deepEqual(await failures(page), [], 'the setup ran again with live brokers');

    await type(page, 'send p t value=v{i} count=5');
    await type(page, 'flush p');
    await type(page, 'expect acked p == 5');
    await consoleShows(page, /^PASS line \d+: acked p == 5/, TIMEOUT);
    await type(page, 'expect hw t-0 == 5');
    await consoleShows(page, /^PASS line \d+: hw t-0 == 5/, TIMEOUT);
    await type(page, 'poll c timeout=10000');
    await type(page, 'expect consumed c == v0,v1,v2,v3,v4');
    await consoleShows(page, /^PASS line \d+: consumed c == v0,v1,v2,v3,v4/, TIMEOUT);

    // Time goes on by itself: the page's play loop only asks for pictures.
    const now = async () => Number((await page.locator('#now-ms').innerText()).replace(/\D/g, ''));
    const before = await now();
    await page.locator('#play').click();
    await page.waitForFunction(
      (b) => Number(document.querySelector('#now-ms').textContent.replace(/\D/g, '')) >= b + 1000,
      before,
      { timeout: TIMEOUT },
    );
    await page.locator('#play').click();

    // The leader's worker is terminated; another broker takes over.
    await type(page, 'crash 0');
    await type(page, 'run until leader t-0 != 0 timeout=60000');
    await type(page, 'expect leader t-0 != 0');
    await consoleShows(page, /^PASS line \d+: leader t-0 != 0/, TIMEOUT);
    await type(page, 'send p t value=w{i} count=3');
    await type(page, 'flush p');
    await type(page, 'expect acked p == 8');
    await consoleShows(page, /^PASS line \d+: acked p == 8/, TIMEOUT);
    assert.deepEqual(await failures(page), []);

    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'live-workers.png');
    assert.deepEqual(problems, []);
    await page.close();
  });
});
