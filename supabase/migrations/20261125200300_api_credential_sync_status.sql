-- Frontend read surface, part 4: the caller's credentials (masked: no ciphertext, no key, only
-- the key hint) with the sync status of each: the latest sync run and any pending job.
-- Security invoker over api_credentials (whose column privileges keep the *_ct columns out of
-- reach: the view names readable columns only), sync_runs and sync_jobs, so their RLS applies.
-- Served by the existing indexes sync_runs_user_credential_idx (user_id, credential_id,
-- started_at desc) and sync_jobs_one_pending_per_credential_idx.

create or replace view public.credential_sync_status
with (security_invoker = true)
as
select
  c.id as credential_id,
  c.exchange,
  c.label,
  c.is_active,
  c.key_hint,
  c.permissions,
  c.verification_status,
  c.verified_at,
  c.last_sync_status,
  c.last_sync_at,
  c.created_at,
  c.updated_at,
  c.deleted_at,
  r.id as last_run_id,
  r.status as last_run_status,
  r.started_at as last_run_started_at,
  r.finished_at as last_run_finished_at,
  r.duration_ms as last_run_duration_ms,
  r.counts as last_run_counts,
  r.errors as last_run_errors,
  j.id as pending_job_id,
  j.status as pending_job_status,
  j.kind as pending_job_kind,
  j.run_after as pending_job_run_after
from public.api_credentials as c
left join lateral (
  select sr.id, sr.status, sr.started_at, sr.finished_at, sr.duration_ms, sr.counts, sr.errors
    from public.sync_runs as sr
   where sr.user_id = c.user_id
     and sr.credential_id = c.id
   order by sr.started_at desc, sr.id desc
   limit 1
) as r on true
left join lateral (
  select sj.id, sj.status, sj.kind, sj.run_after
    from public.sync_jobs as sj
   where sj.user_id = c.user_id
     and sj.credential_id = c.id
     and sj.status in ('queued', 'running')
   order by sj.created_at desc, sj.id desc
   limit 1
) as j on true
where c.user_id = (select auth.uid());

comment on view public.credential_sync_status is 'The caller''s exchange credentials, masked (key_hint only), with the latest sync run and the pending sync job of each. Security invoker.';
comment on column public.credential_sync_status.last_run_status is 'Status of the latest sync_runs row of the credential: running, succeeded, partial, failed; NULL if never synced.';
comment on column public.credential_sync_status.last_run_errors is 'Errors of that run: JSON array of {"kind", "symbol", "code", "message"} (no secrets).';
comment on column public.credential_sync_status.pending_job_status is 'queued or running when a sync of the credential is pending; NULL otherwise.';

revoke all on table public.credential_sync_status from public, anon, authenticated, service_role;
grant select on table public.credential_sync_status to authenticated;
