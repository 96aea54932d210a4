// Guided demos played to the end through the page, as a learner would:
// pick a demo, load it, and read its narration and its checks in the
// console. Every `expect` of the demo file must show up as a PASS line in
// the page (the engine worker ran the whole demo), none as FAIL or ERROR,
// and the demo's last narration must be shown, in English and in Chinese.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { withBrowser, openPage, screenshot, repoRoot } from './harness.mjs';

const TIMEOUT = 60_000;
const DEMOS = ['04-kip101-leader-epoch.scn', '06-power-failure.scn', '15-controller-failover.scn'];

/** What the demo file says it will show: its expects and its last narration. */
function demoFile(name) {
  const lines = readFileSync(path.join(repoRoot, 'tests', 'scenarios', 'demos', name), 'utf8')
    .split('\n')
    .map((l) => l.trim());
  const unquote = (t) => (t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t);
  const last = (cmd) => unquote(lines.filter((l) => l.startsWith(`${cmd} `)).at(-1).slice(cmd.length + 1));
  return {
    expects: lines.filter((l) => l.startsWith('expect ')).length,
    lastSay: last('say'),
    lastSayZh: last('say.zh'),
  };
}

/** Loads demo `name` in `lang` and waits for its last narration; every expect
 * of the file must show as a PASS line and none as FAIL or ERROR. */
async function play(page, name, lang) {
  await page.locator('#load-demo').waitFor({ timeout: TIMEOUT });
  if (lang === 'zh') {
    await page.locator('#lang').selectOption('zh');
    await page.locator('#console-title', { hasText: '控制台' }).waitFor({ timeout: TIMEOUT });
  }
  await page.locator('#demo').selectOption(name);
  await page.locator('#load-demo').click();
  const demo = demoFile(name);
  const narration = lang === 'zh' ? demo.lastSayZh : demo.lastSay;
  await page
    .locator('#console-output li', { hasText: narration })
    .first()
    .waitFor({ timeout: TIMEOUT });
  const passes = await page.locator('#console-output li.good', { hasText: /^PASS line \d+:/ }).count();
  assert.equal(passes, demo.expects, `${name}: one PASS line per expect`);
  assert.equal(await page.locator('#console-output li.bad').count(), 0, 'no FAIL or ERROR line');
  return demo;
}

describe('guided demos in the page', () => {
  const env = withBrowser();

  for (const name of DEMOS) {
    it(`plays ${name} to the end with every expect passing`, async () => {
      const { page, problems } = await openPage(env.chrome.context);
      await page.goto(env.server.url);
      await play(page, name, 'en');
      // The cluster view shows the state the demo ended in.
      await page.locator('tr.sim-broker').first().waitFor({ timeout: TIMEOUT });
      await screenshot(page, `demo-${name.replace('.scn', '')}.png`);
      assert.deepEqual(problems, []);
      await page.close();
    });
  }

  it('plays a demo to the end in Chinese', async () => {
    const { page, problems } = await openPage(env.chrome.context);
    await page.goto(env.server.url);
    const demo = await play(page, DEMOS[0], 'zh');
    assert.match(demo.lastSayZh, /[\u4e00-\u9fff]/);
    assert.deepEqual(problems, []);
    await page.close();
  });
});
