/** The engine benchmark runs (tiny size) and its float-pairing comparison is sane. */
import { describe, expect, it } from "vitest";
import { benchPnlEngine, floatPairing, generateFills } from "../../../scripts/bench/pnl-engine.ts";

describe("scripts/bench/pnl-engine.ts", () => {
  it("benchPnlEngine returns the figures the bench table prints", async () => {
    const r = await benchPnlEngine({ fills: 3_000, symbols: 6, reps: 1, page: 500 });
    expect(r.fills).toBe(3_000);
    for (const k of ["engine_per_stream_average_fills_per_s", "engine_per_stream_fifo_fills_per_s", "float_pairing_fills_per_s"]) {
      expect(r[k]).toBeGreaterThan(0);
    }
    expect(String(r.engine_realized_net_all_events)).toMatch(/^-?\d+(\.\d+)?$/);
    // where every fee was in USDT the float pairing differs from the exact engine by rounding only
    expect(Number(r.quote_fees_only_rel_diff)).toBeLessThan(1e-9);
  });

  it("generates the same fills for the same seed, ordered by (executed_at, trade_id)", () => {
    const a = generateFills(500, 5), b = generateFills(500, 5);
    expect(a.fills).toEqual(b.fills);
    const t = a.fills.map((f) => f.executed_at);
    expect([...t].sort()).toEqual(t);
    expect(floatPairing(a.fills).length).toBeGreaterThanOrEqual(0);
  });
});
