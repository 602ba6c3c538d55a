// The sample account through the real import path and the PnL engine agrees with the
// independently computed expected.json (compute_expected.py, Python decimal).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { FillRow, OrderRow, PriceRow } from "../../../functions/_shared/domain/types.ts";
import { parseExport } from "../../../functions/_shared/imports/parse.ts";
import { applyFills, createState, streamTotals, summarize } from "../../../functions/_shared/pnl/index.ts";
import { Decimal } from "../../../functions/_shared/decimal.ts";

const dir = fileURLToPath(new URL("../../fixtures/sample-account/", import.meta.url));
const read = (name: string) => readFileSync(dir + name, "utf8");
const expected = JSON.parse(read("expected.json"));
const r8 = (s: string) => new Decimal(s).toFixed(8, Decimal.ROUND_HALF_EVEN);

async function run() {
  const fills: FillRow[] = [];
  for (const name of ["binance-spot-trades.csv", "binance-futures-trades.csv", "bitget-futures-trades.csv", "bitget-spot-trades.csv"]) {
    const r = await parseExport({ text: read(name) });
    expect(r.errors, name).toEqual([]);
    fills.push(...r.fills);
  }
  const orders: OrderRow[] = JSON.parse(read("orders.json"));
  // Daily closes are stamped at the START of their date: the convention converts a BNB fee at
  // the close of the fill's own date ("at or before the fill date"), and the engine takes the
  // latest price at or before the fill time.
  const prices: PriceRow[] = read("prices.csv").trim().split("\n").slice(1).map((l) => {
    const [date, symbol, close] = l.split(",");
    return { exchange: "binance", symbol, price: close, kind: "close_1d", as_of: `${date}T00:00:00.000Z` };
  });
  const state = createState({ method: "average" });
  const res = applyFills(state, fills, { orders, prices });
  return { rep: summarize([res], state), state };
}

describe("sample account: importer + PnL engine vs expected.json", () => {
  it("totals, events, exit types, winners/losers and open quantities agree", async () => {
    const { rep, state } = await run();
    expect(r8(rep.totals.realized_gross_pnl)).toBe(expected.total.realized_gross_pnl);
    expect(r8(rep.totals.realized_net_pnl)).toBe(expected.total.realized_net_pnl);
    expect(r8(rep.totals.fees)).toBe(expected.total.fees_paid_usdt);
    expect(rep.totals.closing_events).toBe(expected.total.closing_events);
    expect(rep.totals.fees_unconverted).toEqual({});

    for (const [key, s] of Object.entries<any>(expected.streams)) {
      const [exchange, market_type, symbol] = key.split("|");
      const ev = rep.trades.filter((t) => t.exchange === exchange && t.market_type === market_type && t.symbol === symbol);
      const net = ev.reduce((a, t) => a.plus(t.net_pnl), new Decimal(0));
      const gross = ev.reduce((a, t) => a.plus(t.gross_pnl), new Decimal(0));
      expect(r8(net.toFixed()), key).toBe(s.realized_net_pnl);
      expect(r8(gross.toFixed()), key).toBe(s.realized_gross_pnl);
      expect(ev.length, key).toBe(s.closing_events);
      expect(ev.filter((t) => new Decimal(t.net_pnl).gt(0)).length, key).toBe(s.winners);
      expect(ev.filter((t) => new Decimal(t.net_pnl).lt(0)).length, key).toBe(s.losers);
      for (const type of ["TP", "SL", "PARTIAL", "MANUAL"]) {
        expect(ev.filter((t) => t.exit_type === type).length, `${key} ${type}`).toBe(s.exit_types[type]);
      }
      const st = streamTotals(state).find((x) => x.exchange === exchange && x.market_type === market_type && x.symbol === symbol);
      // signed: LONG > 0, SHORT < 0
      const open = new Decimal(st?.open_quantity ?? "0");
      expect(r8(open.abs().toFixed()), key).toBe(s.open_quantity);
      expect(open.isZero() ? null : open.gt(0) ? "LONG" : "SHORT", key).toBe(s.open_side);
    }
  });
});
