/**
 * The `api` function's reads. Every query runs inside `withUser` (role authenticated + the
 * caller's claims), against the security-invoker views and invoker RPCs of migrations
 * 2026112520xxxx (and issue 7's equity_curve), so RLS decides what a caller sees.
 * NUMERIC columns leave the database as exact decimal text (`trim_scale(x)::text`: trailing
 * zeros trimmed, never an exponent), counts as int, ids as bigint → JSON integer.
 */
import type { Tx } from "../db.ts";
import { Decimal, toDbString, toPercentString } from "../decimal.ts";
import type {
  EquityCurveResponse, EquityPoint, Exchange, OpenPosition, OpenPositionsResponse, PerformanceMetricsResponse,
  PortfolioSnapshot, PortfolioSnapshotResponse, PositionDetailResponse, Trade, TradeHistoryResponse, TradePeriod,
} from "../types/api.ts";
import { formatDuration, int, iso } from "./format.ts";
import { DEFAULT_PAGE_SIZE, encodeCursor, MAX_CURVE_DAYS, type EquityCurveQuery, type TradeHistoryQuery } from "./params.ts";

/** `trim_scale(col)::text as col` for each NUMERIC column (names are constants, never input). */
function dec(...cols: string[]): string {
  return cols.map((c) => `trim_scale(${c})::text as ${c}`).join(", ");
}

// deno-lint-ignore no-explicit-any
type Row = Record<string, any>;

const POSITION_COLUMNS = `id, exchange::text, market_type::text, symbol, side, margin_mode, take_profit_prices,
  price_as_of, opened_at, ${dec("entry_price", "quantity", "current_price", "position_value", "unrealized_pnl",
  "unrealized_pnl_percentage", "leverage", "total_cost", "fees_paid", "funding", "stop_loss_price")}`;

function position(r: Row): OpenPosition {
  return {
    id: int(r.id),
    exchange: r.exchange,
    market_type: r.market_type,
    symbol: r.symbol,
    side: r.side,
    entry_price: r.entry_price,
    quantity: r.quantity,
    current_price: r.current_price,
    price_as_of: iso(r.price_as_of),
    position_value: r.position_value,
    unrealized_pnl: r.unrealized_pnl,
    unrealized_pnl_percentage: r.unrealized_pnl_percentage,
    leverage: r.leverage,
    margin_mode: r.margin_mode,
    total_cost: r.total_cost,
    fees_paid: r.fees_paid,
    funding: r.funding,
    stop_loss_price: r.stop_loss_price,
    take_profit_prices: r.take_profit_prices,
    opened_at: iso(r.opened_at)!,
  };
}

export async function openPositions(tx: Tx, q: { exchange?: Exchange; symbol?: string }): Promise<OpenPositionsResponse> {
  const rows = await tx`
    select ${tx.unsafe(POSITION_COLUMNS)},
           trim_scale(coalesce(sum(unrealized_pnl) over (), 0))::text as total_unrealized_pnl,
           (count(*) filter (where current_price is null) over ())::int as unpriced
      from public.open_positions
     where (${q.exchange ?? null}::public.exchange_id is null or exchange = ${q.exchange ?? null}::public.exchange_id)
       and (${q.symbol ?? null}::text is null or symbol = ${q.symbol ?? null}::text)
     order by opened_at desc, id desc`;
  return {
    positions: rows.map(position),
    total_unrealized_pnl: rows[0]?.total_unrealized_pnl ?? "0",
    total_positions: rows.length,
    unpriced_positions: rows[0]?.unpriced ?? 0,
  };
}

const TRADE_COLUMNS = `id, position_id, exchange::text, market_type::text, symbol, side, exit_type, exit_reason, hold_seconds,
  entry_time, exit_time, to_char(exit_time at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_time,
  ${dec("entry_price", "exit_price", "quantity", "gross_pnl", "net_pnl", "fees", "funding", "pnl_percentage",
  "roi_percentage", "leverage")}`;

function trade(r: Row): Trade {
  return {
    id: int(r.id),
    position_id: r.position_id === null ? null : int(r.position_id),
    exchange: r.exchange,
    market_type: r.market_type,
    symbol: r.symbol,
    side: r.side,
    entry_price: r.entry_price,
    exit_price: r.exit_price,
    quantity: r.quantity,
    gross_pnl: r.gross_pnl,
    net_pnl: r.net_pnl,
    fees: r.fees,
    funding: r.funding,
    pnl_percentage: r.pnl_percentage,
    roi_percentage: r.roi_percentage,
    exit_type: r.exit_type,
    exit_reason: r.exit_reason,
    hold_duration: formatDuration(int(r.hold_seconds)),
    hold_seconds: int(r.hold_seconds),
    entry_time: iso(r.entry_time)!,
    exit_time: iso(r.exit_time)!,
    leverage: r.leverage,
  };
}

export async function tradeHistory(tx: Tx, q: TradeHistoryQuery): Promise<TradeHistoryResponse> {
  const explicit = q.from !== undefined || q.to !== undefined;
  const period: TradePeriod | null = explicit ? null : (q.period ?? "30d");
  const limit = q.limit ?? DEFAULT_PAGE_SIZE;
  const args = {
    period, from: q.from ?? null, to: q.to ?? null, symbol: q.symbol ?? null, exchange: q.exchange ?? null,
    exitType: q.exit_type ?? null,
  };
  const rows = await tx`
    select ${tx.unsafe(TRADE_COLUMNS)}
      from public.get_trade_history(
        p_period => ${args.period}::text, p_from => ${args.from}::timestamptz, p_to => ${args.to}::timestamptz,
        p_symbol => ${args.symbol}::text, p_exchange => ${args.exchange}::public.exchange_id,
        p_exit_type => ${args.exitType}::text, p_limit => ${limit + 1}::int,
        p_cursor_exit_time => ${q.cursor?.exitTime ?? null}::timestamptz, p_cursor_id => ${q.cursor?.id ?? null}::bigint)`;
  const [sum] = await tx`
    select total_trades::int, winning_trades::int, losing_trades::int, breakeven_trades::int, window_from, window_to,
           ${tx.unsafe(dec("total_pnl", "total_gross_pnl", "total_fees"))}
      from public.get_trade_history_summary(
        p_period => ${args.period}::text, p_from => ${args.from}::timestamptz, p_to => ${args.to}::timestamptz,
        p_symbol => ${args.symbol}::text, p_exchange => ${args.exchange}::public.exchange_id,
        p_exit_type => ${args.exitType}::text)`;
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const last = page[page.length - 1];
  return {
    trades: page.map(trade),
    total_trades: sum.total_trades,
    total_pnl: sum.total_pnl,
    total_gross_pnl: sum.total_gross_pnl,
    total_fees: sum.total_fees,
    winning_trades: sum.winning_trades,
    losing_trades: sum.losing_trades,
    breakeven_trades: sum.breakeven_trades,
    period,
    from: iso(sum.window_from),
    to: iso(sum.window_to),
    limit,
    next_cursor: more && last ? encodeCursor({ exitTime: last.cursor_time, id: String(last.id) }) : null,
  };
}

export async function positionDetail(tx: Tx, id: string): Promise<PositionDetailResponse | null> {
  const [p] = await tx`
    select ${tx.unsafe(POSITION_COLUMNS)}, status, closed_at, ${tx.unsafe(dec("realized_gross_pnl", "realized_net_pnl"))}
      from public.positions_with_pnl where id = ${id}::bigint`;
  if (!p) return null;
  const closes = await tx`
    select ${tx.unsafe(TRADE_COLUMNS)} from public.closed_trades
     where position_id = ${id}::bigint order by exit_time desc, id desc limit 1000`;
  return {
    position: {
      ...position(p), status: p.status, realized_gross_pnl: p.realized_gross_pnl, realized_net_pnl: p.realized_net_pnl,
      closed_at: iso(p.closed_at),
    },
    closes: closes.map(trade),
  };
}

const METRIC_DECIMALS = ["win_rate", "total_net_pnl", "total_gross_pnl", "gross_profit", "gross_loss", "profit_factor",
  "largest_win", "largest_loss", "average_pnl_per_trade", "roi_percentage", "total_fees", "max_drawdown",
  "max_drawdown_amount", "sharpe_ratio"] as const;

export async function performanceMetrics(tx: Tx, q: { period?: string; exchange?: Exchange }): Promise<PerformanceMetricsResponse> {
  const period = q.period ?? "monthly";
  const [m] = await tx`
    select period_type, exchange::text, period_start, period_end, total_trades, winning_trades, losing_trades,
           breakeven_trades, floor(extract(epoch from average_hold_duration))::bigint as hold_seconds, calculated_at,
           ${tx.unsafe(dec(...METRIC_DECIMALS))}
      from public.get_performance_metrics(p_period => ${period}::text, p_exchange => ${q.exchange ?? null}::public.exchange_id, p_limit => 1)`;
  if (m) {
    const out: Row = {
      period: m.period_type,
      exchange: m.exchange,
      period_start: iso(m.period_start),
      period_end: iso(m.period_end),
      total_trades: m.total_trades,
      winning_trades: m.winning_trades,
      losing_trades: m.losing_trades,
      breakeven_trades: m.breakeven_trades,
      average_hold_duration: m.hold_seconds === null ? null : formatDuration(int(m.hold_seconds)),
      calculated_at: iso(m.calculated_at),
    };
    for (const k of METRIC_DECIMALS) out[k] = m[k];
    return out as PerformanceMetricsResponse;
  }
  // Nothing stored yet for this period: an empty period (zero trades, undefined ratios null).
  const type = period.toUpperCase();
  const unit = { DAILY: "day", WEEKLY: "week", MONTHLY: "month" }[type as "DAILY" | "WEEKLY" | "MONTHLY"];
  const [b] = unit
    ? await tx`select date_trunc(${unit}, now(), 'UTC') as s,
                      date_trunc(${unit}, now(), 'UTC') + ${"1 " + unit}::interval - interval '1 second' as e`
    : await tx`select now() as s, now() as e`;
  return {
    period: type as PerformanceMetricsResponse["period"],
    exchange: q.exchange ?? null,
    period_start: iso(b.s)!,
    period_end: iso(b.e)!,
    total_trades: 0, winning_trades: 0, losing_trades: 0, breakeven_trades: 0,
    win_rate: null, total_net_pnl: "0", total_gross_pnl: "0", gross_profit: "0", gross_loss: "0", profit_factor: null,
    largest_win: null, largest_loss: null, average_pnl_per_trade: null, roi_percentage: null, total_fees: "0",
    max_drawdown: null, max_drawdown_amount: null, sharpe_ratio: null, average_hold_duration: null, calculated_at: null,
  };
}

const SNAPSHOT_DECIMALS = ["total_balance", "available_balance", "locked_balance", "total_positions_value", "unrealized_pnl",
  "total_realized_pnl", "win_rate", "total_fees_paid", "net_flows"] as const;

function snapshot(r: Row): PortfolioSnapshot {
  const out: Row = {
    exchange: r.exchange,
    snapshot_date: r.snapshot_date,
    open_positions_count: r.open_positions_count,
    total_trades_count: r.total_trades_count,
    winning_trades_count: r.winning_trades_count,
    losing_trades_count: r.losing_trades_count,
    unpriced_assets: r.unpriced_assets,
    is_reconstructed: r.is_reconstructed,
  };
  for (const k of SNAPSHOT_DECIMALS) out[k] = r[k];
  return out as PortfolioSnapshot;
}

/** The latest snapshot: of one exchange, or the all-exchanges total with the per-exchange rows. Null when none. */
export async function portfolioSnapshot(tx: Tx, q: { exchange?: Exchange }): Promise<PortfolioSnapshotResponse | null> {
  const rows = (await tx`
    select exchange::text, snapshot_date::text, open_positions_count, total_trades_count, winning_trades_count,
           losing_trades_count, unpriced_assets, is_reconstructed, ${tx.unsafe(dec(...SNAPSHOT_DECIMALS))}
      from public.latest_portfolio_snapshots`).map(snapshot);
  const perExchange = rows.filter((r) => r.exchange !== null).sort((a, b) => String(a.exchange).localeCompare(String(b.exchange)));
  if (q.exchange) {
    const one = perExchange.find((r) => r.exchange === q.exchange);
    return one ? { ...one, exchanges: [one] } : null;
  }
  const total = rows.find((r) => r.exchange === null) ?? (perExchange.length === 1 ? perExchange[0] : undefined);
  return total ? { ...total, exchanges: perExchange } : null;
}

const DAY_MS = 86_400_000;

export async function equityCurve(tx: Tx, q: EquityCurveQuery): Promise<EquityCurveResponse> {
  const explicit = q.from !== undefined || q.to !== undefined;
  const period: TradePeriod | null = explicit ? null : (q.period ?? "90d");
  const exchange = q.exchange ?? null;
  // A period is defined once, in SQL (private.period_start, which get_trade_history's window
  // also reads): '1y' is interval '1 year', not 365 days. The curve starts on that instant's UTC day.
  const [w] = await tx`
    select (now() at time zone 'UTC')::date::text as today,
           (private.period_start(${period ?? "all"}::text, now()) at time zone 'UTC')::date::text as period_from`;
  const today: string = w.today;
  const to = q.to ?? today;
  let from: string;
  if (q.from) {
    from = q.from;
  } else if (period === "all") {
    const [r] = await tx`
      select min(snapshot_date)::text as first from public.portfolio_snapshots
       where user_id = (select auth.uid()) and exchange is not distinct from ${exchange}::public.exchange_id`;
    const floor = new Date(Date.parse(to) - MAX_CURVE_DAYS * DAY_MS).toISOString().slice(0, 10); // equity_curve's limit
    from = r.first && r.first < to ? (r.first < floor ? floor : r.first) : to;
  } else {
    from = w.period_from;
  }
  const rows = await tx`
    select c.date::text as date, c.is_reconstructed,
           trim_scale(c.balance)::text as balance, trim_scale(c.realized_pnl)::text as realized_pnl,
           trim_scale(c.unrealized_pnl)::text as unrealized_pnl, trim_scale(c.net_flows)::text as net_flows,
           trim_scale(c.twr_index)::text as twr_index
      from public.equity_curve(${from}::date, ${to}::date, ${exchange}::public.exchange_id) as c
     order by c.date`;
  const points: EquityPoint[] = rows.map((r) => ({
    date: r.date,
    balance: r.balance ?? "0",
    realized_pnl: r.realized_pnl ?? "0",
    unrealized_pnl: r.unrealized_pnl ?? "0",
    net_flows: r.net_flows ?? "0",
    twr_index: r.twr_index,
    is_reconstructed: Boolean(r.is_reconstructed),
  }));
  const [unpriced] = await tx`
    select u.unpriced_days, u.unpriced_assets
      from public.get_unpriced_summary(${from}::date, ${to}::date, ${exchange}::public.exchange_id) as u`;
  let flows = new Decimal(0);
  for (const p of points) flows = flows.plus(p.net_flows);
  const twr = points.map((p) => p.twr_index).filter((v): v is string => v !== null);
  const first = twr.length ? new Decimal(twr[0]) : null;
  const lastTwr = twr.length ? new Decimal(twr[twr.length - 1]) : null;
  return {
    data_points: points,
    initial_balance: points[0]?.balance ?? null,
    current_balance: points[points.length - 1]?.balance ?? null,
    total_return_percentage: first && lastTwr && !first.isZero() ? toPercentString(lastTwr.div(first).minus(1).times(100)) : null,
    net_flows: toDbString(flows),
    unpriced_days: unpriced?.unpriced_days ?? 0,
    unpriced_assets: unpriced?.unpriced_assets ?? [],
    period,
    from,
    to,
    exchange,
  };
}
