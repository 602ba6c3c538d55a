/**
 * The spec's legacy example through the engine, the ccxt trade adapter, and the exact-number
 * helpers (decimal.ts and the engine's fixed point).
 */
import { describe, expect, it } from "vitest";
import { Decimal, percentOf, toDbString, toDecimal, toPercentString } from "../../../functions/_shared/decimal.ts";
import { divRound, fmt, fmtM, parseQ } from "../../../functions/_shared/pnl/fixed.ts";
import {
  applyFills,
  createState,
  fromLegacyOrders,
  summarize,
} from "../../../functions/_shared/pnl/index.ts";
import { recordedTradesToFills } from "../../../functions/_shared/exchanges/offline.ts";
import { at, order } from "./helpers.ts";

describe("the spec's legacy example (migration steps 2–3) through the engine", () => {
  // Entry order BUY 1 BTCUSDT @ 43000 with TP1 45000, TP2 46000 (0.5 each) and SL 42000. Both TPs
  // filled, the SL was cancelled. The spec's one-shot SQL multiplies each exit's price move by the
  // ENTRY's whole quantity: (45000 − 43000) × 1 + (46000 − 43000) × 1 = 5000, counting the BTC
  // twice. Through the engine each exit realizes its own 0.5.
  const legacy = [
    order({ order_id: "100", symbol: "BTCUSDT", side: "buy", order_role: "ENTRY", price: "43000", quantity: "1", executed_qty: "1", order_timestamp: at(0), filled_timestamp: at(5) }),
    order({ order_id: "101", symbol: "BTCUSDT", side: "sell", order_role: "TP1", price: "45000", quantity: "0.5", executed_qty: "0.5", order_timestamp: at(0), filled_timestamp: at(60) }),
    order({ order_id: "102", symbol: "BTCUSDT", side: "sell", order_role: "TP2", price: "46000", quantity: "0.5", executed_qty: "0.5", order_timestamp: at(0), filled_timestamp: at(120) }),
    order({ order_id: "103", symbol: "BTCUSDT", side: "sell", order_role: "SL", type: "stop_loss", status: "CANCELED", stop_price: "42000", quantity: "1", executed_qty: "0", order_timestamp: at(0) }),
  ];

  it("filled orders become fills derived from orders; TP exits, with SL and TPs linked", () => {
    const { fills, orders } = fromLegacyOrders(legacy);
    expect(fills.map((f) => [f.trade_id, f.side, f.price, f.amount, f.source])).toEqual([
      ["order:100", "buy", "43000", "1", "derived_from_order"],
      ["order:101", "sell", "45000", "0.5", "derived_from_order"],
      ["order:102", "sell", "46000", "0.5", "derived_from_order"],
    ]);
    const r = applyFills(createState(), fills, { orders });
    const rep = summarize([r], r.state);
    const [tp1, tp2] = rep.trades;
    // TP1: (45000 − 43000) × 0.5 = 1000; cost share 43000 × 0.5 = 21500; pnl% = 1000 / 21500 × 100
    //      = 4.651162790… → 4.65116279; the position stays open but the role says TP
    expect(tp1).toMatchObject({
      symbol: "BTC/USDT",
      side: "LONG",
      entry_order_id: "100",
      exit_order_id: "101",
      entry_price: "43000",
      exit_price: "45000",
      exit_quantity: "0.5",
      gross_pnl: "1000",
      net_pnl: "1000",
      pnl_percentage: "4.65116279",
      exit_type: "TP",
      stop_loss_price: "42000",
      take_profit_prices: ["45000", "46000"],
      hold_duration: "P0DT0H55M0S",
    });
    // TP2: (46000 − 43000) × 0.5 = 1500; pnl% = 1500 / 21500 × 100 = 6.976744186… → 6.97674419
    expect(tp2).toMatchObject({ exit_order_id: "102", gross_pnl: "1500", pnl_percentage: "6.97674419", exit_type: "TP" });
    // total 1000 + 1500 = 2500 (not the SQL's 5000); the position is closed
    expect(rep.totals.realized_net_pnl).toBe("2500");
    expect(rep.positions).toEqual([
      expect.objectContaining({ status: "CLOSED", entry_price: "43000", entry_quantity_total: "1", stop_loss_price: "42000" }),
    ]);
  });
});

describe("recorded ccxt trades go through the sync's converter (exchanges/offline.ts)", () => {
  it("takes ccxt's numbers as their shortest round-trip decimal strings", () => {
    // the recorded binance spot fill of fixtures/ccxt/binance.json (parsedResponse, without info)
    const [f] = recordedTradesToFills("binance", [{
      id: "309520010",
      order: "3784695242",
      symbol: "LTC/USDT",
      side: "sell",
      takerOrMaker: "taker",
      price: 69.63,
      amount: 0.2,
      cost: 13.926,
      fee: { cost: 0.013926, currency: "USDT" },
      fees: [{ cost: 0.013926, currency: "USDT" }],
      timestamp: 1698138992358,
      datetime: "2023-10-24T09:16:32.358Z",
    }]);
    expect(f).toMatchObject({
      exchange: "binance",
      market_type: "spot",
      base: "LTC",
      quote: "USDT",
      trade_id: "309520010",
      order_id: "3784695242",
      price: "69.63",
      amount: "0.2",
      cost: "13.926",
      fees: [{ currency: "USDT", amount: "0.013926" }],
      executed_at: "2023-10-24T09:16:32.358Z",
      taker_or_maker: "taker",
    });
  });

  it("never prints exponents, skips zero fees, converts gate swap contracts with the market's contract size", () => {
    const [f] = recordedTradesToFills("gateio", [{
      id: 7,
      symbol: "BTC/USDT:USDT",
      side: "buy",
      price: 0.00000012,
      amount: 3,
      fees: [{ cost: 0, currency: "USDT" }, { cost: 1e-7, currency: "GT" }],
      timestamp: 0,
    }], { "BTC/USDT:USDT": "0.001" });
    // String(1.2e-7) is "1.2e-7": the converter gives "0.00000012"; 3 contracts × 0.001 = 0.003 BTC
    expect(f).toMatchObject({
      exchange: "gateio",
      market_type: "swap",
      price: "0.00000012",
      amount: "0.003",
      cost: "0.00000000036",
      fees: [{ currency: "GT", amount: "0.0000001" }],
      order_id: null,
    });
  });

  it("refuses a gate/mexc swap trade without a contract size (the old CLI converter took 1 contract = 1 coin)", () => {
    expect(() => recordedTradesToFills("mexc", [{ id: 1, symbol: "ETH/USDT:USDT", side: "buy", price: 10, amount: 5, timestamp: 1 }]))
      .toThrow(/contractSize/);
  });

  it("reads the raw exchange fee of `info` like the sync, and a liquidation flag", () => {
    // binance: the raw commission in BNB wins over ccxt's unified fee
    const [f] = recordedTradesToFills("binance", [{
      id: 1, symbol: "BTC/USDT", side: "buy", price: 100, amount: 1, timestamp: 1, liquidation: true,
      fee: { cost: 0.1, currency: "USDT" },
      info: { price: "100", qty: "1", quoteQty: "100", commission: "0.0002", commissionAsset: "BNB" },
    }]);
    expect(f.fees).toEqual([{ currency: "BNB", amount: "0.0002" }]);
    expect(f.is_liquidation).toBe(true);
  });

  it("gives a trade without id a deterministic synthetic id and rejects bad input", () => {
    const t = { symbol: "ETH/USDT", side: "buy" as const, price: "10", amount: "1", timestamp: 1000, order: "9" };
    expect(recordedTradesToFills("mexc", [t])[0].trade_id).toBe("syn:1000:9:buy:10:1");
    expect(() => recordedTradesToFills("mexc", [{ ...t, side: "hold" }])).toThrow(/side/);
    expect(() => recordedTradesToFills("mexc", [{ ...t, price: "abc" }])).toThrow(/not a decimal/);
  });
});
