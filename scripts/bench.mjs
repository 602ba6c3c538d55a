#!/usr/bin/env node
// `npm run bench [-- name …]`: every benchmark the issues ask for, each printing its figures and
// a same-run baseline ratio. Benchmarks that need the database bring the local stack up first.
// Timing thresholds are reported, never asserted: machines here are shared and noisy.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { BIN, ROOT } from "./lib/paths.mjs";
import { ensureNodeModules } from "./lib/setup.mjs";

/** name → [file, needs the stack]. */
const BENCHES = {
  "pnl-engine": ["scripts/bench/pnl-engine.ts", false],
  "rls-trade-history": ["scripts/bench/rls-trade-history.mjs", true],
  "sync-upsert": ["scripts/bench/sync-upsert.ts", true],
  "pnl-end-to-end": ["scripts/bench/pnl-end-to-end.ts", true],
  "performance-jobs": ["scripts/bench/performance-jobs.ts", true],
  "api-load": ["scripts/bench/api-load.ts", true],
  "fuzz": ["scripts/bench/fuzz.ts", true],
  "function-cold-start": ["scripts/bench/function-cold-start.ts", false],
  "statement-import": ["scripts/bench/statement-import.ts", true],
  "candles": ["scripts/bench/candles.ts", true],
};

ensureNodeModules((m) => console.log(m));
const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const names = wanted.length ? wanted : Object.keys(BENCHES);
const unknown = names.filter((n) => !BENCHES[n]);
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(", ")}; known: ${Object.keys(BENCHES).join(", ")}`);
  process.exit(2);
}
const present = names.filter((n) => existsSync(resolve(ROOT, BENCHES[n][0])));
if (present.some((n) => BENCHES[n][1])) {
  execFileSync("node", ["scripts/stack.mjs", "up"], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
}
let failed = 0;
for (const n of names) {
  const [file] = BENCHES[n];
  if (!existsSync(resolve(ROOT, file))) { console.log(`\n== ${n}: not written yet (${file})`); continue; }
  console.log(`\n== ${n} (${file})`);
  const runner = file.endsWith(".ts") ? [BIN("tsx"), [file]] : ["node", [file]];
  const r = spawnSync(runner[0], runner[1], { cwd: ROOT, stdio: "inherit" });
  if (r.status !== 0) { failed++; console.log(`!! ${n} exited ${r.status}`); }
}
process.exit(failed ? 1 : 0);
