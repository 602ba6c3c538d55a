-- The spec's market tables, filled by scheduled jobs (definitions in the README, "Market data"):
--
--   job              pg_cron name              schedule (UTC)      writes
--   masters          market-masters            7 * * * *           symbols, timeframes, market_types (SQL, runs in pg_cron)
--   open-interest    market-open-interest      */30 * * * *        gio_open_interest (Gate contract stats; Binance history)
--   long-short       market-long-short         10,40 * * * *       long_short_exchanges, long_short_overall
--   fred             market-fred               20 6 * * *          fredindicators (FRED series/observations; needs FRED_API_KEY)
--
-- Jobs that need an exchange or FRED run in the market-data Edge Function (POST
-- /market-data/jobs, service role) or the local worker (`npm run market-data`): pg_cron marks
-- them requested (private.request_market_job), pg_net wakes the function on a hosted project,
-- and the worker runs each requested job once, recording its outcome in private.market_jobs. A
-- failing job records its error and leaves the others running. Re-runs add nothing: every table
-- written has a natural key (added below where the spec had none) and rows are upserted.

create table if not exists private.market_jobs (
  job text not null,
  status text not null default 'idle',
  requested_at timestamptz,
  last_started_at timestamptz,
  last_finished_at timestamptz,
  last_success_at timestamptz,
  last_error text,
  last_rows integer,
  runs bigint not null default 0,
  failures bigint not null default 0,
  constraint market_jobs_pkey primary key (job),
  constraint market_jobs_job_valid check (job in ('open-interest', 'long-short', 'fred')),
  constraint market_jobs_status_valid check (status in ('idle', 'running', 'succeeded', 'failed', 'not_configured')),
  constraint market_jobs_last_error_short check (last_error is null or char_length(last_error) <= 600)
);

comment on table private.market_jobs is 'Market-data jobs run by the market-data function / worker: when pg_cron last requested each, its last run, outcome (not_configured: a required secret is missing, nothing done), error and rows written.';

insert into private.market_jobs (job) values ('open-interest'), ('long-short'), ('fred') on conflict (job) do nothing;

revoke all on table private.market_jobs from public, anon, authenticated, service_role;
grant select, insert, update on table private.market_jobs to service_role;
grant select on table private.market_jobs to ops_reader;

-- Natural keys: one row per source time (re-runs upsert instead of adding).
do $$
begin
  if not exists (select 1 from pg_constraint where conname = 'gio_open_interest_symbol_exchange_time_key') then
    alter table public.gio_open_interest
      add constraint gio_open_interest_symbol_exchange_time_key unique (symbol_id, exchange, last_updated);
  end if;
  if not exists (select 1 from pg_constraint where conname = 'long_short_overall_symbol_timeframe_time_key') then
    alter table public.long_short_overall
      add constraint long_short_overall_symbol_timeframe_time_key unique (symbol_id, timeframe_id, last_updated);
  end if;
  if not exists (select 1 from pg_constraint where conname = 'long_short_exchanges_symbol_timeframe_exchange_time_key') then
    alter table public.long_short_exchanges
      add constraint long_short_exchanges_symbol_timeframe_exchange_time_key unique (symbol_id, timeframe_id, exchange, last_updated);
  end if;
end
$$;

comment on column public.gio_open_interest.open_interest is 'Open interest in quote currency (USDT notional): Gate open_interest_usd, Binance sumOpenInterestValue.';
comment on column public.gio_open_interest.change_24h is 'open_interest − the same source''s value 24 hours earlier (NULL when the source has no value then).';
comment on column public.long_short_exchanges.bias is 'bullish when long_percent >= 55, bearish when long_percent <= 45, neutral otherwise (README, "Market data").';
comment on column public.long_short_overall.long_percent is 'Mean of the exchanges'' long_percent at that time (equal weights), 2 decimals half-even.';

/** Marks market-data job p_job requested (pg_cron); the function or worker runs it. */
create or replace function private.request_market_job(p_job text)
returns void
language sql
set search_path = ''
as $$
  update private.market_jobs set requested_at = now() where job = p_job
$$;

/**
 * Hands the requested market-data jobs to a worker (each once; a job running for more than
 * p_lease is taken over) and marks them running. p_only restricts to the named jobs and runs
 * them even when not requested (a manual run).
 */
create or replace function private.claim_market_jobs(p_only text[] default null, p_lease interval default interval '15 minutes')
returns setof text
language sql
set search_path = ''
as $$
  with due as (
    select mj.job from private.market_jobs as mj
     where (p_only is null and mj.requested_at is not null or mj.job = any (p_only))
       and (mj.status <> 'running' or mj.last_started_at < now() - p_lease)
     for update skip locked)
  , claimed as (
  update private.market_jobs as mj
     set status = 'running', requested_at = null, last_started_at = now(), runs = mj.runs + 1
    from due where mj.job = due.job
  returning mj.job)
  -- in the order asked (p_only), else by name: never the rows' physical order, which updates move
  select c.job from claimed as c order by array_position(p_only, c.job), c.job
$$;

/** Records the outcome of a market-data job run (status succeeded | failed | not_configured). */
create or replace function private.finish_market_job(p_job text, p_status text, p_rows integer, p_error text)
returns void
language sql
set search_path = ''
as $$
  update private.market_jobs
     set status = p_status, last_finished_at = now(), last_rows = p_rows,
         last_error = left(p_error, 600),
         last_success_at = case when p_status = 'succeeded' then now() else last_success_at end,
         failures = failures + case when p_status = 'failed' then 1 else 0 end
   where job = p_job
$$;

/**
 * pg_cron job 'market-masters': the masters the market tables reference. timeframes: 5m, 15m,
 * 1h, 4h, 1d; market_types: spot, swap, futures; symbols: BASE_QUOTE (the spec's BTC_USDT) of
 * every candle series (private.market_series) and of p_extra (ccxt symbols). Returns rows added.
 */
create or replace function private.refresh_market_masters(p_extra text[] default array['BTC/USDT:USDT', 'ETH/USDT:USDT'])
returns integer
language plpgsql
set search_path = ''
as $$
declare
  v_rows integer;
  v_total integer := 0;
begin
  insert into public.timeframes (timeframe)
  select unnest(array['5m', '15m', '1h', '4h', '1d']) on conflict (timeframe) do nothing;
  get diagnostics v_rows = row_count;
  v_total := v_total + v_rows;
  insert into public.market_types (name)
  select unnest(array['spot', 'swap', 'futures']) on conflict (name) do nothing;
  get diagnostics v_rows = row_count;
  v_total := v_total + v_rows;
  insert into public.symbols (symbol_name)
  select distinct private.master_symbol_name(s.symbol)
    from (select ms.symbol from private.market_series as ms union select unnest(p_extra)) as s
   where char_length(private.master_symbol_name(s.symbol)) between 1 and 40
  on conflict (symbol_name) do nothing;
  get diagnostics v_rows = row_count;
  return v_total + v_rows;
end
$$;

/** The spec's symbol name of a ccxt symbol: BTC/USDT and BTC/USDT:USDT → BTC_USDT. */
create or replace function private.master_symbol_name(p_symbol text)
returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
  select upper(split_part(p_symbol, '/', 1) || '_' || private.symbol_quote(p_symbol))
$$;

revoke all on function private.request_market_job(text) from public, anon, authenticated;
revoke all on function private.claim_market_jobs(text[], interval) from public, anon, authenticated;
revoke all on function private.finish_market_job(text, text, integer, text) from public, anon, authenticated;
revoke all on function private.refresh_market_masters(text[]) from public, anon, authenticated;
revoke all on function private.master_symbol_name(text) from public, anon, authenticated;
grant execute on function private.request_market_job(text) to service_role;
grant execute on function private.claim_market_jobs(text[], interval) to service_role;
grant execute on function private.finish_market_job(text, text, integer, text) to service_role;
grant execute on function private.refresh_market_masters(text[]) to service_role;
grant execute on function private.master_symbol_name(text) to service_role;

-- Operators: freshness of every market table and job.
create or replace view ops.market_data_freshness as
select 'market_candles'::text as source, null::text as status, (select max(ms.last_success_at) from private.market_series as ms) as last_success_at,
       (select max(c.open_time) from public.market_candles as c) as latest_data_at, null::text as last_error
union all
select 'gio_open_interest', j.status, j.last_success_at, (select max(x.last_updated) from public.gio_open_interest as x), j.last_error
  from private.market_jobs as j where j.job = 'open-interest'
union all
select 'long_short', j.status, j.last_success_at, (select max(x.last_updated) from public.long_short_exchanges as x), j.last_error
  from private.market_jobs as j where j.job = 'long-short'
union all
select 'fredindicators', j.status, j.last_success_at, (select max(x.observation_date)::timestamptz from public.fredindicators as x), j.last_error
  from private.market_jobs as j where j.job = 'fred';
comment on view ops.market_data_freshness is 'Each market data source: last job status and success, the newest data time stored, the last error (not_configured: FRED without its key).';
revoke all on table ops.market_data_freshness from public, anon, authenticated;
grant select on table ops.market_data_freshness to service_role, ops_reader;

do $do$
begin
  if exists (select 1 from pg_catalog.pg_namespace where nspname = 'cron') then
    perform cron.schedule('market-masters', '7 * * * *', 'select private.refresh_market_masters()');
    perform cron.schedule('market-open-interest', '*/30 * * * *', $c$select private.request_market_job('open-interest')$c$);
    perform cron.schedule('market-long-short', '10,40 * * * *', $c$select private.request_market_job('long-short')$c$);
    perform cron.schedule('market-fred', '20 6 * * *', $c$select private.request_market_job('fred')$c$);
    if exists (select 1 from pg_catalog.pg_namespace where nspname = 'net') then
      perform cron.schedule('market-data-jobs-wake', '* * * * *', $cmd$
        select net.http_post(
                 url := (select decrypted_secret from vault.decrypted_secrets where name = 'project_url') || '/functions/v1/market-data/jobs',
                 headers := jsonb_build_object(
                   'content-type', 'application/json',
                   'authorization', 'Bearer ' || (select decrypted_secret from vault.decrypted_secrets where name = 'service_role_key')),
                 body := '{}'::jsonb,
                 timeout_milliseconds := 5000)
         where exists (select 1 from private.market_jobs where requested_at is not null)
      $cmd$);
    end if;
  end if;
end
$do$;
