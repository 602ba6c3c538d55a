-- Trading and performance tables: natural keys, checks and foreign keys, each violation
-- refused with an error that names its constraint; cascades and set-null behaviour.
begin;
\ir 000_helpers.psql
select plan(37);

select tests.create_user('ada@example.com', 'aaaaaaaa-0000-0000-0000-000000000001');
select tests.create_user('bob@example.com', 'bbbbbbbb-0000-0000-0000-000000000002');
select tests.seed_user_data('aaaaaaaa-0000-0000-0000-000000000001', 'binance') as cred_a \gset
select tests.seed_user_data('bbbbbbbb-0000-0000-0000-000000000002', 'binance') as cred_b \gset

select tests.authenticate_as_service_role();

-- fills
select throws_like($$ insert into public.fills (user_id, exchange, market_type, symbol, base, quote, trade_id, side, price, amount, cost, executed_at)
  values ('aaaaaaaa-0000-0000-0000-000000000001', 'binance', 'spot', 'BTC/USDT', 'BTC', 'USDT', 'T-1', 'buy', 1, 1, 1, now()) $$,
  '%fills_user_exchange_market_trade_key%', 'fills: a trade id is stored once per user, exchange, market type and symbol');
select lives_ok($$ insert into public.fills (user_id, exchange, market_type, symbol, base, quote, trade_id, side, price, amount, cost, executed_at)
  values ('aaaaaaaa-0000-0000-0000-000000000001', 'binance', 'swap', 'BTC/USDT:USDT', 'BTC', 'USDT', 'T-1', 'sell', 1, 1, 1, now()) $$,
  'fills: the same trade id in another market type is another fill');
select lives_ok($$ insert into public.fills (user_id, exchange, market_type, symbol, base, quote, trade_id, side, price, amount, cost, executed_at)
  values ('bbbbbbbb-0000-0000-0000-000000000002', 'binance', 'swap', 'BTC/USDT:USDT', 'BTC', 'USDT', 'T-1', 'sell', 1, 1, 1, now()) $$,
  'fills: another user may have the same trade id');
select throws_like($$ insert into public.fills (user_id, exchange, market_type, symbol, base, quote, trade_id, side, price, amount, cost, executed_at)
  values ('aaaaaaaa-0000-0000-0000-000000000001', 'alpha_vantage', 'spot', 'BTC/USDT', 'BTC', 'USDT', 'T-9', 'buy', 1, 1, 1, now()) $$,
  '%fills_exchange_is_trading%', 'fills: alpha_vantage is not a trading exchange');
select throws_like($$ insert into public.fills (user_id, exchange, market_type, symbol, base, quote, trade_id, side, price, amount, cost, executed_at)
  values ('aaaaaaaa-0000-0000-0000-000000000001', 'binance', 'spot', 'BTC/USDT', 'BTC', 'USDT', 'T-9', 'BUY', 1, 1, 1, now()) $$,
  '%fills_side_valid%', 'fills: side is buy or sell');
select throws_like($$ insert into public.fills (user_id, exchange, market_type, symbol, base, quote, trade_id, side, price, amount, cost, executed_at)
  values ('aaaaaaaa-0000-0000-0000-000000000001', 'binance', 'spot', 'BTC/USDT', 'BTC', 'USDT', 'T-9', 'buy', 1, 0, 0, now()) $$,
  '%fills_amount_positive%', 'fills: amount is positive');
select throws_like($$ insert into public.fills (user_id, exchange, market_type, symbol, base, quote, trade_id, side, price, amount, cost, executed_at, fees)
  values ('aaaaaaaa-0000-0000-0000-000000000001', 'binance', 'spot', 'BTC/USDT', 'BTC', 'USDT', 'T-9', 'buy', 1, 1, 1, now(), '{"currency": "BNB"}') $$,
  '%fills_fees_array%', 'fills: fees is a JSON array');
select throws_like(format($$ insert into public.fills (user_id, credential_id, exchange, market_type, symbol, base, quote, trade_id, side, price, amount, cost, executed_at)
  values ('aaaaaaaa-0000-0000-0000-000000000001', %L, 'binance', 'spot', 'BTC/USDT', 'BTC', 'USDT', 'T-9', 'buy', 1, 1, 1, now()) $$, :'cred_b'),
  '%fills_credential_fkey%', 'fills: a fill cannot point at another user''s credential');
select is((select price from public.fills where trade_id = 'T-1' and market_type = 'spot' and user_id = 'aaaaaaaa-0000-0000-0000-000000000001'),
  43000.000000000000000000::numeric, 'amounts are stored exactly');
select lives_ok($$ insert into public.fills (user_id, exchange, market_type, symbol, base, quote, trade_id, side, price, amount, cost, executed_at)
  values ('aaaaaaaa-0000-0000-0000-000000000001', 'binance', 'spot', 'PEPE/USDT', 'PEPE', 'USDT', 'T-10', 'buy', 0.000000012345678901,
          12345678901234567890.123456789012345678, 152415.787532, now()) $$,
  'fills: 18 decimals and 20 integer digits fit');

-- orders
select throws_like($$ insert into public.orders (user_id, exchange, symbol, order_id, side, type, status, quantity, order_timestamp)
  values ('aaaaaaaa-0000-0000-0000-000000000001', 'binance', 'BTC/USDT', 'E-1', 'buy', 'limit', 'NEW', 1, now()) $$,
  '%orders_user_exchange_order_id_key%', 'orders: an order id is stored once per user and exchange');
select throws_like($$ insert into public.orders (user_id, exchange, symbol, order_id, side, type, status, quantity, order_timestamp, order_role)
  values ('aaaaaaaa-0000-0000-0000-000000000001', 'binance', 'BTC/USDT', 'E-2', 'buy', 'limit', 'NEW', 1, now(), 'TP4') $$,
  '%orders_order_role_valid%', 'orders: role is ENTRY, TP1, TP2, TP3 or SL');
select throws_like($$ insert into public.orders (user_id, exchange, symbol, order_id, side, type, status, quantity, order_timestamp)
  values ('aaaaaaaa-0000-0000-0000-000000000001', 'binance', 'BTC/USDT', 'E-2', 'buy', 'limit', 'OPEN', 1, now()) $$,
  '%orders_status_valid%', 'orders: status is one of the spec''s');
select throws_like(format($$ insert into public.orders (user_id, exchange, symbol, order_id, side, type, status, quantity, order_timestamp, parent_order_id)
  values ('aaaaaaaa-0000-0000-0000-000000000001', 'binance', 'BTC/USDT', 'SL-X', 'sell', 'limit', 'NEW', 1, now(), %s) $$,
  (select id from public.orders where user_id = 'bbbbbbbb-0000-0000-0000-000000000002' and order_id = 'E-1')),
  '%orders_parent_order_fkey%', 'orders: a TP/SL cannot hang under another user''s entry order');
select results_eq($$ select c.order_role, p.order_role from public.orders c join public.orders p on p.user_id = c.user_id and p.id = c.parent_order_id
                     where c.user_id = 'aaaaaaaa-0000-0000-0000-000000000001' $$,
  $$ values ('TP1', 'ENTRY') $$, 'orders: TP1 links to its entry order through the surrogate key');
delete from public.orders where user_id = 'aaaaaaaa-0000-0000-0000-000000000001' and order_id = 'E-1';
select results_eq($$ select parent_order_id, user_id from public.orders where user_id = 'aaaaaaaa-0000-0000-0000-000000000001' and order_id = 'TP-1' $$,
  $$ values (null::bigint, 'aaaaaaaa-0000-0000-0000-000000000001'::uuid) $$,
  'orders: deleting an entry order unlinks its children, keeping their owner (on delete set null (parent_order_id))');
select is((select entry_order_ref from public.positions where user_id = 'aaaaaaaa-0000-0000-0000-000000000001'), null::bigint,
  'positions: deleting the entry order unlinks the position');

-- positions
select throws_like($$ insert into public.positions (user_id, exchange, market_type, symbol, side, entry_price, quantity, total_cost)
  values ('aaaaaaaa-0000-0000-0000-000000000001', 'binance', 'spot', 'BTC/USDT', 'LONG', 1, 1, 1) $$,
  '%positions_one_open_per_stream_idx%', 'positions: one OPEN position per user, exchange, market type and symbol');
select lives_ok($$ insert into public.positions (user_id, exchange, market_type, symbol, side, entry_price, quantity, total_cost, status, closed_at, opened_at)
  values ('aaaaaaaa-0000-0000-0000-000000000001', 'binance', 'spot', 'BTC/USDT', 'LONG', 1, 0, 0, 'CLOSED', now(), now() - interval '9 days') $$,
  'positions: closed positions of the same stream are fine');
select throws_like($$ insert into public.positions (user_id, exchange, market_type, symbol, side, entry_price, quantity, total_cost)
  values ('aaaaaaaa-0000-0000-0000-000000000001', 'binance', 'spot', 'ETH/USDT', 'SHORT', 1, 1, 1) $$,
  '%positions_spot_is_long%', 'positions: spot positions are long only');
select throws_like($$ insert into public.positions (user_id, exchange, market_type, symbol, side, entry_price, quantity, total_cost, status, closed_at)
  values ('aaaaaaaa-0000-0000-0000-000000000001', 'binance', 'swap', 'ETH/USDT:USDT', 'SHORT', 1, 1, 1, 'OPENED', now()) $$,
  '%valid_status%', 'positions: status is OPEN, CLOSED or LIQUIDATED');
select throws_like($$ update public.positions set status = 'CLOSED' where user_id = 'aaaaaaaa-0000-0000-0000-000000000001' and status = 'OPEN' $$,
  '%positions_closed_has_time%', 'positions: a closed position has closed_at');

-- trade_history
select throws_like($$ insert into public.trade_history (user_id, exchange, market_type, symbol, side, entry_price, entry_time, entry_quantity,
    exit_price, exit_time, exit_quantity, exit_type, gross_pnl, net_pnl, hold_duration, close_key)
  values ('aaaaaaaa-0000-0000-0000-000000000001', 'binance', 'spot', 'BTC/USDT', 'LONG', 1, now(), 1, 1, now(), 1, 'TAKE_PROFIT', 0, 0, '0', 'k-1') $$,
  '%valid_exit_type%', 'trade_history: exit_type is TP, SL, MANUAL, LIQUIDATION or PARTIAL');
select throws_like($$ insert into public.trade_history (user_id, exchange, market_type, symbol, side, entry_price, entry_time, entry_quantity,
    exit_price, exit_time, exit_quantity, exit_type, gross_pnl, net_pnl, hold_duration, close_key)
  values ('aaaaaaaa-0000-0000-0000-000000000001', 'binance', 'spot', 'BTC/USDT', 'LONG', 1, now(), 1, 1, now(), 1, 'PARTIAL', 0, 0, '0', 'T-0:0') $$,
  '%trade_history_close_key_key%', 'trade_history: a closing event is stored once (close_key)');
select throws_like($$ insert into public.trade_history (user_id, exchange, market_type, symbol, side, entry_price, entry_time, entry_quantity,
    exit_price, exit_time, exit_quantity, exit_type, gross_pnl, net_pnl, hold_duration, close_key)
  values ('aaaaaaaa-0000-0000-0000-000000000001', 'binance', 'spot', 'BTC/USDT', 'LONG', 1, now(), 1, 1, now() - interval '1 day', 1, 'SL', 0, 0, '0', 'k-2') $$,
  '%trade_history_exit_after_entry%', 'trade_history: exit is not before entry');
select lives_ok($$ insert into public.trade_history (user_id, exchange, market_type, symbol, side, entry_price, entry_time, entry_quantity,
    exit_price, exit_time, exit_quantity, exit_type, gross_pnl, net_pnl, pnl_percentage, roi_percentage, hold_duration, close_key,
    unknown_cost_basis_quantity, flags)
  values ('aaaaaaaa-0000-0000-0000-000000000001', 'binance', 'spot', 'BTC/USDT', 'LONG', 0, now(), 1, 1, now(), 1, 'MANUAL', 1, 1, null, null, '0', 'k-3',
          1, '{unknown_cost_basis}') $$,
  'trade_history: an unknown cost basis has NULL percentages, never a made-up 0');

-- snapshots and metrics: the all-exchanges row (exchange NULL) is unique too
select lives_ok($$ insert into public.portfolio_snapshots (user_id, exchange, total_balance, available_balance, locked_balance, snapshot_date)
  values ('aaaaaaaa-0000-0000-0000-000000000001', null, 1, 1, 0, current_date) $$, 'snapshots: an all-exchanges row');
select throws_like($$ insert into public.portfolio_snapshots (user_id, exchange, total_balance, available_balance, locked_balance, snapshot_date)
  values ('aaaaaaaa-0000-0000-0000-000000000001', null, 2, 2, 0, current_date) $$,
  '%unique_snapshot%', 'snapshots: one all-exchanges row per day (NULLS NOT DISTINCT)');
select throws_like($$ insert into public.performance_metrics (user_id, exchange, period_start, period_end, period_type, total_trades, winning_trades, losing_trades)
  values ('aaaaaaaa-0000-0000-0000-000000000001', null, now(), now(), 'ALL_TIME', 1, 1, 1) $$,
  '%performance_metrics_counts_consistent%', 'metrics: winning + losing + breakeven = total');

-- fees_tracking's user: a fee of a fill reaches its user through its fill (same user_id); a fee
-- without a fill is checked against auth.users itself (migration 20261125400600).
insert into public.fees_tracking (user_id, exchange, fee_amount, fee_currency, fee_type, transaction_type, source_key, fee_timestamp)
values ('aaaaaaaa-0000-0000-0000-000000000001', 'binance', 0.0005, 'BTC', 'WITHDRAWAL', 'TRANSFER', 'withdrawal:W-1', now());
select is((select count(*) from public.fees_tracking where user_id = 'aaaaaaaa-0000-0000-0000-000000000001'
            and ((fill_id is null and user_id_without_fill = user_id) or (fill_id is not null and user_id_without_fill is null))), 2::bigint,
  'fees_tracking.user_id_without_fill: the user for a fee without a fill, NULL for a fee of a fill');
select throws_like($$ insert into public.fees_tracking (user_id, exchange, fee_amount, fee_currency, fee_type, transaction_type, source_key, fee_timestamp)
  values ('cccccccc-0000-0000-0000-00000000000c', 'binance', 1, 'USDT', 'FUNDING', 'FUNDING', 'funding:F-x', now()) $$,
  '%fees_tracking_user_id_fkey%', 'fees_tracking: a fee without a fill of an unknown user is refused');
select throws_like($$ insert into public.fees_tracking (user_id, fill_id, exchange, fee_amount, fee_currency, fee_type, transaction_type, source_key, fee_timestamp)
  values ('cccccccc-0000-0000-0000-00000000000c', (select id from public.fills where user_id = 'aaaaaaaa-0000-0000-0000-000000000001' limit 1),
          'binance', 1, 'USDT', 'TAKER', 'ORDER_FILL', 'fill:x', now()) $$,
  '%fees_tracking_fill_fkey%', 'fees_tracking: a fee of a fill under an unknown user is refused (the fill is not theirs)');
select throws_like($$ insert into public.fees_tracking (user_id, fill_id, exchange, fee_amount, fee_currency, fee_type, transaction_type, source_key, fee_timestamp)
  values ('bbbbbbbb-0000-0000-0000-000000000002', (select id from public.fills where user_id = 'aaaaaaaa-0000-0000-0000-000000000001' limit 1),
          'binance', 1, 'USDT', 'TAKER', 'ORDER_FILL', 'fill:y', now()) $$,
  '%fees_tracking_fill_fkey%', 'fees_tracking: a fee cannot point at another user''s fill');
select throws_like($$ update public.fees_tracking set fill_id = null, user_id = 'cccccccc-0000-0000-0000-00000000000c'
  where user_id = 'aaaaaaaa-0000-0000-0000-000000000001' and fill_id is not null $$,
  '%fees_tracking_user_id_fkey%', 'fees_tracking: a fee whose fill is unset by hand is checked against auth.users again');
select is((select count(*) from pg_index i where i.indrelid = 'public.fees_tracking'::regclass
            and i.indexrelid = 'public.fees_tracking_user_without_fill_idx'::regclass), 1::bigint,
  'fees_tracking: the foreign key to auth.users has its index (the cascade when a user is deleted)');

-- Deleting a credential keeps the data (credential_id set null), deleting the user removes everything.
delete from public.api_credentials where id = :'cred_a';
select is((select count(*) from public.fills where user_id = 'aaaaaaaa-0000-0000-0000-000000000001' and credential_id is null), 3::bigint,
  'deleting a credential keeps its fills (credential_id set null)');
select tests.clear_authentication();
delete from auth.users where id = 'aaaaaaaa-0000-0000-0000-000000000001';
select is((select count(*) from public.fills where user_id = 'aaaaaaaa-0000-0000-0000-000000000001')
        + (select count(*) from public.trade_history where user_id = 'aaaaaaaa-0000-0000-0000-000000000001')
        + (select count(*) from public.positions where user_id = 'aaaaaaaa-0000-0000-0000-000000000001')
        + (select count(*) from public.orders where user_id = 'aaaaaaaa-0000-0000-0000-000000000001')
        + (select count(*) from public.fees_tracking where user_id = 'aaaaaaaa-0000-0000-0000-000000000001'), 0::bigint,
  'deleting a user deletes their trading data');

select * from finish();
rollback;
