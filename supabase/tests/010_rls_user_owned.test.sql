-- Row Level Security of every user-owned table: owner, second user, anon, service role.
begin;
\ir 000_helpers.psql
select plan(11 * 20 + 7);

select tests.create_user('owner@example.com', '11111111-1111-1111-1111-111111111111');
select tests.create_user('stranger@example.com', '22222222-2222-2222-2222-222222222222');
select tests.seed_user_data('11111111-1111-1111-1111-111111111111', 'binance');
select tests.seed_user_data('22222222-2222-2222-2222-222222222222', 'bitget');
-- every table holds rows of both users (audit_logs from the audited inserts above)
select is((select count(distinct user_id) from public.audit_logs), 2::bigint, 'audit_logs holds rows of both users');

select tests.rls_matrix(t, '11111111-1111-1111-1111-111111111111', '22222222-2222-2222-2222-222222222222')
  from unnest(array[
    'profiles', 'api_credentials', 'orders', 'processed_orders', 'open_orders', 'fills', 'balances',
    'exchange_positions', 'transfers', 'funding_payments', 'positions', 'trade_history',
    'portfolio_snapshots', 'performance_metrics', 'fees_tracking', 'sync_jobs', 'sync_runs',
    'sync_cursors', 'audit_logs', 'pnl_stream_state'
  ]) as t;

-- The list above is every table of public with a user_id column.
select set_eq(
  $$ select c.relname::text from pg_class c join pg_attribute a on a.attrelid = c.oid
      where c.relnamespace = 'public'::regnamespace and c.relkind = 'r' and a.attname = 'user_id' and not a.attisdropped $$,
  array['profiles', 'api_credentials', 'orders', 'processed_orders', 'open_orders', 'fills', 'balances',
        'exchange_positions', 'transfers', 'funding_payments', 'positions', 'trade_history',
        'portfolio_snapshots', 'performance_metrics', 'fees_tracking', 'sync_jobs', 'sync_runs',
        'sync_cursors', 'audit_logs', 'pnl_stream_state'],
  'the matrix covers every user-owned table');

-- The view over credentials follows the table's RLS.
select tests.authenticate_as('22222222-2222-2222-2222-222222222222');
select is((select count(*) from public.api_credentials_masked where user_id = '11111111-1111-1111-1111-111111111111'),
          0::bigint, 'api_credentials_masked: a second user sees none of the owner''s credentials');
select tests.authenticate_as_anon();
select throws_ok('select count(*) from public.api_credentials_masked', '42501', null, 'api_credentials_masked: anon is refused');

-- What users may change, they may change only on their own rows.
select tests.authenticate_as('11111111-1111-1111-1111-111111111111');
select is(tests.row_count($$update public.orders set note = 'my entry' where order_id = 'E-1'$$),
          1::bigint, 'orders: the owner can annotate their own order (note)');
select throws_ok($$update public.orders set status = 'CANCELED' where order_id = 'E-1'$$, '42501', null,
                 'orders: the owner cannot change anything else (status)');
select is(tests.row_count($$update public.profiles set name = 'Owner'$$),
          1::bigint, 'profiles: the owner can rename themselves, and only their row is touched');
select tests.clear_authentication();

select * from finish();
rollback;
