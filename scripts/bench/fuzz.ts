/**
 * `npm run bench -- fuzz`: the Edge Function fuzzer of tests/e2e/security-fuzz.test.ts with ten
 * times the inputs of the test command (10,000 per endpoint in-process, 3,000 over HTTP), against
 * the local stack (brought up by scripts/bench.mjs; not reset). Same seeded generator and the
 * same checks: every answer a JSON 2xx/4xx without a trace, no other user's row changed.
 *
 *   FUZZ_COUNT / FUZZ_HTTP_COUNT / FUZZ_SEED override the counts and the seed.
 */
import { spawnSync } from "node:child_process";
import { resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const count = Number(process.env.FUZZ_COUNT ?? 10_000);
const httpCount = Number(process.env.FUZZ_HTTP_COUNT ?? 3_000);
const t0 = performance.now();
const r = spawnSync(resolve(ROOT, "node_modules/.bin/vitest"), ["run", "--project", "stack", "tests/e2e/security-fuzz.test.ts"], {
  cwd: ROOT,
  stdio: ["ignore", "pipe", "inherit"],
  encoding: "utf8",
  maxBuffer: 1 << 28,
  env: { ...process.env, STACK_FRESH: "1", FUZZ_COUNT: String(count), FUZZ_HTTP_COUNT: String(httpCount) },
});
const secs = (performance.now() - t0) / 1000;
const out = r.stdout ?? "";
const summary = out.split("\n").filter((l) => /^fuzz|^\s{2}\S.*\d+\s{2}\S/.test(l));
console.log(summary.join("\n") || out.slice(-4000));
const total = /= (\d+) requests/.exec(out)?.[1];
console.log(`fuzz bench: ${count} inputs per endpoint in-process + ${httpCount} over HTTP in ${secs.toFixed(1)} s` +
  (total ? ` (${Math.round(Number(total) / secs)} requests/s including set-up)` : "") + `; vitest exit ${r.status}`);
if (r.status !== 0) {
  const failures = out.split("\n").filter((l) => /bad answers|FAIL|AssertionError/.test(l)).slice(0, 20);
  console.log(failures.join("\n"));
}
process.exit(r.status ?? 1);
