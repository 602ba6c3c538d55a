/**
 * ccxt tickers → PriceRow (kind "last"). Raw last price (binance/mexc `lastPrice`, bitget
 * `lastPr` / UTA `lastPrice`, gate `last`), else numberToString(ticker.last ?? close).
 * Gate tickers carry no time: `asOf` (the fetch time) is used.
 */
import type { Exchange, Ticker, Tickers } from "ccxt";
import type { PriceRow } from "../../domain/types.ts";
import { firstExact } from "../amounts.ts";
import { ctxOf, infoOf, MalformedPayloadError } from "./common.ts";

export function normalizeTicker(ex: Exchange, t: Ticker, asOf: string): PriceRow {
  const { exchange } = ctxOf(ex);
  const i = infoOf(t);
  if (!t.symbol) throw new MalformedPayloadError(`${ex.id}: ticker without symbol`);
  const price = firstExact(ex, i.lastPrice, i.lastPr, i.last, t.last, t.close);
  if (price === null) throw new MalformedPayloadError(`${ex.id}: ticker ${t.symbol} without last price`);
  return {
    exchange,
    symbol: t.symbol,
    price,
    kind: "last",
    as_of: typeof t.timestamp === "number" && t.timestamp > 0 ? new Date(t.timestamp).toISOString() : asOf,
  };
}

export function normalizeTickers(ex: Exchange, tickers: Tickers | Ticker[], asOf: string): PriceRow[] {
  const list = Array.isArray(tickers) ? tickers : Object.values(tickers ?? {});
  return list.map((t) => normalizeTicker(ex, t as Ticker, asOf));
}
