-- Sync bookkeeping: the job queue (claiming with SKIP LOCKED, one pending job per credential),
-- runs and cursors; users see their own progress, never write it.
begin;
\ir 000_helpers.psql
select plan(13);

select tests.create_user('ada@example.com', 'aaaaaaaa-0000-0000-0000-000000000001');
select tests.create_user('bob@example.com', 'bbbbbbbb-0000-0000-0000-000000000002');
select tests.seed_user_data('aaaaaaaa-0000-0000-0000-000000000001', 'binance') as cred_a \gset
select tests.seed_user_data('bbbbbbbb-0000-0000-0000-000000000002', 'mexc') as cred_b \gset

select tests.authenticate_as_service_role();
-- seed_user_data queued one incremental job per user.
select throws_like(format($$ insert into public.sync_jobs (user_id, credential_id) values ('aaaaaaaa-0000-0000-0000-000000000001', %L) $$, :'cred_a'),
  '%sync_jobs_one_pending_per_credential_idx%', 'enqueueing twice is refused: one pending job per credential and kind');
select lives_ok(format($$ insert into public.sync_jobs (user_id, credential_id) values ('aaaaaaaa-0000-0000-0000-000000000001', %L)
                         on conflict (user_id, credential_id, kind) where status in ('queued', 'running') do nothing $$, :'cred_a'),
  'enqueueing is idempotent with on conflict do nothing');
select lives_ok(format($$ insert into public.sync_jobs (user_id, credential_id, kind, run_after) values ('aaaaaaaa-0000-0000-0000-000000000001', %L, 'full', now() + interval '1 hour') $$, :'cred_a'),
  'another kind may be queued for later');

-- Claim: the oldest due queued job, skipping locked ones.
create temp table claimed (user_id uuid, id bigint, kind text);
with next as (
  select user_id, id from public.sync_jobs
   where status = 'queued' and run_after <= now()
   order by run_after, id
   limit 1
   for update skip locked
), upd as (
  update public.sync_jobs j set status = 'running', claimed_by = 'worker-1', claimed_at = now(), heartbeat_at = now(), attempts = attempts + 1
    from next where j.user_id = next.user_id and j.id = next.id
  returning j.user_id, j.id, j.kind
)
insert into claimed select * from upd;
select is((select count(*) from claimed), 1::bigint, 'a worker claims one due job');
select is((select count(*) from public.sync_jobs where status = 'queued' and run_after <= now()), 1::bigint, 'the other due job stays queued');
select throws_like($$ update public.sync_jobs set status = 'running' where status = 'queued' and kind = 'full' $$,
  '%sync_jobs_running_is_claimed%', 'a running job must say who claimed it');
select throws_like($$ update public.sync_jobs set status = 'done' where status = 'running' $$,
  '%sync_jobs_status_valid%', 'job status is queued, running, succeeded or failed');

-- Runs and cursors.
select throws_like(format($$ insert into public.sync_runs (user_id, credential_id, exchange, status, counts) values ('aaaaaaaa-0000-0000-0000-000000000001', %L, 'binance', 'succeeded', '[]') $$, :'cred_a'),
  '%sync_runs_counts_object%', 'run counts are a JSON object per data kind');
select lives_ok(format($$ insert into public.sync_cursors (user_id, credential_id, market_type, data_kind, cursor_time) values ('aaaaaaaa-0000-0000-0000-000000000001', %L, 'spot', 'transfers', now()) $$, :'cred_a'),
  'a cursor without a symbol uses the empty string');
select throws_like(format($$ insert into public.sync_cursors (user_id, credential_id, market_type, data_kind) values ('aaaaaaaa-0000-0000-0000-000000000001', %L, 'spot', 'transfers') $$, :'cred_a'),
  '%sync_cursors_pkey%', 'one cursor per credential, market type, data kind and symbol');
select tests.clear_authentication();


-- Users see their own progress.
select tests.authenticate_as('bbbbbbbb-0000-0000-0000-000000000002');
select results_eq($$ select status from public.sync_jobs $$, $$ values ('queued') $$, 'a user sees their own jobs only');
select throws_ok($$ insert into public.sync_jobs (user_id, credential_id) values ('bbbbbbbb-0000-0000-0000-000000000002', gen_random_uuid()) $$,
  '42501', null, 'users cannot enqueue jobs directly (the "sync now" endpoint does, rate-limited)');
select tests.clear_authentication();

-- Deleting a credential drops its queue and cursors, keeps its run history.
delete from public.api_credentials where id = :'cred_a';
select results_eq($$ select (select count(*) from public.sync_jobs where user_id = 'aaaaaaaa-0000-0000-0000-000000000001'),
                            (select count(*) from public.sync_cursors where user_id = 'aaaaaaaa-0000-0000-0000-000000000001'),
                            (select count(*) from public.sync_runs where user_id = 'aaaaaaaa-0000-0000-0000-000000000001' and credential_id is null and job_id is null) $$,
  $$ values (0::bigint, 0::bigint, 1::bigint) $$, 'deleting a credential drops its jobs and cursors and keeps its runs');

select * from finish();
rollback;
