// The Time panel: a jump into the past while playing pauses (it used to
// snap back to live within a tick); Tick and Play while rewound go back to
// live; speed, Step, Step 10 and Tick move the position and the virtual
// clock as they say; the speed reached is shown while playing; the clock
// is a live region only when paused.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { withBrowser, openPage, screenshot, consoleShows } from './harness.mjs';

const TIMEOUT = 60_000;
const b64url = (text) => Buffer.from(text, 'utf8').toString('base64url');

const SCRIPT =
  'cluster brokers=3\n' +
  'topic create t partitions=1 replication-factor=3 assignment=0:1:2\n' +
  'producer p acks=all\n' +
  'send p t value=v{i} count=5\n' +
  'flush p\n' +
  'tick 500\n' +
  'expect hw t-0 == 5\n';

async function open(env) {
  const { page, problems } = await openPage(env.chrome.context);
  await page.goto(`${env.server.url}#scenario=${b64url(SCRIPT)}&seed=7`);
  await consoleShows(page, 'PASS line 7: hw t-0 == 5');
  return { page, problems };
}

const num = async (page, sel) => Number((await page.locator(sel).innerText()).replace(/[^0-9]/g, ''));
const position = (page) => num(page, '#position');
const nowMs = (page) => num(page, '#now-ms');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Waits until the number in `sel` is above `than`. */
async function above(page, sel, than) {
  await page.waitForFunction(
    ([s, t]) => Number(document.querySelector(s).textContent.replace(/[^0-9]/g, '')) > t,
    [sel, than],
    { timeout: TIMEOUT },
  );
}

async function play(page) {
  await page.locator('#play').click();
  await page.locator('#play[aria-pressed="true"]').waitFor({ timeout: TIMEOUT });
  // Playing ticks: the clock moves.
  await above(page, '#now-ms', await nowMs(page));
}

/** Paused in the past, and still there half a second later. */
async function staysInThePast(page, what) {
  await page.locator('#rewound').waitFor({ timeout: TIMEOUT });
  assert.equal(await page.locator('#play').getAttribute('aria-pressed'), 'false', what);
  assert.match(await page.locator('#play').innerText(), /Play/, what);
  const shown = await page.locator('#rewound').innerText();
  const at = await position(page);
  await sleep(500);
  assert.ok(await page.locator('#rewound').isVisible(), `${what}: still in the past after 500 ms`);
  assert.equal(await page.locator('#rewound').innerText(), shown, what);
  assert.equal(await position(page), at, what);
  assert.match(await page.locator('#play').innerText(), /Play/, what);
}

/** The script the page's share link carries. */
async function script(page) {
  const href = await page.locator('#share-link').getAttribute('href');
  const m = /#scenario=([^&]*)/.exec(href);
  return Buffer.from(m[1], 'base64url').toString('utf8');
}

describe('time controls', () => {
  const env = withBrowser();

  it('pauses on a jump into the past while playing, and goes live again on Play or Tick', async () => {
    const { page, problems } = await open(env);

    // The event log.
    await play(page);
    const line = page.locator('#event-log li button.event').nth(15);
    const n = Number(await line.getAttribute('data-n'));
    await page.locator(`#event-log button.event[data-n="${n}"]`).click();
    await staysInThePast(page, 'event log');
    assert.ok((await position(page)) >= n);
    await screenshot(page, 'time-paused-in-the-past.png');

    // Play while rewound: live again, playing on from the live end.
    const live = Number(/of (\d+)/.exec(await page.locator('#rewound').innerText())[1]);
    await play(page);
    await page.locator('#rewound').waitFor({ state: 'detached', timeout: TIMEOUT });
    await above(page, '#position', live);

    // An ISR change.
    await page.locator('details.partition[data-partition="t-0"] .isr-changes button.event').first().click();
    await staysInThePast(page, 'ISR change');

    // The timeline (a range input: set, then `change` as on release).
    await play(page);
    await page.locator('#rewound').waitFor({ state: 'detached', timeout: TIMEOUT });
    await page.locator('#scrubber').evaluate((el) => {
      el.value = '100';
      el.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await staysInThePast(page, 'timeline');

    // Tick while rewound: live again, then the tick.
    const liveNow = Number(/of (\d+)/.exec(await page.locator('#rewound').innerText())[1]);
    await page.locator('#tick').click();
    await page.locator('#rewound').waitFor({ state: 'detached', timeout: TIMEOUT });
    assert.ok((await position(page)) >= liveNow);

    // No tick ever reached the engine while the past was shown.
    assert.equal(await page.locator('#console-output li', { hasText: 'The past is shown' }).count(), 0);
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('Step, Step 10 and Tick move the position and the clock; the script says so', async () => {
    const { page, problems } = await open(env);
    const p0 = await position(page);
    await page.locator('#step').click();
    await above(page, '#position', p0);
    const p1 = await position(page);
    const t1 = await nowMs(page);
    // One step is one simulator event (a delivery, a timer, a drop), which
    // may log more than one trace event.
    await page.locator('#step10').click();
    await above(page, '#position', p1 + 9);
    assert.ok((await nowMs(page)) >= t1);
    await page.locator('#tick-ms').fill('250');
    await page.locator('#tick-ms').press('Tab');
    const t2 = await nowMs(page);
    const p2 = await position(page);
    await page.locator('#tick').click();
    await above(page, '#now-ms', t2);
    assert.equal(await nowMs(page), t2 + 250);
    assert.ok((await position(page)) >= p2);
    // Merged in the script: `step 1` + `step 10`, then the tick.
    assert.ok((await script(page)).endsWith('expect hw t-0 == 5\nstep 11\ntick 250\n'), await script(page));
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('plays about ten times faster at 10× than at 1×, shows the speed reached, and announces the clock only when paused', async () => {
    const { page, problems } = await open(env);
    assert.equal(await page.locator('p.clock').getAttribute('aria-live'), 'polite');

    /** Virtual ms per real second over `ms` of playing at `speed`. */
    async function rate(speed, ms = 2500) {
      await page.locator('#speed').selectOption(speed);
      await play(page);
      assert.equal(await page.locator('p.clock').getAttribute('aria-live'), null, 'silent while playing');
      await sleep(300);
      const [r0, v0] = [Date.now(), await nowMs(page)];
      await sleep(ms);
      const [r1, v1] = [Date.now(), await nowMs(page)];
      // The page's own measure, once it has a second of samples.
      const reached = page.locator('#speed-reached');
      await reached.waitFor({ timeout: TIMEOUT });
      assert.match(await reached.innerText(), /^Reached: \d+ virtual ms per second/);
      const shown = Number(await reached.getAttribute('data-rate'));
      await page.locator('#play').click();
      await page.locator('#play[aria-pressed="false"]').waitFor({ timeout: TIMEOUT });
      await reached.waitFor({ state: 'detached', timeout: TIMEOUT });
      assert.equal(await page.locator('p.clock').getAttribute('aria-live'), 'polite');
      return { measured: ((v1 - v0) * 1000) / (r1 - r0), shown };
    }

    const one = await rate('1');
    const ten = await rate('10');
    console.log(`virtual ms per real s: 1x ${one.measured.toFixed(0)} (page ${one.shown}), 10x ${ten.measured.toFixed(0)} (page ${ten.shown})`);
    // Loose bands: a loaded 2-core machine can fall behind, never ahead.
    assert.ok(one.measured > 300 && one.measured < 1300, `1x: ${one.measured}`);
    assert.ok(ten.measured / one.measured > 3, `10x/1x = ${ten.measured / one.measured}`);
    assert.ok(ten.shown > 3 * one.shown, `page: ${ten.shown} vs ${one.shown}`);
    assert.deepEqual(problems, []);
    await page.close();
  });
});
