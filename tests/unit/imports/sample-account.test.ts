// The sample account's exports all import with 0 errors and the fill count matches expected.json.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { FillRow, OrderRow, TransferRow } from "../../../functions/_shared/domain/types.ts";
import { parseExport } from "../../../functions/_shared/imports/parse.ts";

const dir = fileURLToPath(new URL("../../fixtures/sample-account/", import.meta.url));
const read = (name: string) => readFileSync(dir + name, "utf8");
const expected = JSON.parse(read("expected.json"));
const orders: OrderRow[] = JSON.parse(read("orders.json"));

const FILES = [
  { name: "binance-spot-trades.csv", exchange: "binance", kind: "spot-trades" },
  { name: "binance-futures-trades.csv", exchange: "binance", kind: "futures-trades" },
  { name: "bitget-futures-trades.csv", exchange: "bitget", kind: "futures-trades" },
  { name: "bitget-spot-trades.csv", exchange: "bitget", kind: "spot-trades" },
  { name: "binance-deposits.csv", exchange: "binance", kind: "deposits" },
  { name: "binance-withdrawals.csv", exchange: "binance", kind: "withdrawals" },
] as const;

async function importAll() {
  const fills: FillRow[] = [];
  const transfers: TransferRow[] = [];
  const perFile: Record<string, number> = {};
  for (const f of FILES) {
    const r = await parseExport({ text: read(f.name), exchange: f.exchange, kind: f.kind });
    expect(r.errors, f.name).toEqual([]);
    perFile[f.name] = r.fills.length + r.transfers.length;
    fills.push(...r.fills);
    transfers.push(...r.transfers);
  }
  return { fills, transfers, perFile };
}

describe("sample account", () => {
  it("every export parses with 0 errors; fill counts match expected.json", async () => {
    const { fills, perFile } = await importAll();
    for (const [file, n] of Object.entries(expected.fill_counts)) {
      if (file !== "total") expect(perFile[file], file).toBe(n);
    }
    expect(fills).toHaveLength(expected.fill_counts.total);
    expect(fills.length).toBeGreaterThanOrEqual(60);
    expect(fills.length).toBeLessThanOrEqual(120);
  });

  it("re-importing yields the same trade ids, all unique per exchange", async () => {
    const a = await importAll();
    const b = await importAll();
    expect(a.fills.map((f) => f.trade_id)).toEqual(b.fills.map((f) => f.trade_id));
    const keys = a.fills.map((f) => `${f.exchange}|${f.symbol}|${f.trade_id}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("transfers: USDT deposits and withdrawals as in expected.json", async () => {
    const { transfers } = await importAll();
    const sum = (kind: string) =>
      transfers.filter((t) => t.kind === kind && t.asset === "USDT").reduce((s, t) => s + Number(t.amount), 0);
    expect(sum("deposit").toFixed(8)).toBe(expected.transfers.USDT.deposits);
    expect(sum("withdrawal").toFixed(8)).toBe(expected.transfers.USDT.withdrawals);
  });

  it("orders.json links to the exported fills (order ids, quantities, roles)", async () => {
    const { fills } = await importAll();
    for (const o of orders) {
      const of = fills.filter((f) => f.exchange === o.exchange && f.order_id === o.order_id);
      expect(of.length, o.order_id).toBeGreaterThan(0);
      expect(of.every((f) => f.symbol === o.symbol && f.side === o.side)).toBe(true);
      // quantities here are short decimals; compare in thousandths to stay away from floats
      const total = of.reduce((s, f) => s + Math.round(Number(f.amount) * 1000), 0);
      expect(total, o.order_id).toBe(Math.round(Number(o.executed_qty) * 1000));
    }
    const roles = orders.map((o) => o.order_role);
    for (const r of ["TP1", "TP2", "SL", "ENTRY"]) expect(roles).toContain(r);
    // every fill carrying an order id has its order in orders.json
    for (const f of fills.filter((x) => x.order_id !== null)) {
      expect(orders.some((o) => o.exchange === f.exchange && o.order_id === f.order_id), f.order_id!).toBe(true);
    }
  });

  it("has the promised shape: two exchanges, spot and swap, BNB and USDT fees, a short, a quiet week", async () => {
    const { fills } = await importAll();
    expect(new Set(fills.map((f) => f.exchange))).toEqual(new Set(["binance", "bitget"]));
    expect(new Set(fills.map((f) => f.market_type))).toEqual(new Set(["spot", "swap"]));
    const feeCcy = new Set(fills.flatMap((f) => f.fees.map((e) => e.currency)));
    expect(feeCcy.has("BNB") && feeCcy.has("USDT")).toBe(true);
    const quiet = fills.filter((f) => f.executed_at >= "2026-08-10" && f.executed_at < "2026-08-17");
    expect(quiet).toEqual([]);
    expect(fills.every((f) => f.executed_at >= "2026-05-01" && f.executed_at < "2026-11-01")).toBe(true);
    expect(expected.closing_events.some((e: { position_side: string }) => e.position_side === "SHORT")).toBe(true);
    expect(expected.total.exit_types.SL).toBeGreaterThan(0);
  });
});
