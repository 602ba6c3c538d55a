-- Frontend read surface, part 1: positions with the current price and live unrealized PnL.
--
-- supabase-js reads these directly (supabase.from('open_positions')), and the `api` Edge
-- Function reads the same views as the calling user. Both views are security_invoker, so the
-- RLS of positions and market_prices applies; each also filters by (select auth.uid()) so a
-- caller's query plan starts from the caller's rows (index positions_user_status_idx).
--
-- Unrealized PnL is computed at read time from the latest `last` price of the position's
-- exchange and symbol (market_prices, served backwards by its unique index):
--   LONG: (current_price − entry_price) × quantity;  SHORT: (entry_price − current_price) × quantity
-- rounded once at scale 18 (amounts) and, as a percentage of total_cost, at scale 8
-- (Postgres round(): half away from zero). No stored price → current_price, unrealized_pnl and
-- unrealized_pnl_percentage are NULL (never a made-up 0); total_cost 0 → percentage NULL.
-- Closed positions keep their realized figures and have NULL price columns.

create or replace view public.positions_with_pnl
with (security_invoker = true)
as
select
  p.id,
  p.exchange,
  p.market_type,
  p.symbol,
  p.side,
  p.status,
  p.entry_price,
  p.quantity,
  p.total_cost,
  p.leverage,
  p.margin_mode,
  p.fees_paid,
  p.funding,
  p.stop_loss_price,
  p.take_profit_prices,
  p.realized_gross_pnl,
  p.realized_net_pnl,
  mp.price as current_price,
  mp.as_of as price_as_of,
  round(mp.price * p.quantity, 18) as position_value,
  case
    when mp.price is null then null
    when p.side = 'LONG' then round((mp.price - p.entry_price) * p.quantity, 18)
    else round((p.entry_price - mp.price) * p.quantity, 18)
  end as unrealized_pnl,
  case
    when mp.price is null or p.total_cost = 0 then null
    when p.side = 'LONG' then round((mp.price - p.entry_price) * p.quantity / p.total_cost * 100, 8)
    else round((p.entry_price - mp.price) * p.quantity / p.total_cost * 100, 8)
  end as unrealized_pnl_percentage,
  p.opened_at,
  p.closed_at,
  p.last_updated
from public.positions as p
left join lateral (
  select m.price, m.as_of
    from public.market_prices as m
   where p.status = 'OPEN'
     and m.exchange = p.exchange
     and m.symbol = p.symbol
     and m.kind = 'last'
   order by m.as_of desc
   limit 1
) as mp on true
where p.user_id = (select auth.uid());

comment on view public.positions_with_pnl is 'The caller''s positions (all statuses); OPEN ones with the latest stored price and unrealized PnL computed at read time (security invoker).';
comment on column public.positions_with_pnl.current_price is 'Latest `last` price of market_prices for the exchange and symbol (quote per base unit); NULL when none is stored or the position is closed.';
comment on column public.positions_with_pnl.price_as_of is 'Time of that price.';
comment on column public.positions_with_pnl.position_value is 'current_price × quantity, quote currency; NULL without a price.';
comment on column public.positions_with_pnl.unrealized_pnl is 'LONG (current − entry) × quantity, SHORT (entry − current) × quantity, quote currency, scale 18; NULL without a price.';
comment on column public.positions_with_pnl.unrealized_pnl_percentage is 'unrealized_pnl / total_cost × 100, scale 8 (not multiplied by leverage); NULL without a price or with total_cost 0.';

create or replace view public.open_positions
with (security_invoker = true)
as
select id, exchange, market_type, symbol, side, entry_price, quantity, total_cost, leverage, margin_mode,
       fees_paid, funding, stop_loss_price, take_profit_prices, current_price, price_as_of, position_value,
       unrealized_pnl, unrealized_pnl_percentage, opened_at, last_updated
  from public.positions_with_pnl
 where status = 'OPEN';

comment on view public.open_positions is 'The caller''s OPEN positions with current price and unrealized PnL (GET /api/positions/open reads it). Security invoker.';

revoke all on table public.positions_with_pnl, public.open_positions from public, anon, authenticated, service_role;
grant select on table public.positions_with_pnl, public.open_positions to authenticated;
