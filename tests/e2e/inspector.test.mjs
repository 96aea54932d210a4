// The record inspector (issue 7): an acks=1 record acknowledged by a
// leader that dies before its follower copied it. Opened from the
// producer's "lost" record, the story names the append, the ack, the
// election of a leader without it and (after the old leader returns) its
// truncation; opened from a strip cell, a later record's story shows its
// HW crossing. Every event number rewinds. Screenshot under target/e2e/.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { withBrowser, openPage, screenshot, type, consoleShows } from './harness.mjs';

const TIMEOUT = 60_000;

const steps = (page) => page.locator('#record-story li');
const stepOf = (page, kind) => page.locator(`#record-story li[data-step="${kind}"]`).first();
const holder = (page, b) => page.locator(`#record-holders li[data-broker="${b}"]`);

describe('record inspector', () => {
  const env = withBrowser();

  it('tells why an acknowledged record was lost, and how a kept one was committed', async () => {
    const { page, problems } = await openPage(env.chrome.context);
    await page.goto(env.server.url);
    await page.locator('#no-cluster').waitFor({ timeout: TIMEOUT });
    for (const line of [
      'cluster brokers=2',
      'topic create t partitions=1 replication-factor=2 assignment=0:1',
      'producer p acks=1',
      // Broker 0's answers to its follower are lost: nothing is copied.
      'drop 0->1 type=Fetch',
      'send p t value=v{i} count=2',
      'tick 1000',
      'crash 0',
      'run until leader t-0 == 1 timeout=60000',
      'tick 100',
    ]) {
      await type(page, line);
    }
    await type(page, 'expect lost == 2');
    await consoleShows(page, 'PASS line 10: lost == 2');

    // The producer panel's lost record opens the inspector.
    const lost = page.locator('.producer[data-producer="p"] tr.lost button.inspect-record').first();
    await lost.waitFor({ timeout: TIMEOUT });
    await lost.click();
    const verdict = page.locator('#record-verdict');
    await verdict.waitFor({ timeout: TIMEOUT });
    assert.match(await verdict.innerText(), /^Lost: broker 1 became leader \(leader epoch 1\) without it: it had never been copied beyond \[0\]\./);
    assert.match(await page.locator('#inspector .record-name').innerText(), /t-0 · offset \d · appended in leader epoch 0 · send p:\d/);
    // Holders now: the crashed leader's disk still has it, broker 1 not.
    assert.equal(await holder(page, 0).getAttribute('data-holds'), 'this');
    assert.match(await holder(page, 0).innerText(), /broker down/);
    assert.equal(await holder(page, 1).getAttribute('data-holds'), 'nothing');
    // The story: sent, appended on broker 0 (carried by a Produce p → 0),
    // acked, broker 0 down, new leader without it; the HW never passed it.
    const kinds = await steps(page).evaluateAll((lis) => lis.map((li) => li.dataset.step));
    assert.deepEqual(kinds.slice(0, 5), ['sent', 'appended', 'acked', 'down', 'leader'], kinds.join(','));
    assert.ok(!kinds.includes('hw'), kinds.join(','));
    assert.match(await stepOf(page, 'appended').innerText(), /appended to the leader's log on broker 0 in leader epoch 0; carried by Produce p → 0 · sent #\d+ · delivered #\d+/);
    assert.match(await stepOf(page, 'leader').innerText(), /new leader: broker 1 \(leader epoch 1, leader-election\) · it does not hold this record/);
    await screenshot(page, 'inspector-lost.png');

    // The old leader comes back as a follower and truncates it: the open
    // inspector follows the run.
    await type(page, 'heal');
    await type(page, 'restart 0');
    await type(page, 'run until isr t-0 == 0,1 timeout=60000');
    await stepOf(page, 'truncated').waitFor({ timeout: TIMEOUT });
    assert.match(await stepOf(page, 'truncated').innerText(), /broker 0 truncated its log to offset 0 \(leader-epoch rule\)/);
    await page.waitForFunction(() => document.querySelector('#record-holders li[data-broker="0"]')?.dataset.holds === 'nothing', null, { timeout: TIMEOUT });

    // Each event number rewinds, as the event log does.
    const appendedAt = Number(await stepOf(page, 'appended').locator('button.event').first().getAttribute('data-n'));
    await stepOf(page, 'appended').locator('button.event').first().click();
    await page.locator('#rewound').waitFor({ timeout: TIMEOUT });
    // The replay stops at the end of the step that event belongs to.
    const [, at, of] = (await page.locator('#rewound').innerText()).match(/event (\d+) of (\d+)/).map(Number);
    assert.ok(at >= appendedAt && at < appendedAt + 10 && at < of, `rewound to ${at} of ${of} for #${appendedAt}`);
    // In the past it is on the leader, not committed yet.
    await page.waitForFunction(() => /^Not committed yet/.test(document.querySelector('#record-verdict')?.innerText ?? ''), null, { timeout: TIMEOUT });
    await page.locator('#live').click();
    await page.locator('#rewound').waitFor({ state: 'detached', timeout: TIMEOUT });

    // A kept record, from its strip cell (a keyboard-operable button).
    await type(page, 'send p t value=w0');
    await type(page, 'flush p');
    await type(page, 'tick 1000');
    await type(page, 'expect hw t-0 == 1');
    await consoleShows(page, 'PASS line 17: hw t-0 == 1');
    const cell = page.locator('.partition[data-partition="t-0"] tr.replica[data-broker="1"] .strip button.cell[data-offset="0"]');
    assert.match(await cell.getAttribute('aria-label'), /Inspect offset 0 on broker 1: w0/);
    await cell.focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /^Committed/.test(document.querySelector('#record-verdict')?.innerText ?? ''), null, { timeout: TIMEOUT });
    assert.match(await page.locator('#inspector .record-name').innerText(), /t-0 · offset 0 · appended in leader epoch 1 · send p:3 · value w0/);
    assert.equal(await holder(page, 0).getAttribute('data-holds'), 'this');
    assert.equal(await holder(page, 1).getAttribute('data-holds'), 'this');
    assert.match(await stepOf(page, 'replicated').innerText(), /broker 0 copied it from leader 1; carried by Fetch 1 → 0/);
    assert.match(await stepOf(page, 'hw').innerText(), /the HW of leader 1 passed it \(HW 1\): committed/);
    await screenshot(page, 'inspector-committed.png');

    // In Chinese too; then closed.
    await page.locator('#lang').selectOption('zh');
    await page.waitForFunction(() => /^已提交/.test(document.querySelector('#record-verdict')?.innerText ?? ''), null, { timeout: TIMEOUT });
    await page.locator('#inspector-close').click();
    await page.locator('#inspector').waitFor({ state: 'detached', timeout: TIMEOUT });
    assert.deepEqual(problems, []);
  });
});
