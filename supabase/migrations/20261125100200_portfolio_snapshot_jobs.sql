-- Daily portfolio snapshots (pg_cron, 00:05 UTC) and the reconstruction of history before the
-- first snapshot. Both use one computation, private.portfolio_state, so a reconstructed day and a
-- real snapshot of the same day agree by construction whenever the input data is complete.
--
-- The state of day D is taken at the instant T = D + 1 day 00:00 UTC (the end of day D): every
-- event with a time < T belongs to the day or before it.
--
-- Holdings. public.balances holds the latest balances only (as_of per user and exchange). The
-- holdings at T are those balances rolled back over every balance change after T and up to
-- as_of (nothing to roll back when as_of <= T):
--   spot fills: base +amount on a buy, −amount on a sell; quote −cost on a buy, +cost on a sell;
--   every fill's fee entries: −amount in the fee currency (a rebate, amount < 0, adds);
--   swap closes (trade_history, market_type swap): +gross_pnl in the settle (quote) currency;
--   funding payments: +amount in their currency;
--   transfers with status ok: deposit +amount, withdrawal −amount, and −fee in fee_currency
--   (internal transfers move assets between accounts of the same exchange: ignored).
-- Balances are summed over account types (spot, swap, funding …) per exchange and asset.
-- An exchange with fills or transfers but no reported balance at all (a CSV import) is anchored
-- at zero before its first event: its holdings at T are the sum of every change before T (and
-- its swap equity is that wallet plus the unrealized PnL at T).
-- A swap account's total is its margin balance (ccxt: wallet + unrealized PnL), so rolling back
-- also swaps the unrealized PnL at as_of for the unrealized PnL at T of the swap positions open
-- then (open quantity at T = today's quantity + the quantity closed since; entry price = the
-- position's current average entry, exact unless the position was added to after T).
--
-- Valuation (USDT, private.asset_usdt_price and private.symbol_price_at at T; see
-- 20261125100000_valuation_helpers): stablecoins at their USDT price when known, 1 otherwise.
-- Assets, positions and unconverted fees without a price are not valued: they are listed in
-- unpriced_assets as {"exchange", "asset", "amount", "kind": balance | position | fee}.
--
-- Columns of a snapshot (exchange NULL = sum over the user's exchanges):
--   total_balance        Σ holdings × price (+ the swap unrealized PnL correction above): the
--                        account equity; unrealized PnL of swaps and spot holdings is inside it.
--   available_balance    total_balance − locked_balance.
--   locked_balance       Σ min(locked, holding) × price of the latest balances; 0 for
--                        reconstructed days (orders open in the past are not known).
--   total_positions_value Σ |open quantity| × price of open positions (notional, USDT).
--   unrealized_pnl       Σ spec formula at the price of T (informational: already in equity).
--   total_realized_pnl … largest_loss: lifetime closed trades with exit_time < T (net_pnl;
--                        win > 0, loss < 0; win_rate and average NULL with no trades, largest
--                        win / loss NULL when there is none).
--   total_fees_paid      lifetime trading fees in USDT: entry + exit fees of closed trades, the
--                        entry fees still carried by positions open at T, and fees the engine
--                        could not convert (trade_history.fees_unconverted, e.g. BNB without a
--                        price at fill time) valued at the price of T.
--   net_flows            deposits − withdrawals − transfer fees of the day, valued at the price
--                        of T (flows happen at the end of the day for returns).

/**
 * Positions open at instant p_at (of one user, or of everyone when p_user_id is NULL), with the
 * open quantity at that instant (today's quantity plus what was closed since) and the entry fees
 * still carried by the open part (quote currency).
 */
create or replace function private.positions_at(p_at timestamptz, p_user_id uuid default null)
returns table (
  user_id uuid,
  position_id bigint,
  exchange public.exchange_id,
  market_type public.market_type,
  symbol text,
  side text,
  entry_price numeric,
  quantity numeric,
  open_fees numeric
)
language plpgsql
stable
set search_path = ''
set jit = off
set plan_cache_mode = force_custom_plan
as $$
begin
  return query
  select p.user_id, p.id, p.exchange, p.market_type, p.symbol, p.side, p.entry_price,
         p.quantity + coalesce(x.closed_since, 0),
         case when p.status = 'OPEN' then greatest(p.fees_paid - coalesce(x.exit_fees, 0), 0) else 0::numeric end
    from public.positions as p
    left join lateral (
      select sum(th.exit_quantity) filter (where th.exit_time >= p_at) as closed_since,
             sum(th.exit_fees) as exit_fees
        from public.trade_history as th
       where th.user_id = p.user_id and th.position_id = p.id) as x on true
   where (p_user_id is null or p.user_id = p_user_id)
     and p.opened_at < p_at
     and (p.status = 'OPEN' or p.closed_at >= p_at);
end
$$;

/**
 * The portfolio state of each day from p_from to p_to (UTC days, state at the end of the day),
 * per user and exchange plus the all-exchanges total (exchange NULL), for one user or everyone
 * (p_user_id NULL). Computes without writing: the snapshot job and the reconstruction insert
 * its rows. p_reconstructed only sets locked_balance to 0 (unknown for past days). Rules in the
 * header of this migration.
 */
create or replace function private.portfolio_state(
  p_from date,
  p_to date,
  p_user_id uuid default null,
  p_reconstructed boolean default false
)
returns table (
  user_id uuid,
  exchange public.exchange_id,
  snapshot_date date,
  total_balance numeric,
  available_balance numeric,
  locked_balance numeric,
  total_positions_value numeric,
  unrealized_pnl numeric,
  open_positions_count integer,
  total_realized_pnl numeric,
  total_trades_count integer,
  winning_trades_count integer,
  losing_trades_count integer,
  win_rate numeric,
  total_fees_paid numeric,
  average_trade_pnl numeric,
  largest_win numeric,
  largest_loss numeric,
  net_flows numeric,
  unpriced_assets jsonb
)
language plpgsql
stable
set search_path = ''
set jit = off
set plan_cache_mode = force_custom_plan
as $$
declare
  v_first_end timestamptz;
  v_last_end timestamptz;
begin
  if p_from is null or p_to is null or p_to < p_from then
    raise exception 'portfolio_state: invalid day range % .. %', p_from, p_to using errcode = '22023';
  end if;
  v_first_end := (p_from + 1)::timestamp at time zone 'UTC';
  v_last_end := (p_to + 1)::timestamp at time zone 'UTC';

  return query
  with days as (
    select g::date as day, (g::date + 1)::timestamp at time zone 'UTC' as t_end
      from generate_series(p_from::timestamp, p_to::timestamp, interval '1 day') as g
  ),
  bal_accounts as (
    select b.user_id, b.exchange, max(b.as_of) as as_of
      from public.balances as b
     where (p_user_id is null or b.user_id = p_user_id)
     group by b.user_id, b.exchange
  ),
  -- Exchanges with history (fills, transfers) but no reported balance, e.g. a CSV import: their
  -- holdings are anchored at zero before the first event (= the sum of all events so far).
  hist_accounts as (
    select x.user_id, x.exchange
      from (select distinct f.user_id, f.exchange from public.fills as f
             where (p_user_id is null or f.user_id = p_user_id)
            union
            select distinct t.user_id, t.exchange from public.transfers as t
             where t.status = 'ok' and (p_user_id is null or t.user_id = p_user_id)) as x
     where not exists (select 1 from bal_accounts as a where a.user_id = x.user_id and a.exchange = x.exchange)
  ),
  accounts as (
    select a.user_id, a.exchange, a.as_of from bal_accounts as a
    union all
    select h.user_id, h.exchange, 'infinity'::timestamptz from hist_accounts as h
  ),
  -- Every balance change of the history-only exchanges (their "current" holdings).
  hist_ev as (
    select f.user_id, f.exchange, f.base as asset, case when f.side = 'buy' then f.amount else -f.amount end as amount
      from public.fills as f
     where f.market_type = 'spot' and (p_user_id is null or f.user_id = p_user_id)
       and exists (select 1 from hist_accounts as h where h.user_id = f.user_id and h.exchange = f.exchange)
    union all
    select f.user_id, f.exchange, f.quote, case when f.side = 'buy' then -f.cost else f.cost end
      from public.fills as f
     where f.market_type = 'spot' and (p_user_id is null or f.user_id = p_user_id)
       and exists (select 1 from hist_accounts as h where h.user_id = f.user_id and h.exchange = f.exchange)
    union all
    select f.user_id, f.exchange, fe.value ->> 'currency', -((fe.value ->> 'amount')::numeric)
      from public.fills as f
     cross join lateral jsonb_array_elements(f.fees) as fe (value)
     where (p_user_id is null or f.user_id = p_user_id)
       and exists (select 1 from hist_accounts as h where h.user_id = f.user_id and h.exchange = f.exchange)
    union all
    select th.user_id, th.exchange, private.symbol_quote(th.symbol), th.gross_pnl
      from public.trade_history as th
     where th.market_type = 'swap' and (p_user_id is null or th.user_id = p_user_id)
       and exists (select 1 from hist_accounts as h where h.user_id = th.user_id and h.exchange = th.exchange)
    union all
    select fp.user_id, fp.exchange, fp.currency, fp.amount
      from public.funding_payments as fp
     where (p_user_id is null or fp.user_id = p_user_id)
       and exists (select 1 from hist_accounts as h where h.user_id = fp.user_id and h.exchange = fp.exchange)
    union all
    select t.user_id, t.exchange, t.asset, case when t.kind = 'deposit' then t.amount else -t.amount end
      from public.transfers as t
     where t.status = 'ok' and t.kind in ('deposit', 'withdrawal') and (p_user_id is null or t.user_id = p_user_id)
       and exists (select 1 from hist_accounts as h where h.user_id = t.user_id and h.exchange = t.exchange)
    union all
    select t.user_id, t.exchange, t.fee_currency, -t.fee
      from public.transfers as t
     where t.status = 'ok' and t.kind in ('deposit', 'withdrawal') and t.fee <> 0 and t.fee_currency is not null
       and (p_user_id is null or t.user_id = p_user_id)
       and exists (select 1 from hist_accounts as h where h.user_id = t.user_id and h.exchange = t.exchange)
  ),
  cur as (
    select b.user_id, b.exchange, b.asset, sum(b.total) as total, sum(b.locked) as locked
      from public.balances as b
     where (p_user_id is null or b.user_id = p_user_id)
     group by b.user_id, b.exchange, b.asset
    union all
    select e.user_id, e.exchange, e.asset, sum(e.amount), 0::numeric
      from hist_ev as e
     group by e.user_id, e.exchange, e.asset
  ),
  -- Balance changes after the end of the first day (to roll back from the balances' as_of).
  raw_ev as (
    select f.user_id, f.exchange, f.base as asset, f.executed_at as at,
           case when f.side = 'buy' then f.amount else -f.amount end as amount, false as is_flow
      from public.fills as f
     where f.market_type = 'spot' and f.executed_at >= v_first_end and (p_user_id is null or f.user_id = p_user_id)
    union all
    select f.user_id, f.exchange, f.quote, f.executed_at,
           case when f.side = 'buy' then -f.cost else f.cost end, false
      from public.fills as f
     where f.market_type = 'spot' and f.executed_at >= v_first_end and (p_user_id is null or f.user_id = p_user_id)
    union all
    select f.user_id, f.exchange, fe.value ->> 'currency', f.executed_at, -((fe.value ->> 'amount')::numeric), false
      from public.fills as f
     cross join lateral jsonb_array_elements(f.fees) as fe (value)
     where f.executed_at >= v_first_end and (p_user_id is null or f.user_id = p_user_id)
    union all
    select th.user_id, th.exchange, private.symbol_quote(th.symbol), th.exit_time, th.gross_pnl, false
      from public.trade_history as th
     where th.market_type = 'swap' and th.exit_time >= v_first_end and (p_user_id is null or th.user_id = p_user_id)
    union all
    select fp.user_id, fp.exchange, fp.currency, fp.occurred_at, fp.amount, false
      from public.funding_payments as fp
     where fp.occurred_at >= v_first_end and (p_user_id is null or fp.user_id = p_user_id)
  ),
  -- Transfers from the start of the first day: flows of each day, and roll-back events.
  transfer_ev as (
    select t.user_id, t.exchange, t.asset, t.occurred_at as at,
           case when t.kind = 'deposit' then t.amount else -t.amount end as amount
      from public.transfers as t
     where t.status = 'ok' and t.kind in ('deposit', 'withdrawal')
       and t.occurred_at >= (p_from::timestamp at time zone 'UTC') and (p_user_id is null or t.user_id = p_user_id)
    union all
    select t.user_id, t.exchange, t.fee_currency, t.occurred_at, -t.fee
      from public.transfers as t
     where t.status = 'ok' and t.kind in ('deposit', 'withdrawal') and t.fee <> 0 and t.fee_currency is not null
       and t.occurred_at >= (p_from::timestamp at time zone 'UTC') and (p_user_id is null or t.user_id = p_user_id)
  ),
  ev as (
    select e.user_id, e.exchange, e.asset, (e.at at time zone 'UTC')::date as ev_day, sum(e.amount) as amount
      from (select r.user_id, r.exchange, r.asset, r.at, r.amount from raw_ev as r
            union all
            select t.user_id, t.exchange, t.asset, t.at, t.amount from transfer_ev as t where t.at >= v_first_end) as e
      join accounts as a on a.user_id = e.user_id and a.exchange = e.exchange
     where e.at <= a.as_of
     group by e.user_id, e.exchange, e.asset, (e.at at time zone 'UTC')::date
  ),
  asset_keys as (
    select c.user_id, c.exchange, c.asset, c.total, c.locked from cur as c
    union all
    select distinct e.user_id, e.exchange, e.asset, 0::numeric, 0::numeric
      from ev as e
     where not exists (select 1 from cur as c where c.user_id = e.user_id and c.exchange = e.exchange and c.asset = e.asset)
  ),
  hold as (
    select k.user_id, k.exchange, k.asset, d.day, d.t_end,
           k.total - coalesce(sum(e.amount), 0) as amount, k.locked
      from asset_keys as k
     cross join days as d
      left join ev as e on e.user_id = k.user_id and e.exchange = k.exchange and e.asset = k.asset and e.ev_day > d.day
     group by k.user_id, k.exchange, k.asset, d.day, d.t_end, k.total, k.locked
  ),
  flows as (
    select t.user_id, t.exchange, t.asset, d.day, d.t_end, sum(t.amount) as amount
      from transfer_ev as t
      join days as d on d.day = (t.at at time zone 'UTC')::date
     group by t.user_id, t.exchange, t.asset, d.day, d.t_end
  ),
  -- Positions open at the end of each day, and (for roll-backs) at the balances' as_of.
  pos as (
    select d.day, d.t_end, pa.*
      from days as d
     cross join lateral private.positions_at(d.t_end, p_user_id) as pa
  ),
  pos_now as (
    select a.user_id, a.exchange, a.as_of, pa.symbol, pa.side, pa.entry_price, pa.quantity
      from accounts as a
     cross join lateral private.positions_at(a.as_of, a.user_id) as pa
     where a.as_of > v_first_end and a.as_of < 'infinity'::timestamptz
       and pa.exchange = a.exchange and pa.market_type = 'swap'
  ),
  -- Unconverted fees of closed trades, cumulative per day.
  unconv as (
    select th.user_id, th.exchange, fe.value ->> 'currency' as currency,
           greatest((th.exit_time at time zone 'UTC')::date, p_from) as bucket,
           sum((fe.value ->> 'amount')::numeric) as amount
      from public.trade_history as th
     cross join lateral jsonb_array_elements(th.fees_unconverted) as fe (value)
     where th.exit_time < v_last_end and th.fees_unconverted <> '[]'::jsonb
       and (p_user_id is null or th.user_id = p_user_id)
     group by th.user_id, th.exchange, fe.value ->> 'currency', greatest((th.exit_time at time zone 'UTC')::date, p_from)
  ),
  unconv_day as (
    select u.user_id, u.exchange, u.currency, d.day, d.t_end, sum(u.amount) as amount
      from unconv as u
      join days as d on u.bucket <= d.day
     group by u.user_id, u.exchange, u.currency, d.day, d.t_end
  ),
  asset_price as (
    select x.exchange, x.asset, x.t_end, private.asset_usdt_price(x.exchange, x.asset, x.t_end) as price
      from (select h.exchange, h.asset, h.t_end from hold as h
            union
            select f.exchange, f.asset, f.t_end from flows as f
            union
            select u.exchange, u.currency, u.t_end from unconv_day as u
            union
            select p.exchange, private.symbol_quote(p.symbol), p.t_end from pos as p
            union
            select n.exchange, private.symbol_quote(n.symbol), n.as_of from pos_now as n) as x
  ),
  symbol_price as (
    select x.exchange, x.symbol, x.t_end, private.symbol_price_at(x.exchange, x.symbol, x.t_end) as price
      from (select p.exchange, p.symbol, p.t_end from pos as p
            union
            select n.exchange, n.symbol, n.as_of from pos_now as n) as x
  ),
  pos_valued as (
    select p.user_id, p.exchange, p.day, p.market_type, p.symbol, p.quantity, p.open_fees * qp.price as open_fees_usdt,
           abs(p.quantity) * sp.price * qp.price as notional,
           case when p.side = 'LONG' then (sp.price - p.entry_price) * p.quantity
                else (p.entry_price - sp.price) * p.quantity end * qp.price as upnl
      from pos as p
      left join symbol_price as sp on sp.exchange = p.exchange and sp.symbol = p.symbol and sp.t_end = p.t_end
      left join asset_price as qp on qp.exchange = p.exchange and qp.asset = private.symbol_quote(p.symbol) and qp.t_end = p.t_end
  ),
  pos_agg as (
    select v.user_id, v.exchange, v.day,
           count(*)::integer as n,
           coalesce(sum(v.notional), 0) as value,
           coalesce(sum(v.upnl), 0) as upnl,
           coalesce(sum(v.upnl) filter (where v.market_type = 'swap'), 0) as swap_upnl,
           coalesce(sum(v.open_fees_usdt), 0) as open_fees,
           coalesce(jsonb_agg(jsonb_build_object('exchange', v.exchange, 'asset', v.symbol, 'amount', v.quantity, 'kind', 'position')
                              order by v.symbol) filter (where v.upnl is null), '[]'::jsonb) as unpriced
      from pos_valued as v
     group by v.user_id, v.exchange, v.day
  ),
  now_upnl as (
    select n.user_id, n.exchange,
           coalesce(sum(case when n.side = 'LONG' then (sp.price - n.entry_price) * n.quantity
                             else (n.entry_price - sp.price) * n.quantity end * qp.price), 0) as upnl
      from pos_now as n
      left join symbol_price as sp on sp.exchange = n.exchange and sp.symbol = n.symbol and sp.t_end = n.as_of
      left join asset_price as qp on qp.exchange = n.exchange and qp.asset = private.symbol_quote(n.symbol) and qp.t_end = n.as_of
     group by n.user_id, n.exchange
  ),
  bal_agg as (
    select h.user_id, h.exchange, h.day,
           coalesce(sum(h.amount * ap.price), 0) as total,
           case when p_reconstructed then 0::numeric
                else coalesce(sum(least(greatest(h.locked, 0), greatest(h.amount, 0)) * ap.price), 0) end as locked,
           coalesce(jsonb_agg(jsonb_build_object('exchange', h.exchange, 'asset', h.asset, 'amount', h.amount, 'kind', 'balance')
                              order by h.asset) filter (where ap.price is null and h.amount <> 0), '[]'::jsonb) as unpriced
      from hold as h
      left join asset_price as ap on ap.exchange = h.exchange and ap.asset = h.asset and ap.t_end = h.t_end
     group by h.user_id, h.exchange, h.day
  ),
  flow_agg as (
    select f.user_id, f.exchange, f.day, coalesce(sum(f.amount * ap.price), 0) as flows
      from flows as f
      left join asset_price as ap on ap.exchange = f.exchange and ap.asset = f.asset and ap.t_end = f.t_end
     group by f.user_id, f.exchange, f.day
  ),
  unconv_agg as (
    select u.user_id, u.exchange, u.day, coalesce(sum(u.amount * ap.price), 0) as fees,
           coalesce(jsonb_agg(jsonb_build_object('exchange', u.exchange, 'asset', u.currency, 'amount', u.amount, 'kind', 'fee')
                              order by u.currency) filter (where ap.price is null and u.amount <> 0), '[]'::jsonb) as unpriced
      from unconv_day as u
      left join asset_price as ap on ap.exchange = u.exchange and ap.asset = u.currency and ap.t_end = u.t_end
     group by u.user_id, u.exchange, u.day
  ),
  -- Closed trades per exit day (days before p_from in the first bucket), then cumulative.
  tr as (
    select th.user_id, th.exchange, greatest((th.exit_time at time zone 'UTC')::date, p_from) as bucket,
           count(*) as n,
           count(*) filter (where th.net_pnl > 0) as wins,
           count(*) filter (where th.net_pnl < 0) as losses,
           sum(th.net_pnl) as net,
           sum(th.entry_fees + th.exit_fees) as fees,
           max(th.net_pnl) filter (where th.net_pnl > 0) as best,
           min(th.net_pnl) filter (where th.net_pnl < 0) as worst
      from public.trade_history as th
     where th.exit_time < v_last_end and (p_user_id is null or th.user_id = p_user_id)
     group by th.user_id, th.exchange, greatest((th.exit_time at time zone 'UTC')::date, p_from)
  ),
  keys as (
    select a.user_id, a.exchange from accounts as a
    union
    select distinct t.user_id, t.exchange from tr as t
    union
    select distinct p.user_id, p.exchange from pos as p
  ),
  per_exchange as (
    select k.user_id, k.exchange, d.day,
           coalesce(b.total, 0)
             + case when a.as_of > d.t_end then coalesce(pa.swap_upnl, 0) - coalesce(nu.upnl, 0) else 0 end as total_balance,
           coalesce(b.locked, 0) as locked_balance,
           coalesce(pa.value, 0) as positions_value,
           coalesce(pa.upnl, 0) as upnl,
           coalesce(pa.n, 0) as n_positions,
           coalesce(pa.open_fees, 0) + coalesce(ua.fees, 0) as extra_fees,
           coalesce(fa.flows, 0) as flows,
           coalesce(b.unpriced, '[]'::jsonb) || coalesce(pa.unpriced, '[]'::jsonb) || coalesce(ua.unpriced, '[]'::jsonb) as unpriced
      from keys as k
     cross join days as d
      left join accounts as a on a.user_id = k.user_id and a.exchange = k.exchange
      left join bal_agg as b on b.user_id = k.user_id and b.exchange = k.exchange and b.day = d.day
      left join pos_agg as pa on pa.user_id = k.user_id and pa.exchange = k.exchange and pa.day = d.day
      left join now_upnl as nu on nu.user_id = k.user_id and nu.exchange = k.exchange
      left join flow_agg as fa on fa.user_id = k.user_id and fa.exchange = k.exchange and fa.day = d.day
      left join unconv_agg as ua on ua.user_id = k.user_id and ua.exchange = k.exchange and ua.day = d.day
  ),
  trades_cum as (
    select k.user_id, k.exchange, d.day,
           coalesce(sum(t.n), 0) as n, coalesce(sum(t.wins), 0) as wins, coalesce(sum(t.losses), 0) as losses,
           coalesce(sum(t.net), 0) as net, coalesce(sum(t.fees), 0) as fees,
           max(t.best) as best, min(t.worst) as worst
      from keys as k
     cross join days as d
      left join tr as t on t.user_id = k.user_id and t.exchange = k.exchange and t.bucket <= d.day
     group by k.user_id, k.exchange, d.day
  ),
  total_unpriced as (
    select e.user_id, e.day, jsonb_agg(x.item order by e.exchange, x.ord) as unpriced
      from per_exchange as e
     cross join lateral jsonb_array_elements(e.unpriced) with ordinality as x (item, ord)
     group by e.user_id, e.day
  ),
  combined as (
    select e.user_id, e.exchange, e.day, e.total_balance, e.locked_balance, e.positions_value, e.upnl, e.n_positions,
           e.extra_fees, e.flows, e.unpriced, c.n, c.wins, c.losses, c.net, c.fees, c.best, c.worst
      from per_exchange as e
      join trades_cum as c on c.user_id = e.user_id and c.exchange = e.exchange and c.day = e.day
    union all
    select s.user_id, null::public.exchange_id, s.day, s.total_balance, s.locked_balance, s.positions_value, s.upnl,
           s.n_positions, s.extra_fees, s.flows, coalesce(tu.unpriced, '[]'::jsonb),
           s.n, s.wins, s.losses, s.net, s.fees, s.best, s.worst
      from (select e.user_id, e.day, sum(e.total_balance) as total_balance, sum(e.locked_balance) as locked_balance,
                   sum(e.positions_value) as positions_value, sum(e.upnl) as upnl, sum(e.n_positions) as n_positions,
                   sum(e.extra_fees) as extra_fees, sum(e.flows) as flows,
                   sum(c.n) as n, sum(c.wins) as wins, sum(c.losses) as losses, sum(c.net) as net, sum(c.fees) as fees,
                   max(c.best) as best, min(c.worst) as worst
              from per_exchange as e
              join trades_cum as c on c.user_id = e.user_id and c.exchange = e.exchange and c.day = e.day
             group by e.user_id, e.day) as s
      left join total_unpriced as tu on tu.user_id = s.user_id and tu.day = s.day
  )
  select c.user_id, c.exchange, c.day,
         round(c.total_balance, 18),
         round(c.total_balance - c.locked_balance, 18),
         round(c.locked_balance, 18),
         round(c.positions_value, 18),
         round(c.upnl, 18),
         c.n_positions::integer,
         c.net,
         c.n::integer, c.wins::integer, c.losses::integer,
         case when c.n > 0 then round(c.wins::numeric / c.n * 100, 8) end,
         round(c.fees + c.extra_fees, 18),
         case when c.n > 0 then round(c.net / c.n, 18) end,
         c.best, c.worst,
         round(c.flows, 18),
         c.unpriced
    from combined as c;
end
$$;

/**
 * Daily snapshot job (pg_cron at 00:05 UTC): writes the portfolio state at the end of p_date
 * (default yesterday, UTC) per user and exchange plus the all-exchanges total, for everyone or
 * one user. Idempotent: re-running a day replaces that day's rows (a reconstructed row of the
 * day becomes a real one; rows of exchanges that no longer have data are removed). Returns the
 * number of rows written.
 */
create or replace function private.take_portfolio_snapshots(
  p_date date default ((now() at time zone 'utc')::date - 1),
  p_user_id uuid default null
)
returns integer
language plpgsql
set search_path = ''
set jit = off
set plan_cache_mode = force_custom_plan
as $$
declare
  v_count integer;
begin
  if p_date is null then
    raise exception 'take_portfolio_snapshots: p_date is required' using errcode = '22023';
  end if;
  if p_date >= (now() at time zone 'utc')::date then
    raise exception 'take_portfolio_snapshots: % has not ended yet (UTC)', p_date using errcode = '22023';
  end if;

  with st as materialized (
    select * from private.portfolio_state(p_date, p_date, p_user_id, false)
  ),
  removed as (
    delete from public.portfolio_snapshots as ps
     where ps.snapshot_date = p_date
       and (p_user_id is null or ps.user_id = p_user_id)
       and not exists (select 1 from st where st.user_id = ps.user_id and st.exchange is not distinct from ps.exchange)
  ),
  written as (
    insert into public.portfolio_snapshots as ps (
      user_id, exchange, snapshot_date, total_balance, available_balance, locked_balance,
      total_positions_value, unrealized_pnl, open_positions_count, total_realized_pnl,
      total_trades_count, winning_trades_count, losing_trades_count, win_rate, total_fees_paid,
      average_trade_pnl, largest_win, largest_loss, net_flows, unpriced_assets, is_reconstructed)
    select st.user_id, st.exchange, st.snapshot_date, st.total_balance, st.available_balance, st.locked_balance,
           st.total_positions_value, st.unrealized_pnl, st.open_positions_count, st.total_realized_pnl,
           st.total_trades_count, st.winning_trades_count, st.losing_trades_count, st.win_rate, st.total_fees_paid,
           st.average_trade_pnl, st.largest_win, st.largest_loss, st.net_flows, st.unpriced_assets, false
      from st
    on conflict on constraint unique_snapshot do update
       set total_balance = excluded.total_balance,
           available_balance = excluded.available_balance,
           locked_balance = excluded.locked_balance,
           total_positions_value = excluded.total_positions_value,
           unrealized_pnl = excluded.unrealized_pnl,
           open_positions_count = excluded.open_positions_count,
           total_realized_pnl = excluded.total_realized_pnl,
           total_trades_count = excluded.total_trades_count,
           winning_trades_count = excluded.winning_trades_count,
           losing_trades_count = excluded.losing_trades_count,
           win_rate = excluded.win_rate,
           total_fees_paid = excluded.total_fees_paid,
           average_trade_pnl = excluded.average_trade_pnl,
           largest_win = excluded.largest_win,
           largest_loss = excluded.largest_loss,
           net_flows = excluded.net_flows,
           unpriced_assets = excluded.unpriced_assets,
           is_reconstructed = false
    returning 1
  )
  select count(*)::integer into v_count from written;
  return v_count;
end
$$;

/**
 * Rebuilds the daily equity of one user from p_from to p_to (UTC days, at most 3,660) backwards
 * from the latest balances over fills, transfers, funding and closes, valued at the daily closes
 * (market_prices kind close_1d), so that a user who connects today sees a curve for the synced
 * window. Rows are marked is_reconstructed = true; a real snapshot is never overwritten (a
 * reconstructed row is). Days not ended yet are skipped. Returns the number of rows written.
 */
create or replace function private.reconstruct_portfolio_history(p_user_id uuid, p_from date, p_to date)
returns integer
language plpgsql
set search_path = ''
set jit = off
set plan_cache_mode = force_custom_plan
as $$
declare
  v_to date := least(p_to, (now() at time zone 'utc')::date - 1);
  v_count integer;
begin
  if p_user_id is null or p_from is null or p_to is null then
    raise exception 'reconstruct_portfolio_history: user, from and to are required' using errcode = '22023';
  end if;
  if p_to < p_from or p_to - p_from > 3660 then
    raise exception 'reconstruct_portfolio_history: invalid range % .. % (at most 3660 days)', p_from, p_to using errcode = '22023';
  end if;
  if v_to < p_from then
    return 0;
  end if;

  insert into public.portfolio_snapshots as ps (
    user_id, exchange, snapshot_date, total_balance, available_balance, locked_balance,
    total_positions_value, unrealized_pnl, open_positions_count, total_realized_pnl,
    total_trades_count, winning_trades_count, losing_trades_count, win_rate, total_fees_paid,
    average_trade_pnl, largest_win, largest_loss, net_flows, unpriced_assets, is_reconstructed)
  select st.user_id, st.exchange, st.snapshot_date, st.total_balance, st.available_balance, st.locked_balance,
         st.total_positions_value, st.unrealized_pnl, st.open_positions_count, st.total_realized_pnl,
         st.total_trades_count, st.winning_trades_count, st.losing_trades_count, st.win_rate, st.total_fees_paid,
         st.average_trade_pnl, st.largest_win, st.largest_loss, st.net_flows, st.unpriced_assets, true
    from private.portfolio_state(p_from, v_to, p_user_id, true) as st
  on conflict on constraint unique_snapshot do update
     set total_balance = excluded.total_balance,
         available_balance = excluded.available_balance,
         locked_balance = excluded.locked_balance,
         total_positions_value = excluded.total_positions_value,
         unrealized_pnl = excluded.unrealized_pnl,
         open_positions_count = excluded.open_positions_count,
         total_realized_pnl = excluded.total_realized_pnl,
         total_trades_count = excluded.total_trades_count,
         winning_trades_count = excluded.winning_trades_count,
         losing_trades_count = excluded.losing_trades_count,
         win_rate = excluded.win_rate,
         total_fees_paid = excluded.total_fees_paid,
         average_trade_pnl = excluded.average_trade_pnl,
         largest_win = excluded.largest_win,
         largest_loss = excluded.largest_loss,
         net_flows = excluded.net_flows,
         unpriced_assets = excluded.unpriced_assets
   where ps.is_reconstructed;
  get diagnostics v_count = row_count;
  return v_count;
end
$$;

revoke all on function private.positions_at(timestamptz, uuid) from public, anon, authenticated;
revoke all on function private.portfolio_state(date, date, uuid, boolean) from public, anon, authenticated;
revoke all on function private.take_portfolio_snapshots(date, uuid) from public, anon, authenticated;
revoke all on function private.reconstruct_portfolio_history(uuid, date, date) from public, anon, authenticated;
grant execute on function private.positions_at(timestamptz, uuid) to service_role;
grant execute on function private.portfolio_state(date, date, uuid, boolean) to service_role;
grant execute on function private.take_portfolio_snapshots(date, uuid) to service_role;
grant execute on function private.reconstruct_portfolio_history(uuid, date, date) to service_role;
