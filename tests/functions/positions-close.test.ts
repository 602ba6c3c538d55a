/**
 * `positions-close` and the legacy backfill. The spec's own example (a BTCUSDT entry with TP1 at
 * 45000, TP2 at 46000 and a stop loss at 42000, as linked orders of the old backend) goes from
 * filled orders to derived fills to trade history with exit types TP, TP, SL, and the entry fee
 * pro-rated, where the spec's one-shot SQL ignored fees and partial exits.
 */
import Decimal from "decimal.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb } from "../../functions/_shared/db.ts";
import { backfillFromOrders } from "../../functions/_shared/positions/backfill.ts";
import { adminSql, closePools } from "../support/db.ts";
import { exportStackEnv, stackEnv } from "../support/env.ts";
import { supabaseAs } from "../support/http.ts";
import { createUser, type TestUser } from "../support/users.ts";

let handler: (req: Request) => Promise<Response>;
let trader: TestUser, stranger: TestUser;

async function legacyOrders(u: TestUser) {
  const orders = [
    // order_id, role, side, qty, price, placed, filled: the bot places TP1, TP2 and SL right after the entry fills.
    ["1001", "ENTRY", "buy", "0.5", "43000", "2025-12-01T10:00:00Z", "2025-12-01T10:00:00Z"],
    ["1002", "TP1", "sell", "0.25", "45000", "2025-12-01T10:00:05Z", "2025-12-02T10:00:00Z"],
    ["1003", "TP2", "sell", "0.15", "46000", "2025-12-01T10:00:05Z", "2025-12-03T10:00:00Z"],
    ["1004", "SL", "sell", "0.1", "42000", "2025-12-01T10:00:05Z", "2025-12-04T10:00:00Z"],
  ];
  for (const [id, role, side, qty, price, placed, time] of orders) {
    await adminSql()`
      insert into public.orders (user_id, exchange, market_type, symbol, order_id, side, type, status, price, quantity,
                                 executed_qty, average_price, stop_price, order_role, order_group_id, tp_levels, sl_price,
                                 order_timestamp, filled_timestamp)
      values (${u.id}, 'binance', 'spot', 'BTCUSDT', ${id}, ${side}, ${role === "SL" ? "stop_loss_limit" : "limit"}, 'FILLED',
              ${price}, ${qty}, ${qty}, ${price}, ${role === "SL" ? price : null}, ${role}, 'uuid-12345',
              ${role === "ENTRY" ? adminSql().json([45000, 46000] as never) : null}, ${role === "ENTRY" ? "42000" : null}, ${placed}, ${time})`;
  }
  // The old backend recorded the entry's fee in fees_tracking: 0.05% of 21,500 = 10.75 USDT.
  await adminSql()`
    insert into public.fees_tracking (user_id, order_id, exchange, market_type, symbol, fee_amount, fee_currency, fee_type,
                                      transaction_type, source_key, fee_timestamp)
    values (${u.id}, '1001', 'binance', 'spot', 'BTC/USDT', 10.75, 'USDT', 'TAKER', 'ORDER_FILL', 'legacy:1001', '2025-12-01T10:00:00Z')`;
}

beforeAll(async () => {
  exportStackEnv();
  handler = (await import("../../functions/positions-close/handler.ts")).default;
  [trader, stranger] = await Promise.all([createUser("legacy"), createUser("stranger")]);
  await legacyOrders(trader);
});
afterAll(async () => {
  await closeDb();
  await closePools();
});

const post = async (token: string | null, body: unknown) => {
  const res = await handler(new Request("http://localhost/functions/v1/positions-close", {
    method: "POST", headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), "content-type": "application/json" },
    body: JSON.stringify(body),
  }));
  return { status: res.status, body: await res.json() };
};

describe("legacy backfill: the spec's BTCUSDT example", () => {
  it("filled ENTRY/TP1/TP2/SL orders become derived fills and three closing events", async () => {
    const r = await backfillFromOrders(trader.id);
    expect(r.fills).toBe(4);
    const rows = await adminSql()`
      select exit_type, exit_quantity::numeric, gross_pnl::numeric, entry_fees::numeric, net_pnl::numeric, stop_loss_price::numeric, take_profit_prices
        from public.trade_history where user_id = ${trader.id} order by exit_time`;
    // TP1: (45000 − 43000) × 0.25 = 500;  entry fee share 10.75 × 0.25 / 0.5 = 5.375;   net 494.625
    // TP2: (46000 − 43000) × 0.15 = 450;  10.75 × 0.15 / 0.5 = 3.225;                   net 446.775
    // SL:  (42000 − 43000) × 0.10 = −100; 10.75 × 0.10 / 0.5 = 2.15;                    net −102.15
    expect(rows.map((x) => x.exit_type)).toEqual(["TP", "TP", "SL"]);
    expect(rows.map((x) => new Decimal(x.gross_pnl).toFixed())).toEqual(["500", "450", "-100"]);
    expect(rows.map((x) => new Decimal(x.entry_fees).toFixed())).toEqual(["5.375", "3.225", "2.15"]);
    expect(rows.map((x) => new Decimal(x.net_pnl).toFixed())).toEqual(["494.625", "446.775", "-102.15"]);
    expect(rows.every((x) => new Decimal(x.stop_loss_price).eq(42000))).toBe(true);
    expect(rows.every((x) => JSON.stringify(x.take_profit_prices) === JSON.stringify(["45000", "46000"]))).toBe(true);
    const [pos] = await adminSql()`select status, realized_net_pnl::numeric from public.positions where user_id = ${trader.id}`;
    expect(pos.status).toBe("CLOSED");
    expect(new Decimal(pos.realized_net_pnl).toFixed()).toBe("839.25"); // 494.625 + 446.775 − 102.15
  });

  it("running it again adds nothing", async () => {
    const r = await backfillFromOrders(trader.id);
    expect(r.fills).toBe(0);
    expect((await adminSql()`select count(*)::int as n from public.trade_history where user_id = ${trader.id}`)[0].n).toBe(3);
  });
});

describe("positions-close", () => {
  it("the owner recomputes a position by id and gets its trade history rows", async () => {
    const [pos] = await adminSql()`select id from public.positions where user_id = ${trader.id}`;
    const r = await post(trader.token, { position_id: Number(pos.id), rebuild: true });
    expect(r.status).toBe(200);
    expect(r.body.trades.map((t: { exit_type: string }) => t.exit_type)).toEqual(["TP", "TP", "SL"]);
    expect(r.body.streams[0]).toMatchObject({ exchange: "binance", symbol: "BTC/USDT", rebuilt: true });
  });

  it("a stranger gets 404 for the owner's position, and by exchange + symbol sees nothing of theirs", async () => {
    const [pos] = await adminSql()`select id from public.positions where user_id = ${trader.id}`;
    expect((await post(stranger.token, { position_id: Number(pos.id) })).status).toBe(404);
    expect((await post(stranger.token, { exchange: "binance", symbol: "BTC/USDT" })).status).toBe(404);
  });

  it("bad bodies → 400 naming the problem; no token → 401; the service role processes any user", async () => {
    expect((await post(trader.token, { position_id: "7" })).status).toBe(400);
    expect((await post(trader.token, { position_id: 1, exchange: "binance", symbol: "BTC/USDT" })).status).toBe(400);
    expect((await post(trader.token, { exchange: "binance" })).status).toBe(400);
    expect((await post(trader.token, { symbol: "BTC/USDT", exchange: "kraken" })).status).toBe(400);
    expect((await post(null, {})).status).toBe(401);
    const svc = await post(stackEnv().SUPABASE_SERVICE_ROLE_KEY, { user_id: trader.id });
    expect(svc.status).toBe(200);
    expect(svc.body.streams).toHaveLength(1);
  });

  it("over HTTP through supabase-js", async () => {
    const { data, error } = await supabaseAs(trader.token).functions.invoke("positions-close", { body: {} });
    expect(error).toBeNull();
    expect(data.streams).toHaveLength(1);
  });
});
