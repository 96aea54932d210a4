// Issue 7's faults on links and the timeline: the links view's controls
// write `hold`/`release`/`delay` lines (echoed in the console) and the view
// shows the held messages; the "Fault on any link" form does the same for
// quiet client and ZooKeeper links, cuts and heals; the Time panel's range
// input replays to an earlier event, says where the replay landed, and its
// right end returns to live.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { withBrowser, openPage, screenshot, type, consoleShows } from './harness.mjs';

const TIMEOUT = 60_000;

describe('faults on links and the timeline', () => {
  const env = withBrowser();

  it('holds, releases and delays a follower link from the links view; scrubs back and to live', async () => {
    const { page, problems } = await openPage(env.chrome.context);
    await page.goto(env.server.url);
    await page.locator('#no-cluster').waitFor({ timeout: TIMEOUT });
    await type(page, 'cluster brokers=3');
    await page.locator('tr.sim-broker').nth(2).waitFor({ timeout: TIMEOUT });
    await type(page, 'topic create t partitions=1 replication-factor=3 assignment=0:1:2');
    await type(page, 'tick 1000');
    await type(page, 'expect leader t-0 == 0');
    await consoleShows(page, 'PASS line 4: leader t-0 == 0');

    // The follower 1 fetches from the leader 0 on 1 -> 0.
    const link = page.locator('#links tr.link[data-from="1"][data-to="0"]');
    const heldFetch = async () => {
      const cell = link.locator('td.held li[data-api="Fetch"] .n');
      return (await cell.count()) ? Number(await cell.innerText()) : 0;
    };
    await link.locator('details.link-controls summary').click();
    await link.locator('select.link-api').selectOption('Fetch');
    await link.locator('button.link-hold').click();
    await consoleShows(page, 'hold 1->0 type=Fetch');
    await type(page, 'tick 2000');
    await consoleShows(page, 'tick 2000');
    await link.locator('td.held li[data-api="Fetch"]').waitFor({ timeout: TIMEOUT });
    assert.ok((await heldFetch()) >= 1, `held ${await heldFetch()}`);
    assert.match(await link.getAttribute('class'), /\bheld\b/);
    await page.locator('#links').scrollIntoViewIfNeeded();
    await screenshot(page, 'faults-held.png');

    // The form stayed open with its choice: Release writes the same type.
    await link.locator('button.link-release').click();
    await consoleShows(page, 'release 1->0 type=Fetch');
    await type(page, 'tick 1000');
    await type(page, 'expect isr t-0 == 0,1,2');
    await consoleShows(page, 'PASS line 9: isr t-0 == 0,1,2');
    assert.equal(await heldFetch(), 0);

    // Slow the follower: delay the leader's link to it.
    const toFollower = page.locator('#links tr.link[data-from="0"][data-to="1"]');
    await toFollower.locator('details.link-controls summary').click();
    await toFollower.locator('input.link-ms').fill('75');
    await toFollower.locator('input.link-ms').press('Tab');
    await toFollower.locator('button.link-delay').click();
    await consoleShows(page, 'delay 0->1 ms=75');
    // The echo comes before the engine's answer: wait for it to be done.
    await type(page, 'expect leader t-0 == 0');
    await consoleShows(page, 'PASS line 11: leader t-0 == 0');

    // The timeline: one arrow key back is the event before the live end.
    const scrubber = page.locator('#scrubber');
    const live = Number(await scrubber.getAttribute('max'));
    assert.ok(live > 10, `live end ${live}`);
    assert.equal(Number(await scrubber.inputValue()), live);
    await scrubber.focus();
    await scrubber.press('ArrowLeft');
    await page.locator('#rewound').waitFor({ timeout: TIMEOUT });
    const [, at, of] = (await page.locator('#rewound').innerText()).match(/event (\d+) of (\d+)/).map(Number);
    assert.equal(of, live);
    // The replay stops at the first delivery reaching the event; one
    // delivery can log more than one event.
    assert.ok(at >= live - 1 && at <= live, `rewound to ${at} of ${live}`);
    assert.equal(await page.locator('#scrubber-at').innerText(), `event ${at} of ${live}`);
    assert.equal(Number(await scrubber.inputValue()), at);
    // Home: the start of the run (starting the cluster logs several events
    // in one delivery: the replay shows the first delivery's end).
    await scrubber.press('Home');
    await page.waitForFunction(
      () => Number(/event (\d+) of/.exec(document.querySelector('#rewound')?.textContent ?? '')?.[1] ?? 1e9) < 20,
      null,
      { timeout: TIMEOUT },
    );
    const start = Number(await page.locator('#position').innerText());
    assert.ok(start < 20, `start ${start}`);
    assert.equal(Number(await scrubber.inputValue()), start);
    // It says so: event 0 was asked for, and the cluster's first step
    // (events 1 to start, at once) is the nearest point a replay stops at.
    const landed = page.locator('#landed');
    assert.equal(await landed.getAttribute('data-asked'), '0');
    assert.equal(await landed.getAttribute('data-first'), '1');
    assert.equal(Number(await landed.getAttribute('data-last')), start);
    assert.match(await landed.innerText(), new RegExp(`Events 1–${start} happen at once`));
    assert.match(await landed.innerText(), new RegExp(`You asked for event 0; the nearest point a replay can stop at is event ${start}\\.`));
    // Right arrow until a step of several events is shown; then the left
    // arrow gets past it (asking for an event inside it would land on it
    // again).
    const shownAt = async () => Number(/event (\d+) of/.exec(await page.locator('#rewound').innerText())[1]);
    let at1 = start;
    let wide = null;
    for (let i = 0; i < 30 && !wide; i++) {
      await scrubber.press('ArrowRight');
      await page.waitForFunction((prev) => {
        const m = /event (\d+) of/.exec(document.querySelector('#rewound')?.textContent ?? '');
        return m && Number(m[1]) > prev;
      }, at1, { timeout: TIMEOUT });
      at1 = await shownAt();
      if ((await landed.count()) && Number(await landed.getAttribute('data-first')) < at1) {
        wide = Number(await landed.getAttribute('data-first'));
      }
    }
    assert.ok(wide, 'no step of several events after the start');
    assert.match(await landed.innerText(), new RegExp(`Events ${wide}–${at1} happen at once`));
    await scrubber.press('ArrowLeft');
    await page.waitForFunction((prev) => {
      const m = /event (\d+) of/.exec(document.querySelector('#rewound')?.textContent ?? '');
      return m && Number(m[1]) < prev;
    }, at1, { timeout: TIMEOUT });
    assert.ok((await shownAt()) < wide, `back from ${at1} (step ${wide}–${at1}) to ${await shownAt()}`);
    // End: live again.
    await scrubber.press('End');
    await page.locator('#rewound').waitFor({ state: 'detached', timeout: TIMEOUT });
    assert.equal(Number(await page.locator('#position').innerText()), live);
    assert.equal(Number(await scrubber.inputValue()), live);
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('faults on quiet client and ZooKeeper links from the any-link form; cut, heal; kill the producer', async () => {
    const { page, problems } = await openPage(env.chrome.context);
    await page.goto(env.server.url);
    await page.locator('#no-cluster').waitFor({ timeout: TIMEOUT });
    await type(page, 'cluster brokers=3');
    await page.locator('tr.sim-broker').nth(2).waitFor({ timeout: TIMEOUT });
    await type(page, 'topic create t partitions=1 replication-factor=3 assignment=0:1:2');
    await type(page, 'producer p acks=all');
    await type(page, 'tick 1000');
    await type(page, 'expect leader t-0 == 0');
    await consoleShows(page, 'PASS line 5: leader t-0 == 0');

    // The producer's link to the leader is quiet: it has no row.
    const pTo0 = page.locator('#links tr.link[data-from="p"][data-to="0"]');
    assert.equal(await pTo0.count(), 0);
    const form = page.locator('#any-link');
    await form.locator('summary').focus();
    await form.locator('summary').press('Enter');
    // Every node is offered: brokers, zk, the producer.
    const offered = await form.locator('#any-from option').evaluateAll((os) => os.map((o) => o.value));
    assert.deepEqual(offered, ['0', '1', '2', 'zk', 'p']);
    await form.locator('#any-from').selectOption('p');
    await form.locator('#any-to').selectOption('0');
    await form.locator('select.link-api').selectOption('Produce');
    await form.locator('button.link-hold').click();
    await consoleShows(page, 'hold p->0 type=Produce');

    // The record is held on the wire, not acknowledged.
    await type(page, 'send p t value=held-1');
    await type(page, 'tick 500');
    await consoleShows(page, 'tick 500');
    await pTo0.locator('td.held li[data-api="Produce"]').waitFor({ timeout: TIMEOUT });
    const record = page.locator('.producer[data-producer="p"] tbody tr').first();
    assert.match(await record.getAttribute('class'), /\bpending\b/);
    await page.locator('#links').scrollIntoViewIfNeeded();
    await screenshot(page, 'faults-any-link-held.png');

    // Released from the same form: the record is acknowledged.
    await form.locator('button.link-release').click();
    await consoleShows(page, 'release p->0 type=Produce');
    await type(page, 'tick 500');
    await page.locator('.producer[data-producer="p"] tbody tr.acked').first().waitFor({ timeout: TIMEOUT });
    assert.match(await record.innerText(), /acked at offset 0/);

    // A ZooKeeper link: hold everything the controller sends to zk. Its
    // session expires and another broker takes over as controller.
    const controller = Number(/broker (\d+)/.exec(await page.locator('#controller').innerText())[1]);
    await form.locator('#any-from').selectOption(String(controller));
    await form.locator('#any-to').selectOption('zk');
    await form.locator('select.link-api').selectOption('');
    await form.locator('button.link-hold').click();
    await consoleShows(page, `hold ${controller}->zk`);
    await type(page, 'tick 25000');
    await consoleShows(page, 'tick 25000');
    const toZk = page.locator(`#links tr.link[data-from="${controller}"][data-to="zk"]`);
    await toZk.locator('td.held li[data-api="ZooKeeper"]').waitFor({ timeout: TIMEOUT });
    await page.waitForFunction(
      (c) => /broker (\d+)/.exec(document.querySelector('#controller')?.textContent ?? '')?.[1] !== String(c),
      controller,
      { timeout: TIMEOUT },
    );
    await form.locator('button.link-release').click();
    await consoleShows(page, `release ${controller}->zk`);

    // Cut both ways, then heal, from the form.
    await form.locator('#any-from').selectOption('1');
    await form.locator('button.link-cut').click();
    await consoleShows(page, 'partition 1 | zk');
    const cutCell = page.locator('tr.sim-broker[data-broker="1"] td').nth(3);
    await page.waitForFunction(() => /zk/.test(document.querySelectorAll('tr.sim-broker[data-broker="1"] td')[3]?.textContent ?? ''), null, { timeout: TIMEOUT });
    // The same node on both ends is not a link.
    await form.locator('#any-to').selectOption('1');
    await form.locator('#any-same').waitFor({ timeout: TIMEOUT });
    assert.equal(await form.locator('button.link-hold').count(), 0);
    await form.locator('#any-to').selectOption('zk');
    await form.locator('button.link-heal').click();
    await consoleShows(page, '› heal');
    await page.waitForFunction(() => (document.querySelectorAll('tr.sim-broker[data-broker="1"] td')[3]?.textContent ?? '') === '—', null, { timeout: TIMEOUT });
    assert.equal(await cutCell.innerText(), '—');

    // Kill the producer from its panel.
    await page.locator('.producer[data-producer="p"] button.kill').click();
    await consoleShows(page, '› crash p');
    await page.locator('.producer[data-producer="p"] .badge.down').waitFor({ timeout: TIMEOUT });

    // In Chinese.
    await page.locator('#lang').selectOption('zh');
    await form.locator('summary', { hasText: '任意链路上的故障' }).waitFor({ timeout: TIMEOUT });
    const labels = await form.locator('#any-from option').evaluateAll((os) => os.map((o) => o.textContent));
    assert.ok(labels.includes('生产者 p'), labels.join(', '));
    await screenshot(page, 'faults-any-link-zh.png');
    assert.deepEqual(problems, []);
    await page.close();
  });
});
