/** fetchMyTrades → FillRow: exact strings from the raw bodies, units, fees, sides, liquidations. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Trade } from "ccxt";
import { getCase, replayCase, type ReplayServer, startReplayServer } from "../../support/ccxt/replay.ts";
import { markLiquidations, MalformedPayloadError, normalizeTrades, NON_MARKET_FEE_CURRENCIES } from "../../../functions/_shared/exchanges/index.ts";
import type { FillRow } from "../../../functions/_shared/domain/types.ts";
import { c } from "./helpers.ts";

let server: ReplayServer;
beforeAll(() => {
  server = startReplayServer();
});
afterAll(() => server.close());

// deno-lint-ignore no-explicit-any
type Raw = any;
async function fills(ex: "binance" | "bitget" | "gate" | "mexc", description: string) {
  const { client, result, case: k } = await replayCase<Trade[]>(server, ex, "fetchMyTrades", description);
  const { rows, skipped } = normalizeTrades(client, result);
  expect(skipped).toEqual([]);
  return { rows, raw: k.httpResponse as Raw, client };
}
const byId = (rows: FillRow[], id: string) => rows.find((r) => r.trade_id === id)!;

describe("binance", () => {
  it("spot trade: raw strings, fee in commissionAsset", async () => {
    const { rows, raw } = await fills("binance", "Spot private trade");
    const r = raw[0];
    expect(rows).toEqual([
      {
        exchange: "binance",
        market_type: "spot",
        symbol: "LTC/USDT",
        base: "LTC",
        quote: "USDT",
        trade_id: r.id,
        order_id: r.orderId,
        side: "sell",
        price: c(r.price),
        amount: c(r.qty),
        cost: c(r.quoteQty),
        fees: [{ currency: r.commissionAsset, amount: c(r.commission) }],
        taker_or_maker: "taker",
        exchange_realized_pnl: null,
        is_liquidation: false,
        executed_at: new Date(Number(r.time)).toISOString(),
        source: "api",
      },
    ]);
    expect(rows[0].price).toBe("69.63");
    expect(rows[0].fees[0].amount).toBe("0.013926");
  });

  it("usdm swap trade: base units, realized pnl", async () => {
    const { rows, raw } = await fills("binance", "Swap private trade");
    expect(rows[0]).toMatchObject({ market_type: "swap", symbol: "BTC/USDT:USDT", side: "buy", amount: c(raw[0].qty), price: "36567.1", cost: "365.671", exchange_realized_pnl: "0" });
    expect(rows[0].amount).toBe("0.01");
    expect(rows[0].fees).toEqual([{ currency: "USDT", amount: "0.1462684" }]);
  });

  it("portfolio-margin spot trade", async () => {
    const { rows } = await fills("binance", "spot porfolioMargin private trade");
    expect(rows[0]).toMatchObject({ amount: "0.173", cost: "12.00447", fees: [{ currency: "USDT", amount: "0.01200447" }] });
  });
});

describe("bitget", () => {
  it("classic spot: negative totalFee is a paid fee", async () => {
    const { rows, raw } = await fills("bitget", "Spot trade");
    const r = raw.data[0];
    expect(r.feeDetail.totalFee).toBe("-0.0000794");
    expect(rows[0]).toMatchObject({ price: c(r.priceAvg), amount: c(r.size), cost: c(r.amount), side: "buy", taker_or_maker: "taker" });
    expect(rows[0].fees).toEqual([{ currency: "LTC", amount: "0.0000794" }]);
  });

  it("classic hedge-mode swap: a close fill reported as 'buy' is a sell", async () => {
    const { rows, raw } = await fills("bitget", "swap trade");
    const r = raw.data.fillList[0];
    expect([r.side, r.tradeSide, r.posMode]).toEqual(["buy", "close", "hedge_mode"]);
    expect(rows[0]).toMatchObject({ side: "sell", amount: "0.1", price: "72.25", cost: "7.225", exchange_realized_pnl: "-0.002", fees: [{ currency: "USDT", amount: "0.004335" }] });
  });

  it("UTA swap: positive raw fee is paid (ccxt makes it negative; we normalise)", async () => {
    const { rows, raw, client } = await fills("bitget", "uta swap fetchMyTrades");
    const ccxtTrades = await client.fetchMyTrades("BTC/USDT:USDT", undefined, undefined, { uta: true });
    expect(ccxtTrades[0].fee?.cost).toBeLessThan(0); // the ccxt quirk we correct
    for (const r of raw.data.list) {
      const row = byId(rows, r.execId);
      expect(row.fees).toEqual([{ currency: "USDT", amount: c(r.feeDetail[0].fee) }]);
      expect(row).toMatchObject({ price: c(r.execPrice), amount: c(r.execQty), cost: c(r.execValue), exchange_realized_pnl: c(r.execPnl), side: r.side });
    }
  });

  it("hand-written hedge-mode liquidation fill: rebate stays negative, every fee entry kept", async () => {
    const { rows } = await fills("bitget", "hedge-mode liquidation fill with rebate");
    expect(rows[0]).toMatchObject({ side: "sell", is_liquidation: true, taker_or_maker: "maker", amount: "0.3" });
    expect(rows[0].fees).toEqual([
      { currency: "USDT", amount: "-0.0036642" },
      { currency: "BGB", amount: "0.0001" },
    ]);
  });
});

describe("gate", () => {
  it("spot: two fills at the same millisecond, zero GT/point entries dropped", async () => {
    const { rows, raw } = await fills("gate", "Spot trade");
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((r) => r.executed_at)).size).toBe(1);
    for (const r of raw) {
      const row = byId(rows, r.id);
      expect(row.amount).toBe(c(r.amount));
      expect(row.price).toBe(c(r.price));
      expect(row.fees).toEqual([{ currency: "LTC", amount: c(r.fee) }]);
    }
    expect(byId(rows, "7342180136").cost).toBe("3.298485"); // 68.01 × 0.0485, exact
  });

  it("swap: contracts × contractSize (1 contract × 0.1 LTC)", async () => {
    const { rows, raw } = await fills("gate", "Swap trade");
    expect(raw[0].size).toBe("-1");
    expect(rows[0]).toMatchObject({ market_type: "swap", side: "sell", amount: "0.1", price: "68.42", cost: "6.842", fees: [{ currency: "USDT", amount: "0.003421" }] });
  });

  it("hand-written: fee paid in GT and POINT at once, tiny amounts stay exact", async () => {
    const { rows } = await fills("gate", "spot trades paid in GT and points");
    expect(byId(rows, "7342180301").fees).toEqual([
      { currency: "GT", amount: "0.00412" },
      { currency: "GATEPOINT", amount: "0.0315" },
    ]);
    expect(byId(rows, "7342180301").cost).toBe("105.18");
    const tiny = byId(rows, "7342180302");
    expect(tiny.amount).toBe("0.0000001"); // never "1e-7"
    expect(tiny.cost).toBe("0.00000701");
    expect(tiny.fees).toEqual([
      { currency: "LTC", amount: "0.00000000014" },
      { currency: "GT", amount: "0.00000003" },
    ]);
    expect(NON_MARKET_FEE_CURRENCIES.has("GATEPOINT")).toBe(true);
  });

  it("hand-written swap: maker rebate negative, liquidation flagged, 25 contracts = 2.5 LTC", async () => {
    const { rows } = await fills("gate", "swap maker rebate and liquidation");
    expect(byId(rows, "29768600")).toMatchObject({ side: "buy", amount: "2.5", cost: "171.375", fees: [{ currency: "USDT", amount: "-0.0085688" }], is_liquidation: false });
    expect(byId(rows, "29768601")).toMatchObject({ side: "sell", amount: "2.5", is_liquidation: true });
  });
});

describe("mexc", () => {
  it("spot: zero commission gives no fee entry", async () => {
    const { rows, raw } = await fills("mexc", "user trade");
    expect(rows[0]).toMatchObject({ symbol: "ATLAS/USDT", side: "sell", price: c(raw[0].price), amount: c(raw[0].qty), cost: c(raw[0].quoteQty), fees: [] });
  });

  it("hand-written swap deal: 12 contracts × 0.0001 = 0.0012 BTC; side 4 (close long) = sell", async () => {
    const { rows } = await fills("mexc", "swap deals in contracts");
    expect(rows[0]).toMatchObject({ market_type: "swap", side: "sell", amount: "0.0012", price: "43800.5", cost: "52.5606", exchange_realized_pnl: "1.23", fees: [{ currency: "USDT", amount: "0.0105121" }] });
  });
});

describe("liquidations from orders (binance)", () => {
  it("marks the fills of autoclose orders", async () => {
    const { rows } = await fills("binance", "Swap private trade");
    const marked = markLiquidations(rows, [{ order_id: rows[0].order_id!, is_liquidation: true }, { order_id: "x", is_liquidation: false }]);
    expect(marked[0].is_liquidation).toBe(true);
    expect(rows[0].is_liquidation).toBe(false);
    expect(markLiquidations(rows, [])).toEqual(rows);
  });
});

describe("malformed pages", () => {
  it("a trade without a price fails the whole page", async () => {
    const { client, result } = await replayCase<Trade[]>(server, "binance", "fetchMyTrades", "Spot private trade");
    const broken = [{ ...result[0], price: undefined, info: { ...result[0].info, price: "" } }] as unknown as Trade[];
    expect(() => normalizeTrades(client, broken)).toThrow(MalformedPayloadError);
  });

  it("a trade in an unknown market is malformed", async () => {
    const { client, result } = await replayCase<Trade[]>(server, "binance", "fetchMyTrades", "Spot private trade");
    expect(() => normalizeTrades(client, [{ ...result[0], symbol: "NOPE/USDT" }])).toThrow(MalformedPayloadError);
  });

  it("garbage decimal strings are refused", async () => {
    const { client, result } = await replayCase<Trade[]>(server, "binance", "fetchMyTrades", "Spot private trade");
    const broken = [{ ...result[0], info: { ...result[0].info, qty: "0.2abc" } }] as unknown as Trade[];
    expect(() => normalizeTrades(client, broken)).toThrow();
  });

  it("the fixture case is what ccxt returned", () => {
    expect(getCase("binance", "fetchMyTrades", "Spot private trade").input).toEqual(["LTC/USDT", null, 1]);
  });
});
