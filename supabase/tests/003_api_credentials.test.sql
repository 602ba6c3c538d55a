-- Credentials: ciphertext never readable by users, metadata readable by the owner only, writes
-- only through the credentials function (service role); audit rows without secrets.
begin;
\ir 000_helpers.psql
select plan(23);

select tests.create_user('ada@example.com', 'aaaaaaaa-0000-0000-0000-000000000001');
select tests.create_user('bob@example.com', 'bbbbbbbb-0000-0000-0000-000000000002');

-- The credentials function saves a key (service role).
select tests.authenticate_as_service_role();
select lives_ok($$ insert into public.api_credentials (id, user_id, exchange, label, api_key_ct, secret_key_ct, passphrase_ct, kid, key_hint, permissions)
  values ('cccccccc-0000-0000-0000-000000000001', 'aaaaaaaa-0000-0000-0000-000000000001', 'bitget', 'Main Bitget',
          'v1:k1:CIPHER-API-KEY-aaaa', 'v1:k1:CIPHER-SECRET-bbbb', 'v1:k1:CIPHER-PASS-cccc', 'k1', '••••Zz99',
          '{"read": true, "trade": true, "withdraw": false}') $$,
  'the service role stores a credential');
select throws_like($$ insert into public.api_credentials (user_id, exchange, api_key_ct, secret_key_ct)
  values ('aaaaaaaa-0000-0000-0000-000000000001', 'bitget', 'v1:k1:X', 'v1:k1:Y') $$,
  '%api_credentials_user_exchange_key%', 'one credential per user and exchange (error names the constraint)');
select throws_like($$ insert into public.api_credentials (user_id, exchange, api_key_ct) values ('aaaaaaaa-0000-0000-0000-000000000001', 'binance', 'v1:k1:X') $$,
  '%api_credentials_secret_required%', 'a trading exchange key needs its secret');
select lives_ok($$ insert into public.api_credentials (user_id, exchange, api_key_ct) values ('aaaaaaaa-0000-0000-0000-000000000001', 'alpha_vantage', 'v1:k1:AV') $$,
  'alpha_vantage keys have no secret');
select throws_like($$ insert into public.api_credentials (user_id, exchange, is_active) values ('bbbbbbbb-0000-0000-0000-000000000002', 'mexc', true) $$,
  '%api_credentials_active_has_key%', 'an active credential must hold a key');
select throws_like($$ insert into public.api_credentials (user_id, exchange, api_key_ct, secret_key_ct, verification_status)
  values ('bbbbbbbb-0000-0000-0000-000000000002', 'mexc', 'a', 'b', 'ok') $$,
  '%api_credentials_verification_status_valid%', 'verification status is one of unverified, verified, invalid');
select tests.clear_authentication();

-- The owner reads metadata, never ciphertext.
select tests.authenticate_as('aaaaaaaa-0000-0000-0000-000000000001');
select results_eq($$ select exchange::text, label::text, key_hint, is_active, verification_status from public.api_credentials where exchange = 'bitget' $$,
  $$ values ('bitget', 'Main Bitget', '••••Zz99', true, 'unverified') $$, 'the owner reads the metadata of their credential');
select throws_ok($$ select api_key_ct from public.api_credentials $$, '42501', null, 'api_key_ct is unreadable to authenticated');
select throws_ok($$ select secret_key_ct from public.api_credentials $$, '42501', null, 'secret_key_ct is unreadable to authenticated');
select throws_ok($$ select passphrase_ct from public.api_credentials $$, '42501', null, 'passphrase_ct is unreadable to authenticated');
select throws_ok($$ select * from public.api_credentials $$, '42501', null, 'select * is refused (it would include ciphertext)');
select throws_ok($$ select count(*) from public.api_credentials where api_key_ct is not null $$, '42501', null,
  'ciphertext columns cannot even be filtered on');
select is((select count(*) from public.api_credentials_masked), 2::bigint, 'the masked view lists the owner''s credentials');
select ok(not exists (select 1 from information_schema.columns where table_schema = 'public' and table_name = 'api_credentials_masked'
                      and column_name like '%\_ct'), 'the masked view has no ciphertext column');
-- Users never write credentials directly (the function validates, verifies and audits).
select throws_ok($$ update public.api_credentials set label = 'x' $$, '42501', null, 'users cannot change labels directly');
select throws_ok($$ update public.api_credentials set is_active = false $$, '42501', null, 'users cannot (de)activate directly');
select throws_ok($$ insert into public.api_credentials (user_id, exchange, api_key_ct, secret_key_ct)
  values ('aaaaaaaa-0000-0000-0000-000000000001', 'mexc', 'a', 'b') $$, '42501', null, 'users cannot insert credentials');
select throws_ok($$ delete from public.api_credentials $$, '42501', null, 'users cannot delete credentials');
select tests.clear_authentication();

-- A second user sees nothing of them.
select tests.authenticate_as('bbbbbbbb-0000-0000-0000-000000000002');
select is((select count(*) from public.api_credentials), 0::bigint, 'a second user sees none of the owner''s credentials');
select tests.clear_authentication();

-- Delete = deactivate + wipe (service role); rotation changes ciphertext. Audit rows never hold it.
select tests.authenticate_as_service_role();
update public.api_credentials set api_key_ct = 'v1:k2:ROTATED-API', secret_key_ct = 'v1:k2:ROTATED-SECRET', kid = 'k2'
 where id = 'cccccccc-0000-0000-0000-000000000001';
update public.api_credentials set is_active = false, deleted_at = now(), api_key_ct = null, secret_key_ct = null, passphrase_ct = null
 where id = 'cccccccc-0000-0000-0000-000000000001';
select tests.clear_authentication();

select is((select count(*) from public.audit_logs where table_name = 'api_credentials' and record_id = 'cccccccc-0000-0000-0000-000000000001'),
  3::bigint, 'create, rotate and delete are audited');
select is_empty($$ select id from public.audit_logs where (coalesce(old_values::text, '') || coalesce(new_values::text, '')) ~ 'CIPHER|ROTATED|v1:k' $$,
  'no audit row contains a ciphertext value');
select results_eq($$ select old_values ->> 'api_key_ct', new_values ->> 'api_key_ct', new_values ->> 'kid' from public.audit_logs
                     where table_name = 'api_credentials' and action = 'UPDATE' and new_values ? 'kid' $$,
  $$ values ('[redacted]', '[redacted]', 'k2') $$, 'a rotation is recorded as masked before/after, with the new kid');
select results_eq($$ select new_values -> 'api_key_ct', new_values -> 'is_active' from public.audit_logs
                     where table_name = 'api_credentials' and action = 'UPDATE' and new_values ? 'deleted_at' $$,
  $$ values ('null'::jsonb, 'false'::jsonb) $$, 'a wipe is recorded (key now null, inactive)');

select * from finish();
rollback;
