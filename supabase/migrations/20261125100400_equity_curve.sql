-- The equity curve for the API (GET /portfolio/equity-curve): the caller's daily points from
-- portfolio_snapshots (real and reconstructed), read under RLS (security invoker).
--
--   balance         total_balance of the day (equity in USDT at the end of the day)
--   realized_pnl    lifetime realized net PnL at the end of the day (cumulative)
--   unrealized_pnl  unrealized PnL of the positions open at the end of the day
--   net_flows       deposits − withdrawals of the day (USDT)
--   twr_index       time-weighted return index: 1 on the first point of the range, then
--                   × (1 + r_d) with r_d = (E_d − F_d) / E_prev − 1 (flows at the end of the day;
--                   a day whose previous equity is ≤ 0 leaves the index unchanged). The
--                   range's TWR is twr_index of the last point − 1.
--   is_reconstructed  the day was rebuilt backwards from fills, transfers and daily closes

/**
 * RPC for the frontend and the api function: the caller's daily equity points from p_from to
 * p_to (inclusive, UTC days, at most 3,660 days), for one exchange or all exchanges (p_exchange
 * NULL). Security invoker: RLS on portfolio_snapshots limits it to the caller's rows. Raises
 * 22023 on an invalid range.
 */
create or replace function public.equity_curve(p_from date, p_to date, p_exchange public.exchange_id default null)
returns table (
  date date,
  balance numeric,
  realized_pnl numeric,
  unrealized_pnl numeric,
  net_flows numeric,
  twr_index numeric,
  is_reconstructed boolean
)
language plpgsql
stable
security invoker
set search_path = ''
set jit = off
as $$
begin
  if p_from is null or p_to is null or p_to < p_from or p_to - p_from > 3660 then
    raise exception 'equity_curve: invalid range % .. % (from <= to, at most 3660 days)', p_from, p_to
      using errcode = '22023';
  end if;
  return query
  select q.snapshot_date, q.total_balance, q.total_realized_pnl, q.unrealized_pnl, q.net_flows,
         round(exp(sum(case when q.prev_e > 0 then ln(greatest((q.total_balance - q.net_flows) / q.prev_e, 1e-18)) else 0 end)
                     over (order by q.snapshot_date)), 12),
         q.is_reconstructed
    from (select s.snapshot_date, s.total_balance, s.total_realized_pnl, s.unrealized_pnl, s.net_flows, s.is_reconstructed,
                 lag(s.total_balance) over (order by s.snapshot_date) as prev_e
            from public.portfolio_snapshots as s
           where s.user_id = (select auth.uid())
             and s.exchange is not distinct from p_exchange
             and s.snapshot_date between p_from and p_to) as q
   order by q.snapshot_date;
end
$$;

revoke all on function public.equity_curve(date, date, public.exchange_id) from public, anon, authenticated, service_role;
grant execute on function public.equity_curve(date, date, public.exchange_id) to authenticated;
