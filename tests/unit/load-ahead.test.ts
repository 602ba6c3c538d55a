import { describe, expect, it } from "vitest";
import { loadAhead } from "../../functions/_shared/sync/load-ahead.ts";

/** A page source of `n` pages (requests 0 … n-1) that logs what happens, in order. */
function pages(n: number, opts: { failLoad?: number; failWrite?: number; writeMs?: number } = {}) {
  const log: string[] = [];
  const load = async (req: number) => {
    log.push(`load ${req} start`);
    await new Promise((r) => setTimeout(r, 1));
    if (req === opts.failLoad) {
      log.push(`load ${req} failed`);
      throw new Error(`load ${req}`);
    }
    log.push(`load ${req} done`);
    return { page: req, next: req + 1 < n ? req + 1 : null };
  };
  const write = async (page: number) => {
    log.push(`write ${page} start`);
    await new Promise((r) => setTimeout(r, opts.writeMs ?? 10));
    if (page === opts.failWrite) {
      log.push(`write ${page} failed`);
      throw new Error(`write ${page}`);
    }
    log.push(`write ${page} done`);
  };
  return { log, load, write };
}

describe("loadAhead: page k+1 is loaded while page k is written", () => {
  it("writes every page once, in order, and loads the next page during each write", async () => {
    const p = pages(4);
    await loadAhead(0, p.load, p.write);
    expect(p.log.filter((l) => l.startsWith("write") && l.endsWith("done"))).toEqual(["write 0 done", "write 1 done", "write 2 done", "write 3 done"]);
    // the load of page k+1 started after write k started, and finished before write k finished
    for (let k = 0; k < 3; k++) {
      expect(p.log.indexOf(`load ${k + 1} start`)).toBeGreaterThan(p.log.indexOf(`write ${k} start`));
      expect(p.log.indexOf(`load ${k + 1} done`)).toBeLessThan(p.log.indexOf(`write ${k} done`));
      // and write k+1 never starts before write k is done
      expect(p.log.indexOf(`write ${k + 1} start`)).toBeGreaterThan(p.log.indexOf(`write ${k} done`));
    }
    expect(p.log).not.toContain("load 4 start");
  });

  it("a failed write ends the run after the load in flight settled; that page is never written", async () => {
    const p = pages(5, { failWrite: 1, writeMs: 1 });
    p.load = ((load) => async (req: number) => {
      if (req === 2) await new Promise((r) => setTimeout(r, 20)); // still loading when write 1 fails
      return load(req);
    })(p.load);
    await expect(loadAhead(0, p.load, p.write)).rejects.toThrow("write 1");
    expect(p.log.indexOf("load 2 done")).toBeGreaterThan(p.log.indexOf("write 1 failed")); // awaited …
    expect(p.log).not.toContain("write 2 start"); // … but dropped
    const atRejection = p.log.length;
    await new Promise((r) => setTimeout(r, 30));
    expect(p.log.length).toBe(atRejection); // nothing runs on after the rejection
    expect(p.log).not.toContain("load 3 start");
  });

  it("a failed load ends the run after the write before it has finished", async () => {
    const p = pages(5, { failLoad: 2 });
    await expect(loadAhead(0, p.load, p.write)).rejects.toThrow("load 2");
    expect(p.log).toContain("write 1 done");
    expect(p.log).not.toContain("write 2 start");
    expect(p.log.at(-1)).toBe("write 1 done");
  });

  it("one page: loaded, written, done", async () => {
    const p = pages(1);
    await loadAhead(0, p.load, p.write);
    expect(p.log).toEqual(["load 0 start", "load 0 done", "write 0 start", "write 0 done"]);
  });
});
