// The producer and consumer panels (issue 7): create a producer with
// acks=1 and linger.ms through the config editor (a bad value is refused
// beside its field), send keyed records and check that the partition shown
// for each is Kafka's murmur2 choice (`kafkascope partition`, the CLI);
// create two consumers in a cooperative-sticky group through the consumer
// form, poll/process/commit through their buttons and check delivered,
// committed and lag; kill one and check the survivor's assignment and the
// +/− marks of the rebalance; kill the producer. Screenshot under
// target/e2e/.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { withBrowser, openPage, screenshot, type, consoleShows, repoRoot } from './harness.mjs';

const TIMEOUT = 60_000;

/** Kafka's partition for a key, from the CLI (`cargo run -p kafkascope-cli`). */
function murmur2Partition(key, partitions) {
  const out = execFileSync(
    'cargo',
    ['run', '-q', '-p', 'kafkascope-cli', '--', 'partition', '--key', key, '--partitions', String(partitions)],
    { cwd: repoRoot, encoding: 'utf8' },
  );
  return Number(out.trim());
}

/** Fills the consumer form and creates the consumer. */
async function createConsumer(page, name, group = 'g', strategy = 'cooperative-sticky') {
  const form = page.locator('#consumer-editor');
  await form.locator('#consumer-name').fill(name);
  await form.locator('#consumer-group').fill(group);
  const topic = form.locator('input.consumer-topic[value="t"]');
  if (!(await topic.isChecked())) await topic.check();
  await form.locator('#consumer-cfg-partition-assignment-strategy').selectOption(strategy);
  await form.locator('#consumer-cfg-auto-offset-reset').selectOption('earliest');
  await form.locator('#consumer-cfg-enable-auto-commit').selectOption('false');
  await form.locator('#consumer-cfg-session-timeout-ms').fill('6000');
  await form.locator('#consumer-cfg-heartbeat-interval-ms').fill('1000');
  assert.equal(
    await form.locator('#consumer-line').innerText(),
    `consumer ${name} group.id=${group} enable.auto.commit=false auto.offset.reset=earliest partition.assignment.strategy=${strategy} session.timeout.ms=6000 heartbeat.interval.ms=1000\nsubscribe ${name} t`,
  );
  await form.locator('#create-consumer').click();
  await consoleShows(page, `› subscribe ${name} t`);
  await page.locator(`.consumer[data-consumer="${name}"]`).waitFor({ timeout: TIMEOUT });
}

/**
 * Records in `window.__marks[name]` each rebalance-marks element added to
 * consumer `name` from now on: its generation and how many animations it
 * runs when inserted (a finished CSS animation is gone a second later).
 */
async function watchMarks(page, name) {
  await page.evaluate((name) => {
    window.__marks ??= {};
    window.__marks[name] = [];
    const seen = (el) => {
      const change = el.closest(`.consumer[data-consumer="${name}"] .change`);
      if (change) window.__marks[name].push({ gen: Number(change.dataset.generation), animations: el.getAnimations().length });
    };
    new MutationObserver((records) => {
      for (const r of records)
        for (const n of r.addedNodes) {
          if (n.nodeType !== 1) continue;
          if (n.matches('.marks')) seen(n);
          n.querySelectorAll('.change .marks').forEach(seen);
        }
    }).observe(document.body, { childList: true, subtree: true });
  }, name);
}

/** The group's members: name -> { owned: [t-0, ...], marks }. */
async function members(page, group = 'g') {
  const out = {};
  for (const row of await page.locator(`.group[data-group="${group}"] tr[data-member]`).all()) {
    const owned = (await row.locator('td.owned').innerText()).trim();
    out[await row.getAttribute('data-member')] = {
      owned: owned ? owned.split(', ') : [],
      marks: (await row.locator('td.marks').innerText()).trim(),
    };
  }
  return out;
}

describe('producer and consumer panels', () => {
  const env = withBrowser();

  it('configures a producer, shows each record\'s partition and why, and drives a cooperative group', async () => {
    const { page, problems } = await openPage(env.chrome.context);
    await page.goto(env.server.url);
    await page.locator('#start-cluster').click({ timeout: TIMEOUT });
    await page.locator('tr.sim-broker').nth(2).waitFor({ timeout: TIMEOUT });
    await type(page, 'topic create t partitions=3 replication-factor=3');
    await page.locator('#producer-editor').waitFor({ timeout: TIMEOUT });

    // The producer editor: Kafka's names, defaults and explanations.
    const editor = page.locator('#producer-editor');
    const acksRow = editor.locator('tr[data-config="acks"]');
    assert.match(await acksRow.innerText(), /acks[\s\S]*all[\s\S]*acknowledg/i);
    await editor.locator('#producer-name').fill('p');
    await editor.locator('#producer-cfg-acks').selectOption('1');
    await editor.locator('#producer-cfg-linger-ms').fill('5');
    // A bad value is refused beside its field, and nothing can be created.
    await editor.locator('#producer-cfg-batch-size').fill('-5');
    assert.match(await editor.locator('#producer-cfg-batch-size-error').innerText(), /batch\.size=-5 is not valid/);
    assert.equal(await editor.locator('#producer-cfg-batch-size').getAttribute('aria-invalid'), 'true');
    assert.ok(await editor.locator('#create-producer-configured').isDisabled());
    await editor.locator('#producer-cfg-batch-size').fill('');
    // Settings that contradict each other: the checker's message, beside
    // both (the engine worker runs the checker: its answer comes back).
    await editor.locator('#producer-cfg-enable-idempotence').selectOption('true');
    await editor.locator('#producer-cfg-acks-error', { hasText: 'enable.idempotence=true' }).waitFor({ timeout: TIMEOUT });
    assert.match(await editor.locator('#producer-cfg-enable-idempotence-error').innerText(), /acks=1/);
    assert.ok(await editor.locator('#create-producer-configured').isDisabled());
    await editor.locator('#producer-cfg-enable-idempotence').selectOption('');
    assert.equal(await editor.locator('#producer-line').innerText(), 'producer p acks=1 linger.ms=5');
    await editor.locator('#create-producer-configured:enabled').waitFor({ timeout: TIMEOUT });
    assert.equal(await editor.locator('#producer-cfg-acks-error').innerText(), '');
    await editor.locator('#create-producer-configured').click();
    await consoleShows(page, '› producer p acks=1 linger.ms=5');
    const producer = page.locator('.producer[data-producer="p"]');
    await producer.waitFor({ timeout: TIMEOUT });
    // A name that is taken: the checker's error names no field, so it is
    // shown under the form, checked against the script that now has p.
    await editor.locator('#producer-name').fill('p');
    await editor.locator('#producer-errors', { hasText: 'p is already declared (a producer on line' }).waitFor({ timeout: TIMEOUT });
    assert.ok(await editor.locator('#create-producer-configured').isDisabled());
    await editor.locator('#producer-name').fill('');
    await editor.locator('#create-producer-configured:enabled').waitFor({ timeout: TIMEOUT });
    await producer.locator('details summary').click();
    assert.match(await producer.locator('.effective tr[data-config="acks"]').innerText(), /acks\s+1/);
    assert.match(await producer.locator('.effective tr[data-config="linger.ms"]').innerText(), /linger\.ms\s+5/);
    // acks=1 without asking for idempotence turns it off, as in Kafka 3.
    assert.match(await producer.locator('.effective tr[data-config="enable.idempotence"]').innerText(), /false/);

    // Keyed records: each one's partition is murmur2's.
    await page.locator('#send-topic').waitFor({ timeout: TIMEOUT });
    await page.locator('#send-key').fill('k{i}');
    await page.locator('#send-count').fill('6');
    await page.locator('#send-count').press('Tab');
    await page.locator('#send-records').click();
    await consoleShows(page, '› send p t value=v{i} key=k{i} count=6');
    await page.locator('#flush').click();
    await type(page, 'tick 500');
    await producer.locator('tr[data-send="p:6"].acked').waitFor({ timeout: TIMEOUT });
    const perPartition = { 't-0': 0, 't-1': 0, 't-2': 0 };
    for (let i = 0; i < 6; i++) {
      const row = producer.locator(`tr[data-send="p:${i + 1}"]`);
      const expected = murmur2Partition(`k${i}`, 3);
      assert.equal(await row.getAttribute('data-partition'), `t-${expected}`, `k${i}`);
      assert.equal((await row.locator('td.chosen').innerText()).trim(), `t-${expected}`);
      const why = await row.locator('td.why').innerText();
      assert.match(why, new RegExp(`^murmur2\\(k${i}\\) = ${await row.getAttribute('data-hash')}; toPositive\\(.*\\) mod 3 = ${expected}$`));
      assert.match(await row.locator('td.fate').innerText(), /^acked at offset \d+$/);
      perPartition[`t-${expected}`]++;
    }
    // Without a key: the sticky partition, said so.
    await page.locator('#send-key').fill('');
    await page.locator('#send-count').fill('1');
    await page.locator('#send-count').press('Tab');
    await page.locator('#send-records').click();
    await page.locator('#flush').click();
    await type(page, 'tick 500');
    const unkeyed = producer.locator('tr[data-send="p:7"]');
    await unkeyed.locator('td.fate', { hasText: 'acked' }).waitFor({ timeout: TIMEOUT });
    assert.match(await unkeyed.locator('td.why').innerText(), /^no key: a new sticky partition/);
    perPartition[await unkeyed.getAttribute('data-partition')]++;

    // Two consumers in a cooperative-sticky group, through the form.
    await createConsumer(page, 'c1');
    await type(page, 'run until state g == Stable timeout=30000');
    await createConsumer(page, 'c2');
    await type(page, 'run until members g == c1,c2 timeout=30000');
    await type(page, 'tick 5000');
    await type(page, 'expect state g == Stable');
    await consoleShows(page, /^PASS line \d+: state g == Stable$/);
    let m = await members(page);
    assert.deepEqual(Object.keys(m).sort(), ['c1', 'c2']);
    assert.deepEqual([...m.c1.owned, ...m.c2.owned].sort(), ['t-0', 't-1', 't-2']);
    // Cooperative: c2 was only given partitions, nobody lost everything.
    assert.match(m.c2.marks, /\+t-\d/);
    assert.doesNotMatch(m.c2.marks, /−/);

    // c1 polls, processes and commits through its buttons.
    const c1 = page.locator('.consumer[data-consumer="c1"]');
    const expected = m.c1.owned.reduce((n, tp) => n + perPartition[tp], 0);
    for (let i = 0; i < 4; i++) {
      const text = await c1.locator('.delivered').innerText();
      if (text.endsWith(` ${expected}`)) break;
      await c1.locator('button.poll').click();
      await consoleShows(page, '› poll c1');
      await page.waitForTimeout(300);
    }
    assert.equal(await c1.locator('.delivered').innerText(), `delivered ${expected}`);
    await c1.locator('button.process').click();
    await consoleShows(page, '› process c1');
    await c1.locator('button.commit').click();
    await consoleShows(page, '› commit c1');
    await type(page, 'tick 500');
    await c1.locator('.processed', { hasText: `processed ${expected}` }).waitFor({ timeout: TIMEOUT });
    for (const tp of m.c1.owned) {
      const row = page.locator(`.group[data-group="g"] tr[data-partition="${tp}"]`);
      await row.waitFor({ timeout: TIMEOUT });
      assert.equal(await row.locator('td.committed').innerText(), String(perPartition[tp]), tp);
      assert.equal(await row.locator('td.lag').innerText(), '0', tp);
      assert.equal(await c1.locator(`.offsets tr[data-partition="${tp}"] td:nth-child(3)`).innerText(), String(perPartition[tp]));
    }

    // Kill c2: after its session times out c1 gets its partitions, and
    // under cooperative-sticky c1 gives up nothing (only + marks).
    const c2owned = m.c2.owned;
    const firstGen = Number(await c1.locator('.change').getAttribute('data-generation'));
    await watchMarks(page, 'c1');
    await page.locator('.consumer[data-consumer="c2"] button.kill').click();
    await consoleShows(page, '› crash c2');
    await type(page, 'run until members g == c1 timeout=30000');
    await c1.locator('button.poll').click();
    await type(page, 'tick 3000');
    await page.locator('.consumer[data-consumer="c2"][data-state="killed"]').waitFor({ timeout: TIMEOUT });
    m = await members(page);
    assert.deepEqual(Object.keys(m), ['c1']);
    assert.deepEqual(m.c1.owned, ['t-0', 't-1', 't-2']);
    for (const tp of c2owned) assert.match(m.c1.marks, new RegExp(`\\+${tp}`));
    assert.doesNotMatch(m.c1.marks, /−/);
    assert.match(await c1.locator('.change .marks').innerText(), /\+t-/);
    // The second rebalance's marks are a new element (keyed by generation),
    // so their animation plays again.
    const secondGen = Number(await c1.locator('.change').getAttribute('data-generation'));
    assert.ok(secondGen > firstGen, `generation ${firstGen} -> ${secondGen}`);
    const added = await page.evaluate(() => window.__marks.c1);
    assert.ok(added.some((a) => a.gen === secondGen && a.animations > 0), JSON.stringify(added));
    await screenshot(page, 'panels.png');

    // The same through an eager group (range): the member that was there
    // gives up everything it owned when the second one joins.
    await createConsumer(page, 'e1', 'e', 'range');
    await type(page, 'run until state e == Stable timeout=30000');
    // With reduced motion asked for, the new marks do not animate.
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await watchMarks(page, 'e1');
    await createConsumer(page, 'e2', 'e', 'range');
    await type(page, 'run until members e == e1,e2 timeout=30000');
    await type(page, 'tick 5000');
    const e = await members(page, 'e');
    assert.deepEqual([...e.e1.owned, ...e.e2.owned].sort(), ['t-0', 't-1', 't-2']);
    assert.match(e.e1.marks, /−t-0 −t-1 −t-2/);
    for (const tp of e.e1.owned) assert.match(e.e1.marks, new RegExp(`\\+${tp}`));
    const eAdded = await page.evaluate(() => window.__marks.e1);
    assert.ok(eAdded.length > 0 && eAdded.every((a) => a.animations === 0), JSON.stringify(eAdded));
    await page.emulateMedia({ reducedMotion: 'no-preference' });
    await screenshot(page, 'panels-eager.png');

    // Kill the producer: its line, and it shows as stopped.
    await producer.locator('button.kill').click();
    await consoleShows(page, '› crash p');
    await producer.locator('.badge.down').waitFor({ timeout: TIMEOUT });

    // In Chinese: the editor's titles and Kafka's one-liners.
    await page.locator('#lang').selectOption('zh');
    await page.locator('#producer-editor-title', { hasText: '新建生产者' }).waitFor({ timeout: TIMEOUT });
    assert.match(await page.locator('#producer-editor tr[data-config="acks"] td.doc').innerText(), /[\u4e00-\u9fff]/);
    await screenshot(page, 'panels-zh.png');
    assert.deepEqual(problems, []);
  });
});
