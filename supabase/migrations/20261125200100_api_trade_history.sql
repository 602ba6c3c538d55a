-- Frontend read surface, part 2: closed trades with period filters and keyset pagination.
--
--   public.closed_trades                          view, the spec's trade fields (security invoker)
--   public.get_trade_history(...)                 one page, newest first, keyset on (exit_time, id)
--   public.get_trade_history_summary(...)         totals of the whole filtered window
--
-- Window: p_period '7d' | '30d' | '90d' | '1y' | 'all' (exit_time ≥ now() − period), or explicit
-- p_from (inclusive) / p_to (exclusive) on exit_time; both forms at once are refused. No window
-- at all means '30d'. Bad input raises SQLSTATE 22023 (invalid_parameter_value), which PostgREST
-- answers with 400 and the message; the `api` function validates the same rules before calling.

create or replace view public.closed_trades
with (security_invoker = true)
as
select
  th.id,
  th.position_id,
  th.exchange,
  th.market_type,
  th.symbol,
  th.side,
  th.entry_price,
  th.exit_price,
  th.exit_quantity as quantity,
  th.gross_pnl,
  th.net_pnl,
  th.entry_fees + th.exit_fees as fees,
  th.funding,
  th.pnl_percentage,
  th.roi_percentage,
  th.exit_type,
  th.exit_reason,
  th.hold_duration,
  floor(extract(epoch from th.hold_duration))::bigint as hold_seconds,
  th.entry_time,
  th.exit_time,
  th.leverage,
  th.margin_mode,
  th.flags
from public.trade_history as th
where th.user_id = (select auth.uid());

comment on view public.closed_trades is 'The caller''s closing events (full and partial closes) with their PnL, in the spec''s trade-history fields. Security invoker.';
comment on column public.closed_trades.quantity is 'Quantity closed by this event, base units (trade_history.exit_quantity).';
comment on column public.closed_trades.fees is 'entry_fees + exit_fees, quote currency.';
comment on column public.closed_trades.hold_seconds is 'hold_duration in whole seconds (for sorting and formatting).';

revoke all on table public.closed_trades from public, anon, authenticated, service_role;
grant select on table public.closed_trades to authenticated;

/**
 * The exit-time window of a trade-history query: p_period ('7d', '30d', '90d', '1y', 'all') or
 * explicit p_from / p_to, never both; nothing given means '30d'. Raises 22023 with the accepted
 * values on bad input. Shared by get_trade_history and get_trade_history_summary.
 */
create or replace function private.api_trade_window(
  p_period text,
  p_from timestamptz,
  p_to timestamptz,
  out window_from timestamptz,
  out window_to timestamptz
)
language plpgsql
stable
set search_path = ''
as $$
begin
  if p_period is not null and (p_from is not null or p_to is not null) then
    raise exception 'give either a period or from/to dates, not both'
      using errcode = '22023';
  end if;
  if p_from is not null or p_to is not null then
    if p_from is not null and p_to is not null and p_from >= p_to then
      raise exception 'from (%) must be before to (%)', p_from, p_to using errcode = '22023';
    end if;
    window_from := p_from;
    window_to := p_to;
    return;
  end if;
  window_to := null;
  window_from := case coalesce(lower(p_period), '30d')
    when '7d' then now() - interval '7 days'
    when '30d' then now() - interval '30 days'
    when '90d' then now() - interval '90 days'
    when '1y' then now() - interval '1 year'
    when 'all' then null
  end;
  if window_from is null and coalesce(lower(p_period), '30d') <> 'all' then
    raise exception 'unknown period "%"; accepted values: 7d, 30d, 90d, 1y, all', p_period
      using errcode = '22023';
  end if;
end
$$;

/** Upper-cases and checks an exit-type filter (TP, SL, MANUAL, LIQUIDATION, PARTIAL); NULL passes. */
create or replace function private.api_exit_type(p_exit_type text)
returns text
language plpgsql
immutable
set search_path = ''
as $$
begin
  if p_exit_type is null then
    return null;
  end if;
  if upper(p_exit_type) not in ('TP', 'SL', 'MANUAL', 'LIQUIDATION', 'PARTIAL') then
    raise exception 'unknown exit_type "%"; accepted values: TP, SL, MANUAL, LIQUIDATION, PARTIAL', p_exit_type
      using errcode = '22023';
  end if;
  return upper(p_exit_type);
end
$$;

revoke all on function private.api_trade_window(text, timestamptz, timestamptz) from public, anon, authenticated;
revoke all on function private.api_exit_type(text) from public, anon, authenticated;
grant execute on function private.api_trade_window(text, timestamptz, timestamptz) to authenticated;
grant execute on function private.api_exit_type(text) to authenticated;

/**
 * RPC (supabase.rpc('get_trade_history', {...})): one page of the caller's closed trades, newest
 * first (exit_time desc, id desc). Filters: period or from/to, symbol (ccxt symbol, exact),
 * exchange, exit_type. Keyset pagination: pass the last row's exit_time and id as
 * p_cursor_exit_time / p_cursor_id (both or neither) to get the next page. p_limit 1..1000
 * (PostgREST's max_rows).
 * Security invoker: RLS of trade_history applies.
 */
create or replace function public.get_trade_history(
  p_period text default null,
  p_from timestamptz default null,
  p_to timestamptz default null,
  p_symbol text default null,
  p_exchange public.exchange_id default null,
  p_exit_type text default null,
  p_limit integer default 50,
  p_cursor_exit_time timestamptz default null,
  p_cursor_id bigint default null
)
returns setof public.closed_trades
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  w record;
  v_exit_type text := private.api_exit_type(p_exit_type);
  v_sql text;
begin
  w := private.api_trade_window(p_period, p_from, p_to);
  if p_limit is null or p_limit < 1 or p_limit > 1000 then
    raise exception 'limit must be between 1 and 1000 (got %)', coalesce(p_limit::text, 'null')
      using errcode = '22023';
  end if;
  if (p_cursor_exit_time is null) <> (p_cursor_id is null) then
    raise exception 'a cursor needs both p_cursor_exit_time and p_cursor_id' using errcode = '22023';
  end if;
  -- Dynamic SQL with only the predicates in use: each call gets a plan for its own filters
  -- (a cached generic plan of "x is null or col = x" would not use the indexes well).
  v_sql := 'select t.* from public.closed_trades as t where true';
  if w.window_from is not null then v_sql := v_sql || ' and t.exit_time >= $1'; end if;
  if w.window_to is not null then v_sql := v_sql || ' and t.exit_time < $2'; end if;
  if p_symbol is not null then v_sql := v_sql || ' and t.symbol = $3'; end if;
  if p_exchange is not null then v_sql := v_sql || ' and t.exchange = $4'; end if;
  if v_exit_type is not null then v_sql := v_sql || ' and t.exit_type = $5'; end if;
  if p_cursor_id is not null then v_sql := v_sql || ' and (t.exit_time, t.id) < ($6, $7)'; end if;
  v_sql := v_sql || ' order by t.exit_time desc, t.id desc limit $8';
  return query execute v_sql
    using w.window_from, w.window_to, p_symbol, p_exchange, v_exit_type, p_cursor_exit_time, p_cursor_id, p_limit;
end
$$;

/**
 * RPC (supabase.rpc('get_trade_history_summary', {...})): totals of the caller's closed trades
 * in the same window and filters as get_trade_history (all pages): count, net and gross PnL,
 * fees, winners / losers / break-even, and the window applied. Security invoker.
 */
create or replace function public.get_trade_history_summary(
  p_period text default null,
  p_from timestamptz default null,
  p_to timestamptz default null,
  p_symbol text default null,
  p_exchange public.exchange_id default null,
  p_exit_type text default null
)
returns table (
  total_trades bigint,
  total_pnl numeric,
  total_gross_pnl numeric,
  total_fees numeric,
  winning_trades bigint,
  losing_trades bigint,
  breakeven_trades bigint,
  window_from timestamptz,
  window_to timestamptz
)
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  w record;
  v_exit_type text := private.api_exit_type(p_exit_type);
begin
  w := private.api_trade_window(p_period, p_from, p_to);
  return query
  select count(*)::bigint,
         coalesce(sum(t.net_pnl), 0),
         coalesce(sum(t.gross_pnl), 0),
         coalesce(sum(t.fees), 0),
         count(*) filter (where t.net_pnl > 0)::bigint,
         count(*) filter (where t.net_pnl < 0)::bigint,
         count(*) filter (where t.net_pnl = 0)::bigint,
         w.window_from,
         w.window_to
    from public.closed_trades as t
   where (w.window_from is null or t.exit_time >= w.window_from)
     and (w.window_to is null or t.exit_time < w.window_to)
     and (p_symbol is null or t.symbol = p_symbol)
     and (p_exchange is null or t.exchange = p_exchange)
     and (v_exit_type is null or t.exit_type = v_exit_type);
end
$$;

revoke all on function public.get_trade_history(text, timestamptz, timestamptz, text, public.exchange_id, text, integer, timestamptz, bigint) from public, anon, authenticated;
revoke all on function public.get_trade_history_summary(text, timestamptz, timestamptz, text, public.exchange_id, text) from public, anon, authenticated;
grant execute on function public.get_trade_history(text, timestamptz, timestamptz, text, public.exchange_id, text, integer, timestamptz, bigint) to authenticated;
grant execute on function public.get_trade_history_summary(text, timestamptz, timestamptz, text, public.exchange_id, text) to authenticated;
