-- How much of a user's history is unpriced: days whose snapshot (real or reconstructed) lists
-- assets without a price, and which assets. Read by the API's equity curve and the report, so
-- a curve with holes says so instead of looking complete. Unpriced days are never valued at an
-- older day's close (20261207190000_market_candles: a daily close values one day only).

/**
 * The caller's unpriced history between p_from and p_to (portfolio_snapshots of exchange
 * p_exchange, NULL = all exchanges; RLS: own rows only): whose (the caller's id), days with a
 * snapshot, days whose snapshot lists unpriced assets, and the distinct unpriced assets (sorted).
 */
create or replace function public.get_unpriced_summary(p_from date, p_to date, p_exchange public.exchange_id default null)
returns table (user_id uuid, days integer, unpriced_days integer, unpriced_assets text[])
language sql
stable
security invoker
set search_path = ''
as $$
  select (select auth.uid()),
         count(*)::integer,
         (count(*) filter (where jsonb_array_length(s.unpriced_assets) > 0))::integer,
         coalesce((select array_agg(distinct a.item ->> 'asset' order by a.item ->> 'asset')
                     from public.portfolio_snapshots as s2
                    cross join lateral jsonb_array_elements(s2.unpriced_assets) as a (item)
                    where s2.user_id = (select auth.uid())
                      and s2.exchange is not distinct from p_exchange
                      and s2.snapshot_date between p_from and p_to), '{}'::text[])
    from public.portfolio_snapshots as s
   where s.user_id = (select auth.uid())
     and s.exchange is not distinct from p_exchange
     and s.snapshot_date between p_from and p_to
$$;

comment on function public.get_unpriced_summary(date, date, public.exchange_id) is 'rpc("get_unpriced_summary", { p_from, p_to, p_exchange }): the caller''s id, days with a snapshot, days with unpriced assets, and those assets, in the window (exchange NULL = all).';

revoke all on function public.get_unpriced_summary(date, date, public.exchange_id) from public, anon, authenticated, service_role;
grant execute on function public.get_unpriced_summary(date, date, public.exchange_id) to authenticated;
