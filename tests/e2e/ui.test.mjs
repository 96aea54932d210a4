// The cluster UI: the simulated cluster runs in the engine worker and the
// page shows it. Drive it through the console like a learner: create a
// topic, send records, crash the leader; check that the displayed leader,
// ISR, LEO and HW are the cluster's (the same lines' `expect`s pass in the
// engine, and `kafkascope run` gives the same values for this seed); rewind
// through the event log; switch language; load scenarios from a link and a
// file; screenshots under target/e2e/.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { withBrowser, openPage, screenshot, type, consoleShows } from './harness.mjs';

const TIMEOUT = 60_000;

const b64url = (text) => Buffer.from(text, 'utf8').toString('base64url');

/** What the page shows of one partition. */
async function shown(page, name) {
  const part = page.locator(`details.partition[data-partition="${name}"]`);
  await part.waitFor({ timeout: TIMEOUT });
  const replicas = {};
  for (const row of await part.locator('tr.replica').all()) {
    const b = await row.getAttribute('data-broker');
    replicas[b] = {
      leo: Number(await row.locator('td.leo').innerText()),
      hw: Number(await row.locator('td.hw').innerText()),
      inIsr: await row.getAttribute('data-in-isr'),
      text: await row.innerText(),
    };
  }
  return {
    leader: (await part.locator('summary .leader').innerText()).trim(),
    isr: (await part.locator('summary .isr').innerText()).trim(),
    replicas,
  };
}

describe('cluster UI', () => {
  const env = withBrowser();

  it('creates a topic, sends records, crashes the leader and shows what the cluster has', async () => {
    const { page, problems } = await openPage(env.chrome.context);
    await page.goto(env.server.url);
    // The engine worker is up and the session is empty.
    await page.locator('#no-cluster').waitFor({ timeout: TIMEOUT });
    await page.locator('#start-cluster').click();
    await page.locator('tr.sim-broker').nth(2).waitFor({ timeout: TIMEOUT });
    assert.equal(await page.locator('tr.sim-broker').count(), 3);

    await type(page, 'topic create t partitions=1 replication-factor=3 assignment=0:1:2');
    // The send form writes the `producer` and `send` lines.
    await page.locator('#create-producer').click();
    await page.locator('#send-records').waitFor({ timeout: TIMEOUT });
    assert.equal(await page.locator('#send-value').inputValue(), 'v{i}');
    await page.locator('#send-count').fill('5');
    await page.locator('#send-count').press('Tab');
    await page.locator('#send-records').click();
    await consoleShows(page, /^› send p t value=v\{i\} count=5$/);
    await page.locator('#flush').click();
    await type(page, 'tick 500');
    await type(page, 'expect hw t-0@2 == 5');
    await consoleShows(page, 'PASS line 7: hw t-0@2 == 5');
    let p = await shown(page, 't-0');
    assert.equal(p.leader, 'broker 0');
    assert.equal(p.isr, '[0,1,2]');
    for (const b of ['0', '1', '2']) {
      assert.deepEqual([p.replicas[b].leo, p.replicas[b].hw, p.replicas[b].inIsr], [5, 5, 'true'], `broker ${b}`);
    }
    // The strip shows offsets 0..4 below the HW (leader epoch 0, producer
    // p tagged P1), then the HW and LEO markers.
    const strip = page.locator('details.partition[data-partition="t-0"] tr.replica[data-broker="0"] .strip');
    assert.deepEqual(await strip.locator('.cell.committed .off').allInnerTexts(), ['0', '1', '2', '3', '4']);
    assert.deepEqual(await strip.locator('.cell .tag').allInnerTexts(), ['P1', 'P1', 'P1', 'P1', 'P1']);
    assert.deepEqual(await strip.locator('.mark.epoch').evaluateAll((m) => m.map((e) => e.dataset.epoch)), ['0']);
    assert.match(await strip.innerText(), /4\s*P1\s*HW 5\s*LEO 5$/);
    await screenshot(page, 'ui-records-sent.png');

    // The fault button of the leader's row writes `crash 0`.
    await page.locator('tr.sim-broker[data-broker="0"] button[data-fault="crash 0"]').click();
    await type(page, 'run until leader t-0 == 1 timeout=60000');
    await type(page, 'tick 1000');
    await type(page, 'expect isr t-0 == 1,2');
    await consoleShows(page, 'PASS line 11: isr t-0 == 1,2');
    p = await shown(page, 't-0');
    assert.equal(p.leader, 'broker 1');
    assert.equal(p.isr, '[1,2]');
    assert.deepEqual([p.replicas['1'].leo, p.replicas['1'].hw, p.replicas['1'].inIsr], [5, 5, 'true']);
    assert.deepEqual([p.replicas['2'].leo, p.replicas['2'].hw, p.replicas['2'].inIsr], [5, 5, 'true']);
    assert.equal(p.replicas['0'].inIsr, 'false');
    assert.equal(p.replicas['0'].leo, 5, 'the crashed broker keeps its page cache');
    assert.match(p.replicas['0'].text, /broker down/);
    const b0 = page.locator('tr.sim-broker[data-broker="0"]');
    assert.equal(await b0.getAttribute('data-state'), 'crashed');
    assert.match(await b0.innerText(), /crashed/);
    assert.equal(await b0.locator('button[data-fault="restart 0"]').count(), 1);
    // The ISR history gives the reason.
    const history = page.locator('details.partition[data-partition="t-0"] .isr-changes');
    assert.match(await history.innerText(), /ISR \[1,2\] · leader-election/);
    // Kafka's metrics.
    const metric = async (name) =>
      Number(await page.locator(`#metrics tr[data-metric="${name}"] td.value`).innerText());
    assert.equal(await metric('UnderReplicatedPartitions'), 1);
    assert.equal(await metric('ActiveControllerCount'), 1);
    assert.equal(await metric('OfflinePartitionsCount'), 0);
    assert.ok((await metric('LeaderElectionRateAndTimeMs')) >= 1);
    // The controller's znode, as Kafka writes it.
    const state = page.locator('details[data-path="/brokers/topics/t/partitions/0/state"]');
    assert.match(await state.locator('pre.json').textContent(), /"leader":1/);
    await screenshot(page, 'ui-leader-crashed.png');

    // A bad line: refused with its line and what is wrong; nothing ran.
    const before = await page.locator('#position').innerText();
    await type(page, 'crash 7');
    await page.locator('#console-output li.refused').waitFor({ timeout: TIMEOUT });
    assert.match(await page.locator('#console-output li.refused').last().innerText(), /^error: line 1: .*7/);
    assert.equal(await page.locator('#position').innerText(), before);

    // Rewind: click an early event, step in the past, come back.
    const live = Number(before);
    const early = page.locator('#event-log button.event[data-n="40"]');
    if ((await early.count()) === 0) {
      // Only the newest events are listed; take the oldest one shown.
      await page.locator('#event-log li').last().locator('button').click();
    } else {
      await early.click();
    }
    await page.locator('#rewound').waitFor({ timeout: TIMEOUT });
    const at = Number(await page.locator('#position').innerText());
    assert.ok(at < live, `rewound to ${at} of ${live}`);
    assert.match(await page.locator('#rewound').innerText(), new RegExp(`event ${at} of ${live}`));
    await page.locator('#step').click();
    await page.waitForFunction((a) => Number(document.querySelector('#position').textContent) > a, at);
    await page.locator('#live').click();
    await page.locator('#rewound').waitFor({ state: 'detached', timeout: TIMEOUT });
    assert.equal(Number(await page.locator('#position').innerText()), live);
    assert.equal((await shown(page, 't-0')).leader, 'broker 1');

    // Keyboard only: ↑ recalls the last line.
    await page.locator('#console-input').focus();
    await page.keyboard.press('ArrowUp');
    assert.equal(await page.locator('#console-input').inputValue(), 'crash 7');

    assert.deepEqual(problems, [], 'no console errors, page errors or CSP violations');
    await page.close();
  });

  it('switches between English and 简体中文', async () => {
    const { page, problems } = await openPage(env.chrome.context);
    await page.goto(env.server.url);
    await page.locator('#no-cluster').waitFor({ timeout: TIMEOUT });
    await page.locator('#start-cluster').click();
    await page.locator('tr.sim-broker').nth(2).waitFor({ timeout: TIMEOUT });
    assert.equal(await page.locator('#console-title').innerText(), 'Console');
    await page.locator('#lang').selectOption('zh');
    await page.locator('#console-title', { hasText: '控制台' }).waitFor({ timeout: TIMEOUT });
    assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
    assert.equal(await page.locator('#step').innerText(), '单步');
    assert.match(await page.locator('tr.sim-broker').first().innerText(), /运行中/);
    await page.locator('#cluster-status', { hasText: '3 个 broker 在线' }).waitFor({ timeout: TIMEOUT });
    await screenshot(page, 'ui-zh.png');
    await page.locator('#lang').selectOption('en');
    await page.locator('#console-title', { hasText: 'Console' }).waitFor({ timeout: TIMEOUT });
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('loads a scenario from the URL, and says what is wrong with a damaged link', async () => {
    const { page, problems } = await openPage(env.chrome.context);
    const script =
      'cluster brokers=2\n' +
      'topic create s partitions=1 replication-factor=2 assignment=1:0\n' +
      'say "链接里的场景 <b>not bold</b>"\n' +
      'expect leader s-0 == 1\n';
    await page.goto(`${env.server.url}#scenario=${b64url(script)}&seed=5`);
    await consoleShows(page, 'PASS line 4: leader s-0 == 1');
    // Narration is text, never markup.
    await consoleShows(page, '链接里的场景 <b>not bold</b>');
    assert.equal(await page.locator('#console-output b').count(), 0);
    assert.equal(await page.locator('tr.sim-broker').count(), 2);
    assert.equal((await shown(page, 's-0')).leader, 'broker 1');
    assert.equal(await page.locator('#seed').inputValue(), '5');
    // The page's own link carries the session.
    const href = await page.locator('#share-link').getAttribute('href');
    assert.equal(href, `#scenario=${b64url(script)}&seed=5`);
    // ...and the save link is the script itself.
    const save = await page.locator('#save-scenario').getAttribute('href');
    const prefix = 'data:text/plain;charset=utf-8,';
    assert.ok(save.startsWith(prefix), save);
    assert.equal(decodeURIComponent(save.slice(prefix.length)), script);
    assert.equal(await page.locator('#save-scenario').getAttribute('download'), 'kafkascope.scn');
    await screenshot(page, 'ui-from-link.png');

    // A damaged link in the same tab: an error in the page, the session stays.
    await page.evaluate(() => {
      location.hash = 'scenario=Zm9v*A&seed=1';
    });
    await page.locator('#console-output li.problem').waitFor({ timeout: TIMEOUT });
    assert.match(
      await page.locator('#console-output li.problem').innerText(),
      /the link's scenario is damaged: character 5 \('\*'\) is not base64url/,
    );
    // A link whose scenario does not parse: refused with its line.
    await page.evaluate((h) => {
      location.hash = h;
    }, `scenario=${b64url('cluster brokers=2\ncrash 9\n')}&seed=1`);
    await page.locator('#console-output li.refused').waitFor({ timeout: TIMEOUT });
    assert.match(await page.locator('#console-output li.refused').innerText(), /line 2: .*9/);
    assert.equal(await page.locator('tr.sim-broker').count(), 2);
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('loads a scenario file', async () => {
    const { page, problems } = await openPage(env.chrome.context);
    await page.goto(env.server.url);
    await page.locator('#no-cluster').waitFor({ timeout: TIMEOUT });
    await page.locator('#scenario-file').setInputFiles({
      name: 'four.scn',
      mimeType: 'text/plain',
      buffer: Buffer.from('cluster brokers=4\ntopic create f partitions=2 replication-factor=3\nexpect controller != none\n'),
    });
    await consoleShows(page, 'PASS line 3: controller != none');
    assert.equal(await page.locator('tr.sim-broker').count(), 4);
    assert.equal(await page.locator('details.partition').count(), 2);
    await consoleShows(page, 'Loaded four.scn.');
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('lists the guided demos in both languages and loads one', async () => {
    const { page, problems } = await openPage(env.chrome.context);
    await page.goto(env.server.url);
    await page.locator('#load-demo').waitFor({ timeout: TIMEOUT });
    assert.ok((await page.locator('#demo option').count()) >= 16);
    await page.locator('#demo').selectOption('02-isr.scn');
    const en = await page.locator('#demo option[value="02-isr.scn"]').innerText();
    assert.match(en, /ISR/);
    assert.match(await page.locator('#demo-teaches').innerText(), /ISR/);
    await page.locator('#load-demo').click();
    await consoleShows(page, 'Loaded 02-isr.scn.');
    await consoleShows(page, /^PASS line \d+:/);
    await page.locator('tr.sim-broker').first().waitFor({ timeout: TIMEOUT });
    assert.equal(await page.locator('#console-output li.bad').count(), 0, 'no FAIL or ERROR line');
    await page.locator('#lang').selectOption('zh');
    await page.locator('#console-title', { hasText: '控制台' }).waitFor({ timeout: TIMEOUT });
    const zh = await page.locator('#demo option[value="02-isr.scn"]').innerText();
    assert.notEqual(zh, en);
    assert.match(zh, /[\u4e00-\u9fff]/, 'a Chinese title');
    // Loaded in Chinese, the demo narrates in Chinese (say.zh).
    await page.locator('#load-demo').click();
    await consoleShows(page, /^演示：/);
    await screenshot(page, 'ui-demo.png');
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('shows an engine that failed to start, and restarts it', async () => {
    const { page } = await openPage(env.chrome.context);
    await page.route('**/cluster-worker_loader.js', (route) => route.fulfill({ status: 404, body: '' }));
    await page.goto(env.server.url);
    await page.locator('#engine-error').waitFor({ timeout: TIMEOUT });
    assert.match(
      await page.locator('#engine-error').innerText(),
      /The cluster engine failed: the engine worker script .*cluster-worker_loader\.js failed to load/,
    );
    // The storage panel does not depend on the engine.
    await page.locator('#cluster-status', { hasText: '3 brokers online' }).waitFor({ timeout: TIMEOUT });
    await page.unroute('**/cluster-worker_loader.js');
    await page.locator('#restart-engine').click();
    await page.locator('#no-cluster').waitFor({ timeout: TIMEOUT });
    await consoleShows(page, 'Restarted the cluster engine.');
    assert.equal(await page.locator('#engine-error').count(), 0);
    await page.locator('#start-cluster').click();
    await page.locator('tr.sim-broker').nth(2).waitFor({ timeout: TIMEOUT });
    await page.close();
  });
});
