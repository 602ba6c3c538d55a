-- A day's price is the one price rule with a freshness window (reconciles issues 16 and 19).
--
-- Issue 16 made private.price_point_at the one price rule and private.price_at its scalar form.
-- Issue 19 needs a day's valuation never to take an older day's close (a day with no candle
-- stays unpriced and is reported). Rather than a second text of the rule, the window is applied
-- here to the rule's own answer.
--
-- private.price_at (valuation at an instant of a day: balances and assets in snapshots and
-- reconstruction via private.asset_usdt_price, third-currency fees at a fill's time) is now the
-- one rule's answer accepted only when it became effective within the day before p_at:
--   * a daily close (effective when its day closes) values the following day only, as in 19;
--   * a ticker ('last') counts for one day after its time (19 let a ticker of any age count);
--   * otherwise NULL: unpriced, never a stale price carried forward.
-- Live readers (open positions "now": the views, api/positions/open, the every-minute job, the
-- report) keep the rule without the window (private.symbol_price_point_at): the latest known
-- price, with its instant (price_as_of) shown, so a stale live price is visible, not hidden.
-- Edge case, stated: when the latest effective price is stale, the rule does not look at a ticker
-- within the hour after p_at (the rule's fallback only applies when nothing precedes p_at).

/**
 * Price of p_symbol on p_exchange for valuation at p_at: private.price_point_at (the one price
 * rule) when its price became effective within the day before p_at, else NULL (unpriced).
 */
create or replace function private.price_at(p_exchange public.exchange_id, p_symbol text, p_at timestamptz)
returns numeric
language sql
stable
parallel safe
set search_path = ''
as $$
  select (select pp.price
            from private.price_point_at(p_exchange, p_symbol, p_at) as pp
           where pp.priced_at > p_at - interval '1 day')
$$;

comment on function private.price_at(public.exchange_id, text, timestamptz) is
  'A day''s price: the one price rule (private.price_point_at) when effective within the day before p_at, else NULL (unpriced, never an older price carried forward).';
