/**
 * The PnL engine through the database: a user's fills → positions and trade_history rows equal to
 * the engine's own output to the last digit of NUMERIC; incremental runs equal a full rebuild;
 * re-processing adds nothing; a late fill rebuilds its stream; another user sees nothing.
 */
import Decimal from "decimal.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FillRow, OrderRow, PriceRow } from "../../functions/_shared/domain/types.ts";
import { applyFills, createState } from "../../functions/_shared/pnl/index.ts";
import { processUser } from "../../functions/_shared/positions/process.ts";
import { closeDb } from "../../functions/_shared/db.ts";
import { adminSql, asUser, closePools, trackMarketPrices } from "../support/db.ts";
import { exportStackEnv } from "../support/env.ts";
import { createUser, type TestUser } from "../support/users.ts";

/** A seeded generator of realistic fills: scale-ins, partial exits, BNB and USDT fees, a short. */
function generateFills(seed: number, n: number): { fills: FillRow[]; orders: OrderRow[]; prices: PriceRow[] } {
  let x = seed;
  const rnd = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
  const fills: FillRow[] = [];
  const orders: OrderRow[] = [];
  const prices: PriceRow[] = [];
  const t0 = Date.UTC(2031, 4, 1); // far from other tests' prices in the shared market_prices table
  const symbols = [["ETH/USDT", "spot"], ["SOL/USDT:USDT", "swap"]] as const;
  const held: Record<string, number> = { "ETH/USDT": 0, "SOL/USDT:USDT": 0 };
  for (let i = 0; i < n; i++) {
    const [symbol, mt] = symbols[i % 2];
    const t = new Date(t0 + i * 3_600_000).toISOString();
    const price = new Decimal(mt === "spot" ? 2000 : 150).mul(1 + (rnd() - 0.5) * 0.2).toDecimalPlaces(2);
    let side: "buy" | "sell" = rnd() < 0.55 ? "buy" : "sell";
    if (mt === "spot" && held[symbol] <= 0.01) side = "buy";
    let amount = new Decimal(rnd() * 2 + 0.1).toDecimalPlaces(3);
    if (mt === "spot" && side === "sell") amount = Decimal.min(amount, new Decimal(held[symbol]).toDecimalPlaces(3, Decimal.ROUND_DOWN));
    if (amount.lte(0)) continue;
    held[symbol] += (side === "buy" ? 1 : -1) * amount.toNumber();
    const feeInBnb = mt === "spot" && rnd() < 0.5;
    const orderId = `ord-${i}`;
    const role = side === "sell" && rnd() < 0.3 ? (rnd() < 0.5 ? "TP1" : "SL") : null;
    fills.push({
      exchange: "binance", market_type: mt, symbol, base: symbol.split("/")[0], quote: "USDT", trade_id: String(1000 + i),
      order_id: orderId, side, price: price.toString(), amount: amount.toString(), cost: price.mul(amount).toString(),
      fees: [feeInBnb ? { currency: "BNB", amount: price.mul(amount).mul("0.00075").div(600).toDecimalPlaces(8).toString() }
                      : { currency: "USDT", amount: price.mul(amount).mul("0.001").toDecimalPlaces(8).toString() }],
      taker_or_maker: "taker", exchange_realized_pnl: null, is_liquidation: false, executed_at: t, source: "api",
    });
    orders.push({
      exchange: "binance", market_type: mt, symbol, order_id: orderId, client_order_id: null, side, type: "limit",
      status: "FILLED", price: price.toString(), quantity: amount.toString(), executed_qty: amount.toString(),
      average_price: price.toString(), stop_price: null, reduce_only: null, order_role: role, order_timestamp: t, filled_timestamp: t,
    });
    prices.push({ exchange: "binance", symbol: "BNB/USDT", price: (600 + i).toString(), kind: "close_1d", as_of: t });
  }
  return { fills, orders, prices };
}

async function insertFills(user: TestUser, fills: FillRow[]) {
  await adminSql()`insert into public.fills ${adminSql()(fills.map((f) => ({ ...f, user_id: user.id, fees: adminSql().json(f.fees as never) })) as never)}`;
}
async function insertOrders(user: TestUser, orders: OrderRow[]) {
  await adminSql()`insert into public.orders ${adminSql()(orders.map((o) => ({ ...o, user_id: user.id })) as never)}`;
}
async function insertPrices(prices: PriceRow[]) {
  await adminSql()`insert into public.market_prices ${adminSql()(prices as never)} on conflict do nothing`;
}

const TH_COLUMNS = `exchange::text, market_type::text, symbol, side, close_key, entry_price::text, entry_quantity::text,
  entry_fees::text, exit_price::text, exit_quantity::text, exit_fees::text, exit_type, gross_pnl::text, net_pnl::text,
  pnl_percentage::text, roi_percentage::text, funding::text, extract(epoch from hold_duration)::bigint::text as hold_seconds,
  entry_time, exit_time, fees_unconverted, unknown_cost_basis_quantity::text, flags`;

async function tradeRows(user: TestUser) {
  return await adminSql().unsafe(`select ${TH_COLUMNS} from public.trade_history where user_id = $1 order by symbol, close_key`, [user.id]);
}
async function positionRows(user: TestUser) {
  return await adminSql()`select position_key, status, side, quantity::text, total_cost::text, realized_net_pnl::text, realized_gross_pnl::text, fees_paid::text
                            from public.positions where user_id = ${user.id} order by position_key`;
}

const same = (a: string | null, b: string | null) => (a === null || b === null ? a === b : new Decimal(a).eq(b));

let alice: TestUser, bob: TestUser, carol: TestUser;
const data = generateFills(42, 120);

let cleanPrices: () => Promise<void>;
beforeAll(async () => {
  exportStackEnv();
  cleanPrices = await trackMarketPrices();
  [alice, bob, carol] = await Promise.all([createUser("pnl-a"), createUser("pnl-b"), createUser("pnl-c")]);
  await insertPrices(data.prices);
});
afterAll(async () => {
  await cleanPrices();
  await closeDb();
  await closePools();
});

describe("fills → positions and trade history", () => {
  it("stores exactly what the engine computes, to the last digit", async () => {
    await insertOrders(alice, data.orders);
    await insertFills(alice, data.fills);
    await processUser(alice.id);
    const engine = applyFills(createState({ method: "average" }), data.fills, { orders: data.orders, prices: data.prices });
    const byKey = new Map(engine.events.map((e) => [e.close_key, e]));
    const rows = await tradeRows(alice);
    expect(rows.length).toBe(byKey.size);
    expect(rows.length).toBeGreaterThan(20);
    for (const r of rows) {
      const e = byKey.get(r.close_key)!;
      expect(e, r.close_key).toBeDefined();
      for (const k of ["entry_price", "entry_quantity", "entry_fees", "exit_price", "exit_quantity", "exit_fees", "gross_pnl", "net_pnl", "funding", "pnl_percentage", "roi_percentage", "unknown_cost_basis_quantity"] as const) {
        expect(same(r[k], e[k] as string | null), `${r.close_key} ${k}: db ${r[k]} engine ${e[k]}`).toBe(true);
      }
      expect(r.exit_type).toBe(e.exit_type);
      expect(r.hold_seconds).toBe(e.hold_duration_seconds);
    }
    expect(rows.some((r) => r.exit_type === "TP")).toBe(true);
    expect(rows.some((r) => r.side === "SHORT")).toBe(true);
  });

  it("re-processing adds and changes nothing", async () => {
    const before = await tradeRows(alice);
    const results = await processUser(alice.id);
    expect(results.every((r) => r.fills === 0 && !r.rebuilt)).toBe(true);
    expect(await tradeRows(alice)).toEqual(before);
  });

  it("incremental batches give the same rows as one full run", async () => {
    await insertOrders(bob, data.orders);
    await insertPrices(data.prices);
    for (const [from, to] of [[0, 31], [31, 64], [64, 97], [97, data.fills.length]]) {
      await insertFills(bob, data.fills.slice(from, to));
      const r = await processUser(bob.id);
      if (from > 0) expect(r.every((s) => !s.rebuilt), "later batches are incremental, not rebuilds").toBe(true);
    }
    const strip = (rows: Record<string, unknown>[]) => rows.map(({ entry_time, exit_time, ...r }) => ({ ...r, entry_time: String(entry_time), exit_time: String(exit_time) }));
    expect(strip(await tradeRows(bob))).toEqual(strip(await tradeRows(alice)));
    expect(await positionRows(bob)).toEqual(await positionRows(alice));
  });

  it("a late fill (older than the cursor) rebuilds its stream and ends equal to a full run", async () => {
    const late = data.fills.filter((_, i) => i !== 10);
    await insertOrders(carol, data.orders);
    await insertFills(carol, late);
    await processUser(carol.id);
    await insertFills(carol, [data.fills[10]]);
    const results = await processUser(carol.id);
    expect(results.find((r) => r.symbol === data.fills[10].symbol)?.rebuilt).toBe(true);
    const strip = (rows: Record<string, unknown>[]) => rows.map(({ entry_time, exit_time, ...r }) => r);
    expect(strip(await tradeRows(carol))).toEqual(strip(await tradeRows(alice)));
  });

  it("a second user sees none of them, through RLS as PostgREST would", async () => {
    const own = await asUser(alice, (tx) => tx`select count(*)::int as n from public.trade_history`);
    expect(own[0].n).toBeGreaterThan(0);
    const stranger = await asUser(bob, (tx) => tx`select count(*)::int as n from public.trade_history where user_id = ${alice.id}`);
    expect(stranger[0].n).toBe(0);
    const pos = await asUser(bob, (tx) => tx`select count(*)::int as n from public.positions where user_id = ${alice.id}`);
    expect(pos[0].n).toBe(0);
  });
});
