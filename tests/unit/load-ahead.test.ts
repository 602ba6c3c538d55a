import { setImmediate } from "node:timers";
import { describe, expect, it } from "vitest";
import { loadAhead } from "../../functions/_shared/sync/load-ahead.ts";

// No timers decide an ordering here: every load and every write stays pending until the test
// settles it (a deferred the test resolves or rejects), so each interleaving is forced, on any
// machine speed. The test waits on events: an entry appearing in the log (`seen`), or the run's own
// promise settling. To check that something has NOT happened (yet), it lets the event loop run
// every callback already queued (`drained`: microtasks and immediates, which is how loadAhead
// schedules its next load) — a fixed number of event-loop turns, not a span of wall-clock time.

interface Deferred {
  resolve: () => void;
  reject: (e: Error) => void;
}

/** Every callback already queued (promise reactions, immediates) has run. */
async function drained(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((r) => setImmediate(r));
}

/** A page source of `n` pages (requests 0 … n-1): each load and write logs its start, then waits for the test. */
function pages(n: number) {
  const log: string[] = [];
  const pending = new Map<string, Deferred>();
  const waiters: { entry: string; resolve: () => void }[] = [];
  const push = (entry: string) => {
    log.push(entry);
    for (const w of waiters.filter((w) => w.entry === entry)) w.resolve();
  };
  const op = (name: string) => {
    push(`${name} start`);
    return new Promise<void>((resolve, reject) => {
      pending.set(name, {
        resolve: () => { pending.delete(name); push(`${name} done`); resolve(); },
        reject: (e) => { pending.delete(name); push(`${name} failed`); reject(e); },
      });
    });
  };
  return {
    log,
    pending,
    load: async (req: number) => {
      await op(`load ${req}`);
      return { page: req, next: req + 1 < n ? req + 1 : null };
    },
    write: (page: number) => op(`write ${page}`),
    /** Resolves once `entry` is in the log (at once if it already is). */
    seen(entry: string): Promise<void> {
      if (log.includes(entry)) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ entry, resolve }));
    },
    /** Settles the operation `name` (which must have started and still be pending). */
    finish(name: string, error?: Error) {
      const d = pending.get(name);
      if (!d) throw new Error(`${name} is not pending; log: ${log.join(" | ")}`);
      if (error) d.reject(error);
      else d.resolve();
    },
  };
}

/** The run's promise, with a flag telling whether it has settled. */
function track(run: Promise<void>) {
  const t = { settled: false, run };
  run.then(() => (t.settled = true), () => (t.settled = true));
  return t;
}

/**
 * Runs pages 0 and 1 in step (load 1 must have started during write 0) and stops once write 1
 * has started with load 2 in flight.
 */
async function untilWrite1WithLoad2InFlight(p: ReturnType<typeof pages>): Promise<void> {
  await p.seen("load 0 start");
  p.finish("load 0");
  await p.seen("write 0 start");
  await drained();
  p.finish("load 1"); // throws if load 1 has not started during write 0
  p.finish("write 0");
  await p.seen("write 1 start");
  await drained();
  expect(p.pending.has("load 2")).toBe(true);
}

describe("loadAhead: page k+1 is loaded while page k is written", () => {
  it("writes every page once, in order, and loads the next page during each write", async () => {
    const p = pages(4);
    const r = track(loadAhead(0, p.load, p.write));
    await p.seen("load 0 start");
    p.finish("load 0");
    for (let k = 0; k < 3; k++) {
      // the load of page k+1 starts while write k is still pending (the test holds it)
      await p.seen(`write ${k} start`);
      await drained();
      expect(p.log, `load ${k + 1} starts while write ${k} is pending`).toContain(`load ${k + 1} start`);
      expect(p.pending.has(`write ${k}`)).toBe(true);
      // page k+1 is loaded, but write k+1 waits for write k
      p.finish(`load ${k + 1}`);
      await drained();
      expect(p.log).not.toContain(`write ${k + 1} start`);
      p.finish(`write ${k}`);
    }
    await p.seen("write 3 start");
    await drained();
    expect(p.log).not.toContain("load 4 start"); // page 3 was the last
    expect(r.settled).toBe(false); // the run waits for its last write
    p.finish("write 3");
    await r.run;
    expect(p.log.filter((l) => l.startsWith("write") && l.endsWith("done"))).toEqual(["write 0 done", "write 1 done", "write 2 done", "write 3 done"]);
    expect(p.log.filter((l) => l.endsWith("start"))).toEqual([
      "load 0 start", "write 0 start", "load 1 start", "write 1 start", "load 2 start", "write 2 start", "load 3 start", "write 3 start",
    ]);
  });

  it("a failed write ends the run after the load in flight settled; that page is never written", async () => {
    const p = pages(5);
    const r = track(loadAhead(0, p.load, p.write));
    // load 2 is in flight when write 1 fails
    await untilWrite1WithLoad2InFlight(p);
    p.finish("write 1", new Error("write 1"));
    await drained();
    expect(r.settled).toBe(false); // the run waits for the load in flight …
    p.finish("load 2");
    await expect(r.run).rejects.toThrow("write 1");
    expect(p.log).not.toContain("write 2 start"); // … but drops its page
    // nothing runs on after the rejection: no operation is left pending, and once every queued
    // callback has run, the log is unchanged (no load 3, no write 2)
    expect([...p.pending.keys()]).toEqual([]);
    const atRejection = [...p.log];
    await drained();
    expect(p.log).toEqual(atRejection);
    expect(p.log).not.toContain("load 3 start");
  });

  it("a failed load ends the run after the write before it has finished", async () => {
    const p = pages(5);
    const r = track(loadAhead(0, p.load, p.write));
    // load 2 fails while write 1 is still pending
    await untilWrite1WithLoad2InFlight(p);
    p.finish("load 2", new Error("load 2"));
    await drained();
    expect(r.settled).toBe(false); // the run waits for write 1 …
    p.finish("write 1");
    await expect(r.run).rejects.toThrow("load 2");
    expect(p.log).not.toContain("write 2 start");
    expect(p.log.at(-1)).toBe("write 1 done"); // … and ends right after it
    expect([...p.pending.keys()]).toEqual([]);
  });

  it("one page: loaded, written, done", async () => {
    const p = pages(1);
    const r = track(loadAhead(0, p.load, p.write));
    await p.seen("load 0 start");
    p.finish("load 0");
    await p.seen("write 0 start");
    p.finish("write 0");
    await r.run;
    expect(p.log).toEqual(["load 0 start", "load 0 done", "write 0 start", "write 0 done"]);
  });
});
