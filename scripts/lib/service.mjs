// A background process of the stack (functions server, PostgREST, gateway): started detached with
// its output in a log file and its pid in a file, ready when a URL answers, stopped by pid.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { SetupError } from "./setup.mjs";

export function servicePid(pidFile) {
  if (!existsSync(pidFile)) return null;
  const pid = Number(readFileSync(pidFile, "utf8").trim());
  try { process.kill(pid, 0); return pid; } catch { return null; }
}

function tail(file, n = 5) {
  return existsSync(file) ? readFileSync(file, "utf8").trim().split("\n").slice(-n).join("\n") : "";
}

/**
 * Starts `cmd args` unless its pid file names a live process, then polls `readyUrl` until it
 * answers 2xx. Ready is an event: the process answers, or its process is gone (a failed start).
 * No budget a loaded machine could exceed (Deno compiling the functions' graph can take long
 * there); the 600 s safety deadline only turns a process that neither answers nor exits into a
 * clear error. A failed start stops it and throws with the log's last lines.
 */
export async function startService({ name, cmd, args, env, cwd, log, pidFile, readyUrl }) {
  if (servicePid(pidFile)) return false;
  const out = openSync(log, "a");
  const child = spawn(cmd, args, { cwd, env, detached: true, stdio: ["ignore", out, out] });
  let exited = false;
  child.once("exit", () => { exited = true; });
  child.unref();
  writeFileSync(pidFile, String(child.pid));
  const safety = Date.now() + START_SAFETY_MS;
  let why = "it exited";
  for (;;) {
    try {
      const r = await fetch(readyUrl);
      if (r.ok) return true;
    } catch { /* not listening yet */ }
    if (exited) break;
    if (Date.now() > safety) { why = `it neither answered nor exited in ${START_SAFETY_MS / 1000} s (a hang)`; break; }
    await new Promise((r) => setTimeout(r, 100));
  }
  stopService(pidFile);
  throw new SetupError(`${name} did not start: ${why} (log: ${log}):\n${tail(log)}`);
}

const START_SAFETY_MS = 600_000;

/**
 * Stops the service and waits until its processes are gone (and so its port free): SIGTERM to its
 * process group, SIGKILL if some are still there 10 s later — then waits for their end too,
 * however long it takes. The group matters: a pid file may hold a shim (node's `deno` launcher)
 * whose child is the server, and waiting for the shim alone left the port held for a moment.
 */
export function stopService(pidFile) {
  const pid = servicePid(pidFile);
  rmSync(pidFile, { force: true });
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
