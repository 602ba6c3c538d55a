/** Starting the worker child (worker-child.ts) and talking to it. */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { resolve } from "node:path";
import { ROOT } from "../../support/env.ts";

export interface WorkerChild {
  proc: ChildProcessWithoutNullStreams;
  out: string[];
  err: string[];
  /**
   * Resolves with the first stdout line matching `re`; rejects when the child exits first. No time
   * limit of its own (a loaded machine may take long to get there): a child that neither prints
   * the line nor exits is a hang, which the test's own timeout reports.
   */
  waitFor(re: RegExp): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startWorkerChild(workerId: string, delayMs: number, pausePage = 0, maxJobs = 1): WorkerChild {
  // node itself with tsx's loader (the tsx CLI would run the worker in a grandchild a SIGKILL misses)
  const args = [resolve(ROOT, "tests/e2e/faults/worker-child.ts"), workerId, String(delayMs), String(pausePage), String(maxJobs)];
  const proc = spawn(process.execPath, ["--import", "tsx", ...args], {
    cwd: ROOT, env: { ...process.env }, stdio: ["pipe", "pipe", "pipe"],
  });
  proc.stdin.on("error", () => { /* the child died before reading: nothing to tell it */ });
  const out: string[] = [];
  const err: string[] = [];
  const waiters: Array<{ re: RegExp; res: (l: string) => void }> = [];
  let buf = "";
  proc.stdout.on("data", (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      out.push(line);
      for (const w of [...waiters]) if (w.re.test(line)) { waiters.splice(waiters.indexOf(w), 1); w.res(line); }
    }
  });
  proc.stderr.on("data", (d: Buffer) => err.push(d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => proc.on("exit", (code, signal) => res({ code, signal })));
  return {
    proc, out, err, exited,
    waitFor(re) {
      const hit = out.find((l) => re.test(l));
      if (hit) return Promise.resolve(hit);
      return new Promise((res, rej) => {
        waiters.push({ re, res });
        exited.then((e) => rej(new Error(`worker child exited (${e.code ?? e.signal}) before ${re}; stdout ${out.join(" | ")}; stderr ${err.join("").slice(-2000)}`)));
      });
    },
  };
}

/**
 * Runs a helper script of this folder in a node process (tsx loader) to its end: the process's
 * exit is the event waited for. `safetyMs` only kills a hung child so the test fails with its
 * output instead of at the test timeout; it is far above any run on a loaded machine.
 */
export function runScript(name: string, args: string[], safetyMs = 600_000): Promise<{ code: number | null; signal: string | null; out: string; err: string }> {
  return new Promise((res) => {
    const proc = spawn(process.execPath, ["--import", "tsx", resolve(ROOT, "tests/e2e/faults", name), ...args], { cwd: ROOT, env: { ...process.env } });
    let out = "";
    let err = "";
    proc.stdout.on("data", (d: Buffer) => { out += d.toString(); });
    proc.stderr.on("data", (d: Buffer) => { err += d.toString(); });
    const t = setTimeout(() => proc.kill("SIGKILL"), safetyMs);
    proc.on("exit", (code, signal) => { clearTimeout(t); res({ code, signal, out, err }); });
  });
}
