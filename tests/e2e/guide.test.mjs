// The guide beside the cluster and fork-and-compare, through the page as a
// learner uses them: step through demo 01 (acks) narration by narration
// (with the keyboard too), see each step's checks, fork it with the `fast`
// producer's acks=1 changed to acks=all, run both to the end, and find the
// records acks=1 lost kept by the fork, side by side and marked in text.
// Then the same guide in Chinese.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { withBrowser, openPage, screenshot, repoRoot } from './harness.mjs';

const TIMEOUT = 60_000;
const DEMO = '01-acks.scn';

/** The demo file's narration (English and Chinese) and line numbers. */
function demoFile(name) {
  const lines = readFileSync(path.join(repoRoot, 'tests', 'scenarios', 'demos', name), 'utf8').split('\n');
  const unquote = (t) => (t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t);
  const texts = (cmd) =>
    lines.filter((l) => l.startsWith(`${cmd} `)).map((l) => unquote(l.slice(cmd.length + 1).trim()));
  return {
    say: texts('say'),
    sayZh: texts('say.zh'),
    title: texts('demo title')[0],
    lineOf: (text) => lines.findIndex((l) => l.trim() === text) + 1,
  };
}

const text = async (locator) => (await locator.innerText()).trim();

async function startGuide(page, lang) {
  await page.locator('#guide-demo').waitFor({ timeout: TIMEOUT });
  if (lang === 'zh') {
    await page.locator('#lang').selectOption('zh');
    await page.locator('#console-title', { hasText: '控制台' }).waitFor({ timeout: TIMEOUT });
  }
  await page.locator('#demo').selectOption(DEMO);
  await page.locator('#guide-demo').click();
}

async function atStep(page, progress, say) {
  await page.locator('#guide-progress', { hasText: progress }).waitFor({ timeout: TIMEOUT });
  assert.equal(await text(page.locator('#guide-say')), say);
}

describe('the guide beside the cluster, and fork and compare', () => {
  const env = withBrowser();
  const demo = demoFile(DEMO);
  const n = demo.say.length;

  it('steps through the acks demo and compares acks=1 with a fork using acks=all', async () => {
    const { page, problems } = await openPage(env.chrome.context);
    await page.goto(env.server.url);
    await startGuide(page, 'en');
    await atStep(page, `Step 1 of ${n}`, demo.say[0]);
    assert.match(await text(page.locator('#guide-title')), new RegExp(demo.title.slice(0, 20).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    assert.match(await text(page.locator('#guide-teaches')), /acks=all waits/);
    assert.match(await text(page.locator('#guide-seeds summary')), /seed lines it explains \(\d+\)/);
    // The guide sits beside the cluster picture.
    await page.locator('tr.sim-broker').first().waitFor({ timeout: TIMEOUT });
    const guideBox = await page.locator('#guide').boundingBox();
    const clusterBox = await page.locator('section.cluster').boundingBox();
    assert.ok(guideBox.x + guideBox.width <= clusterBox.x + 1, 'the guide is left of the cluster');
    assert.ok(Math.abs(guideBox.y - clusterBox.y) < 40, 'on the same row');
    assert.ok(await page.locator('#guide-prev').isDisabled());

    // With the keyboard: focus Next and press Enter.
    await page.locator('#guide-next').focus();
    await page.keyboard.press('Enter');
    await atStep(page, `Step 2 of ${n}`, demo.say[1]);
    await page.locator('#guide-no-checks').waitFor({ timeout: TIMEOUT });
    await page.locator('#guide-next').click();
    await atStep(page, `Step 3 of ${n}`, demo.say[2]);
    const check = page.locator('#guide-expects li');
    assert.equal(await check.count(), 1);
    assert.match(await text(check), /✓ PASS line \d+ acked fire == 3/);

    // Fork: the fast producer with acks=all instead of acks=1.
    const line = demo.lineOf('producer fast acks=1');
    assert.ok(line > 0);
    await page.locator(`#fork-line-${line}`).fill('producer fast acks=all');
    await page.locator('#fork-run').click();
    await page.locator('#compare-summary').waitFor({ timeout: TIMEOUT });
    assert.match(await text(page.locator('#compare-edits')), /producer fast acks=1\s*→\s*producer fast acks=all/);
    assert.match(await text(page.locator('#compare-summary')), new RegExp(`at step 3 of ${n}, both from seed \\d+`));

    // Both runs to the end.
    await page.locator('#guide-end').click();
    await atStep(page, `Step ${n} of ${n}`, demo.say[n - 1]);
    await page.locator('#compare-summary', { hasText: `at step ${n} of ${n}` }).waitFor({ timeout: TIMEOUT });
    // acks=1 lost a0..a2 on the new leader; the acks=all fork kept them.
    const log = page.locator('#compare-one-0 tr[data-field="log-1"]');
    assert.equal(await text(log.locator('td.original')), '(empty)');
    assert.equal(await text(log.locator('td.fork')), 'a0,a1,a2');
    assert.equal(await text(log.locator('td.mark')), '≠ differs');
    // A row without a difference says so in text too (for screen readers).
    const leader = page.locator('#compare-one-0 tr[data-field="leader"]');
    assert.equal(await text(leader.locator('td.original')), await text(leader.locator('td.fork')));
    assert.equal(await leader.locator('td.mark .sr').innerText(), 'same');
    assert.match(await text(page.locator('#compare-one-0 summary')), /one-0 — ≠ \d+ differences/);
    // Per producer: fast (acks=1) lost its 3 acknowledged records, the fork none.
    const fastLost = page.locator('#compare-producer-fast tr[data-field="lost"]');
    assert.equal(await text(fastLost.locator('td.original')), '3');
    assert.equal(await text(fastLost.locator('td.fork')), '0');
    assert.equal(await text(fastLost.locator('td.mark')), '≠ differs');
    // The check that counts the lost records passes in the original only.
    const lost = page.locator('#compare-expects tr', { hasText: 'lost == 6' }).first();
    assert.match(await text(lost.locator('td.original')), /✓ PASS/);
    assert.match(await text(lost.locator('td.fork')), /✗ FAIL \(was \d+\)/);
    assert.equal(await text(lost.locator('td.mark')), '≠ differs');
    // And the first event at which the traces part, in each run.
    const div = await text(page.locator('#compare-divergence'));
    assert.match(div, /Original\s*event \d+ at \d+ ms: .+\s*Fork\s*event \d+ at \d+ ms: .+/);
    await screenshot(page, 'guide-fork-acks.png');
    // Rewind the original to the event where the runs part, and back.
    const n0 = Number(/Original\s*event (\d+)/.exec(div)[1]);
    await page.locator('#compare-rewind').click();
    await page.locator('#rewound').waitFor({ timeout: TIMEOUT });
    const at = Number(/event (\d+) of/.exec(await text(page.locator('#rewound')))[1]);
    assert.ok(at >= n0 && at < n0 + 50, `rewound to ${at}, the runs part at ${n0}`);
    await page.locator('#live').click();
    await page.locator('#rewound').waitFor({ state: 'detached', timeout: TIMEOUT });

    // A refused edit says which line and why; closing keeps the original.
    await page.locator(`#fork-line-${line}`).fill('producer someone acks=all');
    await page.locator('#fork-run').click();
    await page.locator('#fork-errors', { hasText: `line ${line}:` }).waitFor({ timeout: TIMEOUT });
    await page.locator('#fork-close').click();
    await page.locator('#comparison').waitFor({ state: 'detached', timeout: TIMEOUT });
    assert.match(await text(page.locator('#guide-tally')), /So far: \d+ PASS, 0 FAIL\./);
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('guides in Chinese, and switching language keeps the step', async () => {
    const { page, problems } = await openPage(env.chrome.context);
    await page.goto(env.server.url);
    await startGuide(page, 'en');
    await atStep(page, `Step 1 of ${n}`, demo.say[0]);
    await page.locator('#guide-next').click();
    await atStep(page, `Step 2 of ${n}`, demo.say[1]);
    await page.locator('#lang').selectOption('zh');
    await atStep(page, `第 2 步，共 ${n} 步`, demo.sayZh[1]);
    assert.match(demo.sayZh[1], /[\u4e00-\u9fff]/);
    await page.locator('#guide-prev', { hasText: '上一步' }).click();
    await atStep(page, `第 1 步，共 ${n} 步`, demo.sayZh[0]);
    assert.match(await text(page.locator('#compare-title')), /分叉并对比/);
    // Started in Chinese.
    await page.goto('about:blank');
    await page.goto(env.server.url);
    await startGuide(page, 'zh');
    await atStep(page, `第 1 步，共 ${n} 步`, demo.sayZh[0]);
    await screenshot(page, 'guide-zh.png');
    assert.deepEqual(problems, []);
    await page.close();
  });
});
