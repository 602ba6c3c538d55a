/**
 * The sync's fill write (`prepareFills` → `insertFills`): each column goes to the database as a
 * Postgres array literal built by the client, so every text an exchange may send must come back
 * exactly — quotes, backslashes, commas, braces, the word NULL, non-ASCII — and NULLs stay NULL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, db } from "../../functions/_shared/db.ts";
import type { FillRow } from "../../functions/_shared/domain/types.ts";
import { insertFills, prepareFills } from "../../functions/_shared/fills/write.ts";
import { adminSql, closePools } from "../support/db.ts";
import { exportStackEnv } from "../support/env.ts";
import { newCredential } from "../unit/sync/support.ts";

beforeAll(() => exportStackEnv());
afterAll(async () => {
  await closeDb();
  await closePools();
});

const AWKWARD = ['a"b', "back\\slash", "x,y", "{braced}", "NULL", "null", " lead and trail ", "ünï ✓ 日本", "\\\"", 'end\\'];

function fill(i: number, tradeId: string, overrides: Partial<FillRow> = {}): FillRow {
  return {
    exchange: "binance", market_type: "spot", symbol: "BTC/USDT", base: "BTC", quote: "USDT", trade_id: tradeId,
    order_id: i % 2 ? null : `o-${tradeId}`, side: i % 2 ? "sell" : "buy", price: "43210.123456789012345678",
    amount: "0.000000000000000001", cost: "0.000000000000043210", fees: [{ currency: "BNB", amount: "-0.000001" }],
    taker_or_maker: i % 3 === 0 ? null : "maker", exchange_realized_pnl: i % 2 ? "-1.5" : null, is_liquidation: i % 2 === 1,
    executed_at: new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString(), source: "api", ...overrides,
  };
}

describe("insertFills of a prepared page", () => {
  it("stores every awkward text exactly, NULLs as NULL, and inserts nothing the second time", async () => {
    const cred = await newCredential("binance", "store");
    const rows = AWKWARD.map((t, i) => fill(i, t, { order_id: i % 2 ? null : t }));
    const first = await db().begin((tx) => insertFills(tx, { userId: cred.user.id, credentialId: cred.credentialId }, prepareFills(rows)));
    expect(first).toEqual({ fills: rows.length, fees: rows.length });
    const again = await db().begin((tx) => insertFills(tx, { userId: cred.user.id, credentialId: cred.credentialId }, prepareFills(rows)));
    expect(again).toEqual({ fills: 0, fees: 0 });

    const stored = await adminSql()`
      select trade_id, order_id, side, price::text, amount::text, cost::text, fees, taker_or_maker, exchange_realized_pnl::text,
             is_liquidation, executed_at, fingerprint
        from public.fills where user_id = ${cred.user.id} order by executed_at`;
    expect(stored.map((r) => r.trade_id)).toEqual(AWKWARD);
    expect(stored.map((r) => r.order_id)).toEqual(AWKWARD.map((t, i) => (i % 2 ? null : t)));
    expect(stored.map((r) => r.taker_or_maker)).toEqual(rows.map((r) => r.taker_or_maker));
    expect(stored.map((r) => r.exchange_realized_pnl)).toEqual(rows.map((r) => (r.exchange_realized_pnl === null ? null : "-1.500000000000000000")));
    expect(stored.map((r) => r.is_liquidation)).toEqual(rows.map((r) => r.is_liquidation));
    expect(stored[0]).toMatchObject({ price: "43210.123456789012345678", amount: "0.000000000000000001", cost: "0.000000000000043210",
      fees: [{ currency: "BNB", amount: "-0.000001" }] });
    expect(stored.every((r) => typeof r.fingerprint === "string" && r.fingerprint.length > 0)).toBe(true);

    const fees = await adminSql()`select source_key, fee_amount::text, fee_type from public.fees_tracking
                                   where user_id = ${cred.user.id} order by fee_timestamp`;
    expect(fees.map((f) => f.source_key)).toEqual(AWKWARD.map((t) => `fill:spot:BTC/USDT:${t}:BNB`));
    expect(fees[1]).toMatchObject({ fee_amount: "-0.000001000000000000", fee_type: "MAKER" });
  });
});
