-- Max adverse excursion from daily candles (convention m′, documented beside convention m in
-- functions/_shared/pnl/engine.ts). The engine's max_drawdown (m) only sees prices observed at
-- instants (tickers, closes, fills); a day's low (long) or high (short) can be worse. These views
-- add, per closing event and per open position:
--
--   candle_days          full UTC days of the hold with a candle (a day counts only when the
--                        whole day lies inside [entry, exit): on a partial day the extreme may
--                        have come before the entry or after the exit, and is not used)
--   candle_excursion     min over those days of side × (extreme − entry_price) × quantity, where
--                        extreme = the day's low for LONG, its high for SHORT, quantity = the
--                        event's exit_quantity (an open position: its open quantity), entry_price
--                        = the event's (position's) average entry; NULL without a candle day.
--                        Candles of the symbol itself on the exchange, else (a swap without its
--                        own candles) of its spot twin (BTC/USDT for BTC/USDT:USDT)
--   max_adverse_excursion (closing events) least(max_drawdown, candle_excursion): the worse of
--                        the two, NULL when both are NULL. Quote currency, < 0 whenever the
--                        position was under water.
--
-- Computed when read (security invoker views over the caller's rows; candles are public), so a
-- candle backfilled after the close counts at once and nothing stored by the engine changes.

create or replace view public.trade_history_excursions
with (security_invoker = true) as
select th.user_id, th.id as trade_history_id, th.position_id, th.exchange, th.market_type, th.symbol, th.side,
       th.entry_time, th.exit_time, th.max_drawdown,
       coalesce(x.days, 0) as candle_days,
       x.worst as candle_excursion,
       case when th.max_drawdown is null then x.worst
            when x.worst is null then th.max_drawdown
            else least(th.max_drawdown, x.worst) end as max_adverse_excursion
  from public.trade_history as th
  left join lateral (
    select count(*)::integer as days,
           min(case when th.side = 'LONG' then (c.low - th.entry_price) * th.exit_quantity
                    else (th.entry_price - c.high) * th.exit_quantity end) as worst
      from public.market_candles as c
     where c.exchange = th.exchange
       and c.timeframe = '1d'
       and c.symbol = case when th.symbol like '%:%'
                            and not exists (select 1 from public.market_candles as o
                                             where o.exchange = th.exchange and o.symbol = th.symbol and o.timeframe = '1d'
                                               and o.open_time >= th.entry_time and o.open_time < th.exit_time)
                           then split_part(th.symbol, ':', 1) else th.symbol end
       and c.open_time >= th.entry_time
       and c.open_time + interval '1 day' <= th.exit_time
    having count(*) > 0) as x on true;

comment on view public.trade_history_excursions is 'Per closing event: the engine''s max_drawdown, the excursion at the daily lows (LONG) / highs (SHORT) of the full UTC days of the hold, and the worse of both (max_adverse_excursion). Quote currency. Own rows only (security invoker).';

create or replace view public.position_excursions
with (security_invoker = true) as
select p.user_id, p.id as position_id, p.exchange, p.market_type, p.symbol, p.side, p.opened_at,
       coalesce(x.days, 0) as candle_days,
       x.worst as candle_excursion
  from public.positions as p
  left join lateral (
    select count(*)::integer as days,
           min(case when p.side = 'LONG' then (c.low - p.entry_price) * p.quantity
                    else (p.entry_price - c.high) * p.quantity end) as worst
      from public.market_candles as c
     where c.exchange = p.exchange
       and c.timeframe = '1d'
       and c.symbol = case when p.symbol like '%:%'
                            and not exists (select 1 from public.market_candles as o
                                             where o.exchange = p.exchange and o.symbol = p.symbol and o.timeframe = '1d'
                                               and o.open_time >= p.opened_at)
                           then split_part(p.symbol, ':', 1) else p.symbol end
       and c.open_time >= p.opened_at
       and c.open_time + interval '1 day' <= now()
    having count(*) > 0) as x on true
 where p.status = 'OPEN';

comment on view public.position_excursions is 'Per open position: the excursion of the open quantity at its average entry, at the daily lows (LONG) / highs (SHORT) of the full UTC days since it opened (positions keep no max_drawdown of their own). Quote currency. Own rows only (security invoker).';

revoke all on table public.trade_history_excursions from public, anon, authenticated, service_role;
revoke all on table public.position_excursions from public, anon, authenticated, service_role;
grant select on table public.trade_history_excursions to authenticated, service_role;
grant select on table public.position_excursions to authenticated, service_role;
