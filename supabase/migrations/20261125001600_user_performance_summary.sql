-- The spec's user_performance_summary materialized view, corrected and locked away.
--
-- A materialized view bypasses RLS, so it lives in the unexposed schema `private`, no API role
-- can select it, and users read their own rows only through
--   public.get_user_performance_summary()  (security invoker, callable by authenticated)
--   → private.user_performance_summary_for_caller()  (security definer, filters by auth.uid()).
-- `authenticated` gets USAGE on schema private for that single function: USAGE only resolves
-- names; no other object of private is granted to it.
-- Corrections to the spec: largest_win / largest_loss are the best winning and worst losing
-- trade (the spec's MAX/MIN over all trades called a loss the "largest win" when there was no
-- win); they are NULL when there is none. A unique index allows REFRESH … CONCURRENTLY.

create materialized view if not exists private.user_performance_summary as
select
  th.user_id,
  th.exchange,
  count(*)::bigint as total_trades,
  count(*) filter (where th.net_pnl > 0)::bigint as winning_trades,
  count(*) filter (where th.net_pnl < 0)::bigint as losing_trades,
  sum(th.net_pnl) as total_pnl,
  round(avg(th.net_pnl), 18) as avg_pnl,
  max(th.net_pnl) filter (where th.net_pnl > 0) as largest_win,
  min(th.net_pnl) filter (where th.net_pnl < 0) as largest_loss,
  sum(th.entry_fees + th.exit_fees) as total_fees,
  max(th.exit_time) as last_exit_time
from public.trade_history as th
group by th.user_id, th.exchange
with no data;

comment on materialized view private.user_performance_summary is 'Per user and exchange: trade counts and PnL totals from trade_history. Bypasses RLS: read only through public.get_user_performance_summary().';

create unique index if not exists user_performance_summary_user_exchange_idx
  on private.user_performance_summary (user_id, exchange);

refresh materialized view private.user_performance_summary;

revoke all on private.user_performance_summary from public, anon, authenticated, service_role;

/**
 * Refreshes private.user_performance_summary without blocking readers (CONCURRENTLY, thanks to
 * its unique index). For pg_cron (hourly) and for the service role after bulk changes.
 */
create or replace function private.refresh_user_performance_summary()
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  refresh materialized view concurrently private.user_performance_summary;
end
$$;

revoke all on function private.refresh_user_performance_summary() from public, anon, authenticated;
grant execute on function private.refresh_user_performance_summary() to service_role;

/**
 * The caller's rows of private.user_performance_summary (one per exchange), filtered by
 * auth.uid(). Security definer so that it can read the materialized view; takes no user id, so
 * nobody can ask for another user's rows.
 */
create or replace function private.user_performance_summary_for_caller()
returns table (
  exchange public.exchange_id,
  total_trades bigint,
  winning_trades bigint,
  losing_trades bigint,
  total_pnl numeric,
  avg_pnl numeric,
  largest_win numeric,
  largest_loss numeric,
  total_fees numeric,
  last_exit_time timestamptz
)
language sql
stable
security definer
set search_path = ''
as $$
  select s.exchange, s.total_trades, s.winning_trades, s.losing_trades, s.total_pnl, s.avg_pnl,
         s.largest_win, s.largest_loss, s.total_fees, s.last_exit_time
    from private.user_performance_summary as s
   where s.user_id = (select auth.uid())
   order by s.exchange
$$;

revoke all on function private.user_performance_summary_for_caller() from public, anon, authenticated;
grant usage on schema private to authenticated;
grant execute on function private.user_performance_summary_for_caller() to authenticated;

/**
 * RPC for the frontend (supabase.rpc('get_user_performance_summary')): the caller's trade
 * counts and PnL totals per exchange, from the hourly-refreshed summary.
 */
create or replace function public.get_user_performance_summary()
returns table (
  exchange public.exchange_id,
  total_trades bigint,
  winning_trades bigint,
  losing_trades bigint,
  total_pnl numeric,
  avg_pnl numeric,
  largest_win numeric,
  largest_loss numeric,
  total_fees numeric,
  last_exit_time timestamptz
)
language sql
stable
security invoker
set search_path = ''
as $$
  select * from private.user_performance_summary_for_caller()
$$;

revoke all on function public.get_user_performance_summary() from public, anon, authenticated;
grant execute on function public.get_user_performance_summary() to authenticated;
