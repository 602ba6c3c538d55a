-- Daily candles from the exchanges' public OHLCV endpoints (ccxt fetchOHLCV, no keys) for every
-- (exchange, symbol) users hold or held, plus the conversions valuation needs. One copy per
-- exchange and symbol, shared by every user.
--
--   public.market_candles     open/high/low/close/volume of each closed UTC day (timeframe 1d);
--                             every close is also written to public.market_prices as kind
--                             'close_1d' (as_of = the day's start), which is what valuation reads
--   private.market_series     one row per (exchange, symbol, timeframe): the backfill start, the
--                             cursor (the open time of the next candle to fetch), the claim, the
--                             last error and when to retry. The worker commits each page of
--                             candles with its cursor in one transaction: resumable, idempotent
--   private.discover_market_series(user)   finds the series users need (rules below) and
--                             extends a series' window when an older event appears
--   private.claim_market_series(...)       hands due series to a worker (SKIP LOCKED, leased)
--   private.plan_market_candles()          pg_cron (every 15 minutes): discovery for everyone;
--                             returns the number of series due. The worker (the market-data
--                             Edge Function, woken by pg_net on a hosted project; locally
--                             `npm run market-data`) fetches them.
--
-- Which series (private.market_series_wanted), on the exchange where the user traded or held:
--   * every symbol of the user's fills (spot and swap, as traded);
--   * <ASSET>/USDT for every asset other than USDT in balances, transfers and fee currencies
--     (fees_tracking), and for every quote currency other than USDT of a traded symbol;
--   * USD stablecoins are included (USDC/USDT exists; without it they count at 1, see
--     20261125100000_valuation_helpers).
-- The window starts the day before the series' earliest event (a fill on day D converts its fee
-- at the close of D − 1); an asset in a balance is needed from the user's first fill or transfer
-- on that exchange (reconstruction rolls the balance back to then), or from its as_of.
-- Symbols an exchange does not list are marked 'unavailable' by the worker (retried weekly).
--
-- Valuation: a daily close values the instants from its day's end up to one day later, no
-- further. A day without a candle, and without a ticker, stays unpriced (listed in
-- portfolio_snapshots.unpriced_assets and counted by public.get_unpriced_summary) instead of being
-- valued at an older close. That window is applied to the one price rule by private.price_at in
-- 20261207200000_day_price_from_the_one_rule (not restated here).

create table if not exists public.market_candles (
  exchange public.exchange_id not null,
  symbol text not null,
  timeframe text not null default '1d',
  open_time timestamptz not null,
  open numeric(38, 18) not null,
  high numeric(38, 18) not null,
  low numeric(38, 18) not null,
  close numeric(38, 18) not null,
  volume numeric(38, 18),
  fetched_at timestamptz not null default now(),
  constraint market_candles_pkey primary key (exchange, symbol, timeframe, open_time),
  constraint market_candles_exchange_is_trading check (exchange <> 'alpha_vantage'),
  constraint market_candles_symbol_not_blank check (symbol <> ''),
  constraint market_candles_timeframe_valid check (timeframe in ('1d')),
  constraint market_candles_day_start check (extract(epoch from open_time)::bigint % 86400 = 0),
  constraint market_candles_prices_non_negative check (open >= 0 and high >= 0 and low >= 0 and close >= 0),
  constraint market_candles_range_valid check (low <= high and low <= open and low <= close and high >= open and high >= close),
  constraint market_candles_volume_non_negative check (volume is null or volume >= 0)
);

comment on table public.market_candles is 'Closed daily candles (UTC days) per exchange and symbol from the exchanges'' public OHLCV endpoints, shared by all users. Each close is also in market_prices (kind close_1d). A missing day has no row: never filled in.';
comment on column public.market_candles.open_time is 'Start of the candle''s UTC day.';
comment on column public.market_candles.low is 'Lowest traded price of the day, quote currency per base unit (used for a long position''s max adverse excursion).';
comment on column public.market_candles.high is 'Highest traded price of the day, quote currency per base unit (used for a short position''s max adverse excursion).';
comment on column public.market_candles.volume is 'Base volume of the day as the exchange reports it (contracts for some swap markets).';

revoke all on table public.market_candles from anon, authenticated, service_role;
grant select on table public.market_candles to authenticated;
grant select, insert, update, delete on table public.market_candles to service_role;

alter table public.market_candles enable row level security;

create policy "Signed-in users can read market candles"
  on public.market_candles for select to authenticated
  using (true);

create table if not exists private.market_series (
  exchange public.exchange_id not null,
  symbol text not null,
  timeframe text not null default '1d',
  backfill_from timestamptz not null,
  next_since timestamptz not null,
  status text not null default 'pending',
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  claimed_by text,
  claimed_at timestamptz,
  last_error text,
  last_success_at timestamptz,
  last_candle_at timestamptz,
  candles_written bigint not null default 0,
  requests bigint not null default 0,
  first_seen_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint market_series_pkey primary key (exchange, symbol, timeframe),
  constraint market_series_exchange_is_trading check (exchange <> 'alpha_vantage'),
  constraint market_series_symbol_not_blank check (symbol <> ''),
  constraint market_series_timeframe_valid check (timeframe in ('1d')),
  constraint market_series_status_valid check (status in ('pending', 'ok', 'failed', 'unavailable')),
  constraint market_series_attempts_non_negative check (attempts >= 0),
  constraint market_series_cursor_in_window check (next_since >= backfill_from),
  constraint market_series_claim_complete check ((claimed_by is null) = (claimed_at is null)),
  constraint market_series_last_error_short check (last_error is null or char_length(last_error) <= 600)
);

comment on table private.market_series is 'The candle series users need, one per exchange, symbol and timeframe, with the fetch cursor (resumable), the claim of the worker fetching it, failures and the next retry.';
comment on column private.market_series.backfill_from is 'Start of the window to fetch (UTC day start): the day before the earliest event that needs the series.';
comment on column private.market_series.next_since is 'Cursor: open time of the next candle to fetch. Advanced with each page in the page''s transaction; moved back to backfill_from when the window grows.';
comment on column private.market_series.status is 'pending (never fetched), ok (up to date at last_success_at), failed (last attempt failed; retried at next_attempt_at), unavailable (the exchange does not list the symbol; retried weekly).';
comment on column private.market_series.attempts is 'Consecutive failed attempts (0 after a success); sets the backoff.';
comment on column private.market_series.last_error is 'Short, scrubbed reason of the last failure (no URL query, no key).';

create index if not exists market_series_due_idx on private.market_series (next_attempt_at);

revoke all on table private.market_series from public, anon, authenticated, service_role;
grant select, insert, update, delete on table private.market_series to service_role;

/**
 * The candle series the users' data needs (one user, or everyone when p_user_id is NULL): per
 * exchange and symbol, the earliest instant an event needs it (rules in this migration's header).
 */
create or replace function private.market_series_wanted(p_user_id uuid default null)
returns table (exchange public.exchange_id, symbol text, needed_from timestamptz)
language sql
stable
set search_path = ''
as $$
  with needs (exchange, symbol, at) as (
    select f.exchange, f.symbol, min(f.executed_at)
      from public.fills as f
     where p_user_id is null or f.user_id = p_user_id
     group by f.exchange, f.symbol
    union all
    select f.exchange, q.quote || '/USDT', min(f.executed_at)
      from public.fills as f
     cross join lateral (select private.symbol_quote(f.symbol) as quote) as q
     where (p_user_id is null or f.user_id = p_user_id) and q.quote <> 'USDT' and q.quote <> ''
     group by f.exchange, q.quote
    union all
    select ft.exchange, upper(ft.fee_currency) || '/USDT', min(ft.fee_timestamp)
      from public.fees_tracking as ft
     where (p_user_id is null or ft.user_id = p_user_id) and upper(ft.fee_currency) <> 'USDT'
     group by ft.exchange, upper(ft.fee_currency)
    union all
    select t.exchange, upper(t.asset) || '/USDT', min(t.occurred_at)
      from public.transfers as t
     where (p_user_id is null or t.user_id = p_user_id) and upper(t.asset) <> 'USDT'
     group by t.exchange, upper(t.asset)
    union all
    select b.exchange, upper(b.asset) || '/USDT', min(least(b.as_of, coalesce(fe.first_at, b.as_of)))
      from public.balances as b
      left join lateral (
        select least((select min(f.executed_at) from public.fills as f where f.user_id = b.user_id and f.exchange = b.exchange),
                     (select min(t.occurred_at) from public.transfers as t where t.user_id = b.user_id and t.exchange = b.exchange)) as first_at
      ) as fe on true
     where (p_user_id is null or b.user_id = p_user_id) and upper(b.asset) <> 'USDT' and b.total <> 0
     group by b.exchange, upper(b.asset)
  )
  select n.exchange, n.symbol, min(n.at)
    from needs as n
   where n.exchange <> 'alpha_vantage' and n.symbol not like '/%'
   group by n.exchange, n.symbol
$$;

/**
 * Registers the series users need (one user, or everyone when p_user_id is NULL): a new series
 * starts at the day before its earliest event and is due now; a known series whose window must
 * start earlier (an older event appeared) moves its start and its cursor back to it (the pages
 * already stored are upserted again: nothing doubles). Returns the number of series added or
 * extended.
 */
create or replace function private.discover_market_series(p_user_id uuid default null)
returns integer
language plpgsql
set search_path = ''
as $$
declare
  v_count integer;
begin
  with wanted as (
    select w.exchange, w.symbol,
           date_trunc('day', w.needed_from, 'UTC') - interval '1 day' as start_at
      from private.market_series_wanted(p_user_id) as w
  )
  insert into private.market_series as ms (exchange, symbol, timeframe, backfill_from, next_since, status, next_attempt_at)
  select w.exchange, w.symbol, '1d', w.start_at, w.start_at, 'pending', now()
    from wanted as w
  on conflict (exchange, symbol, timeframe) do update
     set backfill_from = excluded.backfill_from,
         next_since = excluded.backfill_from,
         next_attempt_at = least(ms.next_attempt_at, now()),
         updated_at = now()
   where excluded.backfill_from < ms.backfill_from;
  get diagnostics v_count = row_count;
  return v_count;
end
$$;

/**
 * Hands up to p_max due series to worker p_worker: next attempt due (an unavailable or failed
 * series waits for its retry time), a closed day not fetched yet (the cursor's day started before today), not claimed (or claimed longer than
 * p_lease ago: the worker died). FOR UPDATE SKIP LOCKED: two workers never get the same series.
 */
create or replace function private.claim_market_series(
  p_worker text,
  p_max integer default 50,
  p_lease interval default interval '10 minutes'
)
returns table (exchange public.exchange_id, symbol text, timeframe text, backfill_from timestamptz, next_since timestamptz, attempts integer)
language plpgsql
set search_path = ''
as $$
begin
  return query
  with due as (
    select ms.exchange, ms.symbol, ms.timeframe
      from private.market_series as ms
     where ms.next_attempt_at <= now()
       and ms.next_since < date_trunc('day', now(), 'UTC')
       and (ms.claimed_at is null or ms.claimed_at < now() - p_lease)
     order by ms.next_attempt_at, ms.exchange, ms.symbol
     limit greatest(p_max, 0)
     for update skip locked
  )
  update private.market_series as ms
     set claimed_by = p_worker, claimed_at = now(), updated_at = now()
    from due
   where ms.exchange = due.exchange and ms.symbol = due.symbol and ms.timeframe = due.timeframe
  returning ms.exchange, ms.symbol, ms.timeframe, ms.backfill_from, ms.next_since, ms.attempts;
end
$$;

/**
 * pg_cron job 'plan-market-candles' (every 15 minutes): registers the series users need and
 * returns how many are due (the worker fetches them; see this migration's header).
 */
create or replace function private.plan_market_candles()
returns integer
language plpgsql
set search_path = ''
as $$
declare
  v_due integer;
begin
  perform private.discover_market_series(null);
  select count(*)::integer into v_due
    from private.market_series as ms
   where ms.next_attempt_at <= now()
     and ms.next_since < date_trunc('day', now(), 'UTC');
  return v_due;
end
$$;

revoke all on function private.price_at(public.exchange_id, text, timestamptz) from public, anon, authenticated;
revoke all on function private.market_series_wanted(uuid) from public, anon, authenticated;
revoke all on function private.discover_market_series(uuid) from public, anon, authenticated;
revoke all on function private.claim_market_series(text, integer, interval) from public, anon, authenticated;
revoke all on function private.plan_market_candles() from public, anon, authenticated;
grant execute on function private.price_at(public.exchange_id, text, timestamptz) to service_role;
grant execute on function private.market_series_wanted(uuid) to service_role;
grant execute on function private.discover_market_series(uuid) to service_role;
grant execute on function private.claim_market_series(text, integer, interval) to service_role;
grant execute on function private.plan_market_candles() to service_role;

-- Operators: each series' freshness (ops schema: service role and ops_reader only).
create or replace view ops.market_candle_freshness as
select ms.exchange, ms.symbol, ms.timeframe, ms.status, ms.backfill_from, ms.next_since,
       ms.last_candle_at, ms.last_success_at, ms.attempts, ms.next_attempt_at, ms.last_error,
       ms.candles_written, ms.requests,
       (date_trunc('day', now(), 'UTC') - ms.next_since) > interval '1 day' as is_stale
  from private.market_series as ms;
comment on view ops.market_candle_freshness is 'Candle series: cursor, last candle, last success, failures; is_stale when more than one closed day is not fetched yet.';
revoke all on table ops.market_candle_freshness from public, anon, authenticated;
grant select on table ops.market_candle_freshness to service_role, ops_reader;
grant select on table private.market_series to ops_reader;

do $do$
begin
  if exists (select 1 from pg_catalog.pg_namespace where nspname = 'cron') then
    perform cron.schedule('plan-market-candles', '*/15 * * * *', 'select private.plan_market_candles()');
    -- Hosted projects: pg_net wakes the market-data function while series are due (Vault secrets
    -- project_url and service_role_key, as for exchange-sync-wake).
    if exists (select 1 from pg_catalog.pg_namespace where nspname = 'net') then
      perform cron.schedule('market-candles-wake', '2,17,32,47 * * * *', $cmd$
        select net.http_post(
                 url := (select decrypted_secret from vault.decrypted_secrets where name = 'project_url') || '/functions/v1/market-data/candles',
                 headers := jsonb_build_object(
                   'content-type', 'application/json',
                   'authorization', 'Bearer ' || (select decrypted_secret from vault.decrypted_secrets where name = 'service_role_key')),
                 body := '{"max": 200}'::jsonb,
                 timeout_milliseconds := 5000)
         where exists (select 1 from private.market_series
                        where next_attempt_at <= now() and next_since < date_trunc('day', now(), 'UTC'))
      $cmd$);
    end if;
  end if;
end
$do$;
