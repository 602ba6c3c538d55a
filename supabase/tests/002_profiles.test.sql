-- Identity: a profile per auth.users row, created on signup; users see and edit only theirs.
begin;
\ir 000_helpers.psql
select plan(16);

select tests.create_user('ada@example.com', 'aaaaaaaa-0000-0000-0000-000000000001');
select tests.create_user('bob@example.com', 'bbbbbbbb-0000-0000-0000-000000000002');

select results_eq($$ select user_id, name, is_deleted, pnl_cost_method from public.profiles
                     where user_id = 'aaaaaaaa-0000-0000-0000-000000000001' $$,
  $$ values ('aaaaaaaa-0000-0000-0000-000000000001'::uuid, 'ada', false, 'average') $$,
  'signup creates the profile, with the name from user metadata');

-- A user reads and edits their own profile only.
select tests.authenticate_as('aaaaaaaa-0000-0000-0000-000000000001');
select results_eq($$ select user_id from public.profiles $$, $$ values ('aaaaaaaa-0000-0000-0000-000000000001'::uuid) $$,
  'a user sees only their own profile');
select is(tests.row_count($$ update public.profiles set name = 'Ada Lovelace', date_of_birth = '1815-12-10', pnl_cost_method = 'fifo' $$),
  1::bigint, 'a user updates their own name, date of birth and cost method');
select is(tests.row_count($$ update public.profiles set name = 'hacked' where user_id = 'bbbbbbbb-0000-0000-0000-000000000002' $$),
  0::bigint, 'a user cannot update another profile (0 rows)');
select throws_ok($$ update public.profiles set is_deleted = true $$, '42501', null, 'a user cannot soft-delete (or undelete) themselves directly');
select throws_ok($$ update public.profiles set user_id = 'bbbbbbbb-0000-0000-0000-000000000002' $$, '42501', null, 'a user cannot move their profile to another id');
select throws_ok($$ insert into public.profiles (user_id, name) values ('bbbbbbbb-0000-0000-0000-000000000002', 'x') $$, '42501', null,
  'a user cannot insert profiles');
select throws_ok($$ delete from public.profiles $$, '42501', null, 'a user cannot delete profiles');
select throws_like($$ update public.profiles set pnl_cost_method = 'lifo' $$, '%profiles_pnl_cost_method_valid%',
  'an unknown cost method is refused, naming the constraint');
select tests.clear_authentication();

select results_eq($$ select name, date_of_birth, pnl_cost_method from public.profiles where user_id = 'aaaaaaaa-0000-0000-0000-000000000001' $$,
  $$ values ('Ada Lovelace', '1815-12-10'::date, 'fifo') $$, 'the changes are stored');
select is((select name from public.profiles where user_id = 'bbbbbbbb-0000-0000-0000-000000000002'), 'bob', 'the other profile is untouched');

-- anon
select tests.authenticate_as_anon();
select throws_ok($$ select * from public.profiles $$, '42501', null, 'anon cannot read profiles');
select tests.clear_authentication();

-- Soft delete (service role): deleted_at follows is_deleted.
select tests.authenticate_as_service_role();
update public.profiles set is_deleted = true where user_id = 'bbbbbbbb-0000-0000-0000-000000000002';
select ok((select deleted_at is not null from public.profiles where user_id = 'bbbbbbbb-0000-0000-0000-000000000002'),
  'soft delete stamps deleted_at');
update public.profiles set is_deleted = false where user_id = 'bbbbbbbb-0000-0000-0000-000000000002';
select ok((select deleted_at is null from public.profiles where user_id = 'bbbbbbbb-0000-0000-0000-000000000002'),
  'undelete clears deleted_at');
select tests.clear_authentication();

-- Deleting the auth user removes the profile (cascade), and the deletion is audited.
delete from auth.users where id = 'bbbbbbbb-0000-0000-0000-000000000002';
select is_empty($$ select 1 from public.profiles where user_id = 'bbbbbbbb-0000-0000-0000-000000000002' $$,
  'deleting the auth user deletes the profile');
select isnt_empty($$ select 1 from public.audit_logs where user_id = 'bbbbbbbb-0000-0000-0000-000000000002'
                     and table_name = 'profiles' and action = 'DELETE' $$,
  'the audit trail outlives the deleted user');

select * from finish();
rollback;
