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
  fromCcxtTrade,
  fromLegacyOrders,
  summarize,
} from "../../../functions/_shared/pnl/index.ts";
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

describe("fromCcxtTrade", () => {
  it("takes ccxt's numbers as their shortest round-trip decimal strings", () => {
    // the recorded binance spot fill of fixtures/ccxt/binance.json (parsedResponse)
    const f = fromCcxtTrade({
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
    }, { exchange: "binance" });
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

  it("never prints exponents, skips zero fees, maps gate → gateio, converts contracts", () => {
    const f = fromCcxtTrade({
      id: 7,
      symbol: "BTC/USDT:USDT",
      side: "buy",
      price: 0.00000012,
      amount: 3,
      fees: [{ cost: 0, currency: "USDT" }, { cost: 1e-7, currency: "GT" }],
      timestamp: 0,
    }, { exchange: "gate", contract_size: "0.001" });
    // String(1.2e-7) is "1.2e-7": the adapter gives "0.00000012"; 3 contracts × 0.001 = 0.003 BTC
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

  it("gives a trade without id a deterministic synthetic id and rejects bad input", () => {
    const t = { symbol: "ETH/USDT", side: "buy" as const, price: "10", amount: "1", timestamp: 1000, order: "9" };
    expect(fromCcxtTrade(t, { exchange: "mexc" }).trade_id).toBe("syn:1000:9:buy:10:1");
    expect(() => fromCcxtTrade({ ...t, side: "hold" as "buy" }, { exchange: "mexc" })).toThrow(/side/);
    expect(() => fromCcxtTrade({ ...t, price: "abc" }, { exchange: "mexc" })).toThrow(/not a decimal/);
    expect(() => fromCcxtTrade(t, { exchange: "kraken" })).toThrow(/unknown exchange/);
  });
});

describe("decimal.ts", () => {
  it("toDecimal reads JS numbers as their shortest round-trip string", () => {
    expect(toDecimal(1e-7).toFixed()).toBe("0.0000001");
    expect(toDecimal(0.1).toFixed()).toBe("0.1");
    expect(toDecimal(0.1 + 0.2).toFixed()).toBe("0.30000000000000004");
    expect(toDecimal("1e-7").toFixed()).toBe("0.0000001");
    expect(() => toDecimal(Number.NaN)).toThrow();
    expect(() => toDecimal("0x10")).toThrow();
    expect(() => toDecimal("")).toThrow();
  });
  it("toDbString rounds once at 18 decimals, half-even, plain, trailing zeros trimmed", () => {
    expect(toDbString("1.0000000000000000005")).toBe("1"); // …0|5 → even 0 stays
    expect(toDbString("1.0000000000000000015")).toBe("1.000000000000000002"); // …1|5 → up to even 2
    expect(toDbString("-0.0000000000000000001")).toBe("0"); // never "-0"
    expect(toDbString("2.50")).toBe("2.5");
    expect(toDbString(new Decimal("1e25"))).toBe("10000000000000000000000000");
    expect(toDbString("1.23456", 2)).toBe("1.23");
  });
  it("percentages at scale 8", () => {
    expect(toPercentString("12.345678905")).toBe("12.3456789"); // …890|5 → even 0 stays
    expect(percentOf("1", "3")).toBe("33.33333333");
    expect(percentOf("1", "0")).toBeNull();
  });
});

describe("engine fixed point", () => {
  it("parses decimal strings exactly at scale 18", () => {
    expect(parseQ("1.5")).toBe(1_500_000_000_000_000_000n);
    expect(parseQ("-.5")).toBe(-500_000_000_000_000_000n);
    expect(parseQ("1e-7")).toBe(100_000_000_000n);
    expect(parseQ("123456789012345678.123456789012345678")).toBe(123456789012345678123456789012345678n);
    expect(parseQ("0.0000000000000000015")).toBe(2n); // 19 decimals: rounded half-even once
    for (const bad of ["", "-", ".", "1.2.3", "0x10", "abc", "1e", "Infinity"]) expect(() => parseQ(bad)).toThrow();
  });
  it("divides and prints with half-even rounding", () => {
    expect(divRound(5n, 2n)).toBe(2n); // 2.5 → 2
    expect(divRound(7n, 2n)).toBe(4n); // 3.5 → 4
    expect(divRound(-5n, 2n)).toBe(-2n);
    expect(divRound(-7n, 2n)).toBe(-4n);
    expect(fmt(-1234n, 3)).toBe("-1.234");
    expect(fmt(1000n, 3)).toBe("1");
    expect(fmtM(15n * 10n ** 17n)).toBe("0.000000000000000002"); // 1.5e-18 → 2e-18
    expect(fmtM(25n * 10n ** 17n)).toBe("0.000000000000000002"); // 2.5e-18 → 2e-18
    expect(fmtM(-(10n ** 36n) * 3n)).toBe("-3");
  });
});
