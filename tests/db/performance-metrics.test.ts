/**
 * private.refresh_performance_metrics: every spec column and the added ones for a known set of
 * closed trades, returns from an equity series (TWR, ROI, Sharpe, Sortino, Calmar, drawdown),
 * NULLs where undefined, and incremental refresh = full recompute. Expectations by hand.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminSql, asService, closePools } from "../support/db.ts";
import { createUser, type TestUser } from "../support/users.ts";

const sql = () => adminSql();
const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const SQRT365 = Math.sqrt(365);

let pausedJobs: number[] = [];
beforeAll(async () => {
  // The hourly refresh must not recompute rows under the tests' feet.
  const rows = await sql()`select jobid from cron.job where jobname = 'refresh-performance-metrics' and active`;
  pausedJobs = rows.map((r) => Number(r.jobid));
  for (const id of pausedJobs) await sql()`select cron.alter_job(${id}::bigint, active := false)`;
});
afterAll(async () => {
  for (const id of pausedJobs) await sql()`select cron.alter_job(${id}::bigint, active := true)`;
  await closePools();
});

let seq = 0;
interface T {
  exchange?: string; entry: number; exit: number; qty: number; entryFees: number; exitFees: number;
  exitTime: string; holdHours: number; stopLoss?: number;
}
/** A LONG spot close: gross = (exit − entry) × qty, net = gross − fees. */
async function trade(u: TestUser, t: T) {
  const gross = (t.exit - t.entry) * t.qty;
  const net = gross - t.entryFees - t.exitFees;
  await sql()`insert into public.trade_history (user_id, exchange, market_type, symbol, side, entry_price, entry_time,
                entry_quantity, entry_fees, exit_price, exit_time, exit_quantity, exit_fees, exit_type, gross_pnl, net_pnl,
                hold_duration, close_key, stop_loss_price)
              values (${u.id}, ${t.exchange ?? "binance"}, 'spot', 'X/USDT', 'LONG', ${t.entry},
                ${t.exitTime}::timestamptz - make_interval(mins => ${Math.round(t.holdHours * 60)}), ${t.qty}, ${t.entryFees},
                ${t.exit}, ${t.exitTime}, ${t.qty}, ${t.exitFees}, 'MANUAL', ${gross.toFixed(8)}, ${net.toFixed(8)},
                make_interval(mins => ${Math.round(t.holdHours * 60)}), ${"m" + ++seq}, ${t.stopLoss ?? null})`;
}

async function snapshot(u: TestUser, date: string, equity: number, flows = 0, exchange: string | null = null) {
  await sql()`insert into public.portfolio_snapshots (user_id, exchange, snapshot_date, total_balance, available_balance,
                locked_balance, net_flows)
              values (${u.id}, ${exchange}, ${date}, ${equity}, ${equity}, 0, ${flows})`;
}

const refresh = (u: TestUser | null, since: string | null = null) =>
  asService((tx) => tx`select private.refresh_performance_metrics(${u?.id ?? null}::uuid, ${since}::timestamptz) as n`);

async function metrics(u: TestUser, type: string, exchange: string | null, start?: string) {
  const rows = await sql()`select *
                           from public.performance_metrics
                           where user_id = ${u.id} and period_type = ${type} and exchange is not distinct from ${exchange}
                             and (${start ?? null}::timestamptz is null or period_start = ${start ?? null}::timestamptz)
                           order by period_start`;
  return rows;
}

describe("trade statistics for a known set of closed trades", () => {
  let f: TestUser;
  beforeAll(async () => {
    f = await createUser("metrics-f");
    // Week of Monday 2026-10-05. Outcomes in exit order: W W L B L(gateio) W.
    await trade(f, { entry: 100, exit: 111, qty: 10, entryFees: 4, exitFees: 6, exitTime: "2026-10-05T10:00:00Z", holdHours: 2 }); // gross 110, net 100
    await trade(f, { entry: 200, exit: 260, qty: 1, entryFees: 5, exitFees: 5, exitTime: "2026-10-05T14:00:00Z", holdHours: 4, stopLoss: 190 }); // 60, 50
    await trade(f, { entry: 50, exit: 40, qty: 4, entryFees: 2, exitFees: 3, exitTime: "2026-10-06T09:00:00Z", holdHours: 1 }); // −40, −45
    await trade(f, { entry: 10, exit: 10.2, qty: 10, entryFees: 1, exitFees: 1, exitTime: "2026-10-06T12:00:00Z", holdHours: 0.5 }); // 2, 0
    await trade(f, { exchange: "gateio", entry: 300, exit: 290, qty: 1, entryFees: 2.5, exitFees: 2.5, exitTime: "2026-10-07T10:00:00Z", holdHours: 3 }); // −10, −15
    await trade(f, { entry: 20, exit: 24, qty: 5, entryFees: 0.5, exitFees: 0.5, exitTime: "2026-10-08T10:00:00Z", holdHours: 5 }); // 20, 19
    // Equity before the stop-loss trade's entry day (for average risk per trade).
    await snapshot(f, "2026-10-04", 2000);
    await refresh(f);
  });

  it("ALL_TIME, all exchanges: every spec column and the added ones", async () => {
    const [m] = await metrics(f, "ALL_TIME", null);
    expect([m.total_trades, m.winning_trades, m.losing_trades, m.breakeven_trades]).toEqual([6, 3, 2, 1]);
    expect(n(m.win_rate)).toBe(50); // 3 / 6
    expect(n(m.total_gross_pnl)).toBe(142); // 110 + 60 − 40 + 2 − 10 + 20
    expect(n(m.total_net_pnl)).toBe(109); // 100 + 50 − 45 + 0 − 15 + 19
    expect(n(m.average_pnl_per_trade)).toBeCloseTo(109 / 6, 15);
    expect(n(m.expectancy)).toBeCloseTo(0.5 * (169 / 3) - (2 / 6) * 30, 12); // = 109 / 6
    expect(n(m.largest_win)).toBe(100);
    expect(n(m.largest_loss)).toBe(-45);
    expect(n(m.gross_profit)).toBe(169); // 100 + 50 + 19
    expect(n(m.gross_loss)).toBe(60); // |−45 − 15|
    expect(n(m.profit_factor)).toBe(2.81666667); // 169 / 60
    expect(n(m.payoff_ratio)).toBe(1.87777778); // (169 / 3) / (60 / 2)
    expect(n(m.total_fees)).toBe(33); // 10 + 10 + 5 + 2 + 5 + 1
    expect(m.average_hold_duration).toBe("02:35:00"); // (2 + 4 + 1 + 0.5 + 3 + 5) h / 6
    expect(n(m.total_volume_traded)).toBe(3942); // 2110 + 460 + 360 + 202 + 590 + 220
    expect(n(m.average_risk_per_trade)).toBe(0.5); // |200 − 190| × 1 / 2000 × 100
    expect(m.longest_win_streak).toBe(2); // W W | L B L W: the breakeven ends the loss run
    expect(m.longest_loss_streak).toBe(1);
    // One equity point: no return, no drawdown yet.
    expect(m.time_weighted_return).toBeNull();
    expect(m.sharpe_ratio).toBeNull();
    expect(m.sortino_ratio).toBeNull();
    expect(m.calmar_ratio).toBeNull();
    expect(n(m.max_drawdown)).toBe(0);
    expect(m.max_drawdown_peak_at).toBeNull();
    expect(n(m.roi_percentage)).toBe(0); // (2000 − 2000 − 0) / 2000
    // From the first snapshot day (before the first entry) to the last exit.
    expect(m.period_start.toISOString()).toBe("2026-10-04T00:00:00.000Z");
    expect(m.period_end.toISOString()).toBe("2026-10-08T10:00:00.000Z");
  });

  it("per exchange: binance alone", async () => {
    const [m] = await metrics(f, "ALL_TIME", "binance");
    expect([m.total_trades, m.winning_trades, m.losing_trades, m.breakeven_trades]).toEqual([5, 3, 1, 1]);
    expect(n(m.win_rate)).toBe(60);
    expect(n(m.total_net_pnl)).toBe(124);
    expect(n(m.profit_factor)).toBe(3.75555556); // 169 / 45
    expect(n(m.payoff_ratio)).toBe(1.25185185); // (169 / 3) / 45
    expect(m.longest_win_streak).toBe(2); // W W L B W
    // No snapshot for binance alone: equity metrics undefined.
    expect(m.max_drawdown).toBeNull();
    expect(m.roi_percentage).toBeNull();
    expect(m.time_weighted_return).toBeNull();
  });

  it("edge cases: only wins, only losses, a period with no trades", async () => {
    // DAILY 2026-10-05 (all exchanges): two wins.
    const [wins] = await metrics(f, "DAILY", null, "2026-10-05T00:00:00Z");
    expect(wins.total_trades).toBe(2);
    expect(n(wins.win_rate)).toBe(100);
    expect(wins.profit_factor).toBeNull(); // no losses: undefined, not 0 or ∞
    expect(wins.largest_loss).toBeNull();
    expect(wins.payoff_ratio).toBeNull();
    expect([wins.longest_win_streak, wins.longest_loss_streak]).toEqual([2, 0]);
    expect(n(wins.gross_loss)).toBe(0);
    expect(wins.period_end.toISOString()).toBe("2026-10-06T00:00:00.000Z");

    // DAILY 2026-10-07 on gateio: one loss.
    const [losses] = await metrics(f, "DAILY", "gateio", "2026-10-07T00:00:00Z");
    expect(losses.total_trades).toBe(1);
    expect(n(losses.win_rate)).toBe(0);
    expect(n(losses.profit_factor)).toBe(0); // 0 / 15: defined
    expect(losses.largest_win).toBeNull();
    expect(losses.payoff_ratio).toBeNull();
    expect([losses.longest_win_streak, losses.longest_loss_streak]).toEqual([0, 1]);

    // WEEKLY 2026-09-28 holds only the 10-04 snapshot: zero trades.
    const [empty] = await metrics(f, "WEEKLY", null, "2026-09-28T00:00:00Z");
    expect(empty.total_trades).toBe(0);
    for (const col of ["win_rate", "average_pnl_per_trade", "expectancy", "largest_win", "largest_loss", "profit_factor",
      "payoff_ratio", "average_hold_duration", "longest_win_streak", "longest_loss_streak", "average_risk_per_trade",
      "sharpe_ratio", "sortino_ratio", "calmar_ratio", "time_weighted_return"]) {
      expect([col, empty[col]]).toEqual([col, null]);
    }
    expect([n(empty.total_net_pnl), n(empty.total_fees), n(empty.gross_profit)]).toEqual([0, 0, 0]);

    // Weekly and monthly rows exist for the trades' periods, with the same totals.
    const [week] = await metrics(f, "WEEKLY", null, "2026-10-05T00:00:00Z");
    const [month] = await metrics(f, "MONTHLY", null, "2026-10-01T00:00:00Z");
    expect([week.total_trades, n(week.total_net_pnl), month.total_trades, n(month.total_net_pnl)]).toEqual([6, 109, 6, 109]);
    expect(week.period_end.toISOString()).toBe("2026-10-12T00:00:00.000Z");
    expect(month.period_end.toISOString()).toBe("2026-11-01T00:00:00.000Z");
  });

  it("a user without any trade or snapshot gets no rows, not rows of zeros", async () => {
    const nobody = await createUser("metrics-nobody");
    await refresh(nobody);
    expect(await metrics(nobody, "ALL_TIME", null)).toHaveLength(0);
  });
});

describe("returns from the equity series", () => {
  it("a deposit in the middle changes TWR by nothing and ROI as defined", async () => {
    const withDeposit = await createUser("twr-deposit");
    const without = await createUser("twr-plain");
    // Day returns +10 %, 0 %, +10 %; one user deposits 1000 at the end of day 2.
    //   with:    1000 → 1100 → 2100 (F = +1000: r = (2100 − 1000) / 1100 − 1 = 0) → 2310
    //   without: 1000 → 1100 → 1100 → 1210
    const days = ["2026-09-01", "2026-09-02", "2026-09-03", "2026-09-04"];
    for (const [i, [e, flow]] of [[1000, 0], [1100, 0], [2100, 1000], [2310, 0]].entries()) await snapshot(withDeposit, days[i], e, flow);
    for (const [i, e] of [1000, 1100, 1100, 1210].entries()) await snapshot(without, days[i], e);
    await refresh(withDeposit);
    await refresh(without);
    const [a] = await metrics(withDeposit, "ALL_TIME", null);
    const [b] = await metrics(without, "ALL_TIME", null);
    // TWR = 1.1 × 1.0 × 1.1 − 1 = 21 % for both.
    expect(n(a.time_weighted_return)).toBe(21);
    expect(n(b.time_weighted_return)).toBe(21);
    // ROI = (E_last − E_base − ΣF) / (E_base + ΣF): (2310 − 1000 − 1000) / 2000 = 15.5 %; (1210 − 1000) / 1000 = 21 %.
    expect(n(a.roi_percentage)).toBe(15.5);
    expect(n(b.roi_percentage)).toBe(21);
    // Sharpe on r = [0.1, 0, 0.1]: mean 1/15, σ (sample) = √((2 × (1/30)² + (1/15)²) / 2) = √(1/300).
    const sharpe = (1 / 15) / Math.sqrt(1 / 300) * SQRT365;
    expect(n(a.sharpe_ratio)).toBeCloseTo(sharpe, 6);
    expect(n(b.sharpe_ratio)).toBeCloseTo(sharpe, 6);
    expect(a.sortino_ratio).toBeNull(); // no negative return
    expect(n(a.max_drawdown)).toBe(0);
    expect(a.calmar_ratio).toBeNull(); // no drawdown

    // DAILY 09-03 (the deposit day): base = 09-02 (1100); r = 0; ROI = (2100 − 1100 − 1000) / 2100 = 0.
    const [d3] = await metrics(withDeposit, "DAILY", null, "2026-09-03T00:00:00Z");
    expect(n(d3.time_weighted_return)).toBe(0);
    expect(n(d3.roi_percentage)).toBe(0);
    expect(d3.sharpe_ratio).toBeNull(); // one day: one return
  });

  it("drawdown from the TWR index with peak and trough days, Sortino and Calmar", async () => {
    const e = await createUser("drawdown");
    // E: 1000, 1200 (+20 %), 900 (−25 %), 1400 with F = +500 (r = 900/900 − 1 = 0), 1540 (+10 %).
    const series: [string, number, number][] = [
      ["2026-08-03", 1000, 0], ["2026-08-04", 1200, 0], ["2026-08-05", 900, 0], ["2026-08-06", 1400, 500], ["2026-08-07", 1540, 0],
    ];
    for (const [d, eq, fl] of series) await snapshot(e, d, eq, fl);
    await refresh(e);
    const [m] = await metrics(e, "ALL_TIME", null);
    // Index 1, 1.2, 0.9, 0.9, 0.99: peak 1.2 on 08-04, trough 0.9 first on 08-05 → 25 %.
    expect(n(m.max_drawdown)).toBe(25);
    expect(m.max_drawdown_peak_at.toISOString().slice(0, 10)).toBe("2026-08-04");
    expect(m.max_drawdown_trough_at.toISOString().slice(0, 10)).toBe("2026-08-05");
    // Amount on flow-adjusted equity (E − cumulative flows): 1200 − 900 = 300.
    expect(n(m.max_drawdown_amount)).toBe(300);
    // TWR = 0.99 − 1 = −1 %.
    expect(n(m.time_weighted_return)).toBe(-1);
    // r = [0.2, −0.25, 0, 0.1]: mean 0.0125; downside √(0.25² / 4) = 0.125 → Sortino 0.1 × √365.
    expect(n(m.sortino_ratio)).toBeCloseTo(0.1 * SQRT365, 6);
    const r = [0.2, -0.25, 0, 0.1];
    const mean = r.reduce((a, b) => a + b) / 4;
    const sd = Math.sqrt(r.reduce((a, b) => a + (b - mean) ** 2, 0) / 3);
    expect(n(m.sharpe_ratio)).toBeCloseTo(mean / sd * SQRT365, 6);
    // Calmar: ((0.99)^(365 / 4) − 1) / 0.25, 4 days spanned from the base 08-03 to 08-07.
    expect(n(m.calmar_ratio)).toBeCloseTo((Math.pow(0.99, 365 / 4) - 1) / 0.25, 6);
    // ROI: (1540 − 1000 − 500) / (1000 + 500) = 40 / 1500.
    expect(n(m.roi_percentage)).toBeCloseTo(40 / 15, 6);
  });
});

describe("incremental refresh", () => {
  it("recomputes only the user's affected periods and gives the same rows as a full recompute", async () => {
    const g = await createUser("incremental");
    const other = await createUser("incremental-other");
    await trade(g, { entry: 10, exit: 12, qty: 1, entryFees: 0, exitFees: 0, exitTime: "2026-07-01T10:00:00Z", holdHours: 1 });
    await trade(g, { entry: 10, exit: 9, qty: 1, entryFees: 0, exitFees: 0, exitTime: "2026-07-20T10:00:00Z", holdHours: 1 });
    await trade(other, { entry: 10, exit: 11, qty: 1, entryFees: 0, exitFees: 0, exitTime: "2026-07-20T10:00:00Z", holdHours: 1 });
    await snapshot(g, "2026-07-19", 100);
    await snapshot(g, "2026-07-20", 99);
    await refresh(null);

    const before = await sql()`select id, period_type, period_start, exchange from public.performance_metrics where user_id = ${g.id}`;
    const otherBefore = await sql()`select id from public.performance_metrics where user_id = ${other.id} order by id`;
    // A position closes on 2026-07-21.
    await trade(g, { entry: 10, exit: 13, qty: 1, entryFees: 0.1, exitFees: 0.1, exitTime: "2026-07-21T10:00:00Z", holdHours: 1 });
    const [{ n: written }] = await refresh(g, "2026-07-21T10:00:00Z");
    // DAILY 07-21, WEEKLY 07-20, MONTHLY 07-01, ALL_TIME × (binance, all) = 8 rows.
    expect(written).toBe(8);
    const after = await sql()`select id, period_type, period_start, exchange from public.performance_metrics where user_id = ${g.id}`;
    const kept = after.filter((r) => before.some((b) => b.id === r.id));
    // Untouched: DAILY 07-01, 07-19 (snapshot only), 07-20, WEEKLY 06-29 × their exchanges.
    expect(kept.every((r) => r.period_type === "DAILY" || (r.period_type === "WEEKLY" && r.period_start < new Date("2026-07-20")))).toBe(true);
    expect(kept.length).toBeGreaterThan(0);
    expect((await sql()`select id from public.performance_metrics where user_id = ${other.id} order by id`).map((r) => r.id))
      .toEqual(otherBefore.map((r) => r.id));

    const cols = sql()`select user_id, exchange, period_type, period_start, period_end, total_trades, winning_trades, losing_trades,
                   breakeven_trades, win_rate, total_gross_pnl, total_net_pnl, average_pnl_per_trade, largest_win, largest_loss,
                   gross_profit, gross_loss, profit_factor, total_fees, average_risk_per_trade, max_drawdown, max_drawdown_amount,
                   max_drawdown_peak_at, max_drawdown_trough_at, average_hold_duration, total_volume_traded, sharpe_ratio,
                   sortino_ratio, calmar_ratio, expectancy, payoff_ratio, longest_win_streak, longest_loss_streak,
                   time_weighted_return, roi_percentage
              from public.performance_metrics where user_id in (${g.id}, ${other.id})
             order by user_id, exchange nulls last, period_type, period_start`;
    const incremental = await cols;
    await refresh(null);
    const full = await sql()`select user_id, exchange, period_type, period_start, period_end, total_trades, winning_trades, losing_trades,
                   breakeven_trades, win_rate, total_gross_pnl, total_net_pnl, average_pnl_per_trade, largest_win, largest_loss,
                   gross_profit, gross_loss, profit_factor, total_fees, average_risk_per_trade, max_drawdown, max_drawdown_amount,
                   max_drawdown_peak_at, max_drawdown_trough_at, average_hold_duration, total_volume_traded, sharpe_ratio,
                   sortino_ratio, calmar_ratio, expectancy, payoff_ratio, longest_win_streak, longest_loss_streak,
                   time_weighted_return, roi_percentage
              from public.performance_metrics where user_id in (${g.id}, ${other.id})
             order by user_id, exchange nulls last, period_type, period_start`;
    expect(incremental).toEqual(full);
    const [all] = await metrics(g, "ALL_TIME", null);
    expect([all.total_trades, n(all.total_net_pnl)]).toEqual([3, 3.8]); // 2 − 1 + (3 − 0.2)
  });
});
