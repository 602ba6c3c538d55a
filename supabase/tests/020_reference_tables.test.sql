-- Market data, market prices and the signal pipeline: readable by signed-in users, written only
-- by the service role, invisible to anon; the pipeline's cascades.
begin;
\ir 000_helpers.psql
select plan(5 * 17 + 9);

select tests.create_user('ada@example.com', 'aaaaaaaa-0000-0000-0000-000000000001');

-- Reference rows (as the ingestion jobs would write them). seed.sql may already hold some.
insert into public.symbols (symbol_name) values ('TEST_USDT');
insert into public.timeframes (timeframe) values ('7m');
insert into public.market_types (name) values ('test-market');
insert into public.fredindicators (name, value, observation_date) values ('UNRATE', 4.1, '2025-11-01');
insert into public.gio_open_interest (symbol_id, exchange, open_interest, change_24h, last_updated)
  select id, 'gateio', 123456789.123, -42.5, now() from public.symbols where symbol_name = 'TEST_USDT';
insert into public.fund_flow_analysis (symbol_id, market_type_id, timeframe_id, order_size, net_inflow, inflow, outflow)
  select s.id, m.id, t.id, 'large', 10, 30, 20 from public.symbols s, public.market_types m, public.timeframes t
   where s.symbol_name = 'TEST_USDT' and m.name = 'test-market' and t.timeframe = '7m';
insert into public.fund_flow_historical (symbol_id, market_type_id, timeframe_id, date_time, net_inflow)
  select s.id, m.id, t.id, now(), -5 from public.symbols s, public.market_types m, public.timeframes t
   where s.symbol_name = 'TEST_USDT' and m.name = 'test-market' and t.timeframe = '7m';
insert into public.long_short_overall (symbol_id, timeframe_id, long_percent, short_percent, last_updated)
  select s.id, t.id, 55.5, 44.5, now() from public.symbols s, public.timeframes t where s.symbol_name = 'TEST_USDT' and t.timeframe = '7m';
insert into public.long_short_exchanges (symbol_id, timeframe_id, exchange, bias, long_percent, short_percent, last_updated)
  select s.id, t.id, 'binance', 'bullish', 60, 40, now() from public.symbols s, public.timeframes t where s.symbol_name = 'TEST_USDT' and t.timeframe = '7m';
insert into public.market_prices (exchange, symbol, kind, price, as_of) values ('binance', 'BNB/USDT', 'last', 612.34, now());

insert into public.pipeline_runs (id) overriding system value values (900001);
insert into public.symbols_confidence (run_id, symbol, confidence) values (900001, 'BTCUSDT', 0.87);
insert into public.predictions (id, run_id, symbol, confidence, prediction_text) overriding system value
  values (900002, 900001, 'BTCUSDT', 0.8, 'ascending triangle');
insert into public.vlm_screenshot (vlm_pred_id, screenshot_url, timeframes, captured_at)
  values (900002, 'https://example.com/s.png', array['1h', '4h'], now());
insert into public.trades (id, run_id, entry_price, stop_loss, take_profit) overriding system value values (900003, 900001, 43000, 42000, 45000);
insert into public.executions (trade_id, run_id, status, order_id, executed_entry_price) values (900003, 900001, 'executed', 'X-1', 43010);
insert into public.validations (run_id, validation_status, details) values (900001, 'PASSED', '{"ok": true}');

create function tests.reference_matrix(p_table text)
returns setof text
language plpgsql
as $$
declare
  tbl regclass := ('public.' || p_table)::regclass;
  n bigint;
  first_col text;
begin
  select column_name into first_col from information_schema.columns
   where table_schema = 'public' and table_name = p_table and column_name <> 'id' order by ordinal_position limit 1;
  perform tests.authenticate_as('aaaaaaaa-0000-0000-0000-000000000001');
  execute format('select count(*) from %s', tbl) into n;
  return next ok(n > 0, p_table || ': signed-in users read it');
  return next throws_ok(format('insert into %s default values', tbl), '42501', null, p_table || ': users cannot insert');
  return next throws_ok(format('update %s set %I = %I', tbl, first_col, first_col), '42501', null, p_table || ': users cannot update');
  return next throws_ok(format('delete from %s', tbl), '42501', null, p_table || ': users cannot delete');
  perform tests.authenticate_as_anon();
  return next throws_ok(format('select count(*) from %s', tbl), '42501', null, p_table || ': anon reads nothing');
  perform tests.clear_authentication();
end
$$;

select tests.reference_matrix(t) from unnest(array[
  'symbols', 'timeframes', 'market_types', 'fredindicators', 'gio_open_interest', 'fund_flow_analysis',
  'fund_flow_historical', 'long_short_overall', 'long_short_exchanges', 'market_prices',
  'pipeline_runs', 'symbols_confidence', 'predictions', 'vlm_screenshot', 'trades', 'executions', 'validations'
]) as t;

-- The service role writes them.
select tests.authenticate_as_service_role();
select lives_ok($$ insert into public.market_prices (exchange, symbol, kind, price, as_of) values ('mexc', 'MX/USDT', 'close_1d', 3.21, '2025-11-24') $$,
  'the service role writes market prices');
select throws_like($$ insert into public.market_prices (exchange, symbol, kind, price, as_of) values ('mexc', 'MX/USDT', 'close_1d', 3.3, '2025-11-24') $$,
  '%market_prices_exchange_symbol_kind_as_of_key%', 'one price per exchange, symbol, kind and time');
select throws_like($$ insert into public.market_prices (exchange, symbol, kind, price, as_of) values ('mexc', 'MX/USDT', 'mark', 3.3, now()) $$,
  '%market_prices_kind_valid%', 'price kind is last or close_1d');
select throws_like($$ insert into public.fredindicators (name, value, observation_date) values ('UNRATE', 4.2, '2025-11-01') $$,
  '%fredindicators_name_observation_date_key%', 'one FRED value per indicator and date');
select throws_like($$ insert into public.executions (trade_id, run_id, status) values (900003, 900001, 'done') $$,
  '%executions_status_valid%', 'execution status is pending, executed or failed');
select tests.clear_authentication();

-- Numbers the spec stored as text are exact numerics.
select is((select open_interest from public.gio_open_interest limit 1), 123456789.123::numeric, 'open interest is an exact number');

-- Cascades: deleting a run deletes every stage, screenshots through their prediction.
delete from public.pipeline_runs where id = 900001;
select is((select count(*) from public.symbols_confidence where run_id = 900001) + (select count(*) from public.predictions where run_id = 900001)
        + (select count(*) from public.trades where run_id = 900001) + (select count(*) from public.executions where run_id = 900001)
        + (select count(*) from public.validations where run_id = 900001), 0::bigint, 'deleting a pipeline run deletes its stages');
select is_empty($$ select 1 from public.vlm_screenshot where vlm_pred_id = 900002 $$, 'screenshots go with their prediction');
select fk_ok('public', 'vlm_screenshot', 'vlm_pred_id', 'public', 'predictions', 'id', 'vlm_screenshot references predictions');

select * from finish();
rollback;
