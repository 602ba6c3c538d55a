// Installs what the project needs and is missing: Debian packages (apt-get, when root) and the
// npm dependencies of the lockfile. Idempotent and quiet when nothing is missing.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { ROOT } from "./paths.mjs";

/** Debian packages of the local stack (see ../shared/notes/local-supabase.md). */
export const DEBIAN_PACKAGES = [
  "postgresql-15",
  "postgresql-client-15",
  "postgresql-15-cron",
  "postgresql-15-pgtap",
  "postgresql-15-plpgsql-check",
  "postgresql-15-pgextwlist",
  "libtap-parser-sourcehandler-pgtap-perl",
  // Debian's Chromium: the dashboard's browser test (playwright-core drives it) and the report's screenshot.
  "chromium",
];

export class SetupError extends Error {}

function missingDebianPackages(pkgs) {
  return pkgs.filter((p) => {
    const r = spawnSync("dpkg-query", ["-W", "-f=${Status}", p], { encoding: "utf8" });
    return r.status !== 0 || !r.stdout.includes("install ok installed");
  });
}

export function ensureDebianPackages(pkgs = DEBIAN_PACKAGES, log = console.log, { root = process.getuid?.() === 0 } = {}) {
  const missing = missingDebianPackages(pkgs);
  if (missing.length === 0) return;
  if (!root) {
    throw new SetupError(
      `missing Debian packages: ${missing.join(" ")} — run as root, or: sudo apt-get install -y ${missing.join(" ")}`,
    );
  }
  log(`installing Debian packages: ${missing.join(" ")}`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const run = (args) => {
    const r = spawnSync("apt-get", args, { env, encoding: "utf8" });
    if (r.status !== 0) throw new SetupError(`apt-get ${args.join(" ")} failed:\n${(r.stderr || r.stdout).slice(-2000)}`);
  };
  run(["update", "-qq"]);
  run(["install", "-y", "-qq", "--no-install-recommends", ...missing]);
  const still = missingDebianPackages(missing);
  if (still.length) throw new SetupError(`apt-get did not install: ${still.join(" ")}`);
}

/** Runs `npm ci` when node_modules is missing or older than the lockfile. */
export function ensureNodeModules(log = console.log) {
  const lock = resolve(ROOT, "package-lock.json");
  const installed = resolve(ROOT, "node_modules/.package-lock.json");
  const upToDate = existsSync(installed) && existsSync(resolve(ROOT, "node_modules/.bin/supabase")) &&
    sameDeps(readFileSync(lock, "utf8"), readFileSync(installed, "utf8"));
  if (upToDate) return;
  log("installing npm dependencies (npm ci)");
  const ci = spawnSync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: ROOT, encoding: "utf8" });
  if (ci.status === 0) return;
  // No fallback to `npm install`: the committed lockfile is what every machine installs.
  const hint = /Missing: .* from lock file/.test(ci.stderr + ci.stdout)
    ? "\nthe lockfile lacks another platform's optional binary: run `node scripts/lockfile.mjs` and commit package-lock.json"
    : "";
  throw new SetupError(`npm ci failed:\n${(ci.stderr || ci.stdout).trim().split("\n").slice(-8).join("\n")}${hint}`);
}

function sameDeps(lockText, installedText) {
  const a = JSON.parse(lockText).packages ?? {};
  const b = JSON.parse(installedText).packages ?? {};
  for (const [k, v] of Object.entries(a)) {
    if (k === "") continue;
    if (!b[k]) {
      if (v.optional) continue; // another platform's binary
      return false;
    }
    if (b[k].version !== v.version) return false;
  }
  return true;
}
