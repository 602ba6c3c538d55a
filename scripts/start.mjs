#!/usr/bin/env node
// `npm start`: the main job, on a fresh machine too. Installs what is missing, brings the local
// stack up (it keeps serving; URLs and local keys printed as `supabase start` does), then runs
// scripts/main-job.ts: the sample account (or `-- --files <dir>`) imported, PnL, metrics, report.
import { execFileSync, spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { BIN, ROOT } from "./lib/paths.mjs";
import { ensureNodeModules } from "./lib/setup.mjs";

ensureNodeModules((m) => console.log(m));
execFileSync("node", [resolve(ROOT, "scripts/stack.mjs"), "up"], { stdio: "inherit" });
const env = Object.fromEntries(
  execFileSync("node", [resolve(ROOT, "scripts/stack.mjs"), "env"], { encoding: "utf8" })
    .trim().split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
);
const health = await fetch(`${env.SUPABASE_URL}/functions/v1/health`, { headers: { authorization: `Bearer ${env.SUPABASE_ANON_KEY}` } });
console.log(`health: ${health.status} ${await health.text()}\n`);
const r = spawnSync(BIN("tsx"), ["scripts/main-job.ts", ...process.argv.slice(2)], { cwd: ROOT, stdio: "inherit", env: { ...process.env, ...env } });
const { DEMO_EMAIL, DEMO_PASSWORD } = await import("./lib/users.mjs");
const { DASHBOARD_PORT } = await import("./lib/paths.mjs");
const userArg = process.argv.indexOf("--user");
const email = userArg > 0 ? process.argv[userArg + 1] : DEMO_EMAIL;
console.log([
  "",
  `  Dashboard: http://127.0.0.1:${DASHBOARD_PORT}/   (reference frontend: supabase-js against ${env.SUPABASE_URL})`,
  `  Sign in:   ${email} / ${DEMO_PASSWORD}${userArg > 0 ? "   (the password of users this job created)" : ""}`,
  `  supabase-js: createClient("${env.SUPABASE_URL}", "<anon key above>") → auth /auth/v1, rest /rest/v1, functions /functions/v1`,
].join("\n"));
process.exit(r.status ?? 1);
