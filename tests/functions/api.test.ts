/**
 * The `api` function (the spec's five portfolio endpoints, plus /positions/:id): in-process
 * (handler under Node against the real local database) for behaviour and bad input, and over
 * HTTP through the local functions server with the real supabase-js client
 * (`functions.invoke`), every answer checked against the zod schemas of
 * functions/_shared/types/api.ts.
 */
import { randomUUID } from "node:crypto";
import { FunctionsHttpError } from "@supabase/supabase-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminSql, closePools, trackMarketPrices } from "../support/db.ts";
import { exportStackEnv, stackEnv } from "../support/env.ts";
import { callFunction, supabaseAs } from "../support/http.ts";
import { createUser, expiredToken, type TestUser } from "../support/users.ts";
import { closeDb } from "../../functions/_shared/db.ts";
import { formatDuration } from "../../functions/_shared/api/format.ts";
import { decodeCursor, encodeCursor } from "../../functions/_shared/api/params.ts";
import {
  ApiError, EquityCurveResponse, OpenPositionsResponse, PerformanceMetricsResponse, PortfolioSnapshotResponse,
  PositionDetailResponse, TradeHistoryResponse,
} from "../../functions/_shared/types/api.ts";

// market_prices is shared: remove what this file writes (tracked before its own set-up runs).
let cleanPrices: () => Promise<void> = async () => {};
beforeAll(async () => { cleanPrices = await trackMarketPrices(); });


let handler: (req: Request) => Promise<Response>;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser; // signed up, no data at all
const tag = randomUUID().slice(0, 6).toUpperCase();
const BTC = `T${tag}BTC/USDT`;
const SOL = `T${tag}SOL/USDT:USDT`;
const ETH = `T${tag}ETH/USDT`;
/** A value NUMERIC(38,18) holds and a double cannot. */
const EXACT = "12345678901234567.123456789012345678";
const ids: { aliceClosedPosition: number; bobPosition: number } = { aliceClosedPosition: 0, bobPosition: 0 };

/** Seeds a user's positions, trades, metrics, snapshots, credential and sync runs (as superuser). */
async function seed(user: TestUser, opts: { trades: number; scale: number }) {
  const sql = adminSql();
  const [closed] = await sql`
    insert into public.positions (user_id, exchange, market_type, symbol, side, entry_price, quantity, total_cost, leverage,
                                  status, opened_at, closed_at, realized_gross_pnl, realized_net_pnl)
    values (${user.id}, 'binance', 'spot', ${ETH}, 'LONG', 2200, 0, 0, 1, 'CLOSED', now() - interval '3 days',
            now() - interval '2 days', 200, 195.5)
    returning id`;
  await sql`
    insert into public.positions (user_id, exchange, market_type, symbol, side, entry_price, quantity, total_cost, leverage,
                                  margin_mode, status, opened_at)
    values (${user.id}, 'binance', 'spot', ${BTC}, 'LONG', 43000, ${0.5 * opts.scale}, ${21500 * opts.scale}, 1, null, 'OPEN', now() - interval '1 day'),
           (${user.id}, 'bitget', 'swap', ${SOL}, 'SHORT', 150, 10, 1500, 10, 'ISOLATED', 'OPEN', now() - interval '2 hours')`;
  // The closing event of the closed position: 2h 15m hold, and an exact 18-decimal net PnL.
  await sql`
    insert into public.trade_history (user_id, position_id, exchange, market_type, symbol, side, entry_price, entry_time,
      entry_quantity, entry_fees, exit_price, exit_time, exit_quantity, exit_fees, exit_type, gross_pnl, net_pnl,
      pnl_percentage, roi_percentage, hold_duration, close_key)
    values (${user.id}, ${closed.id}, 'binance', 'spot', ${ETH}, 'LONG', 2200, now() - interval '2 days 2 hours 15 minutes', 2, 2.25,
            2300, now() - interval '2 days', 2, 2.25, 'TP', 200, ${EXACT}, 4.44318182, 4.44318182, interval '2 hours 15 minutes', 'close-eth')`;
  // More closes spread over the last 400 days (one every 4 days), alternating exchanges and exit types.
  await sql`
    insert into public.trade_history (user_id, exchange, market_type, symbol, side, entry_price, entry_time, entry_quantity,
      entry_fees, exit_price, exit_time, exit_quantity, exit_fees, exit_type, gross_pnl, net_pnl, pnl_percentage,
      roi_percentage, hold_duration, close_key)
    select ${user.id}, (array['binance','bitget']::public.exchange_id[])[1 + g % 2], 'spot', ${BTC}, 'LONG', 100,
           now() - (g * 4 || ' days')::interval - interval '1 hour', 1, 0.1, 100 + (g % 3) - 1,
           now() - (g * 4 || ' days')::interval, 1, 0.1, (array['SL','MANUAL','PARTIAL'])[1 + g % 3],
           (g % 3) - 1, (g % 3) - 1 - 0.2, ((g % 3) - 1.2), ((g % 3) - 1.2), interval '1 hour', 'bulk-' || g
      from generate_series(1, ${opts.trades}) as g`;
  await sql`
    insert into public.market_prices (exchange, symbol, kind, price, as_of)
    values ('binance', ${BTC}, 'last', 43500, now() - interval '10 minutes'),
           ('binance', ${BTC}, 'last', 44000, now() - interval '1 minute')
    on conflict do nothing`;
  await sql`
    insert into public.performance_metrics (user_id, exchange, period_start, period_end, period_type, total_trades,
      winning_trades, losing_trades, breakeven_trades, win_rate, total_gross_pnl, total_net_pnl, average_pnl_per_trade,
      largest_win, largest_loss, gross_profit, gross_loss, profit_factor, total_fees, roi_percentage,
      average_hold_duration)
    values (${user.id}, null, date_trunc('month', now(), 'UTC'), date_trunc('month', now(), 'UTC') + interval '1 month' - interval '1 second',
            'MONTHLY', 45, 30, 15, 0, 66.67, 1380, ${String(1234.56 * opts.scale)}, 27.43, 250, -120, 1500, 265.44, 5.65107, 145.3, 12.34,
            interval '2 hours 15 minutes'),
           (${user.id}, null, date_trunc('month', now(), 'UTC') - interval '1 month', date_trunc('month', now(), 'UTC') - interval '1 second',
            'MONTHLY', 3, 1, 2, 0, 33.33333333, 10, 5, 1.66, 8, -2, 8, 3, 2.66666667, 1, 0.5, null)`;
  await sql`
    insert into public.portfolio_snapshots (user_id, exchange, total_balance, available_balance, locked_balance,
      total_positions_value, unrealized_pnl, open_positions_count, total_realized_pnl, total_trades_count,
      winning_trades_count, losing_trades_count, win_rate, snapshot_date)
    values (${user.id}, null, 9000, 9000, 0, 0, 0, 0, 0, 0, 0, 0, null, current_date - 1),
           (${user.id}, null, ${10000 * opts.scale}, 8500, 1500, 5000, 250, 3, 1234.56, 45, 30, 15, 66.67, current_date),
           (${user.id}, 'binance', 7000, 6000, 1000, 4000, 200, 2, 1000, 30, 20, 10, 66.66666667, current_date),
           (${user.id}, 'bitget', 3000, 2500, 500, 1000, 50, 1, 234.56, 15, 10, 5, 66.66666667, current_date - 1)`;
  return Number(closed.id);
}

beforeAll(async () => {
  exportStackEnv();
  handler = (await import("../../functions/api/handler.ts")).default;
  [alice, bob, carol] = await Promise.all([createUser("api-alice"), createUser("api-bob"), createUser("api-carol")]);
  ids.aliceClosedPosition = await seed(alice, { trades: 100, scale: 1 });
  ids.bobPosition = await seed(bob, { trades: 7, scale: 2 });
});
afterAll(async () => {
  await closeDb();
  await closePools();
});

async function call(user: TestUser | string | null, path: string, method = "GET") {
  const token = typeof user === "string" ? user : user?.token;
  const res = await handler(new Request(`http://localhost/functions/v1/api${path}`, {
    method, headers: token ? { authorization: `Bearer ${token}` } : {},
  }));
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

/** A 4xx with the error shape and a message matching `message`. */
async function expectError(path: string, status: number, message: RegExp, user: TestUser | string | null = alice) {
  const r = await call(user, path);
  expect(r.status, `${path} → ${JSON.stringify(r.body)}`).toBe(status);
  expect(ApiError.parse(r.body).error.message).toMatch(message);
  return r.body;
}

describe("GET /positions/open", () => {
  it("the caller's open positions with the latest price, live unrealized PnL and totals, exactly", async () => {
    const r = await call(alice, "/positions/open");
    expect(r.status).toBe(200);
    const body = OpenPositionsResponse.parse(r.body);
    expect(body.total_positions).toBe(2);
    const btc = body.positions.find((p) => p.symbol === BTC)!;
    expect(btc).toMatchObject({
      side: "LONG", entry_price: "43000", quantity: "0.5", current_price: "44000", unrealized_pnl: "500",
      unrealized_pnl_percentage: "2.3255814", leverage: "1", exchange: "binance",
    });
    const sol = body.positions.find((p) => p.symbol === SOL)!;
    expect(sol).toMatchObject({ side: "SHORT", current_price: null, unrealized_pnl: null, leverage: "10", margin_mode: "ISOLATED" });
    expect(body.total_unrealized_pnl).toBe("500");
    expect(body.unpriced_positions).toBe(1);
  });

  it("another user sees only theirs; filters by exchange and symbol", async () => {
    const bobs = OpenPositionsResponse.parse((await call(bob, "/positions/open")).body);
    expect(bobs.positions.find((p) => p.symbol === BTC)).toMatchObject({ quantity: "1", unrealized_pnl: "1000" });
    expect(bobs.total_positions).toBe(2);
    const only = OpenPositionsResponse.parse((await call(alice, "/positions/open?exchange=bitget")).body);
    expect(only.positions.map((p) => p.symbol)).toEqual([SOL]);
    const sym = OpenPositionsResponse.parse((await call(alice, `/positions/open?symbol=${encodeURIComponent(BTC)}`)).body);
    expect(sym.positions.map((p) => p.symbol)).toEqual([BTC]);
    const none = OpenPositionsResponse.parse((await call(carol, "/positions/open")).body);
    expect(none).toEqual({ positions: [], total_unrealized_pnl: "0", total_positions: 0, unpriced_positions: 0 });
  });
});

describe("GET /positions/:id", () => {
  it("the caller's position (any status) with its closes", async () => {
    const r = await call(alice, `/positions/${ids.aliceClosedPosition}`);
    expect(r.status).toBe(200);
    const body = PositionDetailResponse.parse(r.body);
    expect(body.position).toMatchObject({ status: "CLOSED", realized_net_pnl: "195.5", current_price: null });
    expect(body.closes).toHaveLength(1);
    expect(body.closes[0]).toMatchObject({ net_pnl: EXACT, hold_duration: "2h 15m", exit_type: "TP" });
  });

  it("another user's position id → 404; a malformed id → 400", async () => {
    await expectError(`/positions/${ids.bobPosition}`, 404, /No position with this id belongs to you/);
    await expectError("/positions/abc", 400, /not a position id/);
    await expectError("/positions/-3", 400, /not a position id/);
    await expectError("/positions/99999999999999999999", 400, /not a position id/);
  });
});

describe("GET /trades/history", () => {
  it("the spec's fields, hold_duration like \"2h 15m\", exact decimals, totals of the window beside the page", async () => {
    const r = await call(alice, "/trades/history?period=30d");
    expect(r.status).toBe(200);
    const body = TradeHistoryResponse.parse(r.body);
    // Within 30 days: the ETH close and bulk closes g = 1..7 (4..28 days ago).
    expect(body.total_trades).toBe(8);
    expect(body.trades).toHaveLength(8);
    expect(body.period).toBe("30d");
    expect(body.next_cursor).toBeNull();
    const eth = body.trades.find((t) => t.symbol === ETH)!;
    expect(eth).toMatchObject({ entry_price: "2200", exit_price: "2300", quantity: "2", net_pnl: EXACT, fees: "4.5", hold_duration: "2h 15m", hold_seconds: 8100 });
    // Newest first.
    const times = body.trades.map((t) => Date.parse(t.exit_time));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    // total_pnl is the exact sum: EXACT + Σ over g = 1..7 of ((g % 3) − 1.2) = EXACT − 1.4.
    expect(body.total_pnl).toMatch(/^12345678901234565\.723456789012345678$/);
  });

  it("keyset pagination walks every row once, in order, and the totals do not depend on the page", async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r = await call(alice, `/trades/history?period=all&limit=7${cursor ? `&cursor=${cursor}` : ""}`);
      expect(r.status).toBe(200);
      const body = TradeHistoryResponse.parse(r.body);
      expect(body.total_trades).toBe(101);
      seen.push(...body.trades.map((t) => t.id));
      cursor = body.next_cursor;
      pages++;
    } while (cursor && pages < 50);
    expect(pages).toBe(15);
    expect(new Set(seen).size).toBe(101);
  });

  it("filters: exchange, symbol, exit_type (any case), explicit from/to (to inclusive of its day)", async () => {
    const bitget = TradeHistoryResponse.parse((await call(alice, "/trades/history?period=all&exchange=bitget&limit=500")).body);
    expect(bitget.trades.every((t) => t.exchange === "bitget")).toBe(true);
    expect(bitget.total_trades).toBe(50);
    expect(bitget.trades).toHaveLength(50);
    const tp = TradeHistoryResponse.parse((await call(alice, "/trades/history?period=all&exit_type=tp")).body);
    expect(tp.trades.map((t) => t.symbol)).toEqual([ETH]);
    const eth = TradeHistoryResponse.parse((await call(alice, `/trades/history?period=1y&symbol=${encodeURIComponent(ETH)}`)).body);
    expect(eth.total_trades).toBe(1);
    const day = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
    const ranged = TradeHistoryResponse.parse((await call(alice, `/trades/history?from=${day}&to=${day}`)).body);
    expect(ranged.period).toBeNull();
    expect(ranged.trades.map((t) => t.symbol)).toContain(ETH);
    expect(ranged.to).toBe(new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString());
    const none = TradeHistoryResponse.parse((await call(carol, "/trades/history")).body);
    expect(none).toMatchObject({ trades: [], total_trades: 0, total_pnl: "0", next_cursor: null });
  });

  it("never shows another user's trades", async () => {
    const bobs = TradeHistoryResponse.parse((await call(bob, "/trades/history?period=all&limit=500")).body);
    expect(bobs.total_trades).toBe(8);
    const alices = TradeHistoryResponse.parse((await call(alice, "/trades/history?period=all&limit=500")).body);
    const overlap = bobs.trades.filter((t) => alices.trades.some((a) => a.id === t.id));
    expect(overlap).toEqual([]);
  });
});

describe("GET /performance/metrics", () => {
  it("the latest stored period, in the spec's fields", async () => {
    const r = await call(alice, "/performance/metrics?period=monthly");
    expect(r.status).toBe(200);
    const body = PerformanceMetricsResponse.parse(r.body);
    expect(body).toMatchObject({
      period: "MONTHLY", exchange: null, total_trades: 45, winning_trades: 30, losing_trades: 15, win_rate: "66.67",
      total_net_pnl: "1234.56", profit_factor: "5.65107", largest_win: "250", largest_loss: "-120",
      average_pnl_per_trade: "27.43", roi_percentage: "12.34", total_fees: "145.3", average_hold_duration: "2h 15m",
    });
    expect(body.period_start).toBe(`${new Date().toISOString().slice(0, 7)}-01T00:00:00.000Z`);
    const bobs = PerformanceMetricsResponse.parse((await call(bob, "/performance/metrics?period=MONTHLY")).body);
    expect(bobs.total_net_pnl).toBe("2469.12");
  });

  it("a period with nothing stored: zero trades, undefined ratios null, the current period's bounds", async () => {
    const body = PerformanceMetricsResponse.parse((await call(alice, "/performance/metrics?period=weekly")).body);
    expect(body).toMatchObject({ period: "WEEKLY", total_trades: 0, win_rate: null, profit_factor: null, calculated_at: null });
    expect(new Date(body.period_start).getUTCDay()).toBe(1); // ISO weeks start on Monday
    const def = PerformanceMetricsResponse.parse((await call(carol, "/performance/metrics")).body);
    expect(def.period).toBe("MONTHLY");
  });
});

describe("GET /portfolio/snapshot", () => {
  it("the latest all-exchanges total, with the latest snapshot of each exchange", async () => {
    const r = await call(alice, "/portfolio/snapshot");
    expect(r.status).toBe(200);
    const body = PortfolioSnapshotResponse.parse(r.body);
    expect(body).toMatchObject({
      exchange: null, total_balance: "10000", available_balance: "8500", locked_balance: "1500", total_positions_value: "5000",
      unrealized_pnl: "250", open_positions_count: 3, total_realized_pnl: "1234.56", win_rate: "66.67",
      snapshot_date: new Date().toISOString().slice(0, 10),
    });
    expect(body.exchanges.map((e) => e.exchange)).toEqual(["binance", "bitget"]);
    const bitget = PortfolioSnapshotResponse.parse((await call(alice, "/portfolio/snapshot?exchange=bitget")).body);
    expect(bitget).toMatchObject({ exchange: "bitget", total_balance: "3000" });
    expect(PortfolioSnapshotResponse.parse((await call(bob, "/portfolio/snapshot")).body).total_balance).toBe("20000");
  });

  it("no snapshot yet → 404 no_snapshot with a message", async () => {
    const body = await expectError("/portfolio/snapshot", 404, /No portfolio snapshot yet/, carol);
    expect(body.error.code).toBe("no_snapshot");
    await expectError("/portfolio/snapshot?exchange=mexc", 404, /No portfolio snapshot for mexc/);
  });
});

describe("GET /portfolio/equity-curve", () => {
  it("daily points of the window with initial/current balance and the time-weighted return", async () => {
    const r = await call(alice, "/portfolio/equity-curve?period=7d");
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const body = EquityCurveResponse.parse(r.body);
    expect(body.period).toBe("7d");
    expect(Date.parse(body.to) - Date.parse(body.from)).toBe(7 * 86_400_000);
    // Alice's all-exchanges snapshots: 9000 yesterday, 10000 today (no flows).
    expect(body.data_points.map((p) => [p.date, p.balance])).toEqual([
      [new Date(Date.now() - 86_400_000).toISOString().slice(0, 10), "9000"],
      [new Date().toISOString().slice(0, 10), "10000"],
    ]);
    expect(body).toMatchObject({ initial_balance: "9000", current_balance: "10000", net_flows: "0", exchange: null });
    expect(body.total_return_percentage).toBe("11.11111111");
    const bitget = EquityCurveResponse.parse((await call(alice, "/portfolio/equity-curve?period=30d&exchange=bitget")).body);
    expect(bitget.data_points.map((p) => p.balance)).toEqual(["3000"]);
    expect(bitget.total_return_percentage).toBe("0");
    const empty = EquityCurveResponse.parse((await call(carol, "/portfolio/equity-curve?period=all")).body);
    expect(empty).toMatchObject({ data_points: [], initial_balance: null, current_balance: null, total_return_percentage: null });
    const custom = EquityCurveResponse.parse((await call(alice, "/portfolio/equity-curve?from=2026-01-01&to=2026-01-31")).body);
    expect(custom).toMatchObject({ period: null, from: "2026-01-01", to: "2026-01-31" });
  });
});

describe("bad input → 4xx with a message, never a 500", () => {
  it("unknown period → 400 listing the accepted values", async () => {
    const b = await expectError("/trades/history?period=5d", 400, /unknown period "5d"; accepted values: 7d, 30d, 90d, 1y, all/);
    expect(b.error.details).toEqual([{ param: "period", message: expect.stringContaining("7d, 30d, 90d, 1y, all") }]);
    await expectError("/performance/metrics?period=yearly", 400, /accepted values: daily, weekly, monthly, all_time/);
    await expectError("/portfolio/equity-curve?period=2w", 400, /accepted values: 7d, 30d, 90d, 1y, all/);
  });

  it("negative, zero, huge or non-numeric page size → 400", async () => {
    for (const v of ["-1", "0", "501", "100000000000", "ten", "1.5", ""]) {
      await expectError(`/trades/history?limit=${v}`, 400, /limit must be a whole number from 1 to 500/);
    }
  });

  it("malformed cursor → 400", async () => {
    const forged = btoa("yesterday|1").replace(/=+$/, "");
    for (const v of ["abc", "!!!", forged, encodeCursor({ exitTime: "2026-01-01T00:00:00.000000Z", id: "0" }), "x".repeat(200)]) {
      await expectError(`/trades/history?cursor=${encodeURIComponent(v)}`, 400, /cursor is malformed/);
    }
    expect(decodeCursor(encodeCursor({ exitTime: "2026-01-01T00:00:00.123456Z", id: "42" }))).toEqual({ exitTime: "2026-01-01T00:00:00.123456Z", id: "42" });
  });

  it("unknown exchange → 400 on every endpoint that takes one", async () => {
    for (const p of ["/positions/open", "/trades/history", "/performance/metrics", "/portfolio/snapshot", "/portfolio/equity-curve"]) {
      await expectError(`${p}?exchange=kraken`, 400, /unknown exchange "kraken"; accepted values: binance, bitget, gateio, mexc/);
    }
  });

  it("other bad values: exit_type, dates, period with dates, repeated and unknown parameters", async () => {
    await expectError("/trades/history?exit_type=STOP", 400, /unknown exit_type "STOP"/);
    await expectError("/trades/history?from=2026-02-30", 400, /from must be a date/);
    await expectError("/trades/history?from=2026-03-01&to=2026-02-01", 400, /from must be before to/);
    await expectError("/trades/history?period=7d&from=2026-01-01", 400, /either period or from\/to/);
    await expectError("/trades/history?period=7d&period=30d", 400, /period is given more than once/);
    await expectError("/trades/history?perid=30d&limit=-4", 400, /unknown query parameter "perid".*limit must be/);
    await expectError("/trades/history?symbol=%27%3B%20drop%20table", 400, /symbol must be a market symbol/);
    await expectError("/portfolio/equity-curve?from=2000-01-01&to=2026-01-01", 400, /at most 3660 days/);
    await expectError("/positions/open?limit=5", 400, /unknown query parameter "limit"/);
  });

  it("missing, forged or expired token → 401; a non-user token → 401", async () => {
    expect((await expectError("/positions/open", 401, /access token/, null)).error.code).toBe("missing_token");
    await expectError("/positions/open", 401, /not valid/, "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.bad");
    expect((await expectError("/positions/open", 401, /expired/, await expiredToken(alice))).error.code).toBe("token_expired");
    await expectError("/positions/open", 401, /signed-in user/, stackEnv().SUPABASE_ANON_KEY);
  });

  it("unknown route → 404, other methods → 405, CORS preflight → 204", async () => {
    await expectError("/positions/open/extra", 404, /Unknown route/);
    await expectError("/nope", 404, /Unknown route/);
    const post = await call(alice, "/positions/open", "POST");
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toContain("GET");
    const pre = await call(null, "/trades/history", "OPTIONS");
    expect(pre.status).toBe(204);
  });

  it("formats durations as the spec shows them", () => {
    expect(formatDuration(8100)).toBe("2h 15m");
    expect(formatDuration(7200)).toBe("2h");
    expect(formatDuration(45)).toBe("45s");
    expect(formatDuration(930)).toBe("15m 30s");
    expect(formatDuration(3 * 86_400 + 4 * 3600 + 59)).toBe("3d 4h");
    expect(formatDuration(0)).toBe("0s");
    expect(formatDuration(-5)).toBe("0s");
  });
});

describe("over HTTP: supabase-js functions.invoke with a user's token", () => {
  const cases = [
    ["api/positions/open", OpenPositionsResponse],
    ["api/trades/history?period=30d", TradeHistoryResponse],
    ["api/performance/metrics?period=monthly", PerformanceMetricsResponse],
    ["api/portfolio/snapshot", PortfolioSnapshotResponse],
    ["api/portfolio/equity-curve?period=90d", EquityCurveResponse],
  ] as const;
  for (const [name, schema] of cases) {
    it(`${name} answers the spec's shape`, async () => {
      const { data, error } = await supabaseAs(alice.token).functions.invoke(name, { method: "GET" });
      expect(error).toBeNull();
      expect(() => schema.parse(data)).not.toThrow();
    });
  }

  it("bad input comes back as a FunctionsHttpError with the JSON error body; CORS headers are set", async () => {
    const { data, error } = await supabaseAs(alice.token).functions.invoke("api/trades/history?period=forever", { method: "GET" });
    expect(data).toBeNull();
    expect(error).toBeInstanceOf(FunctionsHttpError);
    const res = (error as FunctionsHttpError).context as Response;
    expect(res.status).toBe(400);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(ApiError.parse(await res.json()).error.message).toMatch(/accepted values: 7d, 30d, 90d, 1y, all/);
  });

  it("no token → 401 (gateway); another user's position → 404", async () => {
    expect((await callFunction("api", { path: "/positions/open", token: null })).status).toBe(401);
    const r = await callFunction("api", { path: `/positions/${ids.bobPosition}`, token: alice.token });
    expect(r.status).toBe(404);
    const ok = await callFunction("api", { path: `/positions/${ids.bobPosition}`, token: bob.token });
    expect(PositionDetailResponse.parse(ok.body).position.id).toBe(ids.bobPosition);
  });
});

// Registered last, so it runs before the file's other after-hooks close the pools.
afterAll(async () => { await cleanPrices(); });
