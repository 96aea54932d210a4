// One loop for the app's browser benchmarks: serve dist/, then each run in
// a fresh browser (empty profile: empty IndexedDB, empty cache), so no run
// inherits another's databases or compiled wasm.
import { serveDist, launchChromium, openPage } from '../e2e/harness.mjs';

/**
 * Calls `measure({ page, problems, url, run })` for runs 1..`runs`, each in
 * a fresh browser; `measure` navigates to `url` itself (some measurements
 * must hook the page before it loads). Returns what the calls returned.
 */
export async function eachFreshRun(dist, runs, measure) {
  if (!dist) throw new Error('the app did not build (trunk build --release failed, see above)');
  const server = await serveDist(dist);
  const out = [];
  try {
    for (let run = 1; run <= runs; run++) {
      const browser = await launchChromium();
      try {
        const { page, problems } = await openPage(browser.context);
        out.push(await measure({ page, problems, url: server.url, run }));
      } finally {
        await browser.close();
      }
    }
  } finally {
    await server.close();
  }
  return out;
}
