/** Path and query validation of the exchange function: 404 for unknown exchange/route, 400 for bad input. */
import { describe, expect, it } from "vitest";
import { HttpError } from "../../../functions/_shared/http.ts";
import { parseExchange, parseLiveQuery, parseRoute } from "../../../functions/_shared/live/params.ts";

const NOW = Date.UTC(2026, 10, 25);
const q = (route: Parameters<typeof parseLiveQuery>[1], query: string, ex: Parameters<typeof parseLiveQuery>[2] = "binance") =>
  parseLiveQuery(new URL(`http://x/exchange/${ex}/${route}?${query}`), route, ex, NOW);

function fails(fn: () => unknown): HttpError {
  try {
    fn();
  } catch (e) {
    if (e instanceof HttpError) return e;
    throw e;
  }
  throw new Error("expected an HttpError");
}

describe("path", () => {
  it("exchanges: the four, gate as an alias, anything else 404 naming them", () => {
    expect(["binance", "BITGET", "gateio", "gate", "mexc"].map(parseExchange)).toEqual(["binance", "bitget", "gateio", "gateio", "mexc"]);
    const e = fails(() => parseExchange("kraken"));
    expect([e.status, e.code]).toEqual([404, "unknown_exchange"]);
    expect(e.message).toContain("binance, bitget, gateio, mexc");
  });

  it("routes: unknown → 404 listing them", () => {
    expect(parseRoute("assets")).toBe("assets");
    const e = fails(() => parseRoute("user-assets"));
    expect(e.status).toBe(404);
    expect(e.message).toContain("account-info, assets, open-orders, orders, deposits, withdrawals, transfers, fills, tickers");
  });
});

describe("query", () => {
  it("since as ms or ISO; limit within the exchange's page", () => {
    expect(q("fills", "symbol=BTC/USDT&since=1735689600000&limit=1000")).toEqual({ symbol: "BTC/USDT", since: 1735689600000, limit: 1000 });
    expect(q("orders", "since=2025-01-01")).toEqual({ since: Date.UTC(2025, 0, 1) });
    expect(q("orders", "since=2025-01-01T12:00:00%2B02:00")).toEqual({ since: Date.UTC(2025, 0, 1, 10) });
    expect(q("orders", "limit=100", "bitget")).toEqual({ limit: 100 });
    expect(fails(() => q("orders", "limit=101", "bitget")).message).toMatch(/1 to 100 on bitget/);
    expect(fails(() => q("orders", "limit=101", "mexc")).message).toMatch(/1 to 100 on mexc/);
  });

  it("bad values → 400 with every problem listed", () => {
    for (const bad of ["limit=0", "limit=1.5", "limit=1e3", "since=2009-12-31", "since=2026-12-01", "since=abc", "symbol=", "symbol=BTC USDT"]) {
      const e = fails(() => q("fills", bad));
      expect([e.status, e.code], bad).toEqual([400, "invalid_request"]);
    }
    const e = fails(() => q("fills", "limit=0&foo=1&since=x"));
    expect((e.details as unknown[]).length).toBe(3);
    expect(e.message).toMatch(/unknown query parameter "foo"; accepted: symbol, since, limit/);
  });

  it("account-info and assets take no parameters", () => {
    expect(q("assets", "")).toEqual({});
    expect(fails(() => q("assets", "symbol=BTC/USDT")).status).toBe(400);
  });

  it("coins are upper-cased; transfers default spot → futures; from = to refused", () => {
    expect(q("deposits", "coin=usdt")).toEqual({ coin: "USDT" });
    expect(q("transfers", "")).toEqual({ from: "spot", to: "futures" });
    expect(q("transfers", "from=futures")).toEqual({ from: "futures", to: "spot" });
    expect(fails(() => q("transfers", "from=spot&to=spot")).status).toBe(400);
    expect(fails(() => q("transfers", "from=margin")).message).toMatch(/accepted values: spot, futures, funding/);
  });

  it("tickers: 1..50 symbols, deduplicated", () => {
    expect(q("tickers", "symbols=BTC/USDT,ETHUSDT,BTC/USDT")).toEqual({ symbols: ["BTC/USDT", "ETHUSDT"] });
    expect(fails(() => q("tickers", "")).message).toMatch(/symbols is required/);
    expect(fails(() => q("tickers", `symbols=${Array.from({ length: 51 }, (_, i) => `A${i}/USDT`).join(",")}`)).status).toBe(400);
  });
});
