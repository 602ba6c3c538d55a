/**
 * Cold start of the functions that use ccxt: a fresh Deno process imports the function's
 * handler module (what the Edge Runtime does when an isolate boots) and reports how long the
 * first import took. Same-run baseline: the same handler after `import "ccxt"` (the package
 * entry, with all ~110 exchanges), which is what every handler loaded before issue 15.
 *
 *   npx tsx scripts/bench/function-cold-start.ts [--runs 7]
 * Runs alternate (handler, baseline, handler, …); medians printed. Deno's transpile cache is
 * warmed by one discarded run of each, so the figures are module loading and evaluation, as on a
 * platform that caches its bundle.
 */
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const ROOT = resolve(import.meta.dirname, "../..");
const DENO = resolve(ROOT, "node_modules/.bin/deno");
const FUNCTIONS = ["credentials", "exchange", "exchange-sync"];
const runsArg = process.argv.indexOf("--runs");
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 7;

function once(fn: string, withFullCcxt: boolean): number {
  const handler = pathToFileURL(resolve(ROOT, "functions", fn, "handler.ts")).href;
  const code = `const t0 = performance.now();
${withFullCcxt ? 'await import("ccxt");' : ""}
await import(${JSON.stringify(handler)});
console.log(JSON.stringify({ ms: performance.now() - t0 }));
Deno.exit(0);`;
  const r = spawnSync(DENO, ["eval", "--config", "deno.json", "--ext=ts", code], {
    cwd: ROOT, encoding: "utf8",
    // configuration the handlers validate at load (a throwaway key; nothing is encrypted or connected)
    env: {
      ...process.env, NO_COLOR: "1", SUPABASE_DB_URL: "postgresql://postgres:postgres@127.0.0.1:1/none",
      CREDENTIAL_KEYS: JSON.stringify({ bench: Buffer.alloc(32, 7).toString("base64") }), CREDENTIAL_ACTIVE_KID: "bench",
    },
  });
  const line = r.stdout.trim().split("\n").pop() ?? "";
  if (r.status !== 0 || !line.startsWith("{")) throw new Error(`deno eval failed for ${fn}: ${r.stderr.slice(-800)}`);
  return JSON.parse(line).ms;
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

console.log(`first import of each handler in a fresh Deno process, median of ${RUNS} (warm transpile cache)`);
console.log("function          four exchanges    all of ccxt (baseline)   ratio");
for (const fn of FUNCTIONS) {
  once(fn, false); once(fn, true); // warm Deno's cache for both graphs
  const a: number[] = [], b: number[] = [];
  for (let i = 0; i < RUNS; i++) { a.push(once(fn, false)); b.push(once(fn, true)); }
  const ma = median(a), mb = median(b);
  console.log(`${fn.padEnd(16)} ${ma.toFixed(0).padStart(8)} ms ${mb.toFixed(0).padStart(18)} ms ${(mb / ma).toFixed(2).padStart(12)}×`);
}
