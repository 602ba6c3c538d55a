-- Unrealized PnL of open positions from the latest stored prices (pg_cron, every minute).
--
-- Spec formulas (PnL Calculation Logic, "Real-Time Unrealized PnL"), in the quote currency:
--   LONG : unrealized_pnl = (price − entry_price) × quantity
--   SHORT: unrealized_pnl = (entry_price − price) × quantity
--   unrealized_pnl_percentage = unrealized_pnl / total_cost × 100, NULL when total_cost = 0
--   (unknown cost basis: a percentage of nothing is undefined, not 0).
-- price is the latest effective price known now (private.symbol_price_at(…, now())). Positions
-- without any price keep their previous values. Only rows whose values change are written, so a
-- run on a quiet market writes nothing (no row churn, no needless WAL).

/**
 * Recomputes positions.unrealized_pnl and unrealized_pnl_percentage of every OPEN position from
 * the latest market price (spec formulas). Returns the number of positions updated. Called by
 * pg_cron every minute; callable directly by the service role.
 */
create or replace function private.update_unrealized_pnl()
returns integer
language plpgsql
set search_path = ''
set jit = off
as $$
declare
  v_count integer;
  v_now timestamptz := now();
begin
  with priced as (
    select s.exchange, s.symbol, private.symbol_price_at(s.exchange, s.symbol, v_now) as price
      from (select distinct p.exchange, p.symbol from public.positions as p where p.status = 'OPEN') as s
  ),
  computed as (
    select p.user_id, p.id,
           round(case when p.side = 'LONG' then (pr.price - p.entry_price) * p.quantity
                      else (p.entry_price - pr.price) * p.quantity end, 18) as pnl,
           p.total_cost
      from public.positions as p
      join priced as pr on pr.exchange = p.exchange and pr.symbol = p.symbol
     where p.status = 'OPEN' and pr.price is not null
  )
  update public.positions as p
     set unrealized_pnl = c.pnl,
         unrealized_pnl_percentage = case when c.total_cost <> 0 then round(c.pnl / c.total_cost * 100, 8) end
    from computed as c
   where p.user_id = c.user_id and p.id = c.id
     and (p.unrealized_pnl is distinct from c.pnl
          or p.unrealized_pnl_percentage is distinct from
             (case when c.total_cost <> 0 then round(c.pnl / c.total_cost * 100, 8) end));
  get diagnostics v_count = row_count;
  return v_count;
end
$$;

revoke all on function private.update_unrealized_pnl() from public, anon, authenticated;
grant execute on function private.update_unrealized_pnl() to service_role;
