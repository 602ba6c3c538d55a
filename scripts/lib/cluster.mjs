// The project-local PostgreSQL 15 cluster: initdb, settings, start/stop, psql.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, appendFileSync } from "node:fs";
import net from "node:net";
import { dirname, resolve } from "node:path";
import {
  DB_PASSWORD, DB_PORT, PG_BIN, PG_LOG, PGDATA, PGDATA_BASE, ROOT, SOCKET_DIR, STACK_DIR, STATE_FILE,
} from "./paths.mjs";
import { SetupError } from "./setup.mjs";

const isRoot = process.getuid?.() === 0;
/** Extensions the non-superuser `postgres` may create (pgextwlist plays Supabase's supautils). */
const ALLOWED_EXTENSIONS = [
  "pgcrypto", "uuid-ossp", "pg_stat_statements", "pg_cron", "pgtap", "plpgsql_check", "pg_trgm",
  "btree_gist", "btree_gin", "citext", "hstore", "pg_walinspect",
];

/** Runs a PostgreSQL server binary as the OS user `postgres` (initdb refuses root). */
function pgRun(bin, args, opts = {}) {
  const cmd = resolve(PG_BIN, bin);
  const r = isRoot
    ? spawnSync("runuser", ["-u", "postgres", "--", cmd, ...args], { encoding: "utf8", ...opts })
    : spawnSync(cmd, args, { encoding: "utf8", ...opts });
  return r;
}

export function readState() {
  return existsSync(STATE_FILE) ? JSON.parse(readFileSync(STATE_FILE, "utf8")) : {};
}
export function writeState(patch) {
  mkdirSync(STACK_DIR, { recursive: true });
  writeFileSync(STATE_FILE, JSON.stringify({ ...readState(), ...patch }, null, 2));
}

export function clusterInitialised() {
  return existsSync(resolve(PGDATA, "PG_VERSION")) && readState().initialised === true;
}

/** A cluster folder that exists but whose set-up never finished. */
export function clusterHalfInitialised() {
  return existsSync(PGDATA) && !clusterInitialised();
}

export function isRunning() {
  if (!existsSync(resolve(PGDATA, "PG_VERSION"))) return false;
  const r = pgRun("pg_ctl", ["-D", PGDATA, "status"]);
  return r.status === 0;
}

export function portInUse(port, host = "127.0.0.1") {
  return new Promise((res) => {
    const s = net.connect({ port, host });
    s.once("connect", () => { s.destroy(); res(true); });
    s.once("error", () => res(false));
    s.setTimeout(1000, () => { s.destroy(); res(false); });
  });
}

function ensureDirs() {
  mkdirSync(STACK_DIR, { recursive: true });
  mkdirSync(SOCKET_DIR, { recursive: true });
  if (isRoot) {
    spawnSync("chown", ["postgres:postgres", SOCKET_DIR]);
    let r = spawnSync("runuser", ["-u", "postgres", "--", "test", "-w", SOCKET_DIR]);
    if (r.status !== 0) {
      // The project sits below a private folder (e.g. a 0700 temp dir): let the OS user postgres
      // traverse (not list) the ancestors, as it must to reach its data folder.
      for (let d = dirname(STACK_DIR); d !== dirname(d); d = dirname(d)) spawnSync("chmod", ["o+x", d]);
      r = spawnSync("runuser", ["-u", "postgres", "--", "test", "-w", SOCKET_DIR]);
    }
    if (r.status !== 0) {
      throw new SetupError(`the OS user postgres cannot reach ${SOCKET_DIR}: make the project's parent folders traversable (chmod o+x)`);
    }
  }
}

/** initdb with supabase_admin as bootstrap superuser, then the settings Supabase relies on. */
export function initCluster() {
  ensureDirs();
  mkdirSync(PGDATA, { recursive: true });
  if (isRoot) spawnSync("chown", ["-R", "postgres:postgres", STACK_DIR]);
  const pwfile = resolve(STACK_DIR, ".pwfile");
  writeFileSync(pwfile, DB_PASSWORD + "\n", { mode: 0o644 });
  const r = pgRun("initdb", [
    "-D", PGDATA, "-U", "supabase_admin", "--pwfile", pwfile, "-E", "UTF8", "--locale=C.UTF-8",
    "--auth-local=trust", "--auth-host=scram-sha-256",
  ]);
  rmSync(pwfile, { force: true });
  if (r.status !== 0) throw new SetupError(`initdb failed: ${(r.stderr || r.stdout).trim().split("\n").pop()}`);
  appendFileSync(resolve(PGDATA, "postgresql.conf"), `
# --- crypto-graph-trader local stack ---
port = ${DB_PORT}
listen_addresses = '127.0.0.1'
unix_socket_directories = '${SOCKET_DIR}'
timezone = 'UTC'
log_timezone = 'UTC'
wal_level = logical
max_connections = 200
shared_buffers = 512MB
work_mem = 16MB
maintenance_work_mem = 256MB
fsync = on
shared_preload_libraries = 'pg_cron,pg_stat_statements'
cron.database_name = 'postgres'
cron.timezone = 'UTC'
cron.host = '${SOCKET_DIR}'
local_preload_libraries = 'pgextwlist'
extwlist.extensions = '${ALLOWED_EXTENSIONS.join(",")}'
log_min_messages = warning
log_statement = 'none'
`);
  if (isRoot) spawnSync("chown", ["-R", "postgres:postgres", PGDATA]);
}

// pg_ctl -w waits for the event itself (the server ready to accept connections, or its postmaster
// gone, reported at once); -t is only a safety net against a hang, not a speed requirement: a
// loaded machine (crash recovery after a fast stop, a busy CI runner) may take longer than
// pg_ctl's default 60 s without anything being wrong.
const PG_CTL_SAFETY_SECONDS = "600";

export function startCluster() {
  ensureDirs();
  const r = pgRun("pg_ctl", ["-D", PGDATA, "-l", PG_LOG, "-w", "-t", PG_CTL_SAFETY_SECONDS, "-o", `-p ${DB_PORT}`, "start"]);
  if (r.status !== 0) {
    const tail = existsSync(PG_LOG) ? readFileSync(PG_LOG, "utf8").trim().split("\n").slice(-3).join(" | ") : "";
    throw new SetupError(`PostgreSQL did not start (see ${PG_LOG}): ${tail}`);
  }
}

export function stopCluster() {
  if (!isRunning()) return false;
  pgRun("pg_ctl", ["-D", PGDATA, "-m", "fast", "-w", "-t", PG_CTL_SAFETY_SECONDS, "stop"]);
  return true;
}

/** Keeps a stopped copy of the cluster right after the platform layer: `reset` restores it. */
export function saveBaseCopy() {
  rmSync(PGDATA_BASE, { recursive: true, force: true });
  cpSync(PGDATA, PGDATA_BASE, { recursive: true, preserveTimestamps: true });
  if (isRoot) spawnSync("chown", ["-R", "postgres:postgres", PGDATA_BASE]);
  rmSync(resolve(PGDATA_BASE, "postmaster.pid"), { force: true });
}

export function restoreBaseCopy() {
  rmSync(PGDATA, { recursive: true, force: true });
  cpSync(PGDATA_BASE, PGDATA, { recursive: true, preserveTimestamps: true });
  if (isRoot) spawnSync("chown", ["-R", "postgres:postgres", PGDATA]);
  spawnSync("chmod", ["700", PGDATA]);
}

export function hasBaseCopy() {
  return existsSync(resolve(PGDATA_BASE, "PG_VERSION"));
}

/** psql over the private socket (trust) as the given role; throws with psql's error. */
export function psql({ user = "supabase_admin", file, sql, db = "postgres", quiet = true }) {
  const args = ["-h", SOCKET_DIR, "-p", String(DB_PORT), "-U", user, "-d", db, "-v", "ON_ERROR_STOP=1", "-X"];
  if (quiet) args.push("-q");
  if (file) args.push("-f", file);
  if (sql) args.push("-c", sql);
  const r = spawnSync("psql", args, { encoding: "utf8", cwd: ROOT, env: { ...process.env, PGOPTIONS: "--client-min-messages=warning" } });
  if (r.status !== 0) throw new SetupError(`psql ${file ?? sql}: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

export function dbUrl(user = "postgres") {
  return `postgresql://${user}:${DB_PASSWORD}@127.0.0.1:${DB_PORT}/postgres`;
}
