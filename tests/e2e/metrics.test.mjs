// Kafka's metrics with their last change (issue 7: "with what changed at
// the last event") and the ISR's history with its reasons. A follower whose
// fetches are held past a low replica.lag.time.max.ms leaves the ISR
// (reason `lag`, IsrShrinksPerSec = 1, its change cell a #N button at the
// shrink's event and "▲ +1"); released, it comes back (`caught-up`,
// IsrExpandsPerSec = 1); the #N button rewinds there; the reasons in
// Chinese. Then the unclean election demo: UncleanLeaderElectionsPerSec = 1.
// Screenshots under target/e2e/.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { withBrowser, openPage, screenshot, type, consoleShows, repoRoot, expectPass } from './harness.mjs';

const TIMEOUT = 60_000;

const row = (page, name) => page.locator(`#metrics tr[data-metric="${name}"]`);
const metric = async (page, name) => Number(await row(page, name).locator('td.value').innerText());

/** A metric's change cell: the event its #N button names and the text. */
async function change(page, name) {
  const cell = row(page, name).locator('td.change');
  const button = cell.locator('button.event');
  const n = (await button.count()) ? Number(await button.getAttribute('data-n')) : null;
  if (n !== null) assert.equal(await button.innerText(), `#${n}`);
  return { n, text: await cell.innerText(), button };
}

/** The partition's ISR changes as shown, newest first: { n, text, reason }. */
async function isrChanges(page, partition) {
  const out = [];
  for (const b of await page.locator(`details.partition[data-partition="${partition}"] .isr-changes button.event`).all()) {
    out.push({
      n: Number(await b.getAttribute('data-n')),
      text: await b.innerText(),
      reason: await b.locator('.reason').innerText(),
    });
  }
  return out;
}

describe('metrics with their last change', () => {
  const env = withBrowser();

  it('dates an ISR shrink by lag and its expand, and rewinds to them', async () => {
    const { page, problems } = await openPage(env.chrome.context);
    await page.goto(env.server.url);
    await page.locator('#no-cluster').waitFor({ timeout: TIMEOUT });
    await type(page, 'cluster brokers=2 replica.lag.time.max.ms=2000');
    await page.locator('tr.sim-broker').nth(1).waitFor({ timeout: TIMEOUT });
    await type(page, 'topic create t partitions=1 replication-factor=2 assignment=0:1');
    await type(page, 'producer p acks=1');
    await type(page, 'send p t value=v{i} count=2');
    await type(page, 'flush p');
    await type(page, 'tick 500');
    await type(page, 'hold 1->0 type=Fetch');
    await type(page, 'tick 6000');
    await expectPass(page, 9, 'isr t-0 == 0');

    // The ISR history says why: lag, at the shrink's event.
    let changes = await isrChanges(page, 't-0');
    const shrink = changes[0];
    assert.equal(shrink.reason, 'lag', JSON.stringify(changes));
    assert.match(shrink.text, /ISR \[0\] · lag/);
    assert.ok(changes.some((c) => c.reason === 'new-partition'), JSON.stringify(changes));
    // The meter counts it; its change cell names that event and says +1.
    assert.equal(await metric(page, 'IsrShrinksPerSec'), 1);
    let c = await change(page, 'IsrShrinksPerSec');
    assert.equal(c.n, shrink.n);
    assert.match(c.text, /▲ \+1/);
    assert.equal(await metric(page, 'UnderReplicatedPartitions'), 1);
    assert.equal((await change(page, 'UnderReplicatedPartitions')).n, shrink.n);
    // Never changed: a dash, no button.
    assert.equal(await metric(page, 'UncleanLeaderElectionsPerSec'), 0);
    assert.equal((await change(page, 'UncleanLeaderElectionsPerSec')).n, null);
    await screenshot(page, 'metrics-isr-shrink.png');

    // #N rewinds to the shrink: the past shows the shrink counted.
    const live = Number(await page.locator('#position').innerText());
    await c.button.click();
    await page.locator('#rewound').waitFor({ timeout: TIMEOUT });
    const at = Number(await page.locator('#position').innerText());
    assert.ok(at >= shrink.n && at < live, `rewound to ${at} (shrink ${shrink.n}, live ${live})`);
    assert.equal(await metric(page, 'IsrShrinksPerSec'), 1);
    assert.equal((await change(page, 'IsrShrinksPerSec')).n, shrink.n);
    await page.locator('#live').click();
    await page.locator('#rewound').waitFor({ state: 'detached', timeout: TIMEOUT });
    assert.equal(Number(await page.locator('#position').innerText()), live);

    // Released, the follower catches up and comes back.
    await type(page, 'release 1->0 type=Fetch');
    await type(page, 'tick 3000');
    await expectPass(page, 12, 'isr t-0 == 0,1');
    changes = await isrChanges(page, 't-0');
    const expand = changes[0];
    assert.equal(expand.reason, 'caught-up', JSON.stringify(changes));
    assert.ok(expand.n > shrink.n);
    assert.equal(await metric(page, 'IsrExpandsPerSec'), 1);
    c = await change(page, 'IsrExpandsPerSec');
    assert.equal(c.n, expand.n);
    assert.match(c.text, /▲ \+1/);
    assert.equal(await metric(page, 'UnderReplicatedPartitions'), 0);
    c = await change(page, 'UnderReplicatedPartitions');
    assert.equal(c.n, expand.n);
    assert.match(c.text, /▼ −1/);
    // The shrink's count did not move since.
    assert.equal(await metric(page, 'IsrShrinksPerSec'), 1);
    assert.equal((await change(page, 'IsrShrinksPerSec')).n, shrink.n);

    // In Chinese, every reason is translated.
    await page.locator('#lang').selectOption('zh');
    await page.locator('#metrics-title', { hasText: '指标' }).waitFor({ timeout: TIMEOUT });
    const reasons = (await isrChanges(page, 't-0')).map((x) => x.reason);
    assert.ok(reasons.includes('已追上') && reasons.includes('落后') && reasons.includes('新分区'), reasons.join(' '));
    assert.ok(!reasons.some((r) => /^[a-z-]+$/.test(r)), reasons.join(' '));
    assert.match(await row(page, 'IsrExpandsPerSec').locator('td.change button').getAttribute('aria-label'), /回退到第 \d+ 个事件/);
    await screenshot(page, 'metrics-isr-expand-zh.png');
    assert.deepEqual(problems, []);
  });

  it('counts the unclean election of the demo', async () => {
    const { page, problems } = await openPage(env.chrome.context);
    await page.goto(env.server.url);
    await page.locator('#load-demo').waitFor({ timeout: TIMEOUT });
    await page.locator('#demo').selectOption('05-unclean-election.scn');
    await page.locator('#load-demo').click();
    // Played to its end: its last narration is shown.
    const says = readFileSync(path.join(repoRoot, 'tests', 'scenarios', 'demos', '05-unclean-election.scn'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('say '));
    await consoleShows(page, says.at(-1).slice('say '.length));
    assert.equal(await page.locator('#console-output li.bad').count(), 0, 'no FAIL or ERROR line');
    assert.equal(await metric(page, 'UncleanLeaderElectionsPerSec'), 1);
    const c = await change(page, 'UncleanLeaderElectionsPerSec');
    assert.ok(c.n > 0);
    assert.match(c.text, /▲ \+1/);
    // The election is in the partition's ISR history at that event.
    const loose = await isrChanges(page, 'loose-0');
    assert.ok(loose.some((x) => x.reason === 'unclean-election' && x.n === c.n - 1), JSON.stringify(loose));
    assert.ok((await metric(page, 'LeaderElectionRateAndTimeMs')) >= 1);
    await screenshot(page, 'metrics-unclean-election.png');
    assert.deepEqual(problems, []);
  });
});
