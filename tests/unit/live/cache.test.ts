/** The price cache (30 s per exchange + symbol) and the market cache (1 h, one load at a time). */
import { describe, expect, it } from "vitest";
import { MarketCache, PRICE_TTL_MS, PriceCache } from "../../../functions/_shared/live/cache.ts";

describe("PriceCache", () => {
  it("serves a price for 30 s, then forgets it", () => {
    let t = 1_000_000;
    const c = new PriceCache(() => t);
    expect(PRICE_TTL_MS).toBe(30_000);
    expect(c.get("binance", "BTC/USDT")).toBeUndefined();
    c.set("binance", "BTC/USDT", "73369.84", "2024-03-13T11:10:45.391Z");
    t += 29_999;
    expect(c.get("binance", "BTC/USDT")).toMatchObject({ price: "73369.84", asOf: "2024-03-13T11:10:45.391Z" });
    t += 1;
    expect(c.get("binance", "BTC/USDT")).toBeUndefined();
    expect(c.size).toBe(0);
    expect([c.hits, c.misses]).toEqual([1, 2]);
  });

  it("keeps exchanges apart", () => {
    const c = new PriceCache(() => 0);
    c.set("binance", "BTC/USDT", "1", "x");
    expect(c.get("bitget", "BTC/USDT")).toBeUndefined();
    expect(c.get("binance", "BTC/USDT")?.price).toBe("1");
  });

  it("drops the oldest entries beyond its size", () => {
    const c = new PriceCache(() => 0, 30_000, 2);
    c.set("mexc", "A/USDT", "1", "x");
    c.set("mexc", "B/USDT", "2", "x");
    c.set("mexc", "A/USDT", "3", "x"); // refreshed: now the newest
    c.set("mexc", "C/USDT", "4", "x");
    expect(c.size).toBe(2);
    expect(c.get("mexc", "B/USDT")).toBeUndefined();
    expect(c.get("mexc", "A/USDT")?.price).toBe("3");
  });
});

describe("MarketCache", () => {
  it("loads once for concurrent callers, reloads after an hour, does not cache failures", async () => {
    let t = 0;
    const c = new MarketCache(() => t);
    let loads = 0;
    const load = async () => {
      loads++;
      return { "BTC/USDT": { id: "BTCUSDT" } };
    };
    // the first load stays pending until the test releases it (no timer): the second caller
    // certainly arrives while it is in flight, on any machine speed
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const first = c.get("binance", async () => { await held; return load(); });
    const second = c.get("binance", load);
    release();
    const [a, b] = await Promise.all([first, second]);
    expect(a).toBe(b);
    expect(loads).toBe(1);
    t += 3_599_999;
    await c.get("binance", load);
    expect(loads).toBe(1);
    t += 1;
    await c.get("binance", load);
    expect(loads).toBe(2);
    await expect(c.get("gateio", () => Promise.reject(new Error("down")))).rejects.toThrow("down");
    await c.get("gateio", load);
    expect(loads).toBe(3);
  });

  it("primed markets never expire", async () => {
    let t = 0;
    const c = new MarketCache(() => t);
    c.prime("mexc", { "ATLAS/USDT": {} });
    t += 10 * 3_600_000;
    expect(await c.get("mexc", () => Promise.reject(new Error("no load expected")))).toEqual({ "ATLAS/USDT": {} });
  });
});
