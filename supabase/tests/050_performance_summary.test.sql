-- user_performance_summary: a materialized view that bypasses RLS, so it is unreachable to API
-- roles and read only through a function that filters by auth.uid(); refreshed concurrently.
begin;
\ir 000_helpers.psql
select plan(13);

select tests.create_user('ada@example.com', 'aaaaaaaa-0000-0000-0000-000000000001');
select tests.create_user('bob@example.com', 'bbbbbbbb-0000-0000-0000-000000000002');
select tests.seed_user_data('aaaaaaaa-0000-0000-0000-000000000001', 'binance');
select tests.seed_user_data('bbbbbbbb-0000-0000-0000-000000000002', 'bitget');
-- Ada: one more trade on binance, a loss; Bob: nothing but his seeded win.
insert into public.trade_history (user_id, exchange, market_type, symbol, side, entry_price, entry_time, entry_quantity, entry_fees,
    exit_price, exit_time, exit_quantity, exit_fees, exit_type, gross_pnl, net_pnl, hold_duration, close_key)
  values ('aaaaaaaa-0000-0000-0000-000000000001', 'binance', 'spot', 'ETH/USDT', 'LONG', 2200, now() - interval '2 hours', 1, 1,
          2100, now(), 1, 1, 'SL', -100, -102, interval '2 hours', 'E-9:0');

-- The service role (pg_cron job) refreshes it concurrently.
select tests.authenticate_as_service_role();
select lives_ok($$ select private.refresh_user_performance_summary() $$, 'the service role refreshes the summary (concurrently)');
select tests.clear_authentication();

-- Users: only through the RPC, only their own rows.
select tests.authenticate_as('aaaaaaaa-0000-0000-0000-000000000001');
select results_eq($$ select exchange::text, total_trades, winning_trades, losing_trades, total_pnl, largest_win, largest_loss, total_fees
                     from public.get_user_performance_summary() $$,
  $$ values ('binance', 2::bigint, 1::bigint, 1::bigint, -6::numeric, 96::numeric, -102::numeric, 6::numeric) $$,
  'a user gets their own summary, with largest win/loss of winners/losers');
select throws_ok($$ select * from private.user_performance_summary $$, '42501', null, 'users cannot read the materialized view');
select throws_ok($$ select private.refresh_user_performance_summary() $$, '42501', null, 'users cannot refresh it');
select throws_ok($$ select private.audit_mask('{}', '{}', '{}') $$, '42501', null, 'users cannot call other private functions');
select tests.authenticate_as('bbbbbbbb-0000-0000-0000-000000000002');
select results_eq($$ select exchange::text, total_trades, largest_loss from public.get_user_performance_summary() $$,
  $$ values ('bitget', 1::bigint, null::numeric) $$, 'another user gets only theirs; no loss ⇒ largest_loss is NULL, not a win');

-- anon
select tests.authenticate_as_anon();
select throws_ok($$ select * from public.get_user_performance_summary() $$, '42501', null, 'anon cannot call the RPC');
select throws_ok($$ select * from private.user_performance_summary $$, '42501', null, 'anon cannot read the materialized view');
select tests.clear_authentication();

-- A user with no trades gets no rows; without claims there is nothing either.
select tests.create_user('cy@example.com', 'cccccccc-0000-0000-0000-000000000003');
select tests.authenticate_as('cccccccc-0000-0000-0000-000000000003');
select is_empty($$ select * from public.get_user_performance_summary() $$, 'a user without trades gets no rows');
select tests.clear_authentication();
select is_empty($$ select * from private.user_performance_summary_for_caller() $$, 'no caller, no rows');

-- Refreshing picks up new trades.
insert into public.trade_history (user_id, exchange, market_type, symbol, side, entry_price, entry_time, entry_quantity,
    exit_price, exit_time, exit_quantity, exit_type, gross_pnl, net_pnl, hold_duration, close_key)
  values ('bbbbbbbb-0000-0000-0000-000000000002', 'bitget', 'swap', 'BTC/USDT:USDT', 'SHORT', 43000, now() - interval '1 hour', 1,
          42000, now(), 1, 'TP', 1000, 990, interval '1 hour', 'S-1:0');
select private.refresh_user_performance_summary();
select tests.authenticate_as('bbbbbbbb-0000-0000-0000-000000000002');
select results_eq($$ select total_trades, largest_win from public.get_user_performance_summary() $$,
  $$ values (2::bigint, 990::numeric) $$, 'a refresh picks up new trades');
select tests.clear_authentication();

select is((select count(*) from private.user_performance_summary
            where user_id in ('aaaaaaaa-0000-0000-0000-000000000001', 'bbbbbbbb-0000-0000-0000-000000000002')), 2::bigint,
  'one row per user and exchange');
select is((select relkind::text from pg_class where oid = 'private.user_performance_summary'::regclass), 'm', 'it is a materialized view');

select * from finish();
rollback;
