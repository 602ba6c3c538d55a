-- Exchange sync, part 1: natural keys that match how the exchanges number trades and orders,
-- and what the sync keeps beside a credential.
--
-- Binance numbers trades and orders per symbol (spot and futures separately): trade id 12345 of
-- LTCUSDT and trade id 12345 of BTCUSDT are two fills. The keys of fills and orders therefore
-- include the symbol. The constraint names are kept (tests and error messages name them); only
-- their columns change. Nothing references them: foreign keys to fills and orders use the
-- surrogate primary keys (user_id, id).

alter table public.fills drop constraint if exists fills_user_exchange_market_trade_key;
alter table public.fills
  add constraint fills_user_exchange_market_trade_key unique (user_id, exchange, market_type, symbol, trade_id);
comment on constraint fills_user_exchange_market_trade_key on public.fills is
  'Natural key of a fill: trade ids are unique per exchange, market type and symbol (binance numbers them per symbol).';

alter table public.orders drop constraint if exists orders_user_exchange_order_id_key;
alter table public.orders
  add constraint orders_user_exchange_order_id_key unique (user_id, exchange, market_type, symbol, order_id);
comment on constraint orders_user_exchange_order_id_key on public.orders is
  'Natural key of an order: order ids are unique per exchange, market type and symbol (binance numbers them per symbol).';

-- What the sync stores per credential (service role only; users see them through the columns
-- granted below).
alter table public.api_credentials
  add column if not exists account_mode jsonb,
  add column if not exists sync_symbols text[] not null default '{}';

alter table public.api_credentials
  drop constraint if exists api_credentials_account_mode_object;
alter table public.api_credentials
  add constraint api_credentials_account_mode_object check (account_mode is null or jsonb_typeof(account_mode) = 'object');

comment on column public.api_credentials.account_mode is
  'Account mode detected once by the sync (bitget unified trading account / gate unified account), e.g. {"bitgetUta": false}; NULL = not detected yet.';
comment on column public.api_credentials.sync_symbols is
  'Symbols the user asked the sync to cover (ccxt unified, e.g. {BTC/USDT,ETH/USDT:USDT}) beside the discovered ones: needed for pairs traded and fully exited whose assets were never held or transferred at sync time.';

grant select (account_mode, sync_symbols) on table public.api_credentials to authenticated;
