/**
 * Fund-flow buckets (README, "Market data"): notional = price × amount, exact; small < 10,000 ≤
 * medium < 100,000 ≤ large; taker buys are inflows, taker sells outflows. Hand-made trades at the
 * bucket edges.
 */
import { describe, expect, it } from "vitest";
import { bucketFlows } from "../../../functions/_shared/market/fund-flow.ts";

const s = (f: Record<string, { inflow: { toFixed(): string }; outflow: { toFixed(): string } }>) =>
  Object.fromEntries(Object.entries(f).map(([k, v]) => [k, [v.inflow.toFixed(), v.outflow.toFixed()]]));

describe("bucketFlows", () => {
  it("puts each trade in the bucket of its notional, exactly at the edges", () => {
    expect(s(bucketFlows([
      { side: "buy", price: "9999.99", amount: "1" }, // small
      { side: "buy", price: "10000", amount: "1" }, // medium (edge)
      { side: "sell", price: "0.1", amount: "999999.9" }, // 99,999.99 → medium
      { side: "sell", price: "50000", amount: "2" }, // 100,000 → large (edge)
      { side: "buy", price: "0.00000001", amount: "0.00000001" }, // tiny, exact
    ]))).toEqual({
      small: ["9999.9900000000000001", "0"],
      medium: ["10000", "99999.99"],
      large: ["0", "100000"],
    });
  });

  it("gives zero flows (not missing ones) without trades", () => {
    expect(s(bucketFlows([]))).toEqual({ small: ["0", "0"], medium: ["0", "0"], large: ["0", "0"] });
  });
});
