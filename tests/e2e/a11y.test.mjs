// Accessibility (issue 7): every control has a name, and the page works
// from the keyboard. A rich session (brokers, a topic, a producer, a
// consumer group, a crash, the record inspector and the segment view
// open, every <details> expanded), then a guided demo with its fork, is
// read through Chromium's own accessibility tree over CDP
// (Accessibility.getFullAXTree): each button, textbox, combobox, slider,
// checkbox, spinbutton, link, ... must have a non-empty accessible name.
// Then Tab reaches the console input, the play button and a strip cell,
// Enter and Space work them, the record inspector takes focus when it
// opens and Escape closes it, giving focus back to the cell.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { withBrowser, openPage, screenshot, type, consoleShows } from './harness.mjs';

const TIMEOUT = 60_000;

/** Roles of controls, as Chromium names them in its accessibility tree. */
const CONTROLS = new Set([
  'button',
  'textbox',
  'searchbox',
  'combobox',
  'listbox',
  'slider',
  'checkbox',
  'radio',
  'switch',
  'spinbutton',
  'link',
  'menuitem',
  'tab',
  'DisclosureTriangle', // <summary>
]);

/**
 * The controls without an accessible name, as "role #id .class
 * [data-…] <tag>" lines, and how many controls were checked.
 */
async function unnamedControls(page) {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('DOM.getDocument', { depth: 0 });
    const { nodes } = await cdp.send('Accessibility.getFullAXTree');
    const controls = nodes.filter((n) => !n.ignored && CONTROLS.has(n.role?.value));
    const offenders = [];
    for (const n of controls) {
      if ((n.name?.value ?? '').trim() !== '') continue;
      let where = '(no DOM node)';
      if (n.backendDOMNodeId) {
        const { node } = await cdp.send('DOM.describeNode', { backendNodeId: n.backendDOMNodeId });
        const attrs = {};
        for (let i = 0; i + 1 < (node.attributes ?? []).length; i += 2) attrs[node.attributes[i]] = node.attributes[i + 1];
        const data = Object.entries(attrs)
          .filter(([k]) => k.startsWith('data-'))
          .map(([k, v]) => `[${k}="${v}"]`)
          .join('');
        where = `<${node.localName}>${attrs.id ? ` #${attrs.id}` : ''}${attrs.class ? ` .${attrs.class.split(/\s+/).join('.')}` : ''}${data ? ` ${data}` : ''}`;
      }
      offenders.push(`${n.role.value} ${where}`);
    }
    const roles = {};
    for (const n of controls) roles[n.role.value] = (roles[n.role.value] ?? 0) + 1;
    return { offenders, checked: controls.length, roles };
  } finally {
    await cdp.detach();
  }
}

/** Opens every <details>, so the controls inside are in the tree too. */
async function expandAll(page) {
  await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
}

/** What has keyboard focus: "#id", or the tag with its class and data-*. */
const focused = (page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return 'body';
    if (el.id) return `#${el.id}`;
    const data = [...el.attributes]
      .filter((a) => a.name.startsWith('data-'))
      .map((a) => `[${a.name}="${a.value}"]`)
      .join('');
    return `${el.localName}.${[...el.classList].join('.')}${data}`;
  });

/** Presses Tab until `pred(focused)` holds; returns what has focus then. */
async function tabTo(page, pred, max = 800) {
  const seen = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (pred(f)) return f;
    seen.push(f);
  }
  throw new Error(`Tab never reached it in ${max} presses; it went through: ${seen.slice(0, 60).join(' ')} …`);
}

describe('accessibility', () => {
  const env = withBrowser();

  it('names every control of a rich session and of a forked guided demo', async () => {
    const { page, problems } = await openPage(env.chrome.context);
    await page.goto(env.server.url);
    await page.locator('#no-cluster').waitFor({ timeout: TIMEOUT });
    for (const line of [
      'cluster brokers=3',
      'topic create t partitions=2 replication-factor=3',
      'producer p acks=all',
      'send p t key=k{i} value=v{i} count=6',
      'flush p',
      'consumer c group=g',
      'subscribe c t',
      'poll c',
      'crash 2',
      'tick 1000',
    ]) {
      await type(page, line);
    }
    await type(page, 'expect leader t-0 != none');
    await consoleShows(page, /^PASS line 11:/);
    // The record inspector, opened from a strip cell; the segment view.
    await page.locator('.partition[data-partition="t-0"] tr.replica .strip button.cell').first().click();
    await page.locator('#inspector #record-story').waitFor({ timeout: TIMEOUT });
    await page.locator('#segments-show').click();
    await page.locator('#segment-list tr.segment button').first().click();
    await page.locator('#segment-detail').waitFor({ timeout: TIMEOUT });
    await expandAll(page);
    // The check itself finds a control without a name.
    await page.evaluate(() => {
      const b = document.createElement('button');
      b.id = 'probe-unnamed';
      document.querySelector('#console-output').after(b);
    });
    assert.deepEqual((await unnamedControls(page)).offenders, ['button <button> #probe-unnamed']);
    await page.evaluate(() => document.querySelector('#probe-unnamed').remove());
    let r = await unnamedControls(page);
    console.log(`controls checked: ${r.checked} ${JSON.stringify(r.roles)}`);
    await screenshot(page, 'a11y-rich.png');
    assert.ok(r.checked > 80, `only ${r.checked} controls in the tree: ${JSON.stringify(r.roles)}`);
    for (const role of ['button', 'textbox', 'combobox', 'slider', 'spinbutton', 'link', 'DisclosureTriangle']) {
      assert.ok(r.roles[role] > 0, `no ${role} checked: ${JSON.stringify(r.roles)}`);
    }
    assert.deepEqual(r.offenders, [], `controls without an accessible name (${r.checked} checked)`);

    // A guided demo, forked: the guide, the fork's line editors and the
    // side-by-side comparison.
    await page.locator('#demo').selectOption('01-acks.scn');
    await page.locator('#guide-demo').click();
    await page.locator('#guide-progress', { hasText: 'Step 1 of' }).waitFor({ timeout: TIMEOUT });
    await page.locator('#guide-next').click();
    await page.locator('#guide-next').click();
    await page.locator('#guide-progress', { hasText: 'Step 3 of' }).waitFor({ timeout: TIMEOUT });
    const fast = await page.evaluate(
      () => [...document.querySelectorAll('.fork-lines input')].find((i) => i.value.startsWith('producer fast'))?.id,
    );
    assert.ok(fast, 'the demo has a `producer fast` line to edit');
    await page.locator(`#${fast}`).fill('producer fast acks=all');
    await page.locator('#fork-run').click();
    await page.locator('#compare-summary').waitFor({ timeout: TIMEOUT });
    await expandAll(page);
    r = await unnamedControls(page);
    await screenshot(page, 'a11y-guide.png');
    assert.deepEqual(r.offenders, [], `controls without an accessible name (${r.checked} checked)`);

    // In Chinese too (labels come from the translation tables).
    await page.locator('#lang').selectOption('zh');
    await page.locator('#console-title', { hasText: '控制台' }).waitFor({ timeout: TIMEOUT });
    await expandAll(page);
    r = await unnamedControls(page);
    assert.deepEqual(r.offenders, [], `controls without an accessible name in Chinese (${r.checked} checked)`);
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('works from the keyboard: console, play, a strip cell and the record inspector', async () => {
    const { page, problems } = await openPage(env.chrome.context);
    await page.goto(env.server.url);
    await page.locator('#no-cluster').waitFor({ timeout: TIMEOUT });

    // The console input: reached by Tab, Enter runs the line.
    await page.locator('body').focus();
    assert.equal(await tabTo(page, (f) => f === '#console-input'), '#console-input');
    await page.keyboard.type('cluster brokers=2');
    await page.keyboard.press('Enter');
    await page.locator('tr.sim-broker').nth(1).waitFor({ timeout: TIMEOUT });
    for (const line of [
      'topic create t partitions=1 replication-factor=2 assignment=0:1',
      'producer p acks=all',
      'send p t value=v{i} count=3',
      'flush p',
      'tick 500',
      'expect hw t-0 == 3',
    ]) {
      await page.keyboard.type(line);
      await page.keyboard.press('Enter');
    }
    await consoleShows(page, 'PASS line 7: hw t-0 == 3');

    // The play button: Space starts, Enter stops.
    await page.evaluate(() => document.activeElement.blur());
    assert.equal(await tabTo(page, (f) => f === '#play'), '#play');
    await page.keyboard.press('Space');
    await page.waitForFunction(() => document.querySelector('#play').getAttribute('aria-pressed') === 'true');
    const t0 = Number(await page.locator('#position').innerText());
    await page.waitForFunction((t) => Number(document.querySelector('#position').textContent) > t, t0, { timeout: TIMEOUT });
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('#play').getAttribute('aria-pressed') === 'false');

    // A strip cell: reached by Tab from the play button; Enter opens the
    // inspector, which takes focus; Escape closes it and gives focus back.
    const cell = await tabTo(page, (f) => f.startsWith('button.cell') && f.includes('[data-offset="1"]'));
    await page.keyboard.press('Enter');
    await page.locator('#record-verdict').waitFor({ timeout: TIMEOUT });
    await page.waitForFunction(() => document.activeElement?.id === 'inspector', null, { timeout: TIMEOUT });
    assert.match(await page.locator('#inspector .record-name').innerText(), /t-0 · offset 1/);
    await page.keyboard.press('Escape');
    await page.locator('#inspector').waitFor({ state: 'detached', timeout: TIMEOUT });
    assert.equal(await focused(page), cell, 'focus is back on the cell that opened the inspector');
    // Space opens it too; Tab moves inside it; its Close button (Enter)
    // also gives focus back.
    await page.keyboard.press('Space');
    await page.waitForFunction(() => document.activeElement?.id === 'inspector', null, { timeout: TIMEOUT });
    assert.equal(await tabTo(page, (f) => f === '#inspector-close', 40), '#inspector-close');
    await page.keyboard.press('Enter');
    await page.locator('#inspector').waitFor({ state: 'detached', timeout: TIMEOUT });
    assert.equal(await focused(page), cell);
    await screenshot(page, 'a11y-keyboard.png');
    assert.deepEqual(problems, []);
    await page.close();
  });
});
