#!/usr/bin/env node
// The local Supabase stack without Docker: `npm run stack -- up|down|status|reset|env|user <email>`.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import {
  API_PORT, BIN, DASHBOARD_PORT, DB_PORT, FN_LOG, FUNCTIONS_PORT, GATEWAY_LOG, PG_LOG, PGRST_ADMIN_PORT, PGRST_LOG,
  PGRST_PORT, ROOT, STACK_DIR,
} from "./lib/paths.mjs";
import { ensureDebianPackages, ensureNodeModules, SetupError } from "./lib/setup.mjs";
import {
  clusterHalfInitialised, clusterInitialised, dbUrl, hasBaseCopy, initCluster, isRunning, portInUse, psql,
  readState, restoreBaseCopy, saveBaseCopy, startCluster, stopCluster, writeState,
} from "./lib/cluster.mjs";
import { functionsPid, readEnvFile, startFunctions, stopFunctions } from "./lib/functions.mjs";
import { gatewayPid, startGateway, stopGateway } from "./lib/gateway.mjs";
import { postgrestPid, startPostgrest, stopPostgrest } from "./lib/postgrest.mjs";

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
  writeState({ platformHash: platformHash() });
}

/** A fingerprint of the platform layer: a changed layer rebuilds the base copy on reset. */
function platformHash() {
  const h = createHash("sha256");
  for (const f of PLATFORM_FILES) h.update(readFileSync(resolve(ROOT, "sql/platform", f)));
  return h.digest("hex").slice(0, 16);
}

/** An existing cluster made with an older platform layer gets the new one (its files are idempotent). */
function refreshPlatformLayer() {
  if (readState().platformHash !== platformHash()) applyPlatformLayer();
}

/**
 * PostgREST reloads its schema cache on this notification (its `db-channel`); returns once its log
 * says the new cache is loaded, so the stack is ready when `up` returns.
 */
async function reloadPostgrestSchema() {
  const loaded = () => (existsSync(PGRST_LOG) ? readFileSync(PGRST_LOG, "utf8").split("Schema cache loaded").length - 1 : 0);
  const before = loaded();
  psql({ sql: "notify pgrst, 'reload schema'" });
  // the log line (or PostgREST gone) is the event; 600 s is only a safety net that names a hang
  const deadline = Date.now() + 600_000;
  while (loaded() === before) {
    if (Date.now() > deadline || !postgrestPid()) throw new SetupError(`PostgREST did not reload its schema cache (log: ${PGRST_LOG})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The stack's servers behind the API port: functions, PostgREST, then the gateway in front. */
async function startServices(env, secrets, keys) {
  // Every port of a server about to start is checked first: a taken one stops `up` before anything starts.
  const wanted = [
    [!functionsPid(), FUNCTIONS_PORT, "functions"],
    [!postgrestPid(), PGRST_PORT, "PostgREST"],
    [!postgrestPid(), PGRST_ADMIN_PORT, "PostgREST admin"],
    [!gatewayPid(), API_PORT, "API gateway"],
    [!gatewayPid(), DASHBOARD_PORT, "dashboard"],
  ];
  for (const [starting, port, what] of wanted) if (starting) await assertPortFree(port, what);
  if (!functionsPid()) await startFunctions(env, secrets);
  if (!postgrestPid()) await startPostgrest(keys.jwtSecret);
  else await reloadPostgrestSchema();
  if (!gatewayPid()) await startGateway(env);
}

function stopServices() {
  return { gateway: stopGateway(), postgrest: stopPostgrest(), functions: stopFunctions() };
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
    refreshPlatformLayer();
    migrate();
  }
  const { env, secrets, keys } = await keysAndEnv();
  if (restartFunctions) stopFunctions();
  await startServices(env, secrets, keys);
  log(`up in ${secs(t0)}`);
  printStatus(env);
}

async function reset() {
  const t0 = performance.now();
  await ensureSetup();
  stopServices();
  stopCluster();
  if (hasBaseCopy() && readState().platformHash === platformHash()) {
    restoreBaseCopy();
    startCluster();
  } else {
    spawnSync("rm", ["-rf", resolve(STACK_DIR, "pgdata"), resolve(STACK_DIR, "pgdata-base")]);
    writeState({ initialised: false });
    await createCluster();
  }
  migrate();
  seed();
  writeState({ initialised: true });
  const { env, secrets, keys } = await keysAndEnv();
  await startServices(env, secrets, keys);
  log(`reset in ${secs(t0)}`);
}

function down() {
  const stopped = stopServices();
  const d = stopCluster();
  const said = Object.entries(stopped).map(([name, was]) => `${name} ${was ? "stopped" : "was not running"}`);
  log(`${said.join("; ")}; ${d ? "database stopped" : "database was not running"}`);
}

function printStatus(env) {
  const db = isRunning();
  const off = (pid) => (pid ? "" : "  [not running]");
  console.log([
    `         API URL: ${env.SUPABASE_URL}${off(gatewayPid())}`,
    `        REST URL: ${env.SUPABASE_URL}/rest/v1 (PostgREST 12)${off(postgrestPid())}`,
    `        Auth URL: ${env.SUPABASE_URL}/auth/v1 (local stand-in for Supabase Auth)`,
    `   Functions URL: ${env.SUPABASE_URL}/functions/v1/<name>${off(functionsPid())}`,
    `   Dashboard URL: http://127.0.0.1:${DASHBOARD_PORT}/ (reference dashboard)${off(gatewayPid())}`,
    `          DB URL: ${env.SUPABASE_DB_URL}${db ? "" : "  [not running]"}`,
    `      JWT secret: ${env.SUPABASE_JWT_SECRET}`,
    `        anon key: ${env.SUPABASE_ANON_KEY}`,
    `service_role key: ${env.SUPABASE_SERVICE_ROLE_KEY}`,
    `            logs: ${PG_LOG}, ${FN_LOG}, ${PGRST_LOG}, ${GATEWAY_LOG}`,
  ].join("\n"));
}

async function status() {
  const { env } = await keysAndEnv();
  console.log(`database  ${isRunning() ? "running" : "stopped"}  127.0.0.1:${DB_PORT}  (${clusterInitialised() ? "initialised" : "not initialised"})`);
  const line = (name, pid, where) => console.log(`${name.padEnd(9)} ${pid ? `running (pid ${pid})` : "stopped"}  ${where}`);
  line("gateway", gatewayPid(), `http://127.0.0.1:${API_PORT} (/rest/v1, /auth/v1, /functions/v1); dashboard :${DASHBOARD_PORT}`);
  line("postgrest", postgrestPid(), `127.0.0.1:${PGRST_PORT} (behind /rest/v1)`);
  line("functions", functionsPid(), `127.0.0.1:${FUNCTIONS_PORT} (behind /functions/v1)`);
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
  const { ensureUser, DEMO_PASSWORD } = await import("./lib/users.mjs");
  const u = await ensureUser(email);
  const { mintUserToken } = await import("./lib/keys.mjs");
  const token = await mintUserToken(u, keys.jwtSecret, 24 * 3600);
  console.log(`id=${u.id}\nemail=${u.email}\npassword=${DEMO_PASSWORD} (for a user created by this command)\naccess_token=${token}`);
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
