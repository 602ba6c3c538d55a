-- pg_cron schedules of the performance layer, the functions they call and an operators' view.
--
--   job name                      schedule (UTC)   calls
--   enqueue-due-syncs             */5 * * * *      private.enqueue_due_syncs()
--   update-unrealized-pnl         * * * * *        private.update_unrealized_pnl()
--   take-portfolio-snapshots      5 0 * * *        private.take_portfolio_snapshots()  (yesterday)
--   refresh-performance-metrics   15 * * * *       private.run_hourly_performance_refresh()
--   prune-job-history             30 3 * * *       private.prune_job_history()
--
-- Every job calls one function that can also be called directly (service role). cron.schedule
-- upserts by name, so re-applying this migration changes nothing. Jobs are created only where
-- the cron schema exists (pg_cron installed); they run as the migration's role (postgres).
-- private.cron_job_health shows each job's schedule, last run, status and duration.

-- The hourly refresh remembers up to where it has looked (trade_history and snapshots written
-- after the watermark are new).
create table if not exists private.job_watermarks (
  job_name text not null,
  watermark timestamptz not null,
  updated_at timestamptz not null default now(),
  constraint job_watermarks_pkey primary key (job_name),
  constraint job_watermarks_job_name_not_blank check (job_name <> '')
);

comment on table private.job_watermarks is 'Per scheduled job: the time up to which rows were processed (incremental jobs).';
comment on column private.job_watermarks.watermark is 'Rows created or updated after this instant (minus a safety overlap) are processed next run.';

revoke all on table private.job_watermarks from public, anon, authenticated, service_role;
grant select, insert, update, delete on table private.job_watermarks to service_role;

-- The hourly refresh finds new closes and new snapshots by their write time.
create index if not exists trade_history_created_at_idx on public.trade_history (created_at);
create index if not exists portfolio_snapshots_updated_at_idx on public.portfolio_snapshots (updated_at);

/**
 * Hourly job: recomputes the performance metrics of every user with closed trades or snapshots
 * written since the last run (only their affected periods: since the earliest exit or snapshot
 * day among the new rows), then refreshes the user_performance_summary materialized view
 * concurrently. More than p_max_users affected users are refreshed in one set-based pass from
 * the earliest affected time. Returns the number of metric rows written.
 */
create or replace function private.run_hourly_performance_refresh(p_max_users integer default 500)
returns integer
language plpgsql
set search_path = ''
set jit = off
as $$
declare
  v_started timestamptz := now();
  v_since timestamptz;
  v_ids uuid[];
  v_sinces timestamptz[];
  v_min timestamptz;
  v_rows integer := 0;
begin
  select wm.watermark - interval '10 minutes' into v_since
    from private.job_watermarks as wm where wm.job_name = 'refresh-performance-metrics';
  v_since := coalesce(v_since, '-infinity'::timestamptz);

  select coalesce(array_agg(a.user_id order by a.user_id), '{}'::uuid[]),
         coalesce(array_agg(a.since order by a.user_id), '{}'::timestamptz[])
    into v_ids, v_sinces
    from (select x.user_id, min(x.since) as since
            from (select th.user_id, min(th.exit_time) as since
                    from public.trade_history as th where th.created_at > v_since group by th.user_id
                  union all
                  select ps.user_id, min(ps.snapshot_date)::timestamp at time zone 'UTC'
                    from public.portfolio_snapshots as ps where ps.updated_at > v_since group by ps.user_id) as x
           group by x.user_id) as a;

  if cardinality(v_ids) > coalesce(p_max_users, 500) then
    select min(s) into v_min from unnest(v_sinces) as s;
    v_rows := private.refresh_performance_metrics(null, v_min);
  else
    for i in 1 .. cardinality(v_ids) loop
      v_rows := v_rows + private.refresh_performance_metrics(v_ids[i], v_sinces[i]);
    end loop;
  end if;

  perform private.refresh_user_performance_summary();

  insert into private.job_watermarks as wm (job_name, watermark, updated_at)
  values ('refresh-performance-metrics', v_started, now())
  on conflict (job_name) do update set watermark = excluded.watermark, updated_at = excluded.updated_at;
  return v_rows;
end
$$;

/**
 * Daily job: deletes cron.job_run_details older than p_job_details_age (default 7 days, when
 * pg_cron is installed) and sync_runs started more than p_sync_runs_age ago (default 90 days).
 * Returns the number of rows deleted. Security definer (owner postgres) so that the service role
 * can run it by hand: cron.job_run_details is not granted to it.
 */
create or replace function private.prune_job_history(
  p_job_details_age interval default interval '7 days',
  p_sync_runs_age interval default interval '90 days'
)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_details integer := 0;
  v_runs integer;
begin
  if to_regclass('cron.job_run_details') is not null then
    execute 'delete from cron.job_run_details where coalesce(end_time, start_time) < now() - $1'
      using p_job_details_age;
    get diagnostics v_details = row_count;
  end if;
  delete from public.sync_runs as sr where sr.started_at < now() - p_sync_runs_age;
  get diagnostics v_runs = row_count;
  return v_details + v_runs;
end
$$;

revoke all on function private.run_hourly_performance_refresh(integer) from public, anon, authenticated;
revoke all on function private.prune_job_history(interval, interval) from public, anon, authenticated;
grant execute on function private.run_hourly_performance_refresh(integer) to service_role;
grant execute on function private.prune_job_history(interval, interval) to service_role;

do $do$
begin
  if exists (select 1 from pg_namespace where nspname = 'cron') then
    perform cron.schedule('enqueue-due-syncs', '*/5 * * * *', 'select private.enqueue_due_syncs()');
    perform cron.schedule('update-unrealized-pnl', '* * * * *', 'select private.update_unrealized_pnl()');
    perform cron.schedule('take-portfolio-snapshots', '5 0 * * *', 'select private.take_portfolio_snapshots()');
    perform cron.schedule('refresh-performance-metrics', '15 * * * *', 'select private.run_hourly_performance_refresh()');
    perform cron.schedule('prune-job-history', '30 3 * * *', 'select private.prune_job_history()');

    execute $view$
      create or replace view private.cron_job_health as
      select j.jobid,
             j.jobname,
             j.schedule,
             j.command,
             j.active,
             last_run.status as last_status,
             last_run.start_time as last_started_at,
             last_run.end_time as last_finished_at,
             last_run.end_time - last_run.start_time as last_duration,
             last_run.return_message as last_message,
             day_runs.runs as runs_last_24h,
             day_runs.failures as failures_last_24h
        from cron.job as j
        left join lateral (
          select d.status, d.start_time, d.end_time, d.return_message
            from cron.job_run_details as d
           where d.jobid = j.jobid
           order by d.runid desc
           limit 1) as last_run on true
        left join lateral (
          select count(*) as runs, count(*) filter (where d.status = 'failed') as failures
            from cron.job_run_details as d
           where d.jobid = j.jobid and d.start_time > now() - interval '24 hours') as day_runs on true
    $view$;
    execute $c$comment on view private.cron_job_health is 'Operators: each pg_cron job with its schedule, last run (status, start, end, duration, message) and runs / failures in the last 24 hours. Service role only.'$c$;
    execute 'revoke all on table private.cron_job_health from public, anon, authenticated';
    execute 'grant select on table private.cron_job_health to service_role';
  end if;
end
$do$;
