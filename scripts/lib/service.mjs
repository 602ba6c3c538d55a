// A background process of the stack (functions server, PostgREST, gateway): started detached with
// its output in a log file and its pid in a file, ready when a URL answers, stopped by pid.
import { spawn } from "node:child_process";
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
 * answers 2xx (the process signals readiness by answering, not by a delay). The process dying
 * first, or 60 s without an answer, stops it and throws with the log's last lines.
 */
export async function startService({ name, cmd, args, env, cwd, log, pidFile, readyUrl }) {
  if (servicePid(pidFile)) return false;
  const out = openSync(log, "a");
  const child = spawn(cmd, args, { cwd, env, detached: true, stdio: ["ignore", out, out] });
  let exited = false;
  child.once("exit", () => { exited = true; });
  child.unref();
  writeFileSync(pidFile, String(child.pid));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && !exited) {
    try {
      const r = await fetch(readyUrl);
      if (r.ok) return true;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  stopService(pidFile);
  throw new SetupError(`${name} did not start (log: ${log}):\n${tail(log)}`);
}

/** Stops the process group and waits (up to 10 s) until it is gone. */
export function stopService(pidFile) {
  const pid = servicePid(pidFile);
  rmSync(pidFile, { force: true });
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
