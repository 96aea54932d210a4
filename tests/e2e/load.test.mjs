// Under load (the frame benchmark's cluster, smaller): 3 brokers, a topic
// of 50 partitions with RF=3, an acks=all producer, played at 1x. The page
// draws sampled updates, never every record; this checks it hides nothing:
// every partition's line shows its leader, epoch, ISR and the leader's LEO
// and HW; once the run stops, what the page shows is the engine's final
// state (the same lines' `expect`s pass); a folded partition opens with its
// replicas' strips, whose newest cell is the replica's LEO - 1.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { withBrowser, openPage, screenshot, type, consoleShows } from './harness.mjs';

const TIMEOUT = 120_000;
const PARTITIONS = 50;

/** The event number shown, once it stops moving (the engine is idle). */
async function settled(page) {
  let last = -1;
  for (;;) {
    const now = Number(await page.locator('#position').innerText());
    if (now === last) return now;
    last = now;
    await page.waitForTimeout(700);
  }
}

/** What a partition's line shows. */
async function line(page, name) {
  const s = page.locator(`details.partition[data-partition="${name}"] > summary`);
  return {
    leader: (await s.locator('.leader').innerText()).trim(),
    epoch: Number(await s.locator('.epoch').innerText()),
    isr: (await s.locator('.isr').innerText()).trim(),
    leo: Number(await s.locator('.leader-leo').innerText()),
    hw: Number(await s.locator('.leader-hw').innerText()),
  };
}

describe('under load', () => {
  const env = withBrowser();

  it('shows every partition and, after the run stops, the engine\'s final state', async () => {
    const { page, problems } = await openPage(env.chrome.context);
    await page.goto(env.server.url);
    await page.locator('#no-cluster').waitFor({ timeout: TIMEOUT });
    for (const l of [
      'cluster brokers=3',
      `topic create load partitions=${PARTITIONS} replication-factor=3`,
      'producer p acks=all linger.ms=5',
    ]) await type(page, l);
    await page.locator(`details.partition[data-partition="load-${PARTITIONS - 1}"]`).waitFor({ timeout: TIMEOUT });
    await type(page, 'send p load value=v{i} count=5000');
    await page.locator('#speed').selectOption('1');
    const start = await settled(page);
    await page.locator('#play').click();
    await page.waitForFunction(
      (p) => Number(document.querySelector('#position')?.textContent ?? 0) > p + 500,
      start,
      { timeout: TIMEOUT },
    );
    await page.locator('#play').click();
    const end = await settled(page);
    assert.ok(end > start + 500, `${start} -> ${end}`);

    // Every partition has its line, folded or not.
    assert.equal(await page.locator('details.partition').count(), PARTITIONS);
    assert.equal(await page.locator('details.partition > summary .leader-leo').count(), PARTITIONS);
    // Only the first few are open: the rest render no replica rows.
    assert.equal(await page.locator('details.partition[open]').count(), 6);
    assert.equal(await page.locator('details.partition:not([open]) tr.replica').count(), 0);

    // The values shown are the engine's: the same `expect`s pass now.
    const escape = (t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    let total = 0;
    let withRecords = null;
    for (let p = 0; p < PARTITIONS; p++) {
      const s = await line(page, `load-${p}`);
      if (withRecords == null && p >= 6 && s.leo > 0) withRecords = `load-${p}`;
      assert.match(s.leader, /^broker \d$/);
      assert.ok(s.hw <= s.leo, JSON.stringify(s));
      total += s.hw;
      if (p % 7 !== 3) continue;
      const b = s.leader.split(' ')[1];
      for (const pred of [`leader load-${p} == ${b}`, `leo load-${p}@${b} == ${s.leo}`, `hw load-${p} == ${s.hw}`]) {
        await type(page, `expect ${pred}`);
        // Played ticks are script lines too: any line number.
        await consoleShows(page, new RegExp(`PASS line \\d+: ${escape(pred)}\\s*$`));
      }
    }
    assert.ok(total > 0, 'records were committed while playing');
    assert.equal(await page.locator('#console-output li', { hasText: /FAIL/ }).count(), 0);
    // The producer's line counts every send, not only the fates listed.
    const producer = await page.locator('.producer[data-producer="p"] h3').innerText();
    assert.match(producer, /sends 5000/);

    // A folded partition opens with its strips: the newest cell is LEO - 1.
    assert.ok(withRecords, 'a folded partition holds records');
    const folded = page.locator(`details.partition[data-partition="${withRecords}"]`);
    assert.equal(await folded.getAttribute('open'), null);
    await folded.locator('summary').click();
    const rows = folded.locator('tr.replica');
    await rows.first().waitFor({ timeout: TIMEOUT });
    assert.equal(await rows.count(), 3);
    for (const row of await rows.all()) {
      const leo = Number(await row.getAttribute('data-leo'));
      const cells = row.locator('.strip .cell');
      const count = await cells.count();
      assert.ok(count > 0 && count <= 24, `${count} cells`);
      assert.equal(Number(await cells.last().getAttribute('data-offset')), leo - 1);
    }
    // Folding it again removes its rows; the choice survives updates.
    await folded.locator('summary').click();
    await page.waitForFunction((n) => !document.querySelector(`details.partition[data-partition="${n}"] tr.replica`), withRecords);
    await type(page, 'tick 200');
    await page.waitForTimeout(500);
    assert.equal(await folded.getAttribute('open'), null);
    await screenshot(page, 'load.png');
    assert.deepEqual(problems, []);
  });
});
