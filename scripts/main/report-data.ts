/** Reads a user's report (ReportData) from the database: trades, positions, metrics, equity curve. */
import type { Sql } from "postgres";
import type { ReportDataInput } from "../report/index.ts";
import { Decimal, toDbString } from "../../functions/_shared/decimal.ts";

const t = (col: string) => `coalesce(trim_scale(${col})::text, '0')`;
const tn = (col: string) => `trim_scale(${col})::text`;

export async function buildReportData(sql: Sql, user: { id: string; email: string }, period: { from: string; to: string }): Promise<ReportDataInput> {
  const trades = await sql.unsafe(`
    select exchange::text, market_type::text, symbol, side, entry_time, exit_time, ${t("entry_price")} as entry_price,
           ${t("exit_price")} as exit_price, ${t("exit_quantity")} as exit_quantity, ${t("gross_pnl")} as gross_pnl,
           ${t("net_pnl")} as net_pnl, ${t("entry_fees")} as entry_fees, ${t("exit_fees")} as exit_fees, exit_type,
           ${tn("pnl_percentage")} as pnl_percentage, extract(epoch from hold_duration)::bigint as hold_duration_seconds
      from public.trade_history where user_id = $1 order by exit_time, id`, [user.id]);
  const [h] = await sql.unsafe(`
    select ${t("sum(gross_pnl)")} as gross, ${t("sum(net_pnl)")} as net, ${t("sum(entry_fees + exit_fees)")} as fees,
           ${t("sum(funding)")} as funding, count(*)::int as trades,
           count(*) filter (where net_pnl > 0)::int as winners, count(*) filter (where net_pnl < 0)::int as losers,
           count(*) filter (where net_pnl = 0)::int as breakeven
      from public.trade_history where user_id = $1`, [user.id]);
  const [m] = await sql.unsafe(`
    select ${tn("win_rate")} as win_rate, ${tn("profit_factor")} as profit_factor, ${tn("max_drawdown")} as max_drawdown,
           ${tn("max_drawdown_amount")} as max_drawdown_amount, ${tn("time_weighted_return")} as twr,
           ${tn("roi_percentage")} as roi, ${tn("sharpe_ratio")} as sharpe
      from public.performance_metrics where user_id = $1 and exchange is null and period_type = 'ALL_TIME'
      order by period_start desc limit 1`, [user.id]);
  const curve = await sql.begin(async (tx) => {
    await tx`select set_config('role', 'authenticated', true),
                    set_config('request.jwt.claims', ${JSON.stringify({ sub: user.id, role: "authenticated", email: user.email })}, true)`;
    return await tx.unsafe(`
      select to_char(date, 'YYYY-MM-DD') as date, ${t("balance")} as balance, ${t("realized_pnl")} as realized_pnl,
             ${t("unrealized_pnl")} as unrealized_pnl, ${t("net_flows")} as net_flows, ${tn("twr_index")} as twr_index,
             is_reconstructed
        from public.equity_curve($1::date, $2::date) order by date`, [period.from.slice(0, 10), period.to.slice(0, 10)]);
  });
  // Net deposits: the sum of the curve's daily net_flows, the one definition (deposits −
  // withdrawals − transfer fees, in USDT at the day's price; README "Net flows") that
  // api/portfolio/equity-curve also sums.
  const netDeposits = toDbString(curve.reduce((a, p) => a.plus(p.net_flows as string), new Decimal(0)));
  // Open positions valued at the period's end by the day's price (private.symbol_price_at: the one
  // price rule with its fallbacks, accepted only within the day before, migration 20261207210000),
  // as the equity curve's last point values them, and the one formula (private.unrealized_pnl).
  // No price that day: unpriced (NULL), never an older close.
  const open = await sql.unsafe(`
    select p.exchange::text, p.market_type::text, p.symbol, p.side, ${t("p.quantity")} as quantity, ${t("p.entry_price")} as entry_price,
           ${tn("mp.price")} as current_price,
           ${tn("private.unrealized_pnl(p.side, p.entry_price, p.quantity, mp.price)")} as unrealized_pnl,
           p.opened_at
      from public.positions p
      -- at the close of the period's last UTC day, the instant of the equity curve's last point
      cross join (select (date_trunc('day', $2::timestamptz at time zone 'UTC') + interval '1 day') at time zone 'UTC' as at) v
      cross join lateral (select private.symbol_price_at(p.exchange, p.symbol, v.at) as price) mp
     where p.user_id = $1 and p.status = 'OPEN' order by p.opened_at`, [user.id, period.to]);
  const metrics = await sql.unsafe(`
    select period_type, period_start, exchange::text, total_trades, ${tn("win_rate")} as win_rate,
           ${t("total_net_pnl")} as total_net_pnl, ${tn("profit_factor")} as profit_factor, ${tn("max_drawdown")} as max_drawdown,
           ${tn("sharpe_ratio")} as sharpe_ratio
      from public.performance_metrics where user_id = $1 order by period_type, period_start, exchange nulls first`, [user.id]);
  const bySymbol = await sql.unsafe(`
    select symbol, exchange::text, ${t("sum(net_pnl)")} as net_pnl, count(*)::int as trades
      from public.trade_history where user_id = $1 group by symbol, exchange order by sum(net_pnl) desc`, [user.id]);
  const exchanges = [...new Set(trades.map((r) => r.exchange as string))].sort();
  const winRate = h.trades ? ((h.winners / h.trades) * 100).toFixed(2) : null;
  const notes: string[] = [];
  if (curve.some((p) => p.is_reconstructed)) {
    notes.push("Days marked reconstructed are rebuilt from the imported fills, transfers and daily closes (no stored snapshot for them).");
  }
  const [unpriced] = await sql.begin(async (tx) => {
    await tx`select set_config('role', 'authenticated', true),
                    set_config('request.jwt.claims', ${JSON.stringify({ sub: user.id, role: "authenticated", email: user.email })}, true)`;
    return await tx`select unpriced_days, unpriced_assets from public.get_unpriced_summary(${period.from.slice(0, 10)}::date, ${period.to.slice(0, 10)}::date)`;
  });
  if (unpriced && unpriced.unpriced_days > 0) {
    notes.push(`${unpriced.unpriced_days} of ${curve.length} days hold assets without a daily close (${(unpriced.unpriced_assets as string[]).join(", ")}): those assets are left out of that day's equity, never valued at an older price.`);
  } else {
    notes.push("Every day of the curve is fully priced (a daily close for every asset held).");
  }
  notes.push("Every amount is in USDT; stablecoins count at their USDT price when known, else 1.");
  return {
    generated_at: new Date().toISOString(),
    user: { email: user.email },
    period,
    exchanges,
    headline: {
      realized_gross_pnl: h.gross, realized_net_pnl: h.net, fees: h.fees, funding: h.funding,
      trades: h.trades, winners: h.winners, losers: h.losers, breakeven: h.breakeven,
      win_rate: m?.win_rate ?? winRate, profit_factor: m?.profit_factor ?? null,
      max_drawdown_pct: m?.max_drawdown ?? null, max_drawdown_amount: m?.max_drawdown_amount ?? null,
      twr_pct: m?.twr ?? null, roi_pct: m?.roi ?? null, sharpe: m?.sharpe ?? null,
      net_deposits: netDeposits,
      equity_start: curve[0]?.balance ?? "0",
      equity_end: curve[curve.length - 1]?.balance ?? "0",
    },
    equity_curve: curve as never,
    trades: trades.map((r) => ({ ...r, hold_duration_seconds: Number(r.hold_duration_seconds) })) as never,
    open_positions: open as never,
    metrics: metrics as never,
    pnl_by_symbol: bySymbol as never,
    notes,
  };
}
