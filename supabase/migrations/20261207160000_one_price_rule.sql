-- One price rule and one unrealized-PnL formula for every reader (issue 16).
--
-- Before: the pg_cron job stored positions.unrealized_pnl from private.symbol_price_at (latest
-- effective price of any kind, with fallbacks), while the positions_with_pnl / open_positions
-- views (and through them GET api/positions/open) computed it live from the same exchange's
-- kind = 'last' price only. Where only daily closes were stored (every imported account) the
-- views said "unpriced"; where an old ticker existed they valued at it although newer daily
-- closes were stored. Decided: the cron's rule is the right one (a close_1d is a price like any
-- other, effective when its day closes); the views now call it.
--
-- The rule, defined once (private.price_point_at for one exchange and symbol,
-- private.symbol_price_point_at for a position's symbol with its fallbacks):
--   * kind 'last' is effective at its as_of; kind 'close_1d' (the daily candle starting at as_of,
--     a UTC day start — also where daily OHLCV candles land) at as_of + 1 day, when the day closes;
--   * the price with the latest effective instant <= T; if none, the first 'last' within one
--     hour after T; otherwise none;
--   * a position's symbol: that rule on the position's exchange, then on its spot twin
--     (BTC/USDT for BTC/USDT:USDT) on the same exchange, then on any other exchange (enum order);
--   * none found → unpriced: NULL price and NULL unrealized PnL, never 0.
-- The scalar forms private.price_at / private.symbol_price_at (used by snapshots, reconstruction
-- and fee valuation) keep their signatures and now read the point functions.
--
-- The formula, defined once (private.unrealized_pnl / private.unrealized_pnl_percentage):
--   LONG (price − entry_price) × quantity, SHORT (entry_price − price) × quantity, rounded at
--   scale 18; percentage = that rounded amount / total_cost × 100 at scale 8, NULL when
--   total_cost = 0 or no price.
-- The cron job stores exactly what the views compute at the same instant (pinned by
-- tests/db/price-rule-agreement.test.ts), including NULL for an open position without a price.

/**
 * Price of p_symbol on p_exchange at instant p_at and the instant it became effective
 * ('last' at as_of, 'close_1d' at as_of + 1 day): the latest effective at or before p_at, else
 * the first 'last' within an hour after p_at, else no row. The one price rule of the project.
 */
create or replace function private.price_point_at(p_exchange public.exchange_id, p_symbol text, p_at timestamptz)
returns table (price numeric, priced_at timestamptz)
language sql
stable
parallel safe
set search_path = ''
as $$
  select y.price, y.priced_at
    from ((select x.price, x.priced_at, 0 as pass
             from ((select mp.price, mp.as_of as priced_at
                      from public.market_prices as mp
                     where mp.exchange = p_exchange and mp.symbol = p_symbol and mp.kind = 'last' and mp.as_of <= p_at
                     order by mp.as_of desc
                     limit 1)
                   union all
                   (select mp.price, mp.as_of + interval '1 day' as priced_at
                      from public.market_prices as mp
                     where mp.exchange = p_exchange and mp.symbol = p_symbol and mp.kind = 'close_1d'
                       and mp.as_of <= p_at - interval '1 day'
                     order by mp.as_of desc
                     limit 1)) as x
            order by x.priced_at desc
            limit 1)
          union all
          (select mp.price, mp.as_of as priced_at, 1 as pass
             from public.market_prices as mp
            where mp.exchange = p_exchange and mp.symbol = p_symbol and mp.kind = 'last'
              and mp.as_of > p_at and mp.as_of <= p_at + interval '1 hour'
            order by mp.as_of
            limit 1)) as y
   order by y.pass
   limit 1
$$;

/**
 * Price of a position's symbol at p_at in its quote currency, with where it was found: the
 * symbol on p_exchange, then its spot twin (BTC/USDT for BTC/USDT:USDT) on p_exchange, then the
 * symbol on any other exchange (enum order). No row when unpriced. Each fallback is only looked
 * at when the previous one found nothing.
 */
create or replace function private.symbol_price_point_at(p_exchange public.exchange_id, p_symbol text, p_at timestamptz)
returns table (price numeric, priced_at timestamptz, price_exchange public.exchange_id, price_symbol text)
language plpgsql
stable
parallel safe
set search_path = ''
as $$
begin
  return query
    select pp.price, pp.priced_at, p_exchange, p_symbol
      from private.price_point_at(p_exchange, p_symbol, p_at) as pp;
  if found then
    return;
  end if;
  if p_symbol like '%:%' then
    return query
      select pp.price, pp.priced_at, p_exchange, split_part(p_symbol, ':', 1)
        from private.price_point_at(p_exchange, split_part(p_symbol, ':', 1), p_at) as pp;
    if found then
      return;
    end if;
  end if;
  return query
    select pp.price, pp.priced_at, e.exchange, p_symbol
      from unnest(enum_range(null::public.exchange_id)) as e (exchange)
     cross join lateral private.price_point_at(e.exchange, p_symbol, p_at) as pp
     where e.exchange <> p_exchange and e.exchange <> 'alpha_vantage'
     order by e.exchange
     limit 1;
end
$$;

/** Scalar form of private.price_point_at: the price only, NULL when unpriced. */
create or replace function private.price_at(p_exchange public.exchange_id, p_symbol text, p_at timestamptz)
returns numeric
language sql
stable
parallel safe
set search_path = ''
as $$
  select (select pp.price from private.price_point_at(p_exchange, p_symbol, p_at) as pp)
$$;

/** Scalar form of private.symbol_price_point_at: the price only, NULL when unpriced. */
create or replace function private.symbol_price_at(p_exchange public.exchange_id, p_symbol text, p_at timestamptz)
returns numeric
language sql
stable
parallel safe
set search_path = ''
as $$
  select (select sp.price from private.symbol_price_point_at(p_exchange, p_symbol, p_at) as sp)
$$;

/**
 * Unrealized PnL of an open quantity at p_price, quote currency, scale 18: LONG
 * (price − entry) × quantity, SHORT (entry − price) × quantity. NULL when p_price is NULL.
 */
create or replace function private.unrealized_pnl(p_side text, p_entry_price numeric, p_quantity numeric, p_price numeric)
returns numeric
language sql
immutable
parallel safe
set search_path = ''
as $$
  select round(case when p_side = 'LONG' then (p_price - p_entry_price) * p_quantity
                    else (p_entry_price - p_price) * p_quantity end, 18)
$$;

/**
 * private.unrealized_pnl(…) / p_total_cost × 100 at scale 8 (not multiplied by leverage); NULL
 * when p_price is NULL or p_total_cost = 0 (a percentage of an unknown cost is undefined).
 */
create or replace function private.unrealized_pnl_percentage(p_side text, p_entry_price numeric, p_quantity numeric,
                                                             p_total_cost numeric, p_price numeric)
returns numeric
language sql
immutable
parallel safe
set search_path = ''
as $$
  select case when p_total_cost <> 0
              then round(private.unrealized_pnl(p_side, p_entry_price, p_quantity, p_price) / p_total_cost * 100, 8) end
$$;

-- The views call the rule as the caller (security invoker): they only read market_prices, which
-- signed-in users may read. authenticated already has USAGE on schema private (migration
-- 20261125001600); EXECUTE is granted per function.
revoke all on function private.price_point_at(public.exchange_id, text, timestamptz) from public, anon, authenticated;
revoke all on function private.symbol_price_point_at(public.exchange_id, text, timestamptz) from public, anon, authenticated;
revoke all on function private.unrealized_pnl(text, numeric, numeric, numeric) from public, anon, authenticated;
revoke all on function private.unrealized_pnl_percentage(text, numeric, numeric, numeric, numeric) from public, anon, authenticated;
grant execute on function private.price_point_at(public.exchange_id, text, timestamptz) to authenticated, service_role;
grant execute on function private.symbol_price_point_at(public.exchange_id, text, timestamptz) to authenticated, service_role;
grant execute on function private.unrealized_pnl(text, numeric, numeric, numeric) to authenticated, service_role;
grant execute on function private.unrealized_pnl_percentage(text, numeric, numeric, numeric, numeric) to authenticated, service_role;

/**
 * Recomputes positions.unrealized_pnl and unrealized_pnl_percentage of every OPEN position with
 * the one price rule at now() (private.symbol_price_at) and the one formula; an open position
 * without any price gets NULL (unpriced), as the views show it. Writes only rows whose values
 * change. Returns the number of positions updated. Called by pg_cron every minute.
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
           private.unrealized_pnl(p.side, p.entry_price, p.quantity, pr.price) as pnl,
           private.unrealized_pnl_percentage(p.side, p.entry_price, p.quantity, p.total_cost, pr.price) as pct
      from public.positions as p
      join priced as pr on pr.exchange = p.exchange and pr.symbol = p.symbol
     where p.status = 'OPEN'
  )
  update public.positions as p
     set unrealized_pnl = c.pnl,
         unrealized_pnl_percentage = c.pct
    from computed as c
   where p.user_id = c.user_id and p.id = c.id
     and (p.unrealized_pnl is distinct from c.pnl or p.unrealized_pnl_percentage is distinct from c.pct);
  get diagnostics v_count = row_count;
  return v_count;
end
$$;

revoke all on function private.update_unrealized_pnl() from public, anon, authenticated;
grant execute on function private.update_unrealized_pnl() to service_role;

-- A position is unvalued until the job has priced it: NULL, never a made-up 0.
alter table public.positions alter column unrealized_pnl drop default;
alter table public.positions alter column unrealized_pnl_percentage drop default;
comment on column public.positions.unrealized_pnl is 'OPEN positions: at the latest effective price (private.symbol_price_at, any kind) as of the last run of the every-minute job, quote currency, scale 18; NULL when no price is stored (unpriced). Equals open_positions.unrealized_pnl at the job''s instant.';
comment on column public.positions.unrealized_pnl_percentage is 'unrealized_pnl / total_cost × 100, scale 8; NULL without a price or with total_cost 0.';

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
  mp.price::numeric(38, 18) as current_price,
  mp.priced_at as price_as_of,
  round(mp.price * p.quantity, 18) as position_value,
  private.unrealized_pnl(p.side, p.entry_price, p.quantity, mp.price) as unrealized_pnl,
  private.unrealized_pnl_percentage(p.side, p.entry_price, p.quantity, p.total_cost, mp.price) as unrealized_pnl_percentage,
  p.opened_at,
  p.closed_at,
  p.last_updated
from public.positions as p
left join lateral (
  select sp.price, sp.priced_at
    from private.symbol_price_point_at(p.exchange, p.symbol, now()) as sp
   where p.status = 'OPEN'
) as mp on true
where p.user_id = (select auth.uid());

comment on view public.positions_with_pnl is 'The caller''s positions (all statuses); OPEN ones priced now by the one price rule (private.symbol_price_point_at) with unrealized PnL by the one formula (private.unrealized_pnl), computed at read time (security invoker).';
comment on column public.positions_with_pnl.current_price is 'Latest effective price of the position''s symbol (any kind: ticker or daily close; fallbacks: spot twin, other exchanges), quote per base unit; NULL when none is stored or the position is closed.';
comment on column public.positions_with_pnl.price_as_of is 'Instant that price became effective (a ticker''s time; a daily close''s day end).';
comment on column public.positions_with_pnl.position_value is 'current_price × quantity, quote currency; NULL without a price.';
comment on column public.positions_with_pnl.unrealized_pnl is 'LONG (current − entry) × quantity, SHORT (entry − current) × quantity, quote currency, scale 18; NULL without a price.';
comment on column public.positions_with_pnl.unrealized_pnl_percentage is 'unrealized_pnl / total_cost × 100, scale 8 (not multiplied by leverage); NULL without a price or with total_cost 0.';
