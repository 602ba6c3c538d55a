/** Ids of the spec's master rows (symbols, timeframes), created when missing. */
import type { Sql } from "../db.ts";

/** The spec's symbol name of a ccxt symbol: BTC/USDT and BTC/USDT:USDT → BTC_USDT. */
export function masterSymbolName(symbol: string): string {
  const [base, rest = ""] = symbol.split("/");
  return `${base}_${rest.split(":")[0]}`.toUpperCase();
}

export async function symbolId(sql: Sql, symbol: string): Promise<number> {
  const [r] = await sql`
    with ins as (insert into public.symbols (symbol_name) values (${masterSymbolName(symbol)}) on conflict (symbol_name) do nothing returning id)
    select id from ins union all select id from public.symbols where symbol_name = ${masterSymbolName(symbol)} limit 1`;
  return r.id as number;
}

export async function timeframeId(sql: Sql, timeframe: string): Promise<number> {
  const [r] = await sql`
    with ins as (insert into public.timeframes (timeframe) values (${timeframe}) on conflict (timeframe) do nothing returning id)
    select id from ins union all select id from public.timeframes where timeframe = ${timeframe} limit 1`;
  return r.id as number;
}
