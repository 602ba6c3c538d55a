#!/usr/bin/env node
// The local Supabase stack without Docker: `npm run stack -- up|down|status|reset|env|user <email>`.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { API_PORT, BIN, DB_PORT, FN_LOG, PG_LOG, ROOT, STACK_DIR } from "./lib/paths.mjs";
import { ensureDebianPackages, ensureNodeModules, SetupError } from "./lib/setup.mjs";
import {
  clusterHalfInitialised, clusterInitialised, dbUrl, hasBaseCopy, initCluster, isRunning, portInUse, psql,
  restoreBaseCopy, saveBaseCopy, startCluster, stopCluster, writeState,
} from "./lib/cluster.mjs";
import { functionsPid, readEnvFile, startFunctions, stopFunctions } from "./lib/functions.mjs";

const log = (msg) => process.stderr.write(`stack: ${msg}\n`);
const PLATFORM_FILES = ["01_roles_and_schemas.sql", "02_auth.sql", "03_privileges_and_demote.sql"];

function secs(t0) { return ((performance.now() - t0) / 1000).toFixed(1) + " s"; }

async function ensureSetup() {
  ensureNodeModules(log);
  ensureDebianPackages(undefined, log);
}

async function assertPortFree(port, what) {
  if (await portInUse(port)) {
    throw new SetupError(`port ${port} (${what}) is already taken by another process: stop it (e.g. \`ss -ltnp | grep ${port}\`) and run again`);
  }
}

function applyPlatformLayer() {
  for (const f of PLATFORM_FILES) psql({ file: resolve(ROOT, "sql/platform", f) });
}

function migrate() {
  const r = spawnSync(BIN("supabase"), ["migration", "up", `--remote=${dbUrl("postgres")}`, "--workdir", ROOT, "--yes"], {
    cwd: ROOT, encoding: "utf8", env: { ...process.env, SUPABASE_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" },
  });
  if (r.status !== 0) throw new SetupError(`supabase migration up failed:\n${(r.stderr || r.stdout).trim()}`);
}

function seed() {
  const f = resolve(ROOT, "supabase/seed.sql");
  if (existsSync(f)) psql({ user: "postgres", file: f });
}

/** Fresh cluster: initdb → platform layer → base copy (for fast resets). */
async function createCluster() {
  await assertPortFree(DB_PORT, "database");
  initCluster();
  startCluster();
  applyPlatformLayer();
  stopCluster();
  saveBaseCopy();
  startCluster();
}

async function keysAndEnv() {
  const { ensureKeys } = await import("./lib/keys.mjs");
  const keys = await ensureKeys();
  return {
    keys,
    env: {
      SUPABASE_URL: `http://127.0.0.1:${API_PORT}`,
      SUPABASE_DB_URL: dbUrl("postgres"),
      SUPABASE_ANON_KEY: keys.anonKey,
      SUPABASE_SERVICE_ROLE_KEY: keys.serviceRoleKey,
      SUPABASE_JWT_SECRET: keys.jwtSecret,
    },
    /** Local function secrets (supabase/functions.env overrides them). */
    secrets: {
      CREDENTIAL_KEYS: JSON.stringify(keys.credentialKeys),
      CREDENTIAL_ACTIVE_KID: keys.credentialActiveKid,
    },
  };
}

async function up({ restartFunctions = false } = {}) {
  const t0 = performance.now();
  await ensureSetup();
  if (clusterHalfInitialised() && !isRunning()) {
    throw new SetupError(`the cluster folder ${STACK_DIR}/pgdata is half-initialised (an earlier run was interrupted): run \`npm run stack -- reset\` to rebuild it`);
  }
  if (!clusterInitialised()) {
    await createCluster();
    migrate();
    seed();
    writeState({ initialised: true });
  } else {
    if (!isRunning()) {
      await assertPortFree(DB_PORT, "database");
      startCluster();
    }
    migrate();
  }
  const { env, secrets } = await keysAndEnv();
  if (restartFunctions) stopFunctions();
  if (!functionsPid()) {
    await assertPortFree(API_PORT, "functions");
    await startFunctions(env, secrets);
  }
  log(`up in ${secs(t0)}`);
  printStatus(env);
}

async function reset() {
  const t0 = performance.now();
  await ensureSetup();
  stopFunctions();
  stopCluster();
  if (hasBaseCopy()) {
    restoreBaseCopy();
    startCluster();
  } else {
    spawnSync("rm", ["-rf", resolve(STACK_DIR, "pgdata")]);
    writeState({ initialised: false });
    await createCluster();
  }
  migrate();
  seed();
  writeState({ initialised: true });
  const { env, secrets } = await keysAndEnv();
  await assertPortFree(API_PORT, "functions");
  await startFunctions(env, secrets);
  log(`reset in ${secs(t0)}`);
}

function down() {
  const f = stopFunctions();
  const d = stopCluster();
  log(`${f ? "functions stopped" : "functions were not running"}; ${d ? "database stopped" : "database was not running"}`);
}

function printStatus(env) {
  const db = isRunning();
  const fn = functionsPid();
  console.log([
    `         API URL: ${env.SUPABASE_URL} (Edge Functions at /functions/v1/<name>)${fn ? "" : "  [not running]"}`,
    `          DB URL: ${env.SUPABASE_DB_URL}${db ? "" : "  [not running]"}`,
    `      JWT secret: ${env.SUPABASE_JWT_SECRET}`,
    `        anon key: ${env.SUPABASE_ANON_KEY}`,
    `service_role key: ${env.SUPABASE_SERVICE_ROLE_KEY}`,
    `            logs: ${PG_LOG}, ${FN_LOG}`,
  ].join("\n"));
}

async function status() {
  const { env } = await keysAndEnv();
  console.log(`database  ${isRunning() ? "running" : "stopped"}  127.0.0.1:${DB_PORT}  (${clusterInitialised() ? "initialised" : "not initialised"})`);
  const pid = functionsPid();
  console.log(`functions ${pid ? `running (pid ${pid})` : "stopped"}  http://127.0.0.1:${API_PORT}/functions/v1/<name>`);
  printStatus(env);
}

async function printEnv() {
  const { env, secrets } = await keysAndEnv();
  const all = rest.includes("--secrets") ? { ...env, ...secrets, ...readEnvFile() } : env;
  for (const [k, v] of Object.entries(all)) console.log(`${k}=${v}`);
}

async function user(email) {
  if (!email || !/^[^@\s]+@[^@\s]+$/.test(email)) throw new SetupError("usage: npm run stack -- user <email>");
  if (!isRunning()) throw new SetupError("the stack is not running: npm run stack -- up");
  const { keys } = await keysAndEnv();
  const { ensureUser } = await import("./lib/users.mjs");
  const u = await ensureUser(email);
  const { mintUserToken } = await import("./lib/keys.mjs");
  const token = await mintUserToken(u, keys.jwtSecret, 24 * 3600);
  console.log(`id=${u.id}\nemail=${u.email}\naccess_token=${token}`);
}

const [cmd, ...rest] = process.argv.slice(2);
try {
  switch (cmd) {
    case "up": await up({ restartFunctions: rest.includes("--restart-functions") }); break;
    case "down": down(); break;
    case "status": await status(); break;
    case "reset": await reset(); break;
    case "env": await printEnv(); break;
    case "user": await user(rest[0]); break;
    default:
      console.error("usage: npm run stack -- up|down|status|reset|env|user <email>");
      process.exit(2);
  }
} catch (err) {
  if (err instanceof SetupError) {
    console.error(`stack: ${err.message}`);
    process.exit(1);
  }
  throw err;
}
