// What the learner sees when a broker worker's IndexedDB misbehaves, with
// every broker in its own web worker: a damaged stored chunk is named in
// the console (database, file, chunk, what was kept), the restarted broker
// keeps only what it recovers from what it kept (the cut batch is gone, in
// the console's `expect log` as in its log), keeps serving, and nothing
// else is lost. (A full quota is covered by crates/worker/tests/log_store.rs:
// Chromium's quota override through CDP does not make IndexedDB writes
// fail.)
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { serveDist, launchChromium, openPage, screenshot, type } from './harness.mjs';

const TIMEOUT = 60_000;

/**
 * Opens the page with every broker in its own worker, then runs `lines`.
 * Each test has its own browser: its databases are its own.
 */
async function workersSession(env, lines) {
  env.chrome = await launchChromium();
  const { page, problems } = await openPage(env.chrome.context);
  await page.goto(env.server.url);
  await page.locator('#no-cluster').waitFor({ timeout: TIMEOUT });
  await page.locator('#broker-mode').selectOption('workers');
  await page.locator('#broker-mode-now', { hasText: 'own web worker' }).waitFor({ timeout: TIMEOUT });
  for (const line of lines) {
    await type(page, line);
  }
  return { page, problems };
}

/** Waits for `locator`; on a timeout the error carries the console's lines. */
async function waitOrTell(page, locator, what) {
  try {
    await locator.waitFor({ timeout: TIMEOUT });
  } catch (e) {
    const lines = await page.locator('#console-output li').allInnerTexts();
    throw new Error(`${what} did not show; the console:\n${lines.join('\n')}`, { cause: e });
  }
}

/** Waits until the console shows a line matching `re`. */
const shows = (page, re) =>
  waitOrTell(page, page.locator('#console-output li', { hasText: re }).first(), String(re));

/**
 * The console's `PASS`/`FAIL` line for `expect`, once it shows. The whole
 * line is matched: `log t-0@1 == a,b` must not take the verdict of an
 * earlier `log t-0@1 == a,b,c`. (Each expect line is typed once per test.)
 */
async function verdict(page, expectLine) {
  await type(page, expectLine);
  const body = expectLine.replace(/^expect /, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const whole = new RegExp(`^(PASS|FAIL) line \\d+: ${body}( \\(was .*\\))?$`);
  const li = page.locator('#console-output li', { hasText: whole }).last();
  await waitOrTell(page, li, expectLine);
  return li.innerText();
}

/** Every `ERROR` line of the console. */
const errors = (page) => page.locator('#console-output li', { hasText: /^ERROR/ }).allInnerTexts();

describe('broker storage faults in the page', () => {
  const env = {};
  before(async () => {
    env.server = await serveDist();
  });
  afterEach(async () => {
    await env.chrome?.close();
    env.chrome = undefined;
  });
  after(async () => {
    await env.server?.close();
  });

  it('names a damaged chunk; the broker comes back without the cut batch and nothing else is lost', async () => {
    // Both topics live on broker 1 only, so what it recovers is what its
    // database gives back. One record per batch: the cut lands inside the
    // last batch, which recovery then drops.
    const { page, problems } = await workersSession(env, [
      'cluster brokers=3 seed=5',
      'topic create damaged partitions=1 replication-factor=1 assignment=1',
      'topic create intact partitions=1 replication-factor=1 assignment=1',
      'producer p acks=all',
      ...['d0', 'd1', 'd2'].flatMap((v) => [`send p damaged value=${v}`, 'flush p']),
      'send p intact value=i{i} count=3',
      'flush p',
      'crash 1',
    ]);
    // Broker 1's disk, read while it is down, has every record.
    assert.match(await verdict(page, 'expect log damaged-0@1 == d0,d1,d2'), /^PASS/);
    assert.deepEqual(await errors(page), [], 'no storage error before the damage');

    // While broker 1 is down, cut 5 bytes off the stored segment's chunk
    // (its last chunk: the file is small), in both of its layers.
    const cut = await page.evaluate(async () => {
      const db = await new Promise((resolve, reject) => {
        const open = indexedDB.open('kafkascope-cluster-broker-1');
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      const stores = ['page_cache_chunks', 'disk_chunks'];
      const tx = db.transaction(stores, 'readwrite');
      const done = [];
      for (const name of stores) {
        const store = tx.objectStore(name);
        const all = await new Promise((resolve) => {
          const keys = store.getAllKeys();
          keys.onsuccess = () => resolve(keys.result);
        });
        for (const key of all) {
          if (key[0] === 'damaged-0/00000000000000000000.log') {
            const value = await new Promise((resolve) => {
              const get = store.get(key);
              get.onsuccess = () => resolve(get.result);
            });
            store.put(value.slice(0, value.length - 5), key);
            done.push(`${name}:${key[1]}:${value.length}`);
          }
        }
      }
      await new Promise((resolve, reject) => {
        tx.oncomplete = resolve;
        tx.onerror = () => reject(tx.error);
      });
      db.close();
      return done;
    });
    assert.ok(cut.some((c) => c.startsWith('page_cache_chunks:')), `the segment's chunk was found: ${cut}`);

    await type(page, 'restart 1');
    // The restarted worker reports what it cut with its broker's next event.
    await type(page, 'tick 1000');
    // The message names the database, the file and the chunk.
    await shows(page, /ERROR broker 1: kafkascope-cluster-broker-1: damaged-0\/00000000000000000000\.log: chunk 0 holds/);
    // d2's batch lost its last 5 bytes: what the restarted broker has is
    // d0 and d1 (before it has even registered again, the console shows
    // what its disk recovers, not what the killed process had left).
    assert.match(await verdict(page, 'expect log damaged-0@1 == d0,d1'), /^PASS/);
    assert.match(await verdict(page, 'expect leo damaged-0@1 == 2'), /^PASS/);
    assert.match(await verdict(page, 'expect leader damaged-0 == 1'), /^PASS/);
    assert.match(await verdict(page, 'expect log intact-0@1 == i0,i1,i2'), /^PASS/);
    // The broker keeps working: a new record is acknowledged after the cut
    // and follows d1; the acknowledged d2 is lost (no other replica had it).
    await type(page, 'send p damaged value=d3');
    await type(page, 'flush p');
    assert.match(await verdict(page, 'expect acked p == 7'), /^PASS/);
    assert.match(await verdict(page, 'expect log damaged-0@1 == d0,d1,d3'), /^PASS/);
    assert.match(await verdict(page, 'expect lost == 1'), /^PASS/);
    assert.equal((await errors(page)).length, 1, `one storage error: ${await errors(page)}`);
    await screenshot(page, 'storage-damaged-chunk.png');
    assert.deepEqual(problems, []);
    await page.close();
  });
});
