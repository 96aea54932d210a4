// The views of issue 7 beyond the first panels: Kafka's rate metrics
// (MessagesInPerSec, BytesInPerSec, FailedProduceRequestsPerSec,
// records-lag-max) and the charts (throughput, HW vs LEO, consumer lag),
// each checked against what the cluster shows elsewhere on the page (the
// partition's HW and LEO) and against the scenario's own numbers.
// Screenshots under target/e2e/.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { withBrowser, openPage, screenshot, type, consoleShows, expectPass } from './harness.mjs';

const TIMEOUT = 60_000;

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

  it('shows a replica\'s segments, a segment\'s batches and its index entries', async () => {
    const { page, problems } = await openPage(env.chrome.context);
    await page.goto(env.server.url);
    await page.locator('#no-cluster').waitFor({ timeout: TIMEOUT });
    await type(page, 'cluster brokers=2');
    await page.locator('tr.sim-broker').nth(1).waitFor({ timeout: TIMEOUT });
    // Small segments and one record per batch, as demo 14 does.
    await type(page, 'topic create s partitions=1 replication-factor=2 assignment=0:1 segment.bytes=400 index.interval.bytes=100');
    await type(page, 'producer p acks=all batch.size=1');
    await type(page, 'send p s value=record-{i} count=20');
    await type(page, 'flush p');
    await expectPass(page, 6, 'batches s-0@0 == 20');
    await page.locator('#segments-partition').selectOption('s-0');
    await page.locator('#segments-broker').selectOption('0');
    await page.locator('#segments-show').click();
    const list = page.locator('#segments-view[data-broker="0"] #segment-list');
    await list.waitFor({ timeout: TIMEOUT });
    const bases = await list.locator('tr.segment').evaluateAll((rows) => rows.map((r) => r.dataset.base));
    assert.ok(bases.length >= 2, `the log rolled: ${bases}`);
    // The engine's own predicate agrees with the list.
    await expectPass(page, 7, `segments s-0@0 == ${bases.join(',')}`);
    assert.match(await list.locator('tr.segment').first().innerText(), /00000000000000000000\.log/);
    const perSegment = (await list.locator('tr.segment td:nth-child(4)').allInnerTexts()).map(Number);
    assert.equal(perSegment.reduce((a, b) => a + b, 0), 20);

    // Open the second segment: its batches start at its base offset, one
    // record each, in order, CRCs valid.
    await list.locator(`tr.segment[data-base="${bases[1]}"] button`).click();
    const detail = page.locator(`#segment-detail[data-base="${bases[1]}"]`);
    await detail.waitFor({ timeout: TIMEOUT });
    const batches = detail.locator('#segment-batches tr.batch');
    assert.equal(await batches.count(), perSegment[1]);
    const first = await batches.first().locator('td.base').innerText();
    assert.equal(first, bases[1]);
    for (const row of await batches.all()) {
      assert.equal(await row.locator('td.count').innerText(), '1');
      assert.equal(await row.locator('td.crc').innerText(), 'valid');
      assert.equal(await row.locator('td.codec').innerText(), 'none');
    }
    // index.interval.bytes=100: a sparse index, entries within the segment.
    const index = (await detail.locator('#segment-index tbody td:first-child').allInnerTexts()).map(Number);
    assert.ok(index.length >= 1 && index.length < perSegment[1], `sparse: ${index}`);
    assert.ok(index.every((o) => o >= Number(bases[1]) && o < Number(bases[2] ?? Infinity)), `${index}`);
    await detail.scrollIntoViewIfNeeded();
    await screenshot(page, 'views-segments.png');

    // The follower, crashed: read from what its disk would recover.
    await type(page, 'crash 1');
    await page.locator('#segments-broker').selectOption('1');
    await page.locator('#segments-show').click();
    await page.locator('#segments-view[data-broker="1"] .badge.down').waitFor({ timeout: TIMEOUT });
    const down = await page.locator('#segments-view[data-broker="1"] tr.segment').evaluateAll((rows) => rows.map((r) => r.dataset.base));
    assert.deepEqual(down, bases);
    await page.locator('#segments-close').click();
    await page.locator('#segments-view').waitFor({ state: 'detached', timeout: TIMEOUT });
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('shows messages per link by Kafka API, held, dropped and cut', async () => {
    const { page, problems } = await openPage(env.chrome.context);
    await page.goto(env.server.url);
    await page.locator('#no-cluster').waitFor({ timeout: TIMEOUT });
    await type(page, 'cluster brokers=2');
    await page.locator('tr.sim-broker').nth(1).waitFor({ timeout: TIMEOUT });
    await type(page, 'topic create t partitions=1 replication-factor=2 assignment=0:1');
    await type(page, 'hold 1->0 type=Fetch');
    await type(page, 'tick 2000');
    await expectPass(page, 5, 'leader t-0 == 0');
    const link = (from, to) => page.locator(`#links tr.link[data-from="${from}"][data-to="${to}"]`);
    const count = async (row, col, api) => {
      const cell = row.locator(`td.${col} li[data-api="${api}"] .n`);
      return (await cell.count()) ? Number(await cell.innerText()) : 0;
    };
    // The follower's Fetch requests are parked on 1 -> 0, as the cluster
    // panel's total says.
    const held = await count(link(1, 0), 'held', 'Fetch');
    assert.ok(held >= 1, `held ${held}`);
    assert.match(await page.locator('.cluster, section').filter({ hasText: 'Held' }).first().innerText(), /Fetch/);
    // Released, then one Fetch dropped by a rule.
    await type(page, 'release 1->0 type=Fetch');
    await type(page, 'drop 1->0 type=Fetch count=1');
    await type(page, 'tick 3000');
    await expectPass(page, 9, 'hw t-0@1 == 0');
    assert.equal(await count(link(1, 0), 'held', 'Fetch'), 0);
    assert.equal(await count(link(1, 0), 'dropped', 'Fetch'), 1);
    // A network partition: the link says it is cut, in words.
    await type(page, 'partition 0 | 1,zk');
    await link(0, 1).locator('.badge.down').waitFor({ timeout: TIMEOUT });
    assert.match(await link(0, 1).innerText(), /cut/);
    await page.locator('#links').scrollIntoViewIfNeeded();
    await screenshot(page, 'views-links.png');
    assert.deepEqual(problems, []);
    await page.close();
  });
});
