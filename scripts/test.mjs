#!/usr/bin/env node
// `npm test`: every check, on a fresh machine too. Installs what is missing (npm packages,
// Debian packages), rebuilds the local stack's database from the migrations, then runs:
// type checks (tsc, deno check), Supabase's database lint and advisors, pgTAP, vitest.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { resolve } from "node:path";
import { ROOT, BIN } from "./lib/paths.mjs";
import { ensureNodeModules } from "./lib/setup.mjs";

const args = process.argv.slice(2);
const only = args.filter((a) => !a.startsWith("-"));
const results = [];

function step(name, cmd, cmdArgs, opts = {}) {
  const t0 = performance.now();
  process.stdout.write(`\n── ${name} ──\n`);
  const r = spawnSync(cmd, cmdArgs, { cwd: ROOT, stdio: "inherit", env: { ...process.env, RUST_BACKTRACE: "0", ...opts.env } });
  const ok = r.status === 0;
  results.push({ name, ok, secs: (performance.now() - t0) / 1000 });
  if (!ok) process.stdout.write(`✗ ${name} failed (exit ${r.status ?? r.signal})\n`);
  return ok;
}

ensureNodeModules((m) => console.log(m));
const dbUrl = "postgresql://postgres:postgres@127.0.0.1:" + (process.env.STACK_DB_PORT ?? "54322") + "/postgres";

if (!step("local stack: rebuild the database from migrations", "node", ["scripts/stack.mjs", "reset"])) {
  console.log("\nthe stack could not be built; nothing else can run");
  process.exit(1);
}

const functionEntries = readdirSync(resolve(ROOT, "functions"), { withFileTypes: true })
  .filter((d) => d.isDirectory() && !d.name.startsWith("_") && existsSync(resolve(ROOT, "functions", d.name, "index.ts")))
  .map((d) => `functions/${d.name}/index.ts`);

if (only.length === 0) {
  step("lockfile: every platform's optional binaries listed (npm ci accepts it anywhere)", "node", ["scripts/lockfile.mjs", "--check"]);
  step("typescript: tsc --noEmit", BIN("tsc"), ["--noEmit", "-p", "tsconfig.json"]);
  step("function bundles: each ≤ 5 MB (Supabase's server-side bundling limit)", "node", ["scripts/bundle-size.mjs"]);
  step("deno check: every function entry", BIN("deno"), ["check", "--config", "deno.json", ...functionEntries, "scripts/functions-server.ts"]);
  step("supabase db lint (plpgsql_check)", BIN("supabase"), ["db", "lint", `--remote=${dbUrl}`, "--schema", "public,private", "--fail-on", "error"]);
  step("supabase db advisors (Splinter, all levels ≥ WARN fail)", BIN("supabase"), ["db", "advisors", `--remote=${dbUrl}`, "--type", "all", "--fail-on", "warn"]);
  const tapDir = resolve(ROOT, "supabase/tests");
  const tapFiles = existsSync(tapDir) ? readdirSync(tapDir).filter((f) => f.endsWith(".test.sql")).sort().map((f) => `supabase/tests/${f}`) : [];
  if (tapFiles.length) {
    step("pgTAP (pg_prove)", "pg_prove", ["-h", "127.0.0.1", "-p", process.env.STACK_DB_PORT ?? "54322", "-U", "supabase_admin", "-d", "postgres", ...tapFiles], { env: { PGPASSWORD: "postgres" } });
  }
}
step("vitest: unit, database, functions, end to end", BIN("vitest"), ["run", ...only], { env: { STACK_FRESH: "1" } });

console.log("\n── summary ──");
for (const r of results) console.log(`${r.ok ? "✓" : "✗"} ${r.name} (${r.secs.toFixed(1)} s)`);
const failed = results.filter((r) => !r.ok).length;
console.log(`checks: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
