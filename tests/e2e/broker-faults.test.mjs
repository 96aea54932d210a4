// Issue 7's broker faults from the Cluster panel's buttons: power off,
// restart, controlled shutdown of the leader, isolate and heal, crash of
// the controller. Each button writes its scenario line (echoed in the
// console); the page then shows the state the cluster is in, checked
// against `expect` lines the engine evaluates. Heal is offered whenever a
// rule is in force, a delay or drop alone included.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { withBrowser, openPage, screenshot, type, consoleShows } from './harness.mjs';

const TIMEOUT = 60_000;

describe('broker faults', () => {
  const env = withBrowser();

  it('powers off, restarts, shuts down, isolates, heals and crashes the controller from the buttons', async () => {
    const { page, problems } = await openPage(env.chrome.context);
    await page.goto(env.server.url);
    await page.locator('#no-cluster').waitFor({ timeout: TIMEOUT });

    const row = (b) => page.locator(`tr.sim-broker[data-broker="${b}"]`);
    const fault = (b, cmd) => row(b).locator(`button[data-fault="${cmd}"]`);
    const stateIs = (b, s) =>
      page.waitForFunction(
        ([b, s]) => document.querySelector(`tr.sim-broker[data-broker="${b}"]`)?.dataset.state === s,
        [b, s],
        { timeout: TIMEOUT },
      );
    const part = page.locator('details.partition[data-partition="t-0"]');
    const leader = async () => (await part.locator('summary .leader').innerText()).trim();
    const isr = async () => (await part.locator('summary .isr').innerText()).trim();
    // `expect PRED` passes in the engine (a fresh PASS line for it appears).
    const passCount = (pred) =>
      page.evaluate(
        (pred) =>
          [...document.querySelectorAll('#console-output li')].filter(
            (li) => li.textContent.startsWith('PASS line') && li.textContent.endsWith(`: ${pred}`),
          ).length,
        pred,
      );
    const passes = async (pred) => {
      const seen = await passCount(pred);
      await type(page, `expect ${pred}`);
      const deadline = Date.now() + TIMEOUT;
      while ((await passCount(pred)) <= seen) {
        assert.ok(Date.now() < deadline, `no PASS for ${pred}`);
        await page.waitForTimeout(100);
      }
    };
    const clickFault = async (b, cmd) => {
      await fault(b, cmd).click();
      await consoleShows(page, new RegExp(`^› ${cmd.replace(/[|]/g, '\\|')}$`));
    };

    await type(page, 'cluster brokers=3');
    await row(2).waitFor({ timeout: TIMEOUT });
    await type(page, 'topic create t partitions=1 replication-factor=3 assignment=0:1:2');
    await type(page, 'tick 1000');
    await passes('isr t-0 == 0,1,2');
    assert.equal(await leader(), 'broker 0');

    // Power off a follower: powered off, out of the ISR; only Restart left.
    await clickFault(1, 'power-off 1');
    await stateIs('1', 'powered off');
    assert.equal(await row(1).locator('td.state').innerText(), 'powered off');
    assert.match(await row(1).getAttribute('class'), /\bpowered-off\b/);
    assert.deepEqual(await row(1).locator('button.fault').allInnerTexts(), ['Restart']);
    await type(page, 'run until isr t-0 == 0,2 timeout=60000');
    await passes('isr t-0 == 0,2');
    assert.equal(await isr(), '[0,2]');

    // Restart: up again and back in the ISR.
    await clickFault(1, 'restart 1');
    await stateIs('1', 'up');
    assert.equal(await row(1).locator('td.state').innerText(), 'up');
    await type(page, 'run until isr t-0 == 0,1,2 timeout=60000');
    await passes('isr t-0 == 0,1,2');
    assert.equal(await isr(), '[0,1,2]');

    // Controlled shutdown of the leader: leadership moves first (the ISR
    // history says why), then the broker stops; the partition stays online.
    await clickFault(0, 'shutdown 0');
    await stateIs('0', 'stopped');
    assert.equal(await row(0).locator('td.state').innerText(), 'stopped');
    await type(page, 'tick 500');
    await passes('leader t-0 != 0');
    await passes('leader t-0 != none');
    const moved = await leader();
    assert.match(moved, /^broker [12]$/);
    await passes(`leader t-0 == ${moved.slice('broker '.length)}`);
    assert.match(await part.locator('.isr-changes').innerText(), /controlled-shutdown/);
    assert.equal(
      Number(await page.locator('#metrics tr[data-metric="OfflinePartitionsCount"] td.value').innerText()),
      0,
    );
    await screenshot(page, 'broker-faults-shutdown.png');
    await clickFault(0, 'restart 0');
    await stateIs('0', 'up');
    await type(page, 'run until isr t-0 == 0,1,2 timeout=60000');
    await passes('isr t-0 == 0,1,2');

    // Isolate broker 2: cut off from the other brokers and ZooKeeper; Heal
    // appears, and takes the cut away.
    assert.equal(await page.locator('#heal').count(), 0);
    await clickFault(2, 'partition 2 | 0,1,zk');
    const cutCell = row(2).locator('td').nth(3);
    await page.locator('#heal').waitFor({ timeout: TIMEOUT });
    assert.equal(await cutCell.innerText(), '0, 1, zk');
    assert.equal(await row(0).locator('td').nth(3).innerText(), '2');
    // No second Isolate on a broker already cut off.
    assert.equal(await row(2).locator('button[data-fault^="partition"]').count(), 0);
    await screenshot(page, 'broker-faults-isolated.png');
    await page.locator('#heal').click();
    await consoleShows(page, /^› heal$/);
    await page.locator('#heal').waitFor({ state: 'detached', timeout: TIMEOUT });
    assert.equal(await cutCell.innerText(), '—');

    // A delay alone, then a drop alone, is something `heal` undoes too.
    await type(page, 'delay 0->1 ms=50');
    await page.locator('#heal').waitFor({ timeout: TIMEOUT });
    await page.locator('#heal').click();
    await page.locator('#heal').waitFor({ state: 'detached', timeout: TIMEOUT });
    await type(page, 'drop 1->0 type=Fetch');
    await page.locator('#heal').waitFor({ timeout: TIMEOUT });
    await page.locator('#heal').click();
    await page.locator('#heal').waitFor({ state: 'detached', timeout: TIMEOUT });
    await type(page, 'run until isr t-0 == 0,1,2 timeout=60000');
    await passes('isr t-0 == 0,1,2');

    // Crash the controller: another broker takes over, in `#controller`
    // and the badge alike.
    const controller = async () => {
      const m = (await page.locator('#controller').innerText()).match(/^Controller: broker (\d+)$/);
      return m && m[1];
    };
    const c = await controller();
    assert.ok(c !== null, await page.locator('#controller').innerText());
    await passes(`controller == ${c}`);
    assert.equal(await row(c).locator('.badge').innerText(), 'controller');
    assert.equal(await page.locator('tr.sim-broker .badge').count(), 1);
    await clickFault(c, `crash ${c}`);
    await stateIs(c, 'crashed');
    await type(page, `run until controller != ${c} timeout=60000`);
    await type(page, 'run until controller != none timeout=60000');
    await page.waitForFunction(
      (c) => /^Controller: broker (\d+)$/.test(document.querySelector('#controller').textContent)
        && !document.querySelector('#controller').textContent.endsWith(` ${c}`),
      c,
      { timeout: TIMEOUT },
    );
    const next = await controller();
    assert.notEqual(next, c);
    await passes(`controller == ${next}`);
    // The badge follows once the new controller's failover has run (the
    // `/controller` znode is written first).
    await type(page, 'tick 1000');
    await row(next).locator('.badge', { hasText: 'controller' }).waitFor({ timeout: TIMEOUT });
    assert.equal(await row(c).locator('.badge').count(), 0);
    await screenshot(page, 'broker-faults-controller.png');

    assert.deepEqual(problems, []);
    await page.close();
  });
});
