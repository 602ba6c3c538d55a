// Starts and stops the local Edge Functions server (Deno) in the background.
import { spawn, spawnSync } from "node:child_process";
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
  // Ready is an event: the server answers its index (or its process is gone: a failed start). No
  // budget a loaded machine could exceed (Deno compiling the functions' graph can take long there);
  // the safety deadline only turns a server that neither answers nor exits into a clear error.
  const safety = Date.now() + FUNCTIONS_START_SAFETY_MS;
  let why = "it exited";
  for (;;) {
    try {
      const r = await fetch(`http://127.0.0.1:${API_PORT}/functions/v1/`);
      if (r.ok) return true;
    } catch { /* not yet */ }
    if (!functionsPid()) break;
    if (Date.now() > safety) { why = `it neither answered nor exited in ${FUNCTIONS_START_SAFETY_MS / 1000} s (a hang)`; break; }
    await new Promise((r) => setTimeout(r, 150));
  }
  const tail = existsSync(FN_LOG) ? readFileSync(FN_LOG, "utf8").trim().split("\n").slice(-5).join("\n") : "";
  stopFunctions();
  throw new SetupError(`the functions server did not start: ${why} (log: ${FN_LOG}):\n${tail}`);
}

const FUNCTIONS_START_SAFETY_MS = 600_000;

/**
 * Stops the server and waits until its processes are gone (and so its port free): SIGTERM to its
 * process group, SIGKILL if some are still there 10 s later — then waits for their end too,
 * however long it takes. The group matters: the pid file holds node's `deno` shim, the server
 * itself is its child, and waiting for the shim alone left the port held for a moment after.
 */
export function stopFunctions() {
  const pid = functionsPid();
  rmSync(FN_PID, { force: true });
  if (!pid) return false;
  // live members of the group (zombies — ended, not yet reaped — do not hold the port)
  const alive = () => {
    const ps = spawnSync("ps", ["-A", "-o", "pid=,pgid=,stat="], { encoding: "utf8" });
    if (ps.status !== 0) { try { process.kill(pid, 0); return true; } catch { return false; } }
    return ps.stdout.split("\n").map((l) => l.trim().split(/\s+/))
      .some(([p, g, st]) => (Number(g) === pid || Number(p) === pid) && st && !st.startsWith("Z"));
  };
  const pause = () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  const signal = (sig) => { try { process.kill(-pid, sig); } catch { try { process.kill(pid, sig); } catch { /* gone */ } } };
  signal("SIGTERM");
  const graceful = Date.now() + 10_000;
  while (Date.now() < graceful) {
    if (!alive()) return true;
    pause();
  }
  signal("SIGKILL");
  while (alive()) pause();
  return true;
}
