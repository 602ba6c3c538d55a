// Where things live. The stack's state is kept in a git-ignored folder of the project.
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
// STACK_DIR / STACK_DB_PORT / STACK_API_PORT let a second stack run beside the default one.
export const STACK_DIR = resolve(ROOT, process.env.STACK_DIR ?? ".stack");
export const PGDATA = resolve(STACK_DIR, "pgdata");
export const PGDATA_BASE = resolve(STACK_DIR, "pgdata-base");
export const SOCKET_DIR = resolve(STACK_DIR, "run");
export const PG_LOG = resolve(STACK_DIR, "postgres.log");
export const FN_LOG = resolve(STACK_DIR, "functions.log");
export const FN_PID = resolve(STACK_DIR, "functions.pid");
export const PGRST_LOG = resolve(STACK_DIR, "postgrest.log");
export const PGRST_PID = resolve(STACK_DIR, "postgrest.pid");
export const GATEWAY_LOG = resolve(STACK_DIR, "gateway.log");
export const GATEWAY_PID = resolve(STACK_DIR, "gateway.pid");
export const STATE_FILE = resolve(STACK_DIR, "state.json");
export const KEYS_FILE = resolve(STACK_DIR, "keys.json");
export const PG_BIN = "/usr/lib/postgresql/15/bin";
export const DB_PORT = Number(process.env.STACK_DB_PORT ?? 54322);
/** The gateway: the one URL a client uses (/rest/v1, /auth/v1, /functions/v1), as Kong's. */
export const API_PORT = Number(process.env.STACK_API_PORT ?? 54321);
// Behind the gateway, on ports derived from API_PORT (127.0.0.1 only):
export const FUNCTIONS_PORT = API_PORT + 10;
export const PGRST_PORT = API_PORT + 11;
export const PGRST_ADMIN_PORT = API_PORT + 12;
/** The reference dashboard's own origin (a frontend dev server's place). */
export const DASHBOARD_PORT = API_PORT + 13;
export const DB_PASSWORD = "postgres";
export const BIN = (name) => resolve(ROOT, "node_modules/.bin", name);
