// Runs the browser benchmarks for `cargo xtask bench` (not a test: nothing
// here fails because a machine is slow) and writes their results as JSON.
//
//   KAFKASCOPE_DIST_BENCH  dist-bench/ (the bench page); empty: it did not build
//   KAFKASCOPE_DIST        dist/ (the app); empty: it did not build
//   KAFKASCOPE_BENCH_RUNS  runs of every measurement (default 5)
//   KAFKASCOPE_BENCH_QUICK 1: smaller measurements
//   KAFKASCOPE_BENCH_OUT   where to write the JSON (default target/bench/browser.json)
//   KAFKASCOPE_BENCH_ONLY  one section only (worker, app, frames or live), to rerun it
//
// Output: { worker: [run, ...], worker_params, app: [{first_render_ms,
// interactive_ms}, ...], app_brokers, frames: [{p95_frame_ms, ...}, ...],
// live: [{records_per_s, p50_ms, p99_ms, ...}, ...], live_records,
// errors: { worker?, app?, frames?, live? } }. A section
// that could not run has no runs and its reason under `errors`; the xtask
// prints that reason in the table.
import { writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { serveDist, launchChromium, openPage, repoRoot } from '../e2e/harness.mjs';
import { frameBench } from './frames.mjs';
import { eachFreshRun } from './runs.mjs';
import { liveBench } from './live.mjs';

const runs = Number(process.env.KAFKASCOPE_BENCH_RUNS ?? 5);
const quick = process.env.KAFKASCOPE_BENCH_QUICK === '1';
const out = process.env.KAFKASCOPE_BENCH_OUT ?? path.join(repoRoot, 'target', 'bench', 'browser.json');
const distBench = process.env.KAFKASCOPE_DIST_BENCH ?? path.join(repoRoot, 'dist-bench');
const dist = process.env.KAFKASCOPE_DIST ?? path.join(repoRoot, 'dist');
/** The app is interactive when it shows all its brokers online. */
const BROKERS = 3;
const ONLINE = `${BROKERS} brokers online`;

/** Records in each live throughput run. */
const LIVE_RECORDS = quick ? 20_000 : 100_000;

const result = {
  worker: [], worker_params: null, app: [], app_brokers: BROKERS, frames: [], live: [], live_records: LIVE_RECORDS, errors: {},
};

function log(msg) {
  console.log(`bench: ${msg}`);
}

/** The bench page: every run of the worker's measurements. */
async function workerBench() {
  if (!distBench) throw new Error('the bench page did not build (trunk build --config web/bench/Trunk.toml failed, see above)');
  const query = quick
    ? `?runs=${runs}&append_batches=1000&idb_records=50000`
    : `?runs=${runs}`;
  const server = await serveDist(distBench);
  const browser = await launchChromium();
  try {
    const { page, problems } = await openPage(browser.context);
    page.on('console', (m) => {
      if (m.type() !== 'error') log(`page: ${m.text()}`);
    });
    log(`bench page ${server.url}${query}`);
    await page.goto(`${server.url}${query}`);
    let seen = 0;
    // Each run takes seconds; a stuck page is an error, not a slow machine:
    // allow 3 minutes per run.
    const deadline = Date.now() + 180_000 * (runs + 1);
    const startDeadline = Date.now() + 60_000;
    for (;;) {
      const s = await page.evaluate(() => window.kafkascopeBench ?? null);
      if (!s) throw new Error(`the bench page did not start (no window.kafkascopeBench)${problems.length ? `: ${problems.join('; ')}` : ''}`);
      for (; seen < s.runs.length; seen++) {
        const r = s.runs[seen];
        log(`run ${r.run}: log append ${Math.round(r.append_records_per_sec).toLocaleString('en-US')} records/s, ` +
          `IndexedDB raw ${Math.round(r.idb_raw_records_per_sec).toLocaleString('en-US')}/s, ` +
          `persisted ${Math.round(r.idb_persisted_records_per_sec).toLocaleString('en-US')}/s`);
      }
      if (s.state === 'error') throw new Error(`the bench page reported: ${s.error}`);
      // A worker whose wasm fails to load or start only shows up as a page
      // error (an unhandled rejection in the worker), never as an event.
      const pageError = problems.find((p) => p.startsWith('page error:'));
      if (pageError && s.state !== 'done') throw new Error(`the bench page failed: ${pageError}`);
      if (s.state === 'starting' && Date.now() > startDeadline)
        throw new Error(`the bench worker did not start within 60 s${problems.length ? `: ${problems.join('; ')}` : ''}`);
      if (s.state === 'done') {
        result.worker = s.runs;
        result.worker_params = s.params;
        return;
      }
      if (Date.now() > deadline) throw new Error(`the bench page did not finish in time (state ${s.state}, ${s.runs.length} of ${runs} runs)`);
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    await browser.close();
    await server.close();
  }
}

/** The app: navigation to first render and to "3 brokers online", each
 * run in a fresh profile (empty IndexedDB, empty cache). */
async function appBench() {
  result.app = await eachFreshRun(dist, runs, async ({ page, problems, url, run: i }) => {
    // Before any page script: time (from navigation start, the page's
    // performance.timeOrigin) when #app first has content and when the
    // page first says "3 brokers online".
    await page.addInitScript((online) => {
      const t = (window.__kafkascopeTimes = {});
      const check = () => {
        const app = document.getElementById('app');
        if (t.render == null && app && app.childElementCount > 0) t.render = performance.now();
        if (t.online == null && (document.body?.textContent ?? '').includes(online)) t.online = performance.now();
      };
      new MutationObserver(check).observe(document, { subtree: true, childList: true, characterData: true });
    }, ONLINE);
    await page.goto(url, { waitUntil: 'commit' });
    const times = await page
      .waitForFunction(() => window.__kafkascopeTimes?.online != null && window.__kafkascopeTimes, null, {
        timeout: 30_000,
      })
      .then((h) => h.jsonValue())
      .catch(async () => {
        const text = await page.evaluate(() => document.body?.innerText ?? '').catch(() => '');
        throw new Error(`the app never showed "${ONLINE}" within 30 s; it shows: ${text.replace(/\s+/g, ' ').slice(0, 300)}` +
          (problems.length ? `; ${problems.join('; ')}` : ''));
      });
    log(`app run ${i}: first render ${times.render?.toFixed(0)} ms, "${ONLINE}" ${times.online.toFixed(0)} ms`);
    return { run: i, first_render_ms: times.render ?? null, interactive_ms: times.online };
  });
}

/** The page's frame time while the cluster worker runs a load (frames.mjs). */
async function framesBench() {
  result.frames = await frameBench(dist, runs, quick ? 3 : 5, log);
}

/** Live mode through broker workers (live.mjs). */
async function liveModeBench() {
  result.live = await liveBench(dist, runs, LIVE_RECORDS, log);
}

const only = process.env.KAFKASCOPE_BENCH_ONLY;
for (const [section, fn] of [['worker', workerBench], ['app', appBench], ['frames', framesBench], ['live', liveModeBench]]) {
  if (only && only !== section) continue;
  try {
    await fn();
  } catch (e) {
    result.errors[section] = String(e?.message ?? e).split('\n')[0];
    console.error(`bench: ${section}: ${result.errors[section]}`);
  }
}
await mkdir(path.dirname(out), { recursive: true });
await writeFile(out, JSON.stringify(result, null, 2));
log(`wrote ${out}`);
