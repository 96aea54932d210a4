// The bench page: starts the bench worker with this page's query
// (?runs=...), shows each run as it ends, and exposes everything for the
// driver (tests/bench/run.mjs) as window.kafkascopeBench and as JSON in
// #results. body[data-state] is starting | running | done | error.
const state = { state: 'starting', params: null, runs: [], medians: null, error: null };
window.kafkascopeBench = state;

const $ = (id) => document.getElementById(id);
const fmt = (v) => (v == null ? '-' : Math.round(v).toLocaleString('en-US'));

function median(xs) {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

function show() {
  document.body.dataset.state = state.state;
  $('results').textContent = JSON.stringify(state, null, 2);
}

function fail(message) {
  if (state.state === 'error') return;
  state.state = 'error';
  state.error = message;
  $('status').textContent = `error: ${message}`;
  $('status').className = 'error';
  show();
}

const worker = new Worker(`./bench-worker_loader.js${location.search}`, { name: 'bench' });
worker.onerror = (e) => {
  e.preventDefault();
  fail(`the bench worker failed: ${e.message || 'bench-worker_loader.js or its wasm did not load'}`);
};
worker.onmessageerror = () => fail('the bench worker sent a message that could not be read');
worker.onmessage = (e) => {
  let m;
  try {
    m = JSON.parse(e.data);
  } catch {
    fail(`the bench worker sent something that is not JSON: ${String(e.data).slice(0, 200)}`);
    return;
  }
  switch (m.event) {
    case 'start':
      state.state = 'running';
      state.params = m.params;
      $('status').textContent = `running ${m.params.runs} runs…`;
      break;
    case 'run': {
      const { event, ...run } = m;
      run.persisted_over_raw = run.idb_persisted_records_per_sec / run.idb_raw_records_per_sec;
      state.runs.push(run);
      const tr = document.createElement('tr');
      for (const v of [
        String(run.run),
        fmt(run.append_records_per_sec),
        fmt(run.idb_raw_records_per_sec),
        fmt(run.idb_persisted_records_per_sec),
        `${(100 * run.persisted_over_raw).toFixed(1)} %`,
      ]) {
        const td = document.createElement('td');
        td.textContent = v;
        tr.append(td);
      }
      $('runs').tBodies[0].append(tr);
      $('status').textContent = `run ${run.run} of ${state.params?.runs ?? '?'} done…`;
      break;
    }
    case 'done': {
      const col = (k) => median(state.runs.map((r) => r[k]));
      state.medians = {
        append_records_per_sec: col('append_records_per_sec'),
        idb_raw_records_per_sec: col('idb_raw_records_per_sec'),
        idb_persisted_records_per_sec: col('idb_persisted_records_per_sec'),
        persisted_over_raw: col('persisted_over_raw'),
      };
      state.state = 'done';
      $('status').textContent = `done: medians of ${state.runs.length} runs in the JSON below`;
      worker.terminate();
      break;
    }
    case 'error':
      fail(m.message);
      worker.terminate();
      break;
    default:
      fail(`the bench worker sent an unknown event: ${e.data}`);
  }
  show();
};
show();
