-- Triggers: updated_at maintenance everywhere the column exists; the audit trail for
-- credentials, profiles, positions and trade history (who, what, when; no secrets).
begin;
\ir 000_helpers.psql
select plan(24);

select tests.create_user('ada@example.com', 'aaaaaaaa-0000-0000-0000-000000000001');
select tests.seed_user_data('aaaaaaaa-0000-0000-0000-000000000001');

-- updated_at: every table that has it has the trigger, and it moves on update.
select is_empty($$ select c.table_name from information_schema.columns c
                    join information_schema.tables tb on tb.table_schema = c.table_schema and tb.table_name = c.table_name and tb.table_type = 'BASE TABLE'
                    where c.table_schema = 'public'
                      and (c.column_name = 'updated_at' or (c.table_name = 'positions' and c.column_name = 'last_updated'))
                      and not exists (select 1 from pg_trigger t where t.tgrelid = ('public.' || c.table_name)::regclass
                                      and t.tgname like 'set\_%' and not t.tgisinternal) $$,
  'every table with updated_at (or positions.last_updated) maintains it by trigger');

create function tests.updated_at_moves(p_table text, p_col text default 'updated_at')
returns text
language plpgsql
as $$
declare
  v timestamptz;
begin
  set local session_replication_role = replica;  -- backdate without firing triggers
  execute format('update public.%I set %I = %L where user_id = %L', p_table, p_col, '2000-01-01', 'aaaaaaaa-0000-0000-0000-000000000001');
  set local session_replication_role = origin;
  execute format('update public.%I set user_id = user_id where user_id = %L', p_table, 'aaaaaaaa-0000-0000-0000-000000000001');
  execute format('select max(%I) from public.%I where user_id = %L', p_col, p_table, 'aaaaaaaa-0000-0000-0000-000000000001') into v;
  return ok(v > '2000-01-01'::timestamptz, p_table || '.' || p_col || ' moves on update');
end
$$;
select tests.updated_at_moves(t) from unnest(array['profiles', 'api_credentials', 'orders', 'balances', 'exchange_positions',
  'transfers', 'portfolio_snapshots', 'sync_jobs', 'sync_cursors']) as t;
select tests.updated_at_moves('positions', 'last_updated');

-- Audit: the user's own change carries them as actor, with request metadata.
delete from public.audit_logs;
select tests.authenticate_as('aaaaaaaa-0000-0000-0000-000000000001');
select set_config('request.headers', '{"x-forwarded-for": "203.0.113.7, 10.0.0.1", "user-agent": "test-agent/1.0"}', true);
update public.profiles set name = 'Ada L.';
select set_config('request.headers', '', true);
select tests.clear_authentication();
select results_eq($$ select action::text, table_name::text, record_id, old_values, new_values, actor_id, actor_role, host(ip_address), user_agent
                     from public.audit_logs where table_name = 'profiles' $$,
  $$ values ('UPDATE', 'profiles', 'aaaaaaaa-0000-0000-0000-000000000001', '{"name": "ada"}'::jsonb, '{"name": "Ada L."}'::jsonb,
             'aaaaaaaa-0000-0000-0000-000000000001'::uuid, 'authenticated', '203.0.113.7', 'test-agent/1.0') $$,
  'a profile change is audited: changed columns only, the user as actor, client IP and user agent');

-- Positions: engine writes are audited, the minute-by-minute unrealized PnL refresh is not.
select tests.authenticate_as_service_role();
update public.positions set unrealized_pnl = 123.45, unrealized_pnl_percentage = 0.57 where user_id = 'aaaaaaaa-0000-0000-0000-000000000001';
select is((select count(*) from public.audit_logs where table_name = 'positions'), 0::bigint, 'unrealized PnL refreshes are not audited');
update public.positions set quantity = 0, status = 'CLOSED', closed_at = now(), unrealized_pnl = 0
 where user_id = 'aaaaaaaa-0000-0000-0000-000000000001';
select results_eq($$ select action::text, old_values ->> 'status', new_values ->> 'status', new_values ? 'unrealized_pnl', actor_id, actor_role
                     from public.audit_logs where table_name = 'positions' $$,
  $$ values ('UPDATE', 'OPEN', 'CLOSED', false, null::uuid, 'service_role') $$,
  'closing a position is audited (without the unrealized PnL columns), the service role as actor');
insert into public.trade_history (user_id, exchange, market_type, symbol, side, entry_price, entry_time, entry_quantity,
    exit_price, exit_time, exit_quantity, exit_type, gross_pnl, net_pnl, hold_duration, close_key)
  values ('aaaaaaaa-0000-0000-0000-000000000001', 'binance', 'spot', 'BTC/USDT', 'LONG', 43000, now() - interval '1 hour', 0.5,
          44000, now(), 0.5, 'MANUAL', 500, 480, interval '1 hour', 'T-2:0');
select results_eq($$ select action::text, new_values ->> 'close_key', new_values ->> 'net_pnl' from public.audit_logs where table_name = 'trade_history' $$,
  $$ values ('INSERT', 'T-2:0', '480.000000000000000000') $$, 'a new trade history row is audited');
delete from public.trade_history where close_key = 'T-2:0';
select is((select count(*) from public.audit_logs where table_name = 'trade_history' and action = 'DELETE'), 1::bigint, 'a deleted trade history row is audited');
-- A bulk engine insert (more than 100 rows in one statement) is audited as one summary row per
-- user listing the ids it created, not a copy of every row.
insert into public.trade_history (user_id, exchange, market_type, symbol, side, entry_price, entry_time, entry_quantity,
    exit_price, exit_time, exit_quantity, exit_type, gross_pnl, net_pnl, hold_duration, close_key)
  select 'aaaaaaaa-0000-0000-0000-000000000001', 'binance', 'spot', 'ETH/USDT', 'LONG', 2000, now() - interval '1 hour', 1,
         2100, now(), 1, 'MANUAL', 100, 98, interval '1 hour', 'BULK-' || g
    from generate_series(1, 101) as g;
select results_eq($$ select action::text, record_id, (new_values ->> 'rows')::int, jsonb_array_length(new_values -> 'ids'), actor_role
                     from public.audit_logs where table_name = 'trade_history' and new_values ? 'bulk_insert' $$,
  $$ values ('INSERT', 'bulk', 101, 101, 'service_role') $$,
  'a bulk insert of 101 rows is audited as one summary row with the 101 ids');
select is((select count(*) from public.audit_logs a
            join public.trade_history t on t.id::text in (select jsonb_array_elements_text(a.new_values -> 'ids'))
           where a.record_id = 'bulk'), 101::bigint, 'the summary lists exactly the ids of the rows created');
delete from public.trade_history where close_key like 'BULK-%';
select is((select count(*) from public.audit_logs where table_name = 'trade_history' and action = 'DELETE' and old_values ->> 'close_key' like 'BULK-%'),
  101::bigint, 'deleting them is still audited row by row, with the whole row');
-- A no-op upsert (reprocessing) adds nothing to the trail.
update public.trade_history set net_pnl = net_pnl where user_id = 'aaaaaaaa-0000-0000-0000-000000000001';
select is((select count(*) from public.audit_logs where table_name = 'trade_history' and action = 'UPDATE'), 0::bigint,
  'an update that changes nothing is not audited');
-- API roles cannot switch the trail off.
select set_config('app.skip_audit', 'on', true);
update public.trade_history set notes = 'reviewed' where user_id = 'aaaaaaaa-0000-0000-0000-000000000001';
select set_config('app.skip_audit', '', true);
select is((select count(*) from public.audit_logs where table_name = 'trade_history' and action = 'UPDATE'), 1::bigint,
  'the service role cannot skip the audit trail');
select tests.clear_authentication();

-- Users read their own trail and cannot write or erase it.
select tests.authenticate_as('aaaaaaaa-0000-0000-0000-000000000001');
select ok((select count(*) from public.audit_logs) > 0, 'users read their own audit trail');
select throws_ok($$ delete from public.audit_logs $$, '42501', null, 'users cannot erase their trail');
select throws_ok($$ insert into public.audit_logs (user_id, action, table_name, record_id) values ('aaaaaaaa-0000-0000-0000-000000000001', 'INSERT', 'x', '1') $$,
  '42501', null, 'users cannot write to the trail');
select tests.clear_authentication();

select * from finish();
rollback;
