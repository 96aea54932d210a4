// The page's frame time under load, for `cargo xtask bench` (run.mjs):
// 3 brokers x 50 partitions (RF=3), an acks=all producer sending as fast
// as the simulated cluster takes records, played at 1x (real time) in the
// cluster worker while the page redraws every update. Measured as the deltas
// between requestAnimationFrame callbacks over a few seconds in headless
// Chromium; each run gives its p95, the table the median of the runs.
import { type } from '../e2e/harness.mjs';
import { eachFreshRun } from './runs.mjs';

/** The load: one line per console submit. */
const SETUP = [
  'cluster brokers=3',
  'topic create load partitions=50 replication-factor=3',
  'producer p acks=all linger.ms=5',
];
/** Virtual time per real time while measured: real time, so every
 * played tick (100 ms) comes back as an update the page draws. */
const SPEED = '1';
/** Records queued per refill: the producer never runs dry while measured. */
const REFILL = 'send p load value=v{i} count=200000';

/** p-th percentile (nearest rank) of `xs`. */
export function percentile(xs, p) {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** Runs `runs` measurements of `seconds` each; returns [{run, p95_frame_ms, ...}]. */
export async function frameBench(dist, runs, seconds, log) {
  return eachFreshRun(dist, runs, async ({ page, problems, url, run: i }) => {
    await page.goto(url);
    await page.locator('#no-cluster').waitFor({ timeout: 60_000 });
    for (const line of SETUP) await type(page, line);
    await page.locator('details.partition[data-partition="load-49"]').waitFor({ timeout: 120_000 });
    await type(page, REFILL);
    await page.locator('#speed').selectOption(SPEED);
    await page.locator('#play').click();
    // Measure once the played ticks come back (the worker is busy).
    const start = Number(await page.locator('#position').innerText());
    await page.waitForFunction(
      (p) => Number(document.querySelector('#position')?.textContent ?? 0) > p,
      start,
      { timeout: 60_000 },
    );
    const before = await page.evaluate(() => ({
      position: Number(document.querySelector('#position')?.textContent ?? 0),
      now: document.querySelector('#now-ms')?.textContent ?? '',
    }));
    const deltas = await page.evaluate(
      (ms) =>
        new Promise((resolve) => {
          const d = [];
          let last = null;
          const end = performance.now() + ms;
          const frame = (t) => {
            if (last != null) d.push(t - last);
            last = t;
            if (t < end) requestAnimationFrame(frame);
            else resolve(d);
          };
          requestAnimationFrame(frame);
        }),
      seconds * 1000,
    );
    const after = await page.evaluate(() => ({
      position: Number(document.querySelector('#position')?.textContent ?? 0),
      now: document.querySelector('#now-ms')?.textContent ?? '',
    }));
    await page.locator('#play').click();
    const events = after.position - before.position;
    if (events <= 0) throw new Error(`the cluster did not run while measured (event ${before.position} -> ${after.position})`);
    if (problems.length) throw new Error(problems.join('; '));
    // Virtual time shown as "1,234 ms" (or "1234 ms").
    const virtualMs = (t) => Number(t.replace(/[^0-9]/g, ''));
    const r = {
      run: i,
      p95_frame_ms: percentile(deltas, 95),
      median_frame_ms: percentile(deltas, 50),
      frames: deltas.length,
      events_during: events,
      events_per_s: events / seconds,
      // Virtual time the engine advanced per real second (1000 at 1x
      // when it keeps up).
      virtual_ms_per_s: (virtualMs(after.now) - virtualMs(before.now)) / seconds,
    };
    log(`frames run ${i}: p95 ${r.p95_frame_ms.toFixed(1)} ms, median ${r.median_frame_ms.toFixed(1)} ms, ` +
      `${r.frames} frames in ${seconds} s, ${events} simulator events meanwhile ` +
      `(${r.events_per_s.toFixed(0)}/s), virtual time ${r.virtual_ms_per_s.toFixed(0)} ms/s`);
    return r;
  });
}
