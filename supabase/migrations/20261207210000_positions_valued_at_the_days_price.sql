-- Open positions in a day's valuation take the day's price, as balances already do.
--
-- Migration 20261207200000 made private.price_at "a day's price": the one price rule
-- (private.price_point_at) accepted only when it became effective within the day before the
-- instant. Balances in snapshots and the reconstruction read it (private.asset_usdt_price), so a
-- day with no candle leaves an asset unpriced. Open positions did not: private.symbol_price_at,
-- which private.portfolio_state and the report use for a past day, still took the live rule, so a
-- position was valued on a day without a candle at whatever older close came last.
--
-- Now:
--   * private.symbol_price_point_at gains a freshness window (p_within; NULL = none): the
--     position's exchange, its spot twin, then the other exchanges, each step accepting only a
--     price effective within p_within before p_at. The three-argument form (the live rule: the
--     views, api/positions/open) is that function without a window, so the fallback order has one
--     text.
--   * private.symbol_price_at (the scalar used for a day: portfolio_state, the report's period
--     end) is the window of one day, the same window as private.price_at.
--   * private.update_unrealized_pnl (every minute, "now") reads the live rule directly, so
--     positions.unrealized_pnl keeps equalling the views at the job's instant.

/**
 * Price of a position's symbol at p_at in its quote currency, with where it was found: the
 * symbol on p_exchange, then its spot twin (BTC/USDT for BTC/USDT:USDT) on p_exchange, then the
 * symbol on any other exchange (enum order), each by the one price rule (private.price_point_at).
 * With p_within, a step's price counts only when it became effective after p_at − p_within (a
 * stale price there falls through to the next step); NULL p_within accepts any age. No row when
 * unpriced.
 */
create or replace function private.symbol_price_point_at(
  p_exchange public.exchange_id,
  p_symbol text,
  p_at timestamptz,
  p_within interval
)
returns table (price numeric, priced_at timestamptz, price_exchange public.exchange_id, price_symbol text)
language plpgsql
stable
parallel safe
set search_path = ''
as $$
begin
  return query
    select pp.price, pp.priced_at, p_exchange, p_symbol
      from private.price_point_at(p_exchange, p_symbol, p_at) as pp
     where p_within is null or pp.priced_at > p_at - p_within;
  if found then
    return;
  end if;
  if p_symbol like '%:%' then
    return query
      select pp.price, pp.priced_at, p_exchange, split_part(p_symbol, ':', 1)
        from private.price_point_at(p_exchange, split_part(p_symbol, ':', 1), p_at) as pp
       where p_within is null or pp.priced_at > p_at - p_within;
    if found then
      return;
    end if;
  end if;
  return query
    select pp.price, pp.priced_at, e.exchange, p_symbol
      from unnest(enum_range(null::public.exchange_id)) as e (exchange)
     cross join lateral private.price_point_at(e.exchange, p_symbol, p_at) as pp
     where e.exchange <> p_exchange and e.exchange <> 'alpha_vantage'
       and (p_within is null or pp.priced_at > p_at - p_within)
     order by e.exchange
     limit 1;
end
$$;

comment on function private.symbol_price_point_at(public.exchange_id, text, timestamptz, interval) is
  'A position symbol''s price by the one price rule with its fallbacks (own exchange, spot twin, other exchanges), each accepted only when effective within p_within before p_at (NULL: any age).';

/** The live rule: private.symbol_price_point_at without a freshness window. */
create or replace function private.symbol_price_point_at(p_exchange public.exchange_id, p_symbol text, p_at timestamptz)
returns table (price numeric, priced_at timestamptz, price_exchange public.exchange_id, price_symbol text)
language sql
stable
parallel safe
set search_path = ''
as $$
  select sp.price, sp.priced_at, sp.price_exchange, sp.price_symbol
    from private.symbol_price_point_at(p_exchange, p_symbol, p_at, null::interval) as sp
$$;

/**
 * A day's price of a position's symbol (portfolio snapshots, reconstruction, the report's period
 * end): private.symbol_price_point_at with the one-day window of private.price_at; NULL when no
 * source has a price effective within the day before p_at (unpriced, never an older close).
 */
create or replace function private.symbol_price_at(p_exchange public.exchange_id, p_symbol text, p_at timestamptz)
returns numeric
language sql
stable
parallel safe
set search_path = ''
as $$
  select (select sp.price from private.symbol_price_point_at(p_exchange, p_symbol, p_at, interval '1 day') as sp)
$$;

comment on function private.symbol_price_at(public.exchange_id, text, timestamptz) is
  'A day''s price of a position''s symbol: the one price rule with its fallbacks, each accepted only when effective within the day before p_at, else NULL (unpriced).';

/**
 * Recomputes positions.unrealized_pnl and unrealized_pnl_percentage of every OPEN position with
 * the live price rule at now() (private.symbol_price_point_at, no window: the latest known price,
 * as the views show it) and the one formula; an open position without any price gets NULL.
 * Writes only rows whose values change. Returns the number of positions updated. Called by
 * pg_cron every minute.
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
    select s.exchange, s.symbol,
           (select sp.price from private.symbol_price_point_at(s.exchange, s.symbol, v_now) as sp) as price
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

comment on column public.positions.unrealized_pnl is 'OPEN positions: at the latest effective price (private.symbol_price_point_at, the live rule, any age) as of the last run of the every-minute job, quote currency, scale 18; NULL when no price is stored (unpriced). Equals open_positions.unrealized_pnl at the job''s instant.';

revoke all on function private.symbol_price_point_at(public.exchange_id, text, timestamptz, interval) from public, anon, authenticated;
grant execute on function private.symbol_price_point_at(public.exchange_id, text, timestamptz, interval) to authenticated, service_role;
