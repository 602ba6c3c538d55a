-- Seed data for local development (applied after migrations by `npm run stack -- up|reset`).
-- Reference rows only; users and their data come from `npm run stack -- user` and `npm start`.
-- Idempotent (on conflict do nothing), so it can be re-applied.

-- Analysis timeframes of the market data tables (spec table 9).
insert into public.timeframes (timeframe)
values ('1m'), ('5m'), ('15m'), ('30m'), ('1h'), ('4h'), ('12h'), ('1d'), ('1w')
on conflict (timeframe) do nothing;

-- Market categories of the market data tables (spec table 10). Trading tables use the enum
-- public.market_type (spot, swap) instead.
insert into public.market_types (name)
values ('spot'), ('futures'), ('swap')
on conflict (name) do nothing;

-- Symbols the market data jobs track by default (spec table 8 spells them BASE_QUOTE).
insert into public.symbols (symbol_name)
values ('BTC_USDT'), ('ETH_USDT'), ('SOL_USDT'), ('BNB_USDT'), ('XRP_USDT')
on conflict (symbol_name) do nothing;
