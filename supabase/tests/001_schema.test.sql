-- The schema as a whole: every table, its keys and indexes, RLS on everywhere, grants locked
-- down, functions with a pinned search_path.
begin;
\ir 000_helpers.psql
select plan(64);

-- Tables of the spec (1–22 minus what Supabase Auth owns), the performance layer, the gaps.
select is_empty(format($$ select t from unnest(%L::text[]) t where to_regclass('public.' || t) is null $$, array[
  'profiles', 'api_credentials',
  'orders', 'processed_orders', 'open_orders',
  'fills', 'balances', 'exchange_positions', 'transfers', 'funding_payments', 'market_prices',
  'positions', 'trade_history', 'portfolio_snapshots', 'performance_metrics', 'fees_tracking',
  'symbols', 'timeframes', 'market_types', 'fredindicators', 'gio_open_interest', 'fund_flow_analysis',
  'fund_flow_historical', 'long_short_overall', 'long_short_exchanges',
  'pipeline_runs', 'symbols_confidence', 'predictions', 'vlm_screenshot', 'trades', 'executions', 'validations',
  'sync_jobs', 'sync_runs', 'sync_cursors',
  'audit_logs'
]), 'public has every table of the schema');
select hasnt_table('public', 'users', 'no users table: Supabase Auth owns identity');
select hasnt_table('public', 'refreshtokens', 'no refreshtokens table: Supabase Auth owns sessions');
select has_view('public', 'api_credentials_masked', 'the masked credentials view exists');
select is_empty($$ select c.relname from pg_class c where c.relnamespace = 'public'::regnamespace and c.relkind = 'v'
                    and not coalesce('security_invoker=true' = any (c.reloptions), false) $$,
  'every view in public is security_invoker');
select materialized_views_are('private', array['user_performance_summary'], 'the summary MV lives in private');
select materialized_views_are('public', array[]::name[], 'no materialized view in public');

-- Types.
select enum_has_labels('public', 'exchange_id', array['binance', 'bitget', 'gateio', 'mexc', 'alpha_vantage'], 'exchange_id labels');
select enum_has_labels('public', 'market_type', array['spot', 'swap'], 'market_type labels');

-- RLS is on for every table of public, and every table has at least one policy.
select is_empty($$ select relname from pg_class where relnamespace = 'public'::regnamespace and relkind in ('r', 'p') and not relrowsecurity $$,
  'RLS is enabled on every table in public');
select is_empty($$ select c.relname from pg_class c where c.relnamespace = 'public'::regnamespace and c.relkind = 'r'
                    and not exists (select 1 from pg_policies p where p.schemaname = 'public' and p.tablename = c.relname) $$,
  'every table in public has a policy');
-- Policies: one command each, to authenticated only, auth.uid() wrapped in a subselect.
select is_empty($$ select policyname from pg_policies where schemaname = 'public' and (roles <> '{authenticated}' or cmd = 'ALL') $$,
  'every policy is for one command and for authenticated only');
select is_empty($$ select policyname from pg_policies where schemaname = 'public'
                    and (coalesce(qual, '') || coalesce(with_check, '')) ~ 'auth\.uid\(\)'
                    and (coalesce(qual, '') || coalesce(with_check, '')) !~ 'SELECT auth\.uid\(\)' $$,
  'every policy calls auth.uid() through (select auth.uid())');

-- Grants: anon has nothing; authenticated never inserts or deletes; updates only listed columns.
select is_empty($$ select table_name, privilege_type from information_schema.role_table_grants
                    where grantee = 'anon' and table_schema in ('public', 'private') $$, 'anon has no table privilege');
select is_empty($$ select table_name, privilege_type from information_schema.role_table_grants
                    where grantee = 'authenticated' and table_schema = 'public' and privilege_type not in ('SELECT') $$,
  'authenticated has no table-wide write privilege on any table');
select set_eq($$ select table_name || '.' || column_name from information_schema.column_privileges
                 where grantee = 'authenticated' and table_schema = 'public' and privilege_type = 'UPDATE' $$,
  array['profiles.name', 'profiles.date_of_birth', 'profiles.pnl_cost_method', 'orders.note'],
  'the only columns users may update: their profile''s name, date of birth, cost method, and order notes');
select is_empty($$ select c.relname from pg_class c where c.relnamespace = 'private'::regnamespace and c.relkind in ('r', 'v', 'm')
                    and (has_table_privilege('authenticated', c.oid, 'select') or has_table_privilege('anon', c.oid, 'select')) $$,
  'no relation of private is readable by anon or authenticated');

select is_empty($$ select c.relname from pg_class c where c.relnamespace = 'public'::regnamespace and c.relkind = 'r'
                    and not exists (select 1 from pg_constraint k where k.conrelid = c.oid and k.contype = 'p') $$,
  'every table in public has a primary key');
select is_empty($$ select c.relname from pg_class c where c.relnamespace = 'public'::regnamespace and c.relkind = 'S'
                    and (has_sequence_privilege('anon', c.oid, 'usage') or has_sequence_privilege('authenticated', c.oid, 'usage')) $$,
  'API roles hold no privilege on the project''s sequences');

-- Functions: search_path pinned everywhere; security definer only in private.
select is_empty($$ select p.oid::regprocedure from pg_proc p where p.pronamespace in ('public'::regnamespace, 'private'::regnamespace)
                    and not exists (select 1 from unnest(coalesce(p.proconfig, '{}')) c where c like 'search_path=%') $$,
  'every function of public and private pins its search_path');
select is_empty($$ select p.oid::regprocedure from pg_proc p where p.pronamespace = 'public'::regnamespace and p.prosecdef $$,
  'no security definer function in public');
select is_empty($$ select p.oid::regprocedure from pg_proc p where p.pronamespace in ('public'::regnamespace, 'private'::regnamespace)
                    and has_function_privilege('anon', p.oid, 'execute') $$,
  'anon can execute no function of the project');
select ok(has_function_privilege('authenticated', 'public.get_user_performance_summary()', 'execute')
          and has_function_privilege('authenticated', 'private.user_performance_summary_for_caller()', 'execute'),
  'authenticated can call the performance summary RPC (and its private reader)');
select is_empty($$ select p.oid::regprocedure from pg_proc p
                    where p.oid in ('private.refresh_user_performance_summary()'::regprocedure, 'private.write_audit_log()'::regprocedure,
                                    'private.create_profile_for_new_user()'::regprocedure, 'private.set_updated_at()'::regprocedure,
                                    'private.audit_mask(jsonb, text[], text[])'::regprocedure,
                                    'private.audit_diff(jsonb, jsonb, text[], text[])'::regprocedure)
                      and has_function_privilege('authenticated', p.oid, 'execute') $$,
  'authenticated cannot execute the internal functions (refresh, triggers, audit helpers)');

-- Keys: every user-owned table has user_id in its primary key and in every unique key, and an
-- index leading with user_id.
select is_empty($$ select c.relname from pg_class c join pg_attribute a on a.attrelid = c.oid and a.attname = 'user_id'
                    where c.relnamespace = 'public'::regnamespace and c.relkind = 'r'
                      and not exists (select 1 from pg_constraint k where k.conrelid = c.oid and k.contype = 'p' and a.attnum = any (k.conkey)) $$,
  'every user-owned table has user_id in its primary key');
select is_empty($$ select i.indexrelid::regclass from pg_index i join pg_class c on c.oid = i.indrelid
                    join pg_attribute a on a.attrelid = c.oid and a.attname = 'user_id'
                    where c.relnamespace = 'public'::regnamespace and i.indisunique and not (a.attnum = any (i.indkey::int2[])) $$,
  'every unique index of a user-owned table includes user_id');
select is_empty($$ select c.relname from pg_class c join pg_attribute a on a.attrelid = c.oid and a.attname = 'user_id'
                    where c.relnamespace = 'public'::regnamespace and c.relkind = 'r'
                      and not exists (select 1 from pg_index i where i.indrelid = c.oid and i.indkey[0] = a.attnum) $$,
  'every user-owned table has an index leading with user_id');
-- Every foreign key is backed by an index that starts with its columns.
select is_empty($$ select k.conname from pg_constraint k where k.contype = 'f' and k.connamespace = 'public'::regnamespace
                    and not exists (select 1 from pg_index i where i.indrelid = k.conrelid
                                    and (i.indkey::int2[])[0:cardinality(k.conkey) - 1] @> k.conkey
                                    and (i.indkey::int2[])[0:cardinality(k.conkey) - 1] <@ k.conkey) $$,
  'every foreign key has an index starting with its columns');

-- Money is exact: no float anywhere; amounts NUMERIC(38,18).
select is_empty($$ select table_name, column_name from information_schema.columns where table_schema = 'public'
                    and data_type in ('real', 'double precision') $$, 'no floating-point column');
select col_type_is('public', 'fills', 'price', 'numeric(38,18)', 'fills.price is numeric(38,18)');
select col_type_is('public', 'fills', 'amount', 'numeric(38,18)', 'fills.amount is numeric(38,18)');
select col_type_is('public', 'trade_history', 'net_pnl', 'numeric(38,18)', 'trade_history.net_pnl is numeric(38,18)');
select col_type_is('public', 'trade_history', 'pnl_percentage', 'numeric(20,8)', 'trade_history.pnl_percentage is numeric(20,8)');
select col_type_is('public', 'gio_open_interest', 'open_interest', 'numeric(38,18)', 'open interest is numeric, not varchar');
select col_type_is('public', 'orders', 'order_id', 'text', 'exchange order ids are text');
select col_type_is('public', 'orders', 'user_id', 'uuid', 'orders.user_id is uuid (spec bug #5)');

-- Contract columns other code relies on.
select ok((select array_agg(c) from unnest(array['user_id', 'credential_id', 'exchange', 'market_type', 'symbol', 'base', 'quote',
  'trade_id', 'order_id', 'side', 'price', 'amount', 'cost', 'fees', 'taker_or_maker', 'exchange_realized_pnl', 'is_liquidation',
  'executed_at', 'source', 'fingerprint', 'id', 'created_at']) c
  where not exists (select 1 from information_schema.columns where table_schema = 'public' and table_name = 'fills' and column_name = c)) is null,
  'fills has every FillRow column');
select ok((select array_agg(c) from unnest(array['user_id', 'exchange', 'market_type', 'symbol', 'order_id', 'client_order_id',
  'side', 'type', 'status', 'price', 'quantity', 'executed_qty', 'average_price', 'stop_price', 'reduce_only', 'order_role',
  'order_timestamp', 'filled_timestamp', 'parent_order_id', 'order_group_id', 'tp_levels', 'sl_price', 'note']) c
  where not exists (select 1 from information_schema.columns where table_schema = 'public' and table_name = 'orders' and column_name = c)) is null,
  'orders has every OrderRow and spec column');
select ok((select array_agg(c) from unnest(array['user_id', 'exchange', 'market_type', 'symbol', 'side', 'entry_order_id',
  'entry_price', 'quantity', 'leverage', 'margin_mode', 'total_cost', 'fees_paid', 'stop_loss_price', 'take_profit_prices',
  'status', 'unrealized_pnl', 'unrealized_pnl_percentage', 'opened_at', 'last_updated', 'notes', 'closed_at',
  'realized_gross_pnl', 'realized_net_pnl', 'funding']) c
  where not exists (select 1 from information_schema.columns where table_schema = 'public' and table_name = 'positions' and column_name = c)) is null,
  'positions has every spec column plus the engine''s');
select ok((select array_agg(column_name::text) from information_schema.columns where table_schema = 'public' and table_name = 'positions'
            and column_name in ('engine_state', 'last_fill_id', 'last_fill_at')) is null,
  'positions has no engine state or cursor columns (they live in pnl_stream_state)');
select ok((select array_agg(c) from unnest(array['user_id', 'position_id', 'exchange', 'market_type', 'symbol', 'side',
  'entry_order_id', 'entry_order_ref', 'entry_price', 'entry_time', 'entry_quantity', 'entry_fees', 'exit_order_id',
  'exit_order_ref', 'exit_price', 'exit_time', 'exit_quantity', 'exit_fees', 'exit_type', 'exit_reason', 'gross_pnl',
  'net_pnl', 'pnl_percentage', 'roi_percentage', 'hold_duration', 'stop_loss_price', 'take_profit_prices', 'max_drawdown',
  'leverage', 'margin_mode', 'notes', 'created_at', 'funding', 'close_key', 'fees_unconverted',
  'unknown_cost_basis_quantity', 'flags']) c
  where not exists (select 1 from information_schema.columns where table_schema = 'public' and table_name = 'trade_history' and column_name = c)) is null,
  'trade_history has every spec column plus the engine''s');
select ok((select array_agg(c) from unnest(array['id', 'user_id', 'action', 'table_name', 'record_id', 'old_values', 'new_values',
  'ip_address', 'user_agent', 'created_at']) c
  where not exists (select 1 from information_schema.columns where table_schema = 'public' and table_name = 'audit_logs' and column_name = c)) is null,
  'audit_logs has the spec''s shape');

-- Natural keys (upserts rely on them).
-- (fills and orders: the symbol joined their keys in 20261125300000_sync_natural_keys, since
-- binance numbers trades and orders per symbol)
select col_is_unique('public', 'fills', array['user_id', 'exchange', 'market_type', 'symbol', 'trade_id'], 'fills unique per user, exchange, market type, symbol, trade id');
select col_is_unique('public', 'orders', array['user_id', 'exchange', 'market_type', 'symbol', 'order_id'], 'orders unique per user, exchange, market type, symbol, order id');
select col_is_unique('public', 'balances', array['user_id', 'exchange', 'account_type', 'asset'], 'balances unique per user, exchange, account type, asset');
select col_is_unique('public', 'transfers', array['user_id', 'exchange', 'kind', 'transfer_id'], 'transfers unique per user, exchange, kind, id');
select col_is_unique('public', 'market_prices', array['exchange', 'symbol', 'kind', 'as_of'], 'market_prices unique per exchange, symbol, kind, time');
select col_is_unique('public', 'trade_history', array['user_id', 'exchange', 'market_type', 'symbol', 'close_key'], 'trade_history unique per closing event');
select col_is_unique('public', 'api_credentials', array['user_id', 'exchange'], 'one credential per user and exchange');
select col_is_unique('public', 'portfolio_snapshots', array['user_id', 'exchange', 'snapshot_date'], 'one snapshot per user, exchange, day');
select col_is_unique('public', 'performance_metrics', array['user_id', 'exchange', 'period_type', 'period_start'], 'one metrics row per period');
select col_is_unique('public', 'fredindicators', array['name', 'observation_date'], 'FRED: one value per indicator and date');
select col_is_pk('public', 'sync_cursors', array['user_id', 'credential_id', 'market_type', 'data_kind', 'symbol'], 'sync_cursors key');
select col_is_pk('public', 'fills', array['user_id', 'id'], 'fills primary key (user_id, id)');
select col_is_pk('public', 'profiles', array['user_id'], 'profiles primary key user_id');

-- Indexes the queries need.
select has_index('public', 'positions', 'positions_one_open_per_stream_idx', array['user_id', 'exchange', 'market_type', 'symbol'], 'one open position per stream');
select has_index('public', 'trade_history', 'trade_history_user_exit_time_idx', 'trade history by user, newest first');
select has_index('public', 'fills', 'fills_user_stream_idx', 'fills by engine stream');
select has_index('public', 'sync_jobs', 'sync_jobs_claim_idx', 'sync jobs claim index');
select has_index('public', 'sync_jobs', 'sync_jobs_one_pending_per_credential_idx', 'one pending sync job per credential and kind');
select has_index('private', 'user_performance_summary', 'user_performance_summary_user_exchange_idx', 'MV unique index');
select ok((select indisunique from pg_index where indexrelid = 'private.user_performance_summary_user_exchange_idx'::regclass),
  'the MV index is unique (refresh concurrently)');

-- Triggers.
select has_trigger('auth', 'users', 'create_profile_on_signup', 'profiles are created on signup');
select is((select count(*)::int from pg_trigger where tgname like 'audit\_%' and not tgisinternal), 12,
  'audit triggers (insert, update, delete) on the four audited tables');

select * from finish();
rollback;
