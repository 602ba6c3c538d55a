-- Valuation helpers for the performance layer: what a symbol or an asset is worth in USDT at a
-- given instant, from public.market_prices. Used by unrealized PnL, snapshots, reconstruction
-- and the equity curve, so that every job values the same way.
--
-- Price of a symbol at instant T (private.price_at):
--   * kind 'last' is effective at its as_of; kind 'close_1d' (candle starting at as_of, a UTC day
--     start) is effective at as_of + 1 day, the instant the day closes;
--   * the price with the latest effective instant <= T; if there is none, the first 'last' price
--     within one hour after T (a ticker fetched just after midnight still values the day that
--     ended); otherwise NULL (unpriced: counted and listed by the callers, never valued at 0).
-- Asset in USDT (private.asset_usdt_price):
--   * USDT is 1;
--   * otherwise <ASSET>/USDT on the same exchange, then on any other exchange (lowest exchange id
--     with a price), then the USDT-margined swap <ASSET>/USDT:USDT on the same exchange;
--   * USD stablecoins (USDC, FDUSD, BUSD, TUSD, USDP, DAI, USDE, USD1, PYUSD) are valued at their
--     USDT price when one is known, and at 1 otherwise (documented assumption: pegged);
--   * anything else without a price is NULL (unpriced).

/** True for USD stablecoins that are valued at 1 USDT when no USDT price of theirs is stored. */
create or replace function private.is_usd_stablecoin(p_asset text)
returns boolean
language sql
immutable
parallel safe
set search_path = ''
as $$
  select upper(p_asset) = any (array['USDT', 'USDC', 'FDUSD', 'BUSD', 'TUSD', 'USDP', 'DAI', 'USDE', 'USD1', 'PYUSD']::text[])
$$;

/**
 * Price of p_symbol on p_exchange at instant p_at (quote currency per base unit), from
 * market_prices: latest effective price at or before p_at ('last' at as_of, 'close_1d' at
 * as_of + 1 day), else the first 'last' price within an hour after p_at, else NULL.
 */
create or replace function private.price_at(p_exchange public.exchange_id, p_symbol text, p_at timestamptz)
returns numeric
language sql
stable
parallel safe
set search_path = ''
as $$
  select coalesce(
    (select x.price
       from ((select mp.price, mp.as_of as effective_at
                from public.market_prices as mp
               where mp.exchange = p_exchange and mp.symbol = p_symbol and mp.kind = 'last' and mp.as_of <= p_at
               order by mp.as_of desc
               limit 1)
             union all
             (select mp.price, mp.as_of + interval '1 day' as effective_at
                from public.market_prices as mp
               where mp.exchange = p_exchange and mp.symbol = p_symbol and mp.kind = 'close_1d'
                 and mp.as_of <= p_at - interval '1 day'
               order by mp.as_of desc
               limit 1)) as x
      order by x.effective_at desc
      limit 1),
    (select mp.price
       from public.market_prices as mp
      where mp.exchange = p_exchange and mp.symbol = p_symbol and mp.kind = 'last'
        and mp.as_of > p_at and mp.as_of <= p_at + interval '1 hour'
      order by mp.as_of
      limit 1)
  )
$$;

/**
 * USDT value of one unit of p_asset held on p_exchange at instant p_at (rules in the header of
 * this migration): 1 for USDT, a stored price otherwise, 1 for a USD stablecoin without a
 * price, NULL when unpriced.
 */
create or replace function private.asset_usdt_price(p_exchange public.exchange_id, p_asset text, p_at timestamptz)
returns numeric
language sql
stable
parallel safe
set search_path = ''
as $$
  select case
    when p_asset = 'USDT' then 1::numeric
    else coalesce(
      private.price_at(p_exchange, p_asset || '/USDT', p_at),
      (select p.price
         from unnest(enum_range(null::public.exchange_id)) as e (exchange)
        cross join lateral (select private.price_at(e.exchange, p_asset || '/USDT', p_at) as price) as p
        where e.exchange <> p_exchange and e.exchange <> 'alpha_vantage' and p.price is not null
        order by e.exchange
        limit 1),
      private.price_at(p_exchange, p_asset || '/USDT:USDT', p_at),
      case when private.is_usd_stablecoin(p_asset) then 1::numeric end)
  end
$$;

/**
 * Quote currency of a ccxt unified symbol: BTC/USDT → USDT, BTC/USDT:USDT → USDT (the settle
 * currency of a USDT-margined swap is its quote).
 */
create or replace function private.symbol_quote(p_symbol text)
returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
  select split_part(split_part(p_symbol, '/', 2), ':', 1)
$$;

/**
 * Price of a position's symbol at p_at in its quote currency: the symbol itself on the
 * exchange, then its spot twin (BTC/USDT for BTC/USDT:USDT) on the exchange, then the symbol on
 * any other exchange. NULL when unpriced.
 */
create or replace function private.symbol_price_at(p_exchange public.exchange_id, p_symbol text, p_at timestamptz)
returns numeric
language sql
stable
parallel safe
set search_path = ''
as $$
  select coalesce(
    private.price_at(p_exchange, p_symbol, p_at),
    case when p_symbol like '%:%' then private.price_at(p_exchange, split_part(p_symbol, ':', 1), p_at) end,
    (select p.price
       from unnest(enum_range(null::public.exchange_id)) as e (exchange)
      cross join lateral (select private.price_at(e.exchange, p_symbol, p_at) as price) as p
      where e.exchange <> p_exchange and e.exchange <> 'alpha_vantage' and p.price is not null
      order by e.exchange
      limit 1))
$$;

revoke all on function private.is_usd_stablecoin(text) from public, anon, authenticated;
revoke all on function private.price_at(public.exchange_id, text, timestamptz) from public, anon, authenticated;
revoke all on function private.asset_usdt_price(public.exchange_id, text, timestamptz) from public, anon, authenticated;
revoke all on function private.symbol_quote(text) from public, anon, authenticated;
revoke all on function private.symbol_price_at(public.exchange_id, text, timestamptz) from public, anon, authenticated;
grant execute on function private.is_usd_stablecoin(text) to service_role;
grant execute on function private.price_at(public.exchange_id, text, timestamptz) to service_role;
grant execute on function private.asset_usdt_price(public.exchange_id, text, timestamptz) to service_role;
grant execute on function private.symbol_quote(text) to service_role;
grant execute on function private.symbol_price_at(public.exchange_id, text, timestamptz) to service_role;
