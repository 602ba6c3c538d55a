-- Exchange sync, part 2: the queue's SQL side.
--
--   private.claim_sync_jobs(worker, limit, stale_after)  workers claim due jobs (FOR UPDATE SKIP
--                                                        LOCKED); running jobs whose heartbeat is
--                                                        older than stale_after are retaken
--   private.enqueue_due_syncs()                          pg_cron: an incremental job per active
--                                                        credential not synced for an hour
--   public.request_sync(p_credential_id default null)    "sync now" for the caller's own
--                                                        credential(s), rate-limited per user and
--                                                        credential (one request per 60 s)
--   cron jobs                                            enqueue every 5 minutes; where pg_net
--                                                        exists (hosted), wake the exchange-sync
--                                                        function every minute while jobs are due
--
-- The per-credential advisory lock (two workers never sync one account at once) is taken by the
-- worker on its own connection for the whole job: pg_try_advisory_lock(private.sync_lock_key(id)).

create or replace function private.sync_lock_key(p_credential_id uuid)
returns bigint
language sql
immutable
parallel safe
set search_path = ''
as $$
  select pg_catalog.hashtextextended('exchange-sync:' || p_credential_id::text, 0)
$$;

comment on function private.sync_lock_key(uuid) is 'Advisory lock key of one credential''s sync (session lock held by the worker for the whole job).';
revoke all on function private.sync_lock_key(uuid) from public, anon, authenticated;
grant execute on function private.sync_lock_key(uuid) to service_role;

create or replace function private.claim_sync_jobs(
  p_worker text,
  p_limit integer default 1,
  p_stale_after interval default interval '5 minutes'
)
returns setof public.sync_jobs
language sql
volatile
security definer
set search_path = ''
as $$
  with claimable as (
    select j.user_id, j.id
      from public.sync_jobs as j
     where (j.status = 'queued' and j.run_after <= pg_catalog.now())
        or (j.status = 'running' and j.heartbeat_at < pg_catalog.now() - p_stale_after)
     order by j.run_after, j.id
     limit greatest(p_limit, 0)
       for update skip locked
  )
  update public.sync_jobs as j
     set status = 'running',
         claimed_by = p_worker,
         claimed_at = pg_catalog.now(),
         heartbeat_at = pg_catalog.now(),
         finished_at = null,
         attempts = j.attempts + 1
    from claimable as c
   where j.user_id = c.user_id and j.id = c.id
  returning j.*
$$;

comment on function private.claim_sync_jobs(text, integer, interval) is 'Claims up to p_limit due sync jobs for worker p_worker (queued and due, or running with a heartbeat older than p_stale_after), oldest first, skipping rows other workers hold.';
revoke all on function private.claim_sync_jobs(text, integer, interval) from public, anon, authenticated;
grant execute on function private.claim_sync_jobs(text, integer, interval) to service_role;

-- The scheduler's half: another helper (performance / pg_cron) may already have written it; the
-- name is the contract, so an existing definition is kept.
do $do$
begin
  if to_regprocedure('private.enqueue_due_syncs()') is null then
    execute $fn$
      create function private.enqueue_due_syncs()
      returns integer
      language plpgsql
      volatile
      security definer
      set search_path = ''
      as $body$
      declare
        n integer;
      begin
        insert into public.sync_jobs (user_id, credential_id, kind)
        select c.user_id, c.id, 'incremental'
          from public.api_credentials as c
         where c.is_active
           and c.deleted_at is null
           and c.api_key_ct is not null
           and c.exchange in ('binance', 'bitget', 'gateio', 'mexc')
           and c.verification_status <> 'invalid'
           and (c.last_sync_at is null or c.last_sync_at < pg_catalog.now() - interval '1 hour')
           and not exists (
             select 1 from public.sync_jobs as j
              where j.user_id = c.user_id and j.credential_id = c.id and j.status in ('queued', 'running'))
         order by c.last_sync_at nulls first
         limit 5000
        on conflict (user_id, credential_id, kind) where status in ('queued', 'running') do nothing;
        get diagnostics n = row_count;
        return n;
      end
      $body$
    $fn$;
    comment on function private.enqueue_due_syncs() is 'pg_cron: queues an incremental sync for every active exchange credential not synced for an hour (and not queued or running already). Returns how many jobs were queued.';
  end if;
end
$do$;

revoke all on function private.enqueue_due_syncs() from public, anon, authenticated;
grant execute on function private.enqueue_due_syncs() to service_role;

-- "Sync now": one request per user and credential per 60 s.
create table if not exists private.sync_request_log (
  user_id uuid not null references auth.users (id) on delete cascade,
  credential_id uuid not null,
  requested_at timestamptz not null default now(),
  constraint sync_request_log_pkey primary key (user_id, credential_id)
);

comment on table private.sync_request_log is 'Last "sync now" request per user and credential (rate limit of public.request_sync).';
revoke all on table private.sync_request_log from public, anon, authenticated, service_role;
grant select, insert, update, delete on table private.sync_request_log to service_role;

/**
 * The caller's "sync now": for one credential (p_credential_id) or every active credential of
 * the caller. Per credential: rate-limited (one request per 60 s, else status rate_limited with
 * retry_after_seconds), an already queued job is made due now and returned (status queued),
 * a running one is returned as is (status running), otherwise a 'manual' job is queued.
 * Errors (SQLSTATE → HTTP status through PostgREST): PT404 the credential is not the caller's
 * (or does not exist); PT409 it is inactive, deleted or its key was rejected; PT429 every
 * requested credential is rate-limited (detail: retry_after_seconds=N).
 * Security definer: users cannot write sync_jobs; takes no user id (auth.uid() only).
 */
create or replace function private.request_sync_for_caller(p_credential_id uuid default null)
returns table (credential_id uuid, job_id bigint, status text, retry_after_seconds integer)
language plpgsql
volatile
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  uid uuid := (select auth.uid());
  cred record;
  job record;
  logged boolean;
  wait integer;
  n_ok integer := 0;
  n_all integer := 0;
  min_wait integer;
begin
  if uid is null then
    raise exception 'sign in to request a sync' using errcode = 'PT401';
  end if;
  if p_credential_id is not null and not exists (
    select 1 from public.api_credentials as c where c.user_id = uid and c.id = p_credential_id
  ) then
    raise exception 'no credential with this id belongs to you' using errcode = 'PT404';
  end if;
  for cred in
    select c.id, c.is_active, c.deleted_at, c.verification_status, c.exchange
      from public.api_credentials as c
     where c.user_id = uid
       and (p_credential_id is null or c.id = p_credential_id)
       and c.exchange <> 'alpha_vantage'
       and (p_credential_id is not null or (c.is_active and c.deleted_at is null and c.verification_status <> 'invalid'))
     order by c.created_at, c.id
  loop
    if not cred.is_active or cred.deleted_at is not null then
      raise exception 'this credential is inactive or deleted' using errcode = 'PT409';
    end if;
    if cred.verification_status = 'invalid' then
      raise exception 'the exchange rejected this key: save a valid key first' using errcode = 'PT409';
    end if;
    n_all := n_all + 1;
    insert into private.sync_request_log as l (user_id, credential_id, requested_at)
    values (uid, cred.id, pg_catalog.now())
    on conflict on constraint sync_request_log_pkey do update
      set requested_at = excluded.requested_at
      where l.requested_at <= pg_catalog.now() - interval '60 seconds'
    returning true into logged;
    if logged is null then
      select greatest(1, ceil(extract(epoch from (l.requested_at + interval '60 seconds' - pg_catalog.now())))::integer)
        into wait
        from private.sync_request_log as l
       where l.user_id = uid and l.credential_id = cred.id;
      min_wait := least(coalesce(min_wait, wait), wait);
      credential_id := cred.id; job_id := null; status := 'rate_limited'; retry_after_seconds := wait;
      return next;
      continue;
    end if;
    n_ok := n_ok + 1;
    select j.id, j.status into job
      from public.sync_jobs as j
     where j.user_id = uid and j.credential_id = cred.id and j.status in ('queued', 'running')
     order by (j.status = 'running') desc, j.id
     limit 1
       for update;
    if found then
      if job.status = 'queued' then
        update public.sync_jobs as j set run_after = least(j.run_after, pg_catalog.now())
         where j.user_id = uid and j.id = job.id;
      end if;
      credential_id := cred.id; job_id := job.id; status := job.status; retry_after_seconds := null;
      return next;
      continue;
    end if;
    insert into public.sync_jobs (user_id, credential_id, kind)
    values (uid, cred.id, 'manual')
    returning sync_jobs.id into job_id;
    update public.api_credentials as c set last_sync_status = 'queued' where c.user_id = uid and c.id = cred.id;
    credential_id := cred.id; status := 'queued'; retry_after_seconds := null;
    return next;
  end loop;
  if n_all > 0 and n_ok = 0 then
    raise exception 'sync requested too recently; retry in % s', min_wait
      using errcode = 'PT429', detail = 'retry_after_seconds=' || min_wait::text;
  end if;
  return;
end
$$;

revoke all on function private.request_sync_for_caller(uuid) from public, anon, authenticated;
grant execute on function private.request_sync_for_caller(uuid) to authenticated, service_role;

create or replace function public.request_sync(p_credential_id uuid default null)
returns table (credential_id uuid, job_id bigint, status text, retry_after_seconds integer)
language sql
volatile
security invoker
set search_path = ''
as $$
  select * from private.request_sync_for_caller(p_credential_id)
$$;

comment on function public.request_sync(uuid) is 'RPC "sync now" (supabase.rpc(''request_sync'', { p_credential_id })): queues a sync of the caller''s credential, or of all of them; one request per credential per 60 s (429 otherwise). Progress and results: the caller''s sync_jobs and sync_runs.';
revoke all on function public.request_sync(uuid) from public, anon, authenticated;
grant execute on function public.request_sync(uuid) to authenticated;

-- Scheduling. Local stack: pg_cron only (no pg_net), the local runner drains the queue.
do $do$
begin
  if exists (select 1 from pg_catalog.pg_namespace where nspname = 'cron') then
    if not exists (select 1 from cron.job where jobname = 'enqueue-due-syncs') then
      perform cron.schedule('enqueue-due-syncs', '*/5 * * * *', 'select private.enqueue_due_syncs()');
    end if;
    -- Hosted projects: pg_net wakes the function while jobs are due. Project URL and service
    -- key come from Vault secrets `project_url` and `service_role_key` (create them once).
    if exists (select 1 from pg_catalog.pg_namespace where nspname = 'net')
       and not exists (select 1 from cron.job where jobname = 'exchange-sync-wake') then
      perform cron.schedule('exchange-sync-wake', '* * * * *', $cmd$
        select net.http_post(
                 url := (select decrypted_secret from vault.decrypted_secrets where name = 'project_url') || '/functions/v1/exchange-sync',
                 headers := jsonb_build_object(
                   'content-type', 'application/json',
                   'authorization', 'Bearer ' || (select decrypted_secret from vault.decrypted_secrets where name = 'service_role_key')),
                 body := '{"max": 5}'::jsonb,
                 timeout_milliseconds := 5000)
         where exists (select 1 from public.sync_jobs where status = 'queued' and run_after <= now())
      $cmd$);
    end if;
  end if;
end
$do$;
