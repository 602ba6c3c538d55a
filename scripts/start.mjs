#!/usr/bin/env node
// `npm start`: the main job. For now: bring the local stack up and show it healthy.
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { ROOT } from "./lib/paths.mjs";
import { ensureNodeModules } from "./lib/setup.mjs";

ensureNodeModules((m) => console.log(m));
execFileSync("node", [resolve(ROOT, "scripts/stack.mjs"), "up"], { stdio: "inherit" });
const env = Object.fromEntries(
  execFileSync("node", [resolve(ROOT, "scripts/stack.mjs"), "env"], { encoding: "utf8" })
    .trim().split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
);
const res = await fetch(`${env.SUPABASE_URL}/functions/v1/health`, { headers: { authorization: `Bearer ${env.SUPABASE_ANON_KEY}` } });
console.log(`\nhealth: ${res.status} ${await res.text()}`);
console.log("\nThe stack keeps running; stop it with: npm run stack -- down");
