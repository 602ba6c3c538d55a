// Starts and stops the local Edge Functions server (Deno) in the background.
import { spawn } from "node:child_process";
import { existsSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { API_PORT, BIN, FN_LOG, FN_PID, ROOT } from "./paths.mjs";
import { SetupError } from "./setup.mjs";

export function functionsPid() {
  if (!existsSync(FN_PID)) return null;
  const pid = Number(readFileSync(FN_PID, "utf8").trim());
  try { process.kill(pid, 0); return pid; } catch { return null; }
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
  if (functionsPid()) return false;
  const out = openSync(FN_LOG, "a");
  const child = spawn(BIN("deno"), ["run", "--allow-all", "--no-prompt", "--config", "deno.json", "scripts/functions-server.ts"], {
    cwd: ROOT,
    env: { ...process.env, ...secrets, ...readEnvFile(), ...env, FUNCTIONS_PORT: String(API_PORT) },
    detached: true,
    stdio: ["ignore", out, out],
  });
  child.unref();
  writeFileSync(FN_PID, String(child.pid));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(`http://127.0.0.1:${API_PORT}/functions/v1/`);
      if (r.ok) return true;
    } catch { /* not yet */ }
    if (!functionsPid()) break;
    await new Promise((r) => setTimeout(r, 150));
  }
  const tail = existsSync(FN_LOG) ? readFileSync(FN_LOG, "utf8").trim().split("\n").slice(-5).join("\n") : "";
  stopFunctions();
  throw new SetupError(`the functions server did not start (log: ${FN_LOG}):\n${tail}`);
}

/** Stops the server and waits (up to 10 s) until its process is gone and the port is free. */
export function stopFunctions() {
  const pid = functionsPid();
  rmSync(FN_PID, { force: true });
  if (!pid) return false;
  try { process.kill(-pid, "SIGTERM"); } catch { try { process.kill(pid, "SIGTERM"); } catch { /* gone */ } }
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    try { process.kill(pid, 0); } catch { return true; }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
  try { process.kill(-pid, "SIGKILL"); } catch { /* gone */ }
  return true;
}
