/**
 * Hand-computed cases for the PnL engine. Every expected number is worked out in the comment
 * above it; the conventions are the lettered ones at the top of functions/_shared/pnl/engine.ts.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { at, fill, funding, only, order, price, resetIds, run } from "./helpers.ts";

beforeEach(() => resetIds());

describe("fees", () => {
  it("quote-currency fees: entry fee and exit fee both come off the gross", () => {
    const r = run([
      fill({ side: "buy", price: "100", amount: "2", fee: "0.2 USDT" }),
      fill({ side: "sell", price: "110", amount: "2", fee: "0.22 USDT" }),
    ]);
    const e = only(r.trades);
    // entry cost 100 × 2 = 200; exit value 110 × 2 = 220; gross = 220 − 200 = 20
    // net = 20 − 0.2 (entry fee) − 0.22 (exit fee) = 19.58; pnl% = 19.58 / 200 × 100 = 9.79
    expect(e).toMatchObject({
      side: "LONG",
      entry_price: "100",
      entry_quantity: "2",
      entry_cost: "200",
      entry_fees: "0.2",
      exit_price: "110",
      exit_quantity: "2",
      exit_fees: "0.22",
      gross_pnl: "20",
      net_pnl: "19.58",
      pnl_percentage: "9.79",
      roi_percentage: "9.79",
      exit_type: "MANUAL",
      leverage: "1",
    });
    expect(r.positions[0]).toMatchObject({ status: "CLOSED", quantity: "0", fees_paid: "0.42", realized_net_pnl: "19.58" });
    expect(r.totals).toMatchObject({ realized_gross_pnl: "20", realized_net_pnl: "19.58", fees: "0.42" });
  });

  it("base-currency fee on a buy: the fee is not held; it is an entry fee worth price × fee", () => {
    const r = run([
      fill({ side: "buy", price: "100", amount: "1", fee: "0.001 BTC" }),
      fill({ side: "sell", price: "110", amount: "0.999", fee: "0.10989 USDT" }),
    ]);
    const e = only(r.trades);
    // held = 1 − 0.001 = 0.999 BTC; entry cost = 100 × 0.999 = 99.9; entry fee = 100 × 0.001 = 0.1
    // (cash out 100 = 99.9 + 0.1). Exit value = 110 × 0.999 = 109.89; gross = 109.89 − 99.9 = 9.99
    // net = 9.99 − 0.1 − 0.10989 = 9.78011; pnl% = 9.78011 / 99.9 × 100 = 9.789899899… → 9.78989990
    expect(e).toMatchObject({
      entry_quantity: "0.999",
      entry_cost: "99.9",
      entry_fees: "0.1",
      exit_fees: "0.10989",
      gross_pnl: "9.99",
      net_pnl: "9.78011",
      pnl_percentage: "9.7898999",
      exit_type: "MANUAL",
    });
    expect(e.flags).toContain("base_currency_fee");
    expect(r.totals.open_quantity["BTC/USDT"]).toBe("0");
  });

  it("base-currency fee on a sell: amount + fee leaves the position; the fee is an exit fee", () => {
    const r = run([
      fill({ side: "buy", price: "100", amount: "1", fee: "0.1 USDT" }),
      fill({ side: "sell", price: "110", amount: "0.999", fee: "0.001 BTC" }),
    ]);
    const e = only(r.trades);
    // quantity leaving = 0.999 + 0.001 = 1 → closes the position
    // exit value = 110 × 1 = 110; exit fee = 110 × 0.001 = 0.11; gross = 110 − 100 = 10
    // net = 10 − 0.1 − 0.11 = 9.79 (cash: received 110 × 0.999 = 109.89, paid 100.1 → 9.79 ✓)
    expect(e).toMatchObject({ exit_quantity: "1", exit_fees: "0.11", gross_pnl: "10", net_pnl: "9.79", exit_type: "MANUAL" });
  });

  it("third-currency fee converted at the latest <CUR>/<quote> price at or before the fill", () => {
    const prices = [
      price("BNB/USDT", "300", 0), // used by the buy at minute 1
      price("BNB/USDT", "250", 5), // used by the sell at minute 10
      price("BNB/USDT", "999", 11), // after both fills: never used
    ];
    const r = run([
      fill({ side: "buy", price: "100", amount: "1", fee: "0.0005 BNB", min: 1 }),
      fill({ side: "sell", price: "120", amount: "1", fee: "0.0004 BNB", min: 10 }),
    ], { prices });
    const e = only(r.trades);
    // entry fee = 0.0005 × 300 = 0.15; exit fee = 0.0004 × 250 = 0.1
    // gross = 120 − 100 = 20; net = 20 − 0.15 − 0.1 = 19.75
    expect(e).toMatchObject({ entry_fees: "0.15", exit_fees: "0.1", gross_pnl: "20", net_pnl: "19.75", fees_unconverted: [] });
    expect(e.flags).not.toContain("fees_unconverted");
  });

  it("third-currency fee without a price: kept in its currency and flagged, never counted as 0 quote", () => {
    const r = run([
      fill({ side: "buy", price: "100", amount: "1", fee: "0.0005 BNB, 0.01 USDT", min: 1 }),
      fill({ side: "sell", price: "120", amount: "1", fee: "0.0004 BNB", min: 10 }),
    ], { prices: [price("BNB/USDT", "300", 11)] }); // only a price after the fills: unusable
    const e = only(r.trades);
    // quote part: entry fee 0.01, exit fee 0; gross 20; net = 20 − 0.01 = 19.99 (BNB not in it)
    // unconverted: 0.0005 BNB (entry, all of it closed) + 0.0004 BNB (exit) = 0.0009 BNB
    expect(e).toMatchObject({ entry_fees: "0.01", exit_fees: "0", net_pnl: "19.99" });
    expect(e.fees_unconverted).toEqual([{ currency: "BNB", amount: "0.0009" }]);
    expect(e.flags).toContain("fees_unconverted");
    expect(r.totals.fees_unconverted).toEqual({ BNB: "0.0009" });
  });

  it("a rebate (negative fee) reduces fees", () => {
    const r = run([
      fill({ side: "buy", price: "100", amount: "1", fee: "-0.01 USDT" }),
      fill({ side: "sell", price: "100", amount: "1", fee: "0.1 USDT" }),
    ]);
    const e = only(r.trades);
    // gross = 100 − 100 = 0; net = 0 − (−0.01) − 0.1 = −0.09
    expect(e).toMatchObject({ entry_fees: "-0.01", gross_pnl: "0", net_pnl: "-0.09", pnl_percentage: "-0.09" });
    expect(e.flags).toContain("rebate");
  });
});

describe("average cost lifecycle", () => {
  it("scale-in re-averages: entry_price = C / q", () => {
    const r = run([
      fill({ side: "buy", price: "100", amount: "1", fee: "0.1 USDT" }),
      fill({ side: "buy", price: "120", amount: "1", fee: "0.12 USDT" }),
    ]);
    // q = 2, C = 100 + 120 = 220, F = 0.22; entry_price = 220 / 2 = 110
    expect(r.trades).toEqual([]);
    expect(r.positions).toHaveLength(1);
    expect(r.positions[0]).toMatchObject({
      status: "OPEN",
      side: "LONG",
      quantity: "2",
      entry_price: "110",
      total_cost: "220",
      open_entry_fees: "0.22",
      fees_paid: "0.22",
    });
    expect(r.totals.open_quantity).toEqual({ "BTC/USDT": "2" });
  });

  it("partial exits realize the reduced part with pro-rated entry fees", () => {
    const r = run([
      fill({ side: "buy", price: "100", amount: "1", fee: "0.1 USDT" }),
      fill({ side: "buy", price: "120", amount: "1", fee: "0.12 USDT" }),
      fill({ side: "sell", price: "130", amount: "0.5", fee: "0.065 USDT", order: "X" }),
      fill({ side: "sell", price: "90", amount: "1.5", fee: "0.135 USDT", order: "Y" }),
    ]);
    const [a, b] = r.trades;
    // q = 2, C = 220, F = 0.22. Sell 0.5: cost share = 220 × 0.5 / 2 = 55, fee share = 0.22 × 0.5 / 2
    // = 0.055; gross = 130 × 0.5 − 55 = 65 − 55 = 10; net = 10 − 0.055 − 0.065 = 9.88;
    // pnl% = 9.88 / 55 × 100 = 17.963636… → 17.96363636; the position stays open → PARTIAL
    expect(a).toMatchObject({
      exit_order_id: "X",
      entry_price: "110",
      entry_cost: "55",
      entry_fees: "0.055",
      gross_pnl: "10",
      net_pnl: "9.88",
      pnl_percentage: "17.96363636",
      exit_type: "PARTIAL",
    });
    // left: q = 1.5, C = 165, F = 0.165. Sell 1.5 @ 90: gross = 135 − 165 = −30;
    // net = −30 − 0.165 − 0.135 = −30.3; pnl% = −30.3 / 165 × 100 = −18.363636… → −18.36363636
    expect(b).toMatchObject({
      exit_order_id: "Y",
      entry_cost: "165",
      entry_fees: "0.165",
      gross_pnl: "-30",
      net_pnl: "-30.3",
      pnl_percentage: "-18.36363636",
      exit_type: "MANUAL",
    });
    // one position, two closing events, realized = 9.88 − 30.3 = −20.42
    expect(r.positions).toHaveLength(1);
    expect(r.positions[0]).toMatchObject({ status: "CLOSED", closing_events: 2, realized_net_pnl: "-20.42" });
  });

  it("fills of one exit order merge into one event with a volume-weighted exit price", () => {
    const r = run([
      fill({ side: "buy", price: "100", amount: "2" }),
      fill({ side: "sell", price: "110", amount: "1", fee: "0.11 USDT", order: "B" }),
      fill({ side: "sell", price: "120", amount: "1", fee: "0.12 USDT", order: "B" }),
    ]);
    const e = only(r.trades);
    // exit value = 110 + 120 = 230 over 2 → exit_price 115; gross = 230 − 200 = 30; net = 30 − 0.23
    expect(e).toMatchObject({ exit_price: "115", exit_quantity: "2", gross_pnl: "30", net_pnl: "29.77", fill_count: 2 });
    expect(e.close_key).toBe("binance:spot:BTC/USDT:2"); // the trade_id of the event's first fill
  });

  it("re-entry after a partial exit re-averages the same position", () => {
    const r = run([
      fill({ side: "buy", price: "100", amount: "2" }),
      fill({ side: "sell", price: "110", amount: "1" }),
      fill({ side: "buy", price: "130", amount: "1" }),
      fill({ side: "sell", price: "120", amount: "2" }),
    ]);
    const [a, b] = r.trades;
    // sell 1 @110: cost share 200 × 1/2 = 100 → gross 10, PARTIAL; left q 1, C 100
    expect(a).toMatchObject({ gross_pnl: "10", exit_type: "PARTIAL" });
    // buy 1 @130: q 2, C 230 (entry 115); sell 2 @120: gross = 240 − 230 = 10, MANUAL
    expect(b).toMatchObject({ entry_price: "115", gross_pnl: "10", exit_type: "MANUAL" });
    expect(a.position_key).toBe(b.position_key);
  });

  it("the average resets when flat: re-entry starts a new position", () => {
    const r = run([
      fill({ side: "buy", price: "100", amount: "1" }),
      fill({ side: "sell", price: "110", amount: "1" }),
      fill({ side: "buy", price: "200", amount: "1" }),
      fill({ side: "sell", price: "210", amount: "1" }),
    ]);
    const [a, b] = r.trades;
    // second trade's entry is 200, not (100 + 200) / 2 = 150
    expect(a).toMatchObject({ entry_price: "100", gross_pnl: "10" });
    expect(b).toMatchObject({ entry_price: "200", gross_pnl: "10" });
    expect(a.position_key).not.toBe(b.position_key);
    expect(r.positions.map((p) => p.status)).toEqual(["CLOSED", "CLOSED"]);
  });
});

describe("FIFO vs average on the same fills", () => {
  const fills = () => {
    resetIds();
    return [
      fill({ side: "buy", price: "100", amount: "1", fee: "1 USDT" }),
      fill({ side: "buy", price: "200", amount: "1", fee: "2 USDT" }),
      fill({ side: "sell", price: "150", amount: "1" }),
      fill({ side: "sell", price: "150", amount: "1" }),
    ];
  };
  it("average: both exits cost 150 and carry 1.5 of fees", () => {
    const [a, b] = run(fills(), {}, "average").trades;
    // C = 300, F = 3, q = 2 → each exit: cost 150, fee share 1.5, gross 0, net −1.5
    expect(a).toMatchObject({ entry_price: "150", gross_pnl: "0", entry_fees: "1.5", net_pnl: "-1.5", cost_method: "average" });
    expect(b).toMatchObject({ entry_price: "150", gross_pnl: "0", entry_fees: "1.5", net_pnl: "-1.5" });
  });
  it("fifo: the first exit takes the 100 lot (fee 1), the second the 200 lot (fee 2); same total", () => {
    const r = run(fills(), {}, "fifo");
    const [a, b] = r.trades;
    // exit 1: 150 − 100 = 50, net 50 − 1 = 49; exit 2: 150 − 200 = −50, net −50 − 2 = −52
    expect(a).toMatchObject({ entry_price: "100", gross_pnl: "50", entry_fees: "1", net_pnl: "49", cost_method: "fifo" });
    expect(b).toMatchObject({ entry_price: "200", gross_pnl: "-50", entry_fees: "2", net_pnl: "-52" });
    // totals agree with the average method: 49 − 52 = −3 = −1.5 − 1.5
    expect(r.totals.realized_net_pnl).toBe("-3");
  });
  it("fifo pro-rates a partly consumed lot", () => {
    resetIds();
    const r = run([
      fill({ side: "buy", price: "100", amount: "2", fee: "0.4 USDT" }),
      fill({ side: "buy", price: "130", amount: "1" }),
      fill({ side: "sell", price: "120", amount: "1.5" }),
    ], {}, "fifo");
    // 1.5 from the first lot (q 2, c 200, f 0.4): cost 150, fee 0.3; gross = 180 − 150 = 30; net 29.7
    expect(only(r.trades)).toMatchObject({ entry_cost: "150", entry_fees: "0.3", gross_pnl: "30", net_pnl: "29.7" });
    // left: 0.5 @100 (c 50, f 0.1) and 1 @130 → q 1.5, C 180, entry 120
    expect(r.positions[0]).toMatchObject({ quantity: "1.5", total_cost: "180", entry_price: "120", open_entry_fees: "0.1" });
  });
});

describe("swaps: short, leverage, funding, flip", () => {
  const S = "BTC/USDT:USDT";
  it("a short gains when the price falls", () => {
    const r = run([
      fill({ symbol: S, side: "sell", price: "100", amount: "1", fee: "0.05 USDT" }),
      fill({ symbol: S, side: "buy", price: "90", amount: "1", fee: "0.045 USDT" }),
    ]);
    const e = only(r.trades);
    // SHORT: gross = entry value − exit value = 100 − 90 = 10; net = 10 − 0.05 − 0.045 = 9.905
    expect(e).toMatchObject({ side: "SHORT", market_type: "swap", gross_pnl: "10", net_pnl: "9.905", pnl_percentage: "9.905" });
  });

  it("roi_percentage = pnl_percentage × leverage", () => {
    const r = run([
      fill({ symbol: S, side: "sell", price: "100", amount: "1", fee: "0.05 USDT" }),
      fill({ symbol: S, side: "buy", price: "90", amount: "1", fee: "0.045 USDT" }),
    ], { markets: { [S]: { leverage: 10, margin_mode: "isolated" } } });
    // pnl% = 9.905 / 100 × 100 = 9.905; roi = 9.905 × 10 = 99.05
    expect(only(r.trades)).toMatchObject({ pnl_percentage: "9.905", roi_percentage: "99.05", leverage: "10", margin_mode: "isolated" });
  });

  it("spot ignores leverage: roi = pnl%", () => {
    const r = run([
      fill({ side: "buy", price: "100", amount: "1" }),
      fill({ side: "sell", price: "110", amount: "1" }),
    ], { markets: { "BTC/USDT": { leverage: 5 } } });
    expect(only(r.trades)).toMatchObject({ pnl_percentage: "10", roi_percentage: "10", leverage: "1" });
  });

  it("funding accrues to the open position and is pro-rated into closing events", () => {
    const r = run([
      fill({ symbol: S, side: "buy", price: "100", amount: "1", min: 1 }),
      fill({ symbol: S, side: "sell", price: "100", amount: "0.5", min: 20 }),
      fill({ symbol: S, side: "sell", price: "100", amount: "0.5", min: 40 }),
    ], {
      funding: [
        funding(S, "0.5", 10), // received
        funding(S, "-0.2", 15), // paid → accrued 0.3
        funding(S, "-0.1", 30), // after the first exit
        funding(S, "0.7", 50), // flat: unassigned
      ],
    });
    const [a, b] = r.trades;
    // first exit: 0.3 × 0.5 / 1 = 0.15 of funding; gross 0, net = 0.15; accrued left 0.15
    expect(a).toMatchObject({ funding: "0.15", gross_pnl: "0", net_pnl: "0.15" });
    // then −0.1 → 0.05 left; the second exit takes it all: net 0.05
    expect(b).toMatchObject({ funding: "0.05", net_pnl: "0.05" });
    expect(r.unassigned_funding).toEqual([expect.objectContaining({ funding_id: "f50", amount: "0.7" })]);
    // funding total = 0.15 + 0.05 + 0.7 = 0.9 = 0.5 − 0.2 − 0.1 + 0.7
    expect(r.totals.funding).toBe("0.9");
  });

  it("funding at the same millisecond as a fill comes after the fill", () => {
    const r = run([
      fill({ symbol: S, side: "buy", price: "100", amount: "1", min: 1 }),
      fill({ symbol: S, side: "sell", price: "100", amount: "1", min: 8 * 60 }),
    ], { funding: [funding(S, "-0.3", 8 * 60)] });
    // the position closed at 08:00 before the 08:00 funding: it is unassigned
    expect(only(r.trades).funding).toBe("0");
    expect(r.unassigned_funding).toHaveLength(1);
  });

  it("a fill crossing zero closes the position and opens the opposite one; its fee is split by quantity", () => {
    const r = run([
      fill({ symbol: S, side: "buy", price: "100", amount: "1", fee: "0.3 USDT" }),
      fill({ symbol: S, side: "sell", price: "110", amount: "3", fee: "0.33 USDT" }),
      fill({ symbol: S, side: "buy", price: "100", amount: "2" }),
    ]);
    const [a, b] = r.trades;
    // sell 3: 1 closes the LONG, 2 open a SHORT; fee 0.33 → 0.33 × 1/3 = 0.11 closing, 0.22 opening
    // LONG: gross = 110 − 100 = 10; net = 10 − 0.3 − 0.11 = 9.59; MANUAL (closed)
    expect(a).toMatchObject({ side: "LONG", exit_quantity: "1", exit_fees: "0.11", gross_pnl: "10", net_pnl: "9.59", exit_type: "MANUAL" });
    // SHORT 2 @110 (C 220, F 0.22); buy 2 @100: gross = 220 − 200 = 20; net = 20 − 0.22 = 19.78
    expect(b).toMatchObject({ side: "SHORT", entry_price: "110", entry_fees: "0.22", gross_pnl: "20", net_pnl: "19.78" });
    expect(r.positions.map((p) => [p.side, p.status])).toEqual([["LONG", "CLOSED"], ["SHORT", "CLOSED"]]);
  });

  it("a liquidation fill gives exit_type LIQUIDATION and a LIQUIDATED position", () => {
    const r = run([
      fill({ symbol: S, side: "buy", price: "100", amount: "1" }),
      fill({ symbol: S, side: "sell", price: "80", amount: "1", liquidation: true }),
    ], { markets: { [S]: { leverage: 5 } } });
    // gross = 80 − 100 = −20; pnl% = −20%; roi = −100%
    expect(only(r.trades)).toMatchObject({ exit_type: "LIQUIDATION", gross_pnl: "-20", pnl_percentage: "-20", roi_percentage: "-100" });
    expect(r.positions[0].status).toBe("LIQUIDATED");
  });
});

describe("missing history and dust", () => {
  it("a spot sell beyond the holdings: matched part closes, the rest has unknown cost basis", () => {
    const r = run([
      fill({ side: "buy", price: "100", amount: "1" }),
      fill({ side: "sell", price: "120", amount: "1.5", fee: "0.18 USDT" }),
      fill({ side: "sell", price: "130", amount: "0.2" }), // while flat
    ]);
    const e = only(r.trades);
    // matched 1: fee share 0.18 × 1/1.5 = 0.12; gross = 120 − 100 = 20; net = 19.88
    // unmatched 0.5: proceeds 60, fees 0.06 — not in gross or net, and never at cost 0
    expect(e).toMatchObject({
      exit_quantity: "1",
      exit_fees: "0.12",
      gross_pnl: "20",
      net_pnl: "19.88",
      unknown_cost_basis_quantity: "0.5",
      unknown_cost_basis_proceeds: "60",
      unknown_cost_basis_fees: "0.06",
    });
    expect(e.flags).toContain("unknown_cost_basis");
    // the sell while flat gives no event, only a record; running total 0.5 + 0.2 = 0.7
    expect(r.unknown_cost_basis.map((u) => u.quantity)).toEqual(["0.5", "0.2"]);
    expect(r.totals.unknown_cost_basis_quantity).toEqual({ "BTC/USDT": "0.7" });
    expect(r.totals.realized_net_pnl).toBe("19.88");
  });

  it("dust: below the market's amount step the position is flat; the dust's cost is written off", () => {
    const fills = () => {
      resetIds();
      return [fill({ side: "buy", price: "100", amount: "1" }), fill({ side: "sell", price: "110", amount: "0.9995" })];
    };
    const r = run(fills(), { markets: { "BTC/USDT": { amount_step: "0.001" } } });
    const e = only(r.trades);
    // left 1 − 0.9995 = 0.0005 < 0.001 → flat. Cost of everything closed = 100 (99.95 sold + 0.05 dust)
    // gross = 110 × 0.9995 − 100 = 109.945 − 100 = 9.945; pnl% = 9.945 / 100 × 100 = 9.945
    expect(e).toMatchObject({
      exit_quantity: "0.9995",
      dust_quantity: "0.0005",
      entry_quantity: "1",
      entry_cost: "100",
      gross_pnl: "9.945",
      pnl_percentage: "9.945",
      exit_type: "MANUAL",
    });
    expect(r.totals.dust_quantity).toEqual({ "BTC/USDT": "0.0005" });
    // with the default step 1e-8 the same 0.0005 is a real remainder: PARTIAL, position open
    // (cost share 100 × 0.9995 = 99.95; gross = 109.945 − 99.95 = 9.995)
    const d = run(fills());
    expect(only(d.trades)).toMatchObject({ exit_type: "PARTIAL", gross_pnl: "9.995", dust_quantity: "0" });
    expect(d.totals.open_quantity).toEqual({ "BTC/USDT": "0.0005" });
  });
});

describe("exit types, stop loss and take profits from orders", () => {
  const orders = [
    order({ order_id: "E", side: "buy", order_role: "ENTRY", price: "100", order_timestamp: at(0) }),
    order({ order_id: "TP1", side: "sell", order_role: "TP1", price: "110", quantity: "0.5", order_timestamp: at(0) }),
    order({ order_id: "TP2", side: "sell", order_role: "TP2", price: "120", quantity: "0.5", order_timestamp: at(0) }),
    order({ order_id: "SL", side: "sell", order_role: "SL", type: "stop_loss", stop_price: "90", order_timestamp: at(0) }),
  ];
  it("TP1 then TP2: exit_type TP both times, with the linked SL and TPs", () => {
    const r = run([
      fill({ side: "buy", price: "100", amount: "1", order: "E", min: 1 }),
      fill({ side: "sell", price: "110", amount: "0.5", order: "TP1", min: 2 }),
      fill({ side: "sell", price: "120", amount: "0.5", order: "TP2", min: 3 }),
    ], { orders });
    const [a, b] = r.trades;
    // TP1: (110 − 100) × 0.5 = 5, position stays open but the order's role wins over PARTIAL
    expect(a).toMatchObject({ exit_type: "TP", gross_pnl: "5", stop_loss_price: "90", take_profit_prices: ["110", "120"] });
    expect(a.exit_reason).toContain("TP1");
    // TP2: (120 − 100) × 0.5 = 10
    expect(b).toMatchObject({ exit_type: "TP", gross_pnl: "10", entry_order_id: "E", exit_order_id: "TP2" });
    expect(r.positions[0]).toMatchObject({ stop_loss_price: "90", take_profit_prices: ["110", "120"] });
  });

  it("TP1 then SL: exit_type SL", () => {
    const r = run([
      fill({ side: "buy", price: "100", amount: "1", order: "E", min: 1 }),
      fill({ side: "sell", price: "110", amount: "0.5", order: "TP1", min: 2 }),
      fill({ side: "sell", price: "90", amount: "0.5", order: "SL", min: 3 }),
    ], { orders });
    // SL: (90 − 100) × 0.5 = −5
    expect(r.trades.map((t) => [t.exit_type, t.gross_pnl])).toEqual([["TP", "5"], ["SL", "-5"]]);
  });

  it("hold duration in seconds and as an ISO 8601 interval", () => {
    const r = run([
      fill({ side: "buy", price: "100", amount: "1", min: 0 }),
      fill({ side: "sell", price: "100", amount: "1", min: 60 * 26 + 30 }),
    ]);
    // 26 h 30 min = 95,400 s = 1 day 2 h 30 min
    expect(only(r.trades)).toMatchObject({ hold_duration_seconds: "95400", hold_duration: "P1DT2H30M0S" });
  });
});

describe("max_drawdown", () => {
  it("is the worst unrealized PnL from prices between entry and exit", () => {
    const r = run([
      fill({ side: "buy", price: "100", amount: "2", min: 0 }),
      fill({ side: "sell", price: "110", amount: "2", min: 10 }),
    ], {
      prices: [
        price("BTC/USDT", "95", 2), // (95 − 100) × 2 = −10
        price("BTC/USDT", "90", 4), // (90 − 100) × 2 = −20 ← worst
        price("BTC/USDT", "105", 6), // +10
        price("BTC/USDT", "50", 10), // at the exit's millisecond: after the exit, not counted
      ],
    });
    expect(only(r.trades).max_drawdown).toBe("-20");
  });
  it("is null without prices", () => {
    const r = run([fill({ side: "buy", price: "100", amount: "1" }), fill({ side: "sell", price: "110", amount: "1" })]);
    expect(only(r.trades).max_drawdown).toBeNull();
  });
});

describe("idempotence", () => {
  it("reprocessing the same fills adds nothing and reports them as skipped", async () => {
    const { applyFills, createState } = await import("../../../functions/_shared/pnl/index.ts");
    const fills = [fill({ side: "buy", price: "100", amount: "1" }), fill({ side: "sell", price: "110", amount: "1" })];
    const state = createState();
    const first = applyFills(state, fills);
    expect(first.events).toHaveLength(1);
    const before = JSON.stringify(state);
    const again = applyFills(JSON.parse(before), fills);
    expect(again.events).toEqual([]);
    expect(again.positions).toEqual([]);
    expect(again.skipped.map((s) => s.id)).toEqual(["1", "2"]);
    expect(JSON.stringify(again.state)).toBe(before);
  });
});
