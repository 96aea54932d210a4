// Issue 7's faults on links and the timeline: the links view's controls
// write `hold`/`release`/`delay` lines (echoed in the console) and the view
// shows the held messages; the Time panel's range input replays to an
// earlier event and its right end returns to live.
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
    // End: live again.
    await scrubber.press('End');
    await page.locator('#rewound').waitFor({ state: 'detached', timeout: TIMEOUT });
    assert.equal(Number(await page.locator('#position').innerText()), live);
    assert.equal(Number(await scrubber.inputValue()), live);
    assert.deepEqual(problems, []);
    await page.close();
  });
});
