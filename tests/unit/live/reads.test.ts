/**
 * The live reads (functions/_shared/live/reads.ts) for the routes the in-process handler tests
 * cover only for binance and bitget: gate and mexc open orders, order history, fills, deposits
 * and withdrawals, through the real ccxt code path with the exchanges mocked at HTTP (recorded
 * ccxt bodies, hand-written ones from tests/fixtures/exchanges/*.json). No database.
 */
import { http } from "msw";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { bodyResponse, getCase, loadMarkets, replayClient, startReplayServer, type FixtureExchange } from "../../support/ccxt/replay.ts";
import {
  accountInfo, configureLive, deposits, fills, liveDeps, openOrders, orderHistory, pricesOf, resolveSymbol, tickers, withdrawals,
} from "../../../functions/_shared/live/reads.ts";
import * as S from "../../../functions/_shared/live/schemas.ts";

const server = startReplayServer();
const seen: URL[] = [];
let now = Date.UTC(2026, 0, 1);

function serveCase(ex: FixtureExchange, method: string, description: string, url?: string) {
  const c = getCase(ex, method, description);
  server.use(http.all(url ?? c.url!, ({ request }) => {
    seen.push(new URL(request.url));
    return bodyResponse(c.httpResponse);
  }));
}

beforeAll(() => {
  configureLive({ now: () => now, sleep: async () => {}, enableRateLimit: false });
  liveDeps.markets.prime("gateio", loadMarkets("gate"));
  liveDeps.markets.prime("mexc", loadMarkets("mexc"));
  liveDeps.markets.prime("binance", loadMarkets("binance"));
});
beforeEach(() => {
  server.resetHandlers();
  seen.length = 0;
  liveDeps.prices.clear();
});
afterAll(() => server.close());

describe("gate", () => {
  const client = () => replayClient("gate");

  it("open orders: a partly filled limit order", async () => {
    serveCase("gate", "fetchOpenOrders", "spot open orders");
    const { orders, skipped } = await openOrders(client(), "gateio", {});
    expect(skipped).toBe(0);
    expect(orders).toEqual([{
      exchange: "gateio", marketType: "spot", orderId: "497245100001", clientOrderId: "t-sync-1", symbol: "LTC/USDT", side: "buy",
      type: "limit", price: "50.5", origQty: "1", executedQty: "0.4", origQuoteQty: null, cummulativeQuoteQty: "20.2", avgPrice: "50.5",
      stopPrice: null, takeProfitPrice: null, stopLossPrice: null, reduceOnly: null, status: "PARTIALLY_FILLED", time: 1706400000123,
      updateTime: null,
    }]);
    for (const o of orders) S.Order.parse(o);
  });

  it("order history: finished orders; a market buy sized in quote keeps its quote size", async () => {
    serveCase("gate", "fetchClosedOrders", "spot closed orders", "https://api.gateio.ws/api/v4/spot/orders");
    const { orders } = await orderHistory(client(), "gateio", { symbol: "LTC_USDT", limit: 1 });
    expect(orders).toEqual([expect.objectContaining({
      orderId: "497245022561", symbol: "LTC/USDT", side: "buy", type: "market", price: null, origQty: "0.0735", executedQty: "0.0735",
      origQuoteQty: "5", cummulativeQuoteQty: "4.998985", avgPrice: "68.02", status: "FILLED", time: 1706382263841,
    })]);
    expect(seen[0].searchParams.get("currency_pair")).toBe("LTC_USDT");
    expect(seen[0].searchParams.get("status")).toBe("finished");
  });

  it("fills without a symbol (gate allows it), newest first, exact cost", async () => {
    serveCase("gate", "fetchMyTrades", "Spot trade", "https://api.gateio.ws/api/v4/spot/my_trades");
    const out = await fills(client(), "gateio", {});
    expect(out.fills.map((f) => [f.tradeId, f.price, f.size, f.amount, f.feeDetail, f.cTime])).toEqual([
      ["7342180137", "68.02", "0.025", "1.7005", { feeCoin: "LTC", totalFee: "0.00005" }, "1706382263841"],
      ["7342180136", "68.01", "0.0485", "3.298485", { feeCoin: "LTC", totalFee: "0.000097" }, "1706382263841"],
    ]);
    for (const f of out.fills) S.TradeFill.parse(f);
  });

  it("deposits and withdrawals", async () => {
    serveCase("gate", "fetchDeposits", "wallet deposits");
    serveCase("gate", "fetchWithdrawals", "wallet withdrawals");
    const d = await deposits(client(), "gateio", {});
    expect(d).toEqual([{
      id: "d210496", amount: "222.61", coin: "USDT", network: expect.stringMatching(/^(TRX|TRC20)$/), status: "success",
      address: "TJRyWwFs9wTFGZg3JbrVriFbNfCug5tDeC", txId: "5b8d4ea0a3c6f0a8e4d1f0b9b6a31f3c1a6f0b5e9d7c2a1b0e3f4a5b6c7d8e9f",
      timestamp: 1706300000000, exchange: "gateio",
    }]);
    const w = await withdrawals(client(), "gateio", {});
    expect(w).toEqual([expect.objectContaining({
      id: "w1879219868", amount: "49.123456", coin: "USDT", status: "success", fee: "0.8", feeCoin: "USDT", timestamp: 1745220149000,
      address: "0x4b1a3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f2a4b",
    })]);
    S.NormalizedDeposit.parse(d[0]);
    S.NormalizedWithdrawal.parse(w[0]);
  });
});

describe("mexc", () => {
  const client = () => replayClient("mexc");

  it("order history needs a symbol; a market sell", async () => {
    await expect(orderHistory(client(), "mexc", {})).rejects.toMatchObject({ status: 400 });
    serveCase("mexc", "fetchOrders", "fetch orders", "https://api.mexc.com/api/v3/allOrders");
    const { orders } = await orderHistory(client(), "mexc", { symbol: "ATLAS/USDT", limit: 1 });
    expect(orders).toEqual([expect.objectContaining({
      orderId: "C02__385413065019117569043", clientOrderId: null, symbol: "ATLAS/USDT", side: "sell", type: "market", price: null,
      origQty: "1220", executedQty: "1220", cummulativeQuoteQty: "5.54124", avgPrice: "0.004542", status: "FILLED", time: 1707671871000,
    })]);
    expect(seen[0].searchParams.get("symbol")).toBe("ATLASUSDT");
  });

  it("fills: a zero commission gives no fee", async () => {
    serveCase("mexc", "fetchMyTrades", "user trade", "https://api.mexc.com/api/v3/myTrades");
    const out = await fills(client(), "mexc", { symbol: "ATLASUSDT" });
    expect(out.fills).toEqual([{
      exchange: "mexc", marketType: "spot", tradeId: "dd44f79dda764c2e927a190ac5e7a1e5", orderId: "C02__385413065019117569043",
      symbol: "ATLAS/USDT", side: "sell", price: "0.004542", size: "1220", amount: "5.54124", feeDetail: null, fees: [],
      takerOrMaker: "taker", realizedPnl: null, isLiquidation: false, cTime: "1707671871000",
    }]);
  });

  it("deposits (id = transaction hash) and withdrawals (fee on top)", async () => {
    serveCase("mexc", "fetchDeposits", "deposit history");
    serveCase("mexc", "fetchWithdrawals", "withdraw history");
    const d = await deposits(client(), "mexc", {});
    expect(d).toEqual([expect.objectContaining({
      id: "51a8f49e6f03f2c056e71fe3291aa65e1032880be855b65cecd0595a1b8af95b:0", amount: "50000.000001", coin: "USDT", network: "TRC20",
      status: "success", timestamp: 1706300000000, exchange: "mexc",
    })]);
    const w = await withdrawals(client(), "mexc", {});
    expect(w).toEqual([expect.objectContaining({
      id: "bb17a2d452684f00a523c015d512a341", amount: "120.5", fee: "3.2", coin: "USDT", network: "ERC20", status: "success", timestamp: 1706310000000,
    })]);
  });
});

describe("binance", () => {
  it("a swap symbol reads the futures endpoint; realized PnL kept", async () => {
    serveCase("binance", "fetchMyTrades", "Swap private trade", "https://fapi.binance.com/fapi/v1/userTrades");
    const out = await fills(replayClient("binance"), "binance", { symbol: "BTC/USDT:USDT", limit: 1 });
    expect(out.fills).toEqual([{
      exchange: "binance", marketType: "swap", tradeId: "272536245", orderId: "3524852987", symbol: "BTC/USDT:USDT", side: "buy",
      price: "36567.1", size: "0.01", amount: "365.671", feeDetail: { feeCoin: "USDT", totalFee: "0.1462684" },
      fees: [{ currency: "USDT", amount: "0.1462684" }], takerOrMaker: "taker", realizedPnl: "0", isLiquidation: false, cTime: "1699972836419",
    }]);
  });

  it("account info: commission rates from basis points when the exchange gives only those", async () => {
    const body = { ...(getCase("mexc", "fetchBalance", "spot account").httpResponse as object), makerCommission: 20, takerCommission: "5" };
    server.use(http.get("https://api.mexc.com/api/v3/account", () => bodyResponse(body)));
    const info = await accountInfo(replayClient("mexc"), "mexc", null);
    expect([info.makerCommission, info.takerCommission, info.commissionRates]).toEqual([20, 5, { maker: "0.002", taker: "0.0005" }]);
    S.NormalizedAccountInfo.parse(info);
  });
});

describe("symbols and prices", () => {
  it("resolves ccxt symbols and exchange ids (spot first)", () => {
    const c = replayClient("binance");
    expect(resolveSymbol(c, "binance", "BTC/USDT")).toBe("BTC/USDT");
    expect(resolveSymbol(c, "binance", "btcusdt")).toBe("BTC/USDT");
    expect(resolveSymbol(c, "binance", "BTC/USDT:USDT")).toBe("BTC/USDT:USDT");
    expect(resolveSymbol(c, "binance", "NOPE")).toBeNull();
  });

  it("pricesOf asks only for the symbols not in the cache, and caches per exchange + symbol", async () => {
    const calls: URL[] = [];
    server.use(http.get("https://api.gateio.ws/api/v4/spot/tickers", ({ request }) => {
      calls.push(new URL(request.url));
      return bodyResponse([
        { currency_pair: "LTC_USDT", last: "84.12" },
        { currency_pair: "BTC_USDT", last: "73373.9" },
      ]);
    }));
    const first = await pricesOf("gateio", ["LTC/USDT"]);
    expect(first.get("LTC/USDT")).toMatchObject({ price: "84.12", cached: false });
    const second = await pricesOf("gateio", ["LTC/USDT", "BTC/USDT"]);
    expect(second.get("LTC/USDT")).toMatchObject({ price: "84.12", cached: true });
    expect(second.get("BTC/USDT")).toMatchObject({ price: "73373.9", cached: false });
    expect(calls).toHaveLength(2);
    expect(liveDeps.prices.get("mexc", "LTC/USDT")).toBeUndefined(); // another exchange: its own entry
    now += 30_000;
    await tickers("gateio", ["LTC/USDT"]);
    expect(calls).toHaveLength(3); // 30 s later: fetched again
  });
});
