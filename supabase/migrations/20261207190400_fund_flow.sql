-- Fund flows (definition in the README, "Market data"): from an exchange's public trades of a
-- window (timeframe 1h), the taker-buy notional (inflow) and taker-sell notional (outflow) per
-- order-size bucket of the trade's notional in quote currency — small < 10,000, medium
-- 10,000 to < 100,000, large >= 100,000 — in fund_flow_analysis, and the window's net
-- (Σ inflow − Σ outflow) in fund_flow_historical. Job 'fund-flow' (pg_cron 'market-fund-flow',
-- hourly at :03, the hour just ended), run by the market-data function / worker.

alter table public.fund_flow_analysis add column if not exists period_start timestamptz;
comment on column public.fund_flow_analysis.period_start is 'Start of the window the flows cover (its length is the timeframe).';

do $$
begin
  if not exists (select 1 from pg_constraint where conname = 'fund_flow_analysis_window_bucket_key') then
    alter table public.fund_flow_analysis
      add constraint fund_flow_analysis_window_bucket_key unique (symbol_id, market_type_id, timeframe_id, order_size, period_start);
  end if;
  if not exists (select 1 from pg_constraint where conname = 'fund_flow_historical_window_key') then
    alter table public.fund_flow_historical
      add constraint fund_flow_historical_window_key unique (symbol_id, market_type_id, timeframe_id, date_time);
  end if;
end
$$;

comment on column public.fund_flow_analysis.inflow is 'Taker-buy notional of the window''s trades in this size bucket (quote currency).';
comment on column public.fund_flow_analysis.outflow is 'Taker-sell notional of the window''s trades in this size bucket (quote currency).';
comment on column public.fund_flow_historical.net_inflow is 'Taker-buy minus taker-sell notional of all the window''s trades (quote currency); date_time = window start.';

alter table private.market_jobs drop constraint if exists market_jobs_job_valid;
alter table private.market_jobs add constraint market_jobs_job_valid check (job in ('open-interest', 'long-short', 'fred', 'fund-flow'));
insert into private.market_jobs (job) values ('fund-flow') on conflict (job) do nothing;

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
  from private.market_jobs as j where j.job = 'fred'
union all
select 'fund_flow', j.status, j.last_success_at, (select max(x.date_time) from public.fund_flow_historical as x), j.last_error
  from private.market_jobs as j where j.job = 'fund-flow';

do $do$
begin
  if exists (select 1 from pg_catalog.pg_namespace where nspname = 'cron') then
    perform cron.schedule('market-fund-flow', '3 * * * *', $c$select private.request_market_job('fund-flow')$c$);
  end if;
end
$do$;
