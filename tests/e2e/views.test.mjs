// The views of issue 7 beyond the first panels: Kafka's rate metrics
// (MessagesInPerSec, BytesInPerSec, FailedProduceRequestsPerSec,
// records-lag-max) and the charts (throughput, HW vs LEO, consumer lag),
// each checked against what the cluster shows elsewhere on the page (the
// partition's HW and LEO) and against the scenario's own numbers.
// Screenshots under target/e2e/.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { withBrowser, openPage, screenshot } from './harness.mjs';

const TIMEOUT = 60_000;

async function type(page, line) {
  const input = page.locator('#console-input');
  await input.fill(line);
  await input.press('Enter');
}

async function consoleShows(page, re) {
  await page.locator('#console-output li', { hasText: re }).first().waitFor({ timeout: TIMEOUT });
}

/** Runs `line` and waits for its `expect` to pass (the engine is done). */
async function expectPass(page, n, predicate) {
  await type(page, `expect ${predicate}`);
  await consoleShows(page, `PASS line ${n}: ${predicate}`);
}

const metricRow = (page, name) => page.locator(`#metrics tr[data-metric="${name}"]`);
const metric = async (page, name) => Number(await metricRow(page, name).locator('td.value').innerText());

/** A chart's legend: { label: { now, max } }. */
async function legend(page, chart) {
  const out = {};
  for (const li of await page.locator(`#${chart} .legend li`).all()) {
    const now = await li.locator('.now').innerText();
    out[await li.getAttribute('data-line')] = {
      now: now === '–' ? null : Number(now),
      max: Number(await li.locator('.max').innerText()),
    };
  }
  return out;
}

describe('metrics and charts', () => {
  const env = withBrowser();

  it('shows the rate metrics and charts that match the cluster', async () => {
    const { page, problems } = await openPage(env.chrome.context);
    await page.goto(env.server.url);
    await page.locator('#no-cluster').waitFor({ timeout: TIMEOUT });
    // Before any cluster: the charts say there is nothing yet.
    await type(page, 'cluster brokers=3');
    await page.locator('tr.sim-broker').nth(2).waitFor({ timeout: TIMEOUT });
    await page.locator('#charts-empty').waitFor({ timeout: TIMEOUT });
    await type(page, 'topic create t partitions=1 replication-factor=3 assignment=0:1:2');
    await type(page, 'producer p acks=all linger.ms=0');
    await type(page, 'send p t value=v{i} count=40');
    await type(page, 'flush p');
    await type(page, 'tick 1500');
    await expectPass(page, 7, 'hw t-0 == 40');

    // The throughput chart saw the 40 records; the rate metric is the
    // last sampled second's, as the chart's newest point.
    let tp = await legend(page, 'chart-throughput');
    assert.ok(tp.MessagesInPerSec.max > 0 && tp.MessagesInPerSec.max <= 40, JSON.stringify(tp));
    assert.equal(await metric(page, 'MessagesInPerSec'), tp.MessagesInPerSec.now);
    assert.match(await metricRow(page, 'MessagesInPerSec').locator('td.unit').innerText(), /records\/s/);
    assert.equal(await metric(page, 'FailedProduceRequestsPerSec'), 0);
    // HW vs LEO: the chart's newest point is the leader's HW and LEO in the
    // partitions panel.
    assert.equal(await page.locator('#chart-partition').inputValue(), 't-0');
    const hwLeo = await legend(page, 'chart-hw-leo');
    const leaderRow = page.locator('details.partition[data-partition="t-0"] tr.replica[data-broker="0"]');
    assert.equal(hwLeo.HW.now, Number(await leaderRow.locator('td.hw').innerText()));
    assert.equal(hwLeo.LEO.now, Number(await leaderRow.locator('td.leo').innerText()));
    assert.equal(hwLeo.LEO.now, 40);
    assert.ok((await page.locator('#chart-hw-leo path.line').first().getAttribute('d')).startsWith('M'));

    // Quiet seconds: the rates fall to 0, the change column says so.
    await type(page, 'tick 2000');
    await expectPass(page, 9, 'leo t-0@0 == 40');
    assert.equal(await metric(page, 'MessagesInPerSec'), 0);
    assert.equal(await metric(page, 'BytesInPerSec'), 0);
    tp = await legend(page, 'chart-throughput');
    assert.equal(tp.MessagesInPerSec.now, 0);

    // A consumer that fetched but did not poll lags by the whole log.
    await type(page, 'consumer c group=g auto.offset.reset=earliest enable.auto.commit=false');
    await type(page, 'subscribe c t');
    await type(page, 'tick 5000');
    await expectPass(page, 13, 'consumed c == none');
    assert.equal(await metric(page, 'records-lag-max client-id=c'), 40);
    let lag = await legend(page, 'chart-lag');
    assert.equal(lag.c.now, 40);
    // poll() takes the records: lag 0 now, 40 still the window's largest.
    await type(page, 'poll c');
    await type(page, 'tick 1500');
    await expectPass(page, 16, 'hw t-0 == 40');
    lag = await legend(page, 'chart-lag');
    assert.equal(lag.c.now, 0);
    assert.equal(lag.c.max, 40);
    assert.equal(await metric(page, 'records-lag-max client-id=c'), 40);
    tp = await legend(page, 'chart-throughput');
    assert.ok(tp['consumed by poll()'].max > 0, JSON.stringify(tp));
    await page.locator('#chart-lag').scrollIntoViewIfNeeded();
    await screenshot(page, 'views-charts.png');

    // In Chinese the charts' text follows; Kafka's names stay.
    await page.locator('#lang').selectOption('zh');
    await page.locator('#charts-title', { hasText: '图表' }).waitFor({ timeout: TIMEOUT });
    assert.match(await page.locator('#chart-throughput .legend').innerText(), /MessagesInPerSec: 当前/);
    assert.deepEqual(problems, []);
    await page.close();
  });
});
