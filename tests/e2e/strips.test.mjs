// The partition view's replica strips (issue 7): each cell coloured by the
// leader epoch it was appended in, with an epoch marker in text where the
// epoch changes, and tagged with its producer (P1, P2, named in a legend).
// Two producers write, the leader crashes, both write again to the new
// leader: the cells' epochs and tags must match the cluster (console
// `expect`s and the record inspector). A transactional producer's markers
// show as COMMIT / ABORT cells without a producer. In 简体中文 too.
// Screenshot under target/e2e/.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { withBrowser, openPage, screenshot, type, consoleShows, outDir } from './harness.mjs';

const TIMEOUT = 60_000;

const row = (page, part, b) => page.locator(`details.partition[data-partition="${part}"] tr.replica[data-broker="${b}"]`);
const data = (loc, key) => loc.evaluateAll((els, k) => els.map((e) => e.dataset[k] ?? null), key);

describe('replica strips', () => {
  const env = withBrowser();

  it('colour records by leader epoch and tag them by producer', async () => {
    const { page, problems } = await openPage(env.chrome.context);
    await page.goto(env.server.url);
    await page.locator('#no-cluster').waitFor({ timeout: TIMEOUT });
    const lines = [
      'cluster brokers=3',
      'topic create t partitions=1 replication-factor=3 assignment=0:1:2',
      'producer alice acks=all',
      'producer bob acks=all',
      'send alice t value=a{i} count=2',
      'flush alice',
      'send bob t value=b0',
      'flush bob',
      'tick 500',
      'crash 0',
      'run until epoch t-0 == 1 timeout=60000',
      'send bob t value=c0',
      'flush bob',
      'send alice t value=d0',
      'flush alice',
      'tick 1000',
    ];
    for (const line of lines) await type(page, line);
    let n = lines.length;
    // The cluster's own answer: epoch 1, both live replicas hold all five.
    for (const check of ['epoch t-0 == 1', 'log t-0@1 == a0,a1,b0,c0,d0', 'log t-0@2 == a0,a1,b0,c0,d0', 'leo t-0@0 == 3']) {
      await type(page, `expect ${check}`);
      n += 1;
      await consoleShows(page, `PASS line ${n}: ${check}`);
    }
    const leader = (await page.locator('details.partition[data-partition="t-0"] summary .leader').innerText()).trim();
    assert.match(leader, /^broker [12]$/);
    const leaderId = leader.slice(-1);

    for (const b of ['1', '2']) {
      const r = row(page, 't-0', b);
      const cells = r.locator('.strip .cell');
      assert.deepEqual(await data(cells, 'offset'), ['0', '1', '2', '3', '4'], `broker ${b}`);
      // a0, a1, b0 in epoch 0; c0, d0 appended by the new leader in epoch 1.
      assert.deepEqual(await data(cells, 'epoch'), ['0', '0', '0', '1', '1'], `broker ${b}`);
      assert.deepEqual(await cells.evaluateAll((els) => els.map((e) => e.classList.contains(`epoch-band-${e.dataset.epoch}`))), [true, true, true, true, true]);
      // An epoch marker in text before the first cell of each epoch.
      const marks = r.locator('.strip .mark.epoch');
      assert.deepEqual(await data(marks, 'epoch'), ['0', '1']);
      assert.deepEqual(await data(marks, 'first'), ['0', '3']);
      assert.match(await marks.nth(1).innerText(), /^epoch 1/);
      assert.match(await r.locator('.strip').innerText(), /epoch 0[^]*0\s*P1[^]*1\s*P1[^]*2\s*P2[^]*epoch 1[^]*3\s*P2[^]*4\s*P1/);
      // Producers: alice was created first (P1), bob second (P2).
      assert.deepEqual(await data(cells, 'producer'), ['alice', 'alice', 'bob', 'bob', 'alice']);
      assert.deepEqual(await r.locator('.strip .cell .tag').allInnerTexts(), ['P1', 'P1', 'P2', 'P2', 'P1']);
      assert.match(await cells.nth(3).getAttribute('aria-label'), new RegExp(`^Inspect offset 3 on broker ${b}: c0 \\(leader epoch 1, producer bob\\)$`));
      assert.match(await cells.nth(0).getAttribute('title'), /^offset 0: a0 · leader epoch 0 · producer alice$/);
    }
    // The crashed old leader, read from its disk: only epoch 0.
    const old = row(page, 't-0', '0');
    assert.deepEqual(await data(old.locator('.strip .cell'), 'epoch'), ['0', '0', '0']);
    assert.deepEqual(await data(old.locator('.strip .mark.epoch'), 'epoch'), ['0']);
    // The legend names the tags and the epochs.
    const legend = page.locator('details.partition[data-partition="t-0"] .strip-legend');
    assert.deepEqual(await legend.locator('.legend-producers li').allInnerTexts(), ['P1 alice', 'P2 bob']);
    assert.deepEqual(await data(legend.locator('.legend-epochs li'), 'epoch'), ['0', '1']);
    assert.equal(await legend.locator('.legend-markers').count(), 0);

    // The record inspector agrees: offset 3 on the leader was appended in
    // leader epoch 1 and sent by bob.
    await row(page, 't-0', leaderId).locator('.strip button.cell[data-offset="3"]').click();
    const name = page.locator('#inspector .record-name');
    await name.waitFor({ timeout: TIMEOUT });
    assert.match(await name.innerText(), /t-0 · offset 3 · appended in leader epoch 1 · send bob:\d/);
    await screenshot(page, 'strips-epochs-producers.png');
    // The partition alone, legible for review.
    await page.locator('details.partition[data-partition="t-0"]').screenshot({ path: path.join(outDir, 'strips-t-0.png') });

    // Transaction markers: offsets without a producer, tagged by type
    // (broker 0 back first: the transaction log wants 3 replicas).
    for (const line of [
      'restart 0',
      'run until isr t-0 == 0,1,2 timeout=60000',
      'topic create u partitions=1 replication-factor=1 assignment=2',
      'producer tx transactional.id=tx1',
      'begin-txn tx',
      'send tx u value=gone{i} count=2',
      'flush tx',
      'abort-txn tx',
      'begin-txn tx',
      'send tx u value=kept0',
      'commit-txn tx',
      'run until leo u-0@2 == 5 timeout=10000',
    ]) {
      await type(page, line);
      n += 1;
    }
    await type(page, 'expect log u-0@2 == gone0,gone1,kept0');
    n += 1;
    await consoleShows(page, `PASS line ${n}: log u-0@2 == gone0,gone1,kept0`);
    const u = row(page, 'u-0', '2');
    await u.locator('.strip .cell[data-offset="4"]').waitFor({ timeout: TIMEOUT });
    const ucells = u.locator('.strip .cell');
    assert.deepEqual(await data(ucells, 'offset'), ['0', '1', '2', '3', '4']);
    assert.deepEqual(await data(ucells, 'control'), [null, null, 'ABORT', null, 'COMMIT']);
    assert.deepEqual(await u.locator('.strip .cell .tag').allInnerTexts(), ['P3', 'P3', 'ABORT', 'P3', 'COMMIT']);
    // Markers are no buttons (nothing to inspect) and say what they are.
    assert.equal(await u.locator('.strip button.cell').count(), 3);
    assert.match(await ucells.nth(2).getAttribute('title'), /^offset 2: transaction marker ABORT · leader epoch 0 · no producer$/);
    const ulegend = page.locator('details.partition[data-partition="u-0"] .strip-legend');
    assert.deepEqual(await ulegend.locator('.legend-producers li').allInnerTexts(), ['P3 tx']);
    assert.match(await ulegend.locator('.legend-markers').innerText(), /COMMIT \/ ABORT transaction marker/);

    // 简体中文: the same marks, the legend and labels translated.
    await page.locator('#lang').selectOption('zh');
    await page.locator('html[lang="zh-CN"]').waitFor({ timeout: TIMEOUT });
    const r1 = row(page, 't-0', '1');
    assert.match(await r1.locator('.strip .cell').nth(3).getAttribute('title'), /^偏移量 3：c0 · leader epoch 1 · 生产者 bob$/);
    assert.match(await legend.innerText(), /生产者：\s*P1 alice\s*P2 bob\s*Leader epoch：\s*epoch 0\s*epoch 1/);
    assert.match(await ucells.nth(4).getAttribute('title'), /^偏移量 4：事务标记 COMMIT · leader epoch 0 · 无生产者$/);
    await screenshot(page, 'strips-zh.png');
    await page.locator('details.partition[data-partition="u-0"]').screenshot({ path: path.join(outDir, 'strips-u-0-zh.png') });
    assert.deepEqual(problems, []);
  });
});
