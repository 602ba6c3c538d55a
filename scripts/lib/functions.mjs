// Starts and stops the local Edge Functions server (Deno) in the background, behind the gateway.
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { BIN, FN_LOG, FN_PID, FUNCTIONS_PORT, ROOT } from "./paths.mjs";
import { servicePid, startService, stopService } from "./service.mjs";

export function functionsPid() {
  return servicePid(FN_PID);
}

/** KEY=value lines of a git-ignored env file (supabase/functions.env), if present. */
export function readEnvFile(file = resolve(ROOT, "supabase/functions.env")) {
  if (!existsSync(file)) return {};
  const out = {};
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const m = line.match(/^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)\s*$/);
    if (m && !line.trimStart().startsWith("#")) out[m[1]] = m[2].replace(/^(['"])(.*)\1$/, "$2");
  }
  return out;
}

/** Starts the server with Supabase's injected variables, local secrets, then supabase/functions.env. */
export async function startFunctions(env, secrets = {}) {
  return await startService({
    name: "the functions server",
    cmd: BIN("deno"),
    args: ["run", "--allow-all", "--no-prompt", "--config", "deno.json", "scripts/functions-server.ts"],
    cwd: ROOT,
    env: { ...process.env, ...secrets, ...readEnvFile(), ...env, FUNCTIONS_PORT: String(FUNCTIONS_PORT) },
    log: FN_LOG,
    pidFile: FN_PID,
    readyUrl: `http://127.0.0.1:${FUNCTIONS_PORT}/functions/v1/`,
  });
}

/** Stops the server and waits (up to 10 s) until its process is gone. */
export function stopFunctions() {
  return stopService(FN_PID);
}
