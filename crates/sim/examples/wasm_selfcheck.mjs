// Loads the wasm build of examples/wasm_selfcheck.rs and checks that the
// self-check run's trace hash equals the native golden value. Exit 0 = same.
import { readFileSync } from "node:fs";

const path = process.argv[2];
if (!path) {
  console.error("usage: node wasm_selfcheck.mjs PATH/wasm_selfcheck.wasm");
  process.exit(2);
}
const { instance } = await WebAssembly.instantiate(readFileSync(path), {});
const e = instance.exports;
const got = [e.selfcheck_len(), e.selfcheck_hash()].map((x) => BigInt.asUintN(64, x));
const want = [e.expected_len(), e.expected_hash()].map((x) => BigInt.asUintN(64, x));
console.log(`wasm: len=${got[0]} hash=${got[1]}; native golden: len=${want[0]} hash=${want[1]}`);
process.exit(got[0] === want[0] && got[1] === want[1] ? 0 : 1);
