-- Shared types and trigger helpers used by every later migration.
--
-- Numbers: amounts, prices, costs, fees and PnL are NUMERIC(38,18) throughout. 18 fractional
-- digits hold every exchange's precision exactly (ERC-20 tokens have 18 decimals; exchanges
-- quote at most 8–10) and keep the engine's documented rounding scale (18) representable, so a
-- value written by the TypeScript engine reads back digit for digit; 20 integer digits hold any
-- quantity of any meme coin (10^20 units) with room for sums. The spec's NUMERIC(20,8) loses
-- digits on small-cap prices (0.000000012345) and on base-currency fees. Percentages and ratios
-- are NUMERIC(20,8) (a percentage needs no more than 8 decimals, and 12 integer digits never
-- overflow on tiny denominators). Never float.

-- Exchanges: one enum for credentials and trading data. alpha_vantage is a market-data key only,
-- so trading tables forbid it with a CHECK (a second enum would need casts in every join with
-- api_credentials).
do $$
begin
  if not exists (select 1 from pg_type where typname = 'exchange_id' and typnamespace = 'public'::regnamespace) then
    create type public.exchange_id as enum ('binance', 'bitget', 'gateio', 'mexc', 'alpha_vantage');
  end if;
  if not exists (select 1 from pg_type where typname = 'market_type' and typnamespace = 'public'::regnamespace) then
    create type public.market_type as enum ('spot', 'swap');
  end if;
end
$$;

comment on type public.exchange_id is 'Exchange ids as the database spells them (gateio, not ccxt''s gate). alpha_vantage only appears in api_credentials.';
comment on type public.market_type is 'spot, or USDT-margined perpetual swap.';

/**
 * Trigger: stamps the column named by the first trigger argument (default updated_at) with
 * now() on every UPDATE. Attach BEFORE UPDATE FOR EACH ROW.
 */
create or replace function private.set_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  col text := coalesce(tg_argv[0], 'updated_at');
begin
  new := jsonb_populate_record(new, jsonb_build_object(col, now()));
  return new;
end
$$;

revoke all on function private.set_updated_at() from public, anon, authenticated;
