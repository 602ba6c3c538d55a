/** Exact number conversion (the module to merge onto functions/_shared/decimal.ts). */
import { describe, expect, it } from "vitest";
import { abs, add, AmountFormatError, canon, div, exact, firstExact, mul, neg, roundToTick, sum, tickerSymbolsForAssets } from "../../../functions/_shared/exchanges/index.ts";
import { replayClient, loadMarkets } from "../../support/ccxt/replay.ts";

const ex = replayClient("binance");

describe("amounts", () => {
  it("canonical strings: no exponent, no trailing zeros, no -0", () => {
    expect(canon("0.20000000")).toBe("0.2");
    expect(canon("1e-7")).toBe("0.0000001");
    expect(canon("-0.0")).toBe("0");
    expect(canon("100")).toBe("100");
    expect(canon("  5.50 ")).toBe("5.5");
    expect(() => canon("abc")).toThrow(AmountFormatError);
    expect(() => canon("")).toThrow(AmountFormatError);
    expect(() => canon("1.2.3")).toThrow(AmountFormatError);
  });
  it("numbers go through numberToString, never String(n)", () => {
    expect(String(0.0000001)).toBe("1e-7");
    expect(exact(ex, 0.0000001)).toBe("0.0000001");
    expect(exact(ex, 123456.789)).toBe("123456.789");
    expect(exact(ex, null)).toBeNull();
    expect(exact(ex, "")).toBeNull();
    expect(exact(ex, Number.NaN)).toBeNull();
    expect(firstExact(ex, undefined, "", "0.10", 5)).toBe("0.1");
  });
  it("arithmetic is exact at high precision", () => {
    expect(mul("0.1", "0.2")).toBe("0.02");
    expect(mul("123456789.123456789", "0.0001")).toBe("12345.6789123456789");
    expect(add("0.1", "0.2")).toBe("0.3");
    expect(sum(["0.1", "0.2", "0.3"])).toBe("0.6");
    expect(neg("-0.004335")).toBe("0.004335");
    expect(abs("-1")).toBe("1");
  });
  it("derived divisions round once at scale 18, half-even", () => {
    expect(div("1", "3")).toBe("0.333333333333333333");
    expect(div("5.54124", "1220")).toBe("0.004542");
    expect(roundToTick("0.073492869744192884", "0.0001")).toBe("0.0735");
  });
});

describe("tickerSymbolsForAssets", () => {
  it("pairs held and fee assets with USDT; points and unknown assets are unpriced", () => {
    const out = tickerSymbolsForAssets(["LTC", "USDT", "BNB", "GATEPOINT", "BTC", "LTC"], loadMarkets("binance") as never);
    expect(out).toEqual({ symbols: ["BTC/USDT", "LTC/USDT"], unpriced: ["BNB", "GATEPOINT"] });
  });
});
