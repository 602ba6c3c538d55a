-- private.enqueue_due_syncs(): one definition, one schedule (issue 16).
--
-- Before: the function was created in 20261125100500 (skips credentials whose last sync failed
-- authentication, waits an hour after the last enqueued job) and again, behind
-- `if to_regprocedure(…) is null`, in the sync-queue migration 20261125300100 (without those
-- rules, security definer) — a copy that never ran, since 100500 always runs first; the cron job
-- was scheduled in both 20261125100600 and 20261125300100. Both older files are history and stay
-- as they are; this migration is the definition and the schedule in force. The project no longer
-- creates its own objects conditionally: a later change is a new `create or replace` here.
--
-- Behaviour kept from 20261125100500 (the one that ran): an 'incremental' job (queued, due now)
-- for every active, not deleted, not rejected trading credential whose last sync succeeded or
-- failed for a reason other than authentication, whose last sync and last enqueued job are both
-- older than one hour, and that has no queued or running job; at most 5,000 per run, least
-- recently synced first. Security invoker: pg_cron runs it as its owner, the service role may
-- call it.

/**
 * Enqueues an 'incremental' sync job for every due credential (rules in this migration's header)
 * and returns how many were enqueued. Called by pg_cron ('enqueue-due-syncs', every 5 minutes).
 */
create or replace function private.enqueue_due_syncs()
returns integer
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_due_after constant interval := interval '1 hour';
  v_count integer;
begin
  insert into public.sync_jobs (user_id, credential_id, kind, status, run_after)
  select c.user_id, c.id, 'incremental', 'queued', now()
    from public.api_credentials as c
   where c.is_active
     and c.deleted_at is null
     and c.api_key_ct is not null
     and c.exchange <> 'alpha_vantage'
     and c.verification_status <> 'invalid'
     and c.last_sync_status is distinct from 'auth_failed'
     and (c.last_sync_at is null or c.last_sync_at < now() - v_due_after)
     and not exists (
       select 1 from public.sync_jobs as j
        where j.user_id = c.user_id and j.credential_id = c.id
          and (j.status in ('queued', 'running') or j.created_at >= now() - v_due_after))
   order by c.last_sync_at nulls first
   limit 5000
  on conflict (user_id, credential_id, kind) where status in ('queued', 'running') do nothing;
  get diagnostics v_count = row_count;
  return v_count;
end
$$;

comment on function private.enqueue_due_syncs() is 'pg_cron (every 5 minutes): queues an incremental sync for every active trading credential not synced and not enqueued for an hour, skipping rejected keys and credentials whose last sync failed authentication; never two pending jobs per credential. Returns how many jobs were queued. Defined once, in migration 20261207160100.';

revoke all on function private.enqueue_due_syncs() from public, anon, authenticated;
grant execute on function private.enqueue_due_syncs() to service_role;

-- The one schedule (cron.schedule upserts by name).
select cron.schedule('enqueue-due-syncs', '*/5 * * * *', 'select private.enqueue_due_syncs()');
