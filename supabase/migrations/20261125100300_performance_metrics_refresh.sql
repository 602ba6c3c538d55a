-- Performance metrics: DAILY, WEEKLY, MONTHLY and ALL_TIME rows per user and exchange, plus the
-- all-exchanges row (exchange NULL), computed in SQL from trade_history and the daily equity
-- series (portfolio_snapshots, real or reconstructed). Full recompute of everyone, or one user's
-- affected periods only (incremental, after a position closes); both give the same rows.
--
-- ============================================================================================
-- FORMULAS (copy for the README)
-- ============================================================================================
-- Periods (UTC): DAILY [day 00:00, +1 day), WEEKLY [ISO Monday 00:00, +7 days), MONTHLY
-- [1st 00:00, +1 month); period_end is the exclusive end. ALL_TIME runs from the first entry
-- (or first snapshot day) to the last exit (or end of the last snapshot day). A period row
-- exists when the period holds a closed trade or a snapshot. A trade belongs to the period of
-- its exit_time. "all exchanges" rows (exchange NULL) use every trade of the user and the
-- all-exchanges snapshots.
--
-- Trade statistics (net_pnl of trade_history = gross − entry fees − exit fees + funding):
--   winning / losing / breakeven  net_pnl > 0 / < 0 / = 0
--   win_rate          winning / total × 100                          NULL with 0 trades
--   total_gross_pnl   Σ gross_pnl;  total_net_pnl  Σ net_pnl           0 with 0 trades
--   average_pnl_per_trade = expectancy = Σ net_pnl / total           NULL with 0 trades
--                     (expectancy = P(win)·avg win − P(loss)·|avg loss|, which equals the mean
--                     net PnL per trade when breakevens count as trades)
--   largest_win       max net_pnl of winners; largest_loss  min net_pnl of losers (negative)
--                                                                    NULL when none
--   gross_profit      Σ net_pnl of winners;  gross_loss  |Σ net_pnl of losers| (≥ 0)
--   profit_factor     gross_profit / gross_loss                      NULL when gross_loss = 0
--   payoff_ratio      (gross_profit / winning) / (gross_loss / losing)  NULL without a win or a loss
--   longest_win_streak / longest_loss_streak  longest run of consecutive winners / losers by
--                     (exit_time, symbol, close_key); a breakeven trade ends both     NULL with 0 trades
--   total_fees        Σ entry_fees + exit_fees (quote currency)
--   average_risk_per_trade  mean over trades with a stop loss of
--                     |entry_price − stop_loss_price| × entry_quantity / equity × 100, equity =
--                     the all-exchanges snapshot of the last day before the entry day
--                     NULL when no trade has a stop loss and a positive prior equity
--   average_hold_duration  mean hold_duration                        NULL with 0 trades
--   total_volume_traded    Σ entry_price × entry_quantity + exit_price × exit_quantity (both legs)
--
-- Returns from the equity series. E_d = total_balance of the snapshot of day d (equity, USDT),
-- F_d = net_flows of day d (deposits − withdrawals, at the end of the day). Points are the
-- snapshots of the period; the base point is the snapshot just before the period when there is
-- one, else the first point of the period (whose own flow is then part of the base).
--   daily return      r_d = (E_d − F_d) / E_prev − 1, E_prev = the previous snapshot's equity;
--                     undefined (skipped) when E_prev ≤ 0 (e.g. before the first deposit)
--   time_weighted_return (TWR) = (Π (1 + r_d) − 1) × 100 over the period's returns
--                     (daily chain-linked, flows at the end of the day: a deposit or withdrawal
--                     changes nothing)                               NULL with no return
--   roi_percentage    (E_last − E_base − ΣF) / (E_base + ΣF) × 100, ΣF = flows after the base:
--                     profit (realized + unrealized, after fees and funding, = change of equity
--                     not explained by flows) over net invested capital (equity at the start
--                     plus net deposits). Chosen because it is what a user means by "how much
--                     did my money make", is additive with flows, and never counts a deposit as
--                     profit; TWR beside it measures the strategy independently of flow timing.
--                                                                    NULL when E_base + ΣF ≤ 0
--   sharpe_ratio      mean(r) / stddev_samp(r) × √365 (risk-free rate 0, crypto trades every
--                     day)                                            NULL with < 2 returns or σ = 0
--   sortino_ratio     mean(r) / √(Σ min(r, 0)² / n) × √365            NULL with < 2 returns or
--                                                                    no negative return
--   max_drawdown      largest fall of the TWR index I (I_d = Π_{k≤d} (1 + r_k), flow-neutral)
--                     from its running peak, (peak − trough) / peak × 100, over the base point
--                     and the period's points; max_drawdown_peak_at / _trough_at are the days
--                     of that peak and trough (NULL when the drawdown is 0)
--                                                                    NULL with no equity point
--   max_drawdown_amount  the same episode in USDT: fall of flow-adjusted equity
--                     (E_d − cumulative flows) from the peak day to the trough day
--   calmar_ratio      annualised TWR / (max_drawdown / 100), annualised TWR =
--                     (1 + TWR)^(365 / days spanned) − 1                NULL with < 2 returns or
--                                                                    no drawdown
-- Every ratio that does not fit NUMERIC(20,8) (|x| ≥ 10^12, degenerate tiny denominators) is NULL.
-- Valuation: USDT; stablecoins at their USDT price when known, 1 otherwise (see
-- 20261125100000_valuation_helpers and 20261125100200_portfolio_snapshot_jobs).
-- ============================================================================================

comment on column public.performance_metrics.period_end is 'Exclusive end of the period (next period start); ALL_TIME: the last exit or the end of the last snapshot day.';
comment on column public.performance_metrics.average_risk_per_trade is 'Mean of |entry − stop loss| × quantity / prior-day equity × 100 over trades with a stop loss; NULL when none.';
comment on column public.performance_metrics.max_drawdown_peak_at is 'Day of the TWR-index peak before the largest drawdown (NULL when the drawdown is 0).';
comment on column public.performance_metrics.max_drawdown_trough_at is 'Day of the trough of the largest drawdown (NULL when the drawdown is 0).';
comment on column public.performance_metrics.sortino_ratio is 'mean(r) / √(Σ min(r,0)² / n) × √365 over daily returns; NULL with fewer than two returns or no negative one.';
comment on column public.performance_metrics.calmar_ratio is 'Annualised TWR / max drawdown; NULL with fewer than two returns or no drawdown.';
comment on column public.performance_metrics.expectancy is 'Mean net PnL per trade (win rate × average win − loss rate × average loss), quote currency; NULL with no trades.';
comment on column public.performance_metrics.payoff_ratio is 'Average win / |average loss|; NULL without a win or without a loss.';
comment on column public.performance_metrics.total_volume_traded is 'Σ entry and exit notional (price × quantity of both legs), quote currency.';

/**
 * Recomputes performance_metrics. p_user_id NULL = everyone; p_since NULL = every period, else
 * only the DAILY / WEEKLY / MONTHLY periods that end after p_since, plus ALL_TIME (the affected
 * periods after a close at p_since). Deletes the periods in scope and inserts them again, so a
 * full recompute and incremental ones give the same rows. Formulas in this migration's header.
 * Returns the number of rows written.
 */
create or replace function private.refresh_performance_metrics(
  p_user_id uuid default null,
  p_since timestamptz default null
)
returns integer
language plpgsql
set search_path = ''
set jit = off
set plan_cache_mode = force_custom_plan
as $$
declare
  v_day timestamptz := date_trunc('day', p_since, 'UTC');
  v_week timestamptz := date_trunc('week', p_since, 'UTC');
  v_month timestamptz := date_trunc('month', p_since, 'UTC');
  v_count integer;
begin
  -- Serialise refreshes: a full refresh excludes every other; refreshes of one user exclude each other.
  if p_user_id is null then
    perform pg_advisory_xact_lock(7400231, 0);
  else
    perform pg_advisory_xact_lock_shared(7400231, 0);
    perform pg_advisory_xact_lock(7400231, hashtext(p_user_id::text));
  end if;

  delete from public.performance_metrics as pm
   where (p_user_id is null or pm.user_id = p_user_id)
     and (p_since is null
          or pm.period_type = 'ALL_TIME'
          or (pm.period_type = 'DAILY' and pm.period_start >= v_day)
          or (pm.period_type = 'WEEKLY' and pm.period_start >= v_week)
          or (pm.period_type = 'MONTHLY' and pm.period_start >= v_month));

  with tx as (
    -- Each trade once for its exchange and once for all exchanges (xk = '' ), with its outcome.
    select th.user_id, k.exchange, coalesce(k.exchange::text, '') as xk, th.id, th.entry_time, th.exit_time,
           th.symbol as order_symbol, th.close_key as order_key,
           th.net_pnl, th.gross_pnl, th.entry_fees + th.exit_fees as fees,
           th.entry_price * th.entry_quantity + th.exit_price * th.exit_quantity as volume,
           th.hold_duration, sign(th.net_pnl) as outcome,
           case when th.stop_loss_price is not null then
             (select abs(th.entry_price - th.stop_loss_price) * th.entry_quantity / s.total_balance * 100
                from public.portfolio_snapshots as s
               where s.user_id = th.user_id and s.exchange is null
                 and s.snapshot_date < (th.entry_time at time zone 'UTC')::date
                 and s.total_balance > 0
               order by s.snapshot_date desc
               limit 1)
           end as risk_pct
      from public.trade_history as th
     cross join lateral (values (th.exchange), (null::public.exchange_id)) as k (exchange)
     where (p_user_id is null or th.user_id = p_user_id)
  ),
  -- Runs of equal outcomes along each sequence (gaps and islands): island is constant within a
  -- run and distinct between runs of the same outcome; a breakeven trade ends any run.
  seq as (
    select t.*,
           -- ties on exit_time are broken by the engine's natural key, not by id (ids differ
           -- between an incremental run and a rebuild; the streaks must not)
           row_number() over (partition by t.user_id, t.xk order by t.exit_time, t.order_symbol, t.order_key)
         - row_number() over (partition by t.user_id, t.xk, t.outcome order by t.exit_time, t.order_symbol, t.order_key) as island
      from tx as t
  ),
  -- Per period in scope and per (part of a) run: a run crossing a period boundary splits there.
  runs as (
    select s.user_id, s.xk, max(s.exchange) as exchange, pt.period_type, pt.period_start, s.outcome, s.island,
           count(*) as n, sum(s.gross_pnl) as gross, sum(s.net_pnl) as net,
           max(s.net_pnl) as max_net, min(s.net_pnl) as min_net, sum(s.fees) as fees,
           sum(s.risk_pct) as risk_sum, count(s.risk_pct) as risk_n, sum(s.hold_duration) as hold_sum,
           sum(s.volume) as volume, min(s.entry_time) as first_entry, max(s.exit_time) as last_exit
      from seq as s
     cross join lateral (values
        ('DAILY'::text, date_trunc('day', s.exit_time, 'UTC'), v_day),
        ('WEEKLY'::text, date_trunc('week', s.exit_time, 'UTC'), v_week),
        ('MONTHLY'::text, date_trunc('month', s.exit_time, 'UTC'), v_month),
        ('ALL_TIME'::text, '-infinity'::timestamptz, null::timestamptz)) as pt (period_type, period_start, scope_start)
     where pt.period_type = 'ALL_TIME' or p_since is null or pt.period_start >= pt.scope_start
     group by s.user_id, s.xk, pt.period_type, pt.period_start, s.outcome, s.island
  ),
  trade_stats as (
    select r.user_id, r.xk, max(r.exchange) as exchange, r.period_type, r.period_start,
           sum(r.n) as n,
           coalesce(sum(r.n) filter (where r.outcome > 0), 0) as wins,
           coalesce(sum(r.n) filter (where r.outcome < 0), 0) as losses,
           coalesce(sum(r.n) filter (where r.outcome = 0), 0) as breakeven,
           sum(r.gross) as gross,
           sum(r.net) as net,
           max(r.max_net) filter (where r.outcome > 0) as best,
           min(r.min_net) filter (where r.outcome < 0) as worst,
           coalesce(sum(r.net) filter (where r.outcome > 0), 0) as gross_profit,
           coalesce(-sum(r.net) filter (where r.outcome < 0), 0) as gross_loss,
           sum(r.fees) as fees,
           sum(r.risk_sum) / nullif(sum(r.risk_n), 0) as risk,
           sum(r.hold_sum) / sum(r.n)::double precision as hold,
           sum(r.volume) as volume,
           min(r.first_entry) as first_entry,
           max(r.last_exit) as last_exit,
           max(r.n) filter (where r.outcome > 0) as win_streak,
           max(r.n) filter (where r.outcome < 0) as loss_streak
      from runs as r
     group by r.user_id, r.xk, r.period_type, r.period_start
  ),
  -- The equity series, with daily returns, TWR index and flow-adjusted equity.
  eq0 as (
    select s.user_id, s.exchange, s.snapshot_date as d, s.total_balance as e, s.net_flows as f,
           lag(s.snapshot_date) over w as prev_d,
           lag(s.total_balance) over w as prev_e,
           sum(s.net_flows) over w as cum_f
      from public.portfolio_snapshots as s
     where (p_user_id is null or s.user_id = p_user_id)
    window w as (partition by s.user_id, s.exchange order by s.snapshot_date)
  ),
  eq1 as (
    select q.*, case when q.prev_e > 0 then (q.e - q.f) / q.prev_e - 1 end as r
      from eq0 as q
  ),
  eq2 as (
    select q.*,
           exp(sum(case when q.r is null then 0 else ln(greatest(1 + q.r, 1e-18)) end)
                 over (partition by q.user_id, q.exchange order by q.d)) as idx,
           q.e - q.cum_f as adj
      from eq1 as q
  ),
  eq as (
    select q.*,
           lag(q.idx) over (partition by q.user_id, q.exchange order by q.d) as prev_idx,
           lag(q.adj) over (partition by q.user_id, q.exchange order by q.d) as prev_adj
      from eq2 as q
  ),
  ep as (
    select q.user_id, q.exchange, coalesce(q.exchange::text, '') as xk, pt.period_type, pt.period_start, q.d, q.e, q.f, q.r, q.idx, q.adj,
           q.prev_d, q.prev_e, q.prev_idx, q.prev_adj
      from eq as q
     cross join lateral (values
        ('DAILY'::text, q.d::timestamp at time zone 'UTC', v_day),
        ('WEEKLY'::text, date_trunc('week', q.d::timestamp) at time zone 'UTC', v_week),
        ('MONTHLY'::text, date_trunc('month', q.d::timestamp) at time zone 'UTC', v_month),
        ('ALL_TIME'::text, '-infinity'::timestamptz, null::timestamptz)) as pt (period_type, period_start, scope_start)
     where pt.period_type = 'ALL_TIME' or p_since is null or pt.period_start >= pt.scope_start
  ),
  ep_dd as (
    select x.*,
           case when x.peak[1] > 0 then 1 - x.idx / x.peak[1] end as dd
      from (select p.*,
                   greatest(
                     first_value(case when p.prev_d is not null then array[p.prev_idx, (p.prev_d - date '2000-01-01')::numeric, p.prev_adj]
                                      else array[p.idx, (p.d - date '2000-01-01')::numeric, p.adj] end)
                       over pw,
                     max(array[p.idx, (p.d - date '2000-01-01')::numeric, p.adj]) over pw) as peak
              from ep as p
            window pw as (partition by p.user_id, p.xk, p.period_type, p.period_start order by p.d
                          rows between unbounded preceding and current row)) as x
  ),
  equity_stats as (
    select g.*,
           case when g.n_ret >= 2 and g.sd > 0 then g.mean_r / g.sd * sqrt(365::numeric) end as sharpe,
           case when g.n_ret >= 2 and g.down_sq > 0 then g.mean_r / sqrt(g.down_sq / g.n_ret) * sqrt(365::numeric) end as sortino
      from (select p.user_id, p.xk, p.exchange, p.period_type, p.period_start,
                   count(p.r) as n_ret,
                   avg(p.r) as mean_r,
                   stddev_samp(p.r) as sd,
                   sum(least(p.r, 0) ^ 2) as down_sq,
                   exp(sum(ln(greatest(1 + p.r, 1e-18))) filter (where p.r is not null)) - 1 as twr,
                   (array_agg(p.prev_d order by p.d))[1] as base_prev_d,
                   (array_agg(p.prev_e order by p.d))[1] as base_prev_e,
                   (array_agg(p.e order by p.d))[1] as first_e,
                   (array_agg(p.f order by p.d))[1] as first_f,
                   (array_agg(p.d order by p.d))[1] as first_d,
                   (array_agg(p.e order by p.d desc))[1] as last_e,
                   max(p.d) as last_d,
                   sum(p.f) as sum_f,
                   (array_agg(array[coalesce(p.dd, 0), (p.d - date '2000-01-01')::numeric, p.adj, p.peak[2], p.peak[3]]
                              order by coalesce(p.dd, 0) desc, p.d))[1:1] as worst
              from ep_dd as p
             group by p.user_id, p.xk, p.exchange, p.period_type, p.period_start) as g
  ),
  equity_final as (
    select s.user_id, s.xk, s.exchange, s.period_type, s.period_start, s.first_d, s.last_d, s.n_ret, s.sharpe, s.sortino,
           case when s.n_ret > 0 then s.twr end as twr,
           s.worst[1][1] as max_dd,
           case when s.worst[1][1] > 0 then s.worst[1][5] - s.worst[1][3] else 0 end as max_dd_amount,
           case when s.worst[1][1] > 0 then date '2000-01-01' + s.worst[1][4]::integer end as peak_at,
           case when s.worst[1][1] > 0 then date '2000-01-01' + s.worst[1][2]::integer end as trough_at,
           case when s.base_prev_d is not null then s.base_prev_e else s.first_e end as base_e,
           case when s.base_prev_d is not null then s.sum_f else s.sum_f - s.first_f end as flows,
           case when s.base_prev_d is not null then s.base_prev_d else s.first_d end as base_d,
           s.last_e
      from equity_stats as s
  ),
  -- One row per period: its trade statistics and its equity statistics (at most one of each),
  -- merged by aggregation rather than joins (robust plans whatever the estimates).
  merged as (
    select u.user_id, u.xk, max(u.exchange) as exchange, u.period_type, u.period_start,
           max(u.n) as n, max(u.wins) as wins, max(u.losses) as losses, max(u.breakeven) as breakeven,
           max(u.gross) as gross, max(u.net) as net, max(u.best) as best, max(u.worst) as worst,
           max(u.gross_profit) as gross_profit, max(u.gross_loss) as gross_loss, max(u.fees) as fees,
           max(u.risk) as risk, max(u.hold) as hold, max(u.volume) as volume, max(u.first_entry) as first_entry,
           max(u.last_exit) as last_exit, max(u.win_streak) as win_streak, max(u.loss_streak) as loss_streak,
           max(u.first_d) as first_d, max(u.last_d) as last_d, max(u.n_ret) as n_ret, max(u.sharpe) as sharpe,
           max(u.sortino) as sortino, max(u.twr) as twr, max(u.max_dd) as max_dd, max(u.max_dd_amount) as max_dd_amount,
           max(u.peak_at) as peak_at, max(u.trough_at) as trough_at, max(u.base_e) as base_e, max(u.flows) as flows,
           max(u.base_d) as base_d, max(u.last_e) as last_e
      from (select t.user_id, t.xk, t.exchange, t.period_type, t.period_start,
                   t.n, t.wins, t.losses, t.breakeven, t.gross, t.net, t.best, t.worst, t.gross_profit, t.gross_loss,
                   t.fees, t.risk, t.hold, t.volume, t.first_entry, t.last_exit, t.win_streak, t.loss_streak,
                   null::date as first_d, null::date as last_d, null::bigint as n_ret, null::numeric as sharpe,
                   null::numeric as sortino, null::numeric as twr, null::numeric as max_dd, null::numeric as max_dd_amount,
                   null::date as peak_at, null::date as trough_at, null::numeric as base_e, null::numeric as flows,
                   null::date as base_d, null::numeric as last_e
              from trade_stats as t
            union all
            select e.user_id, e.xk, e.exchange, e.period_type, e.period_start,
                   null, null, null, null, null, null, null, null, null, null,
                   null, null, null, null, null, null, null, null,
                   e.first_d, e.last_d, e.n_ret, e.sharpe, e.sortino, e.twr, e.max_dd, e.max_dd_amount,
                   e.peak_at, e.trough_at, e.base_e, e.flows, e.base_d, e.last_e
              from equity_final as e) as u
     group by u.user_id, u.xk, u.period_type, u.period_start
  ),
  written as (
    insert into public.performance_metrics (
      user_id, exchange, period_start, period_end, period_type,
      total_trades, winning_trades, losing_trades, breakeven_trades, win_rate,
      total_gross_pnl, total_net_pnl, average_pnl_per_trade, largest_win, largest_loss,
      gross_profit, gross_loss, profit_factor, total_fees, average_risk_per_trade,
      max_drawdown, max_drawdown_amount, max_drawdown_peak_at, max_drawdown_trough_at,
      average_hold_duration, total_volume_traded, sharpe_ratio, sortino_ratio, calmar_ratio,
      expectancy, payoff_ratio, longest_win_streak, longest_loss_streak, time_weighted_return,
      roi_percentage, calculated_at)
    select m.user_id, m.exchange,
           case when m.period_type = 'ALL_TIME'
                then least(m.first_entry, m.first_d::timestamp at time zone 'UTC')
                else m.period_start end,
           case m.period_type
                when 'DAILY' then m.period_start + interval '1 day'
                when 'WEEKLY' then m.period_start + interval '7 days'
                when 'MONTHLY' then (date_trunc('month', m.period_start at time zone 'UTC') + interval '1 month') at time zone 'UTC'
                else greatest(m.last_exit, (m.last_d + 1)::timestamp at time zone 'UTC') end,
           m.period_type,
           coalesce(m.n, 0)::integer, coalesce(m.wins, 0)::integer, coalesce(m.losses, 0)::integer,
           coalesce(m.breakeven, 0)::integer,
           case when m.n > 0 then round(m.wins::numeric / m.n * 100, 8) end,
           coalesce(m.gross, 0), coalesce(m.net, 0),
           case when m.n > 0 then round(m.net / m.n, 18) end,
           m.best, m.worst,
           coalesce(m.gross_profit, 0), coalesce(m.gross_loss, 0),
           case when m.gross_loss > 0 then case when abs(m.gross_profit / m.gross_loss) < 1e12 then round(m.gross_profit / m.gross_loss, 8) end end,
           coalesce(m.fees, 0),
           case when abs(m.risk) < 1e12 then round(m.risk, 8) end,
           case when abs(m.max_dd * 100) < 1e12 then round(m.max_dd * 100, 8) end,
           round(m.max_dd_amount, 18),
           m.peak_at, m.trough_at,
           m.hold,
           coalesce(m.volume, 0),
           case when abs(m.sharpe) < 1e12 then round(m.sharpe, 8) end,
           case when abs(m.sortino) < 1e12 then round(m.sortino, 8) end,
           case when m.n_ret >= 2 and m.max_dd > 0 and m.last_d > m.base_d and m.twr > -1
                 and ln(1 + m.twr) * 365 / (m.last_d - m.base_d) < 27
                then case when abs((exp(ln(1 + m.twr) * 365 / (m.last_d - m.base_d)) - 1) / m.max_dd) < 1e12 then round((exp(ln(1 + m.twr) * 365 / (m.last_d - m.base_d)) - 1) / m.max_dd, 8) end end,
           case when m.n > 0 then round(m.net / m.n, 18) end,
           case when m.wins > 0 and m.losses > 0
                then case when abs((m.gross_profit / m.wins) / (m.gross_loss / m.losses)) < 1e12 then round((m.gross_profit / m.wins) / (m.gross_loss / m.losses), 8) end end,
           case when m.n > 0 then coalesce(m.win_streak, 0)::integer end,
           case when m.n > 0 then coalesce(m.loss_streak, 0)::integer end,
           case when abs(m.twr * 100) < 1e12 then round(m.twr * 100, 8) end,
           case when m.base_e + m.flows > 0
                then case when abs((m.last_e - m.base_e - m.flows) / (m.base_e + m.flows) * 100) < 1e12 then round((m.last_e - m.base_e - m.flows) / (m.base_e + m.flows) * 100, 8) end end,
           now()
      from merged as m
    returning 1
  )
  select count(*)::integer into v_count from written;
  return v_count;
end
$$;

revoke all on function private.refresh_performance_metrics(uuid, timestamptz) from public, anon, authenticated;
grant execute on function private.refresh_performance_metrics(uuid, timestamptz) to service_role;
