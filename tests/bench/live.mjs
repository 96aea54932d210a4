// Live mode through broker workers, for `cargo xtask bench` (run.mjs):
// the page's own live measurement (Where the brokers run -> live ->
// Measure), which replaces the session by the benchmark cluster (3
// brokers, topic bench with 3 partitions RF=3, acks=all producers, a
// consumer) and measures in the engine worker with performance.now():
// - produce->consume latency: producer lat (linger.ms=0) sends one 100 B
//   record, the consumer (always in poll()) gets it, then the next;
// - acknowledged records/s: producer p (linger.ms=5, batch.size=262144)
//   is handed every record at once; records / time to the last ack.
// Each run in a fresh browser profile; the table takes the medians.
import { eachFreshRun } from './runs.mjs';

/** Runs the measurement `runs` times; returns [{run, records_per_s, p50_ms, p99_ms, ...}]. */
export async function liveBench(dist, runs, records, log) {
  return eachFreshRun(dist, runs, async ({ page, problems, url, run: i }) => {
    await page.goto(url);
    await page.locator('#no-cluster').waitFor({ timeout: 60_000 });
    await page.locator('#broker-mode').selectOption('live');
    await page.locator('#broker-mode-now', { hasText: 'Live:' }).waitFor({ timeout: 60_000 });
    const input = page.locator('#measure-records');
    await input.fill(String(records));
    await input.dispatchEvent('change');
    await page.locator('#measure').click();
    const done = await page
      .waitForFunction(() => {
        const d = document.querySelector('#live-measure');
        return d && d.dataset.done === 'true' && { ...d.dataset };
      }, null, { timeout: 300_000, polling: 250 })
      .then((h) => h.jsonValue())
      .catch(async () => {
        const d = await page.evaluate(() => ({ ...(document.querySelector('#live-measure')?.dataset ?? {}) }));
        throw new Error(`the live measurement did not finish in 300 s (${JSON.stringify(d)})` +
          (problems.length ? `; ${problems.join('; ')}` : ''));
      });
    if (done.problem) throw new Error(`the live measurement stopped: ${done.problem}`);
    const run = {
      run: i,
      records_per_s: Number(done.recordsPerS),
      p50_ms: Number(done.p50Us) / 1000,
      p99_ms: Number(done.p99Us) / 1000,
      samples: Number(done.samples),
      records: Number(done.acked),
      elapsed_ms: Number(done.elapsedUs) / 1000,
      engine_busy_ms: Number(done.engineBusyUs) / 1000,
      events: Number(done.events),
    };
    log(`live run ${i}: ${Math.round(run.records_per_s).toLocaleString('en-US')} acked records/s ` +
      `(${run.records} in ${run.elapsed_ms.toFixed(0)} ms), latency p50 ${run.p50_ms.toFixed(2)} ms, ` +
      `p99 ${run.p99_ms.toFixed(2)} ms (${run.samples} records); engine busy ${run.engine_busy_ms.toFixed(0)} ms ` +
      `of the throughput run, ${run.events} simulator events`);
    return run;
  });
}
