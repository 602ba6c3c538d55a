/**
 * One glued-symbol splitter (issue 16): the importers' splitPair and the legacy-order path's
 * normalizeSymbol used different quote lists (29 vs 10), so "ETHTRY" imported but a legacy
 * order on it could not be read, and "BTCUSD" the other way round. Both now call
 * domain/symbols.ts.
 */
import { describe, expect, it } from "vitest";
import { KNOWN_QUOTES, splitPair } from "../../../functions/_shared/domain/symbols.ts";
import { splitPair as importSplit, toUnified } from "../../../functions/_shared/imports/symbols.ts";
import { normalizeSymbol } from "../../../functions/_shared/pnl/ccxt.ts";

describe("one symbol splitter", () => {
  const glued = ["BTCUSDT", "ETHTRY", "SOLFDUSD", "BTCUSD", "BNBBTC", "PEPEUSDC", "ETHUSDE", "BTC_USDT", "BTC-USDT", "BTCUSDT_SPBL"];
  it("the importers and the legacy-order path split every symbol the same way", () => {
    for (const s of glued) {
      const p = splitPair(s);
      expect(typeof p).toBe("object");
      const { base, quote } = p as { base: string; quote: string };
      expect(importSplit).toBe(splitPair);
      expect(normalizeSymbol(s)).toBe(`${base}/${quote}`);
      expect(toUnified(s, "spot")).toMatchObject({ symbol: `${base}/${quote}` });
    }
  });
  it("longest quote first: FDUSD before USD, TUSD before USD", () => {
    expect(splitPair("SOLFDUSD")).toEqual({ base: "SOL", quote: "FDUSD" });
    expect(splitPair("BTCTUSD")).toEqual({ base: "BTC", quote: "TUSD" });
    expect(KNOWN_QUOTES.indexOf("FDUSD")).toBeLessThan(KNOWN_QUOTES.indexOf("USD"));
  });
  it("an unknown quote is an error on both paths", () => {
    expect(splitPair("BTCXYZ")).toMatch(/does not end in a known quote asset/);
    expect(() => normalizeSymbol("BTCXYZ")).toThrow(RangeError);
  });
});
