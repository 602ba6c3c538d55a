-- Scheduling of exchange syncs: pg_cron enqueues one sync_jobs row per active credential that is
-- due; the sync worker claims them (FOR UPDATE SKIP LOCKED, see 20261125001400 and the sync
-- queue migration, which keeps this definition: the zero-argument name is the contract).

/**
 * Enqueues an 'incremental' sync job (queued, due now) for every active, not deleted, not
 * rejected trading credential whose last sync (api_credentials.last_sync_at) and last enqueued
 * job are both older than one hour, and that has no queued or running job: never two pending
 * jobs for a credential (the partial unique index sync_jobs_one_pending_per_credential_idx backs
 * that up under concurrency). At most 5,000 per run, least recently synced first. Returns the
 * number of jobs enqueued. Called by pg_cron every 5 minutes.
 */
create or replace function private.enqueue_due_syncs()
returns integer
language plpgsql
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

revoke all on function private.enqueue_due_syncs() from public, anon, authenticated;
grant execute on function private.enqueue_due_syncs() to service_role;
