-- Frontend read surface, part 3: performance metrics by period and the latest portfolio
-- snapshots (GET /api/performance/metrics, GET /api/portfolio/snapshot read these).
-- The equity curve is issue 7's public.equity_curve(p_from, p_to, p_exchange); the performance
-- summary is public.get_user_performance_summary() (issue 3). Both are invoker RPCs already.

/**
 * RPC (supabase.rpc('get_performance_metrics', { p_period: 'monthly' })): the caller's stored
 * performance metrics of one period type, latest period first: p_period 'daily' | 'weekly' |
 * 'monthly' | 'all_time' (case-insensitive), p_exchange NULL = the all-exchanges rows,
 * p_limit 1..400 periods (default 1: the latest). Periods that start in the future are skipped.
 * Security invoker: RLS of performance_metrics applies.
 */
create or replace function public.get_performance_metrics(
  p_period text default 'monthly',
  p_exchange public.exchange_id default null,
  p_limit integer default 1
)
returns setof public.performance_metrics
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_type text := upper(replace(coalesce(p_period, 'monthly'), '-', '_'));
begin
  if v_type not in ('DAILY', 'WEEKLY', 'MONTHLY', 'ALL_TIME') then
    raise exception 'unknown period "%"; accepted values: daily, weekly, monthly, all_time', p_period
      using errcode = '22023';
  end if;
  if p_limit is null or p_limit < 1 or p_limit > 400 then
    raise exception 'limit must be between 1 and 400 (got %)', coalesce(p_limit::text, 'null')
      using errcode = '22023';
  end if;
  return query
  select m.*
    from public.performance_metrics as m
   where m.user_id = (select auth.uid())
     and m.period_type = v_type
     and m.exchange is not distinct from p_exchange
     and m.period_start <= now()
   order by m.period_start desc
   limit p_limit;
end
$$;

revoke all on function public.get_performance_metrics(text, public.exchange_id, integer) from public, anon, authenticated;
grant execute on function public.get_performance_metrics(text, public.exchange_id, integer) to authenticated;

-- The latest snapshot per exchange, and the all-exchanges total (exchange NULL): one backward
-- walk of the unique index unique_snapshot (user_id, exchange, snapshot_date) per trading
-- exchange of the enum and one for the total, instead of sorting every snapshot the user has
-- (DISTINCT ON). The ORDER BY names all index columns so that the planner keeps that index
-- (ordering by snapshot_date alone made it walk portfolio_snapshots_date_idx across all users).
-- Under RLS the enum equality (enum_eq is not leakproof) is a filter after the index condition
-- on user_id, so a probe for an exchange the user never had reads that user's rows once.
create or replace view public.latest_portfolio_snapshots
with (security_invoker = true)
as
select l.*
  from unnest(enum_range(null::public.exchange_id)) as e (exchange)
  cross join lateral (
    select s.id, s.exchange, s.snapshot_date, s.total_balance, s.available_balance, s.locked_balance,
         s.total_positions_value, s.unrealized_pnl, s.open_positions_count, s.total_realized_pnl, s.total_trades_count,
         s.winning_trades_count, s.losing_trades_count, s.win_rate, s.total_fees_paid, s.average_trade_pnl,
         s.largest_win, s.largest_loss, s.net_flows, s.unpriced_assets, s.is_reconstructed, s.updated_at
      from public.portfolio_snapshots as s
     where s.user_id = (select auth.uid())
       and s.exchange = e.exchange
     order by s.user_id desc, s.exchange desc, s.snapshot_date desc -- the index's order: no sort, no other index
     limit 1
  ) as l
 where e.exchange <> 'alpha_vantage'
union all
select t.*
  from (
    select s.id, s.exchange, s.snapshot_date, s.total_balance, s.available_balance, s.locked_balance,
         s.total_positions_value, s.unrealized_pnl, s.open_positions_count, s.total_realized_pnl, s.total_trades_count,
         s.winning_trades_count, s.losing_trades_count, s.win_rate, s.total_fees_paid, s.average_trade_pnl,
         s.largest_win, s.largest_loss, s.net_flows, s.unpriced_assets, s.is_reconstructed, s.updated_at
      from public.portfolio_snapshots as s
     where s.user_id = (select auth.uid())
       and s.exchange is null
     order by s.user_id desc, s.exchange desc, s.snapshot_date desc -- the index's order: no sort, no other index
     limit 1
  ) as t;

comment on view public.latest_portfolio_snapshots is 'The caller''s latest portfolio snapshot per exchange, plus the all-exchanges total (exchange NULL). Security invoker.';
comment on column public.latest_portfolio_snapshots.exchange is 'NULL for the all-exchanges total.';

revoke all on table public.latest_portfolio_snapshots from public, anon, authenticated, service_role;
grant select on table public.latest_portfolio_snapshots to authenticated;
