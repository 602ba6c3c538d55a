/**
 * ccxt tickers → PriceRow (kind "last"). Raw last price (binance/mexc `lastPrice`, bitget
 * `lastPr` / UTA `lastPrice`, gate `last`), else numberToString(ticker.last ?? close).
 * Gate tickers carry no time: `asOf` (the fetch time) is used.
 */
import type { Exchange, Ticker, Tickers } from "ccxt";
import type { PriceRow } from "../../domain/types.ts";
import { firstExact } from "../amounts.ts";
import { ctxOf, infoOf, MalformedPayloadError } from "./common.ts";
import { NON_MARKET_FEE_CURRENCIES } from "./fills.ts";

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

/**
 * Spot symbols to fetch tickers for, so held assets and fee currencies can be valued: each asset
 * paired with the first quote (default USDT, then USDC) that has a market. Quote assets themselves,
 * exchange points (GATEPOINT) and assets without a market are left out (returned in `unpriced`).
 */
export function tickerSymbolsForAssets(
  assets: Iterable<string>,
  markets: Record<string, { spot?: boolean; type?: string } | undefined>,
  quotes: string[] = ["USDT", "USDC"],
): { symbols: string[]; unpriced: string[] } {
  const symbols = new Set<string>();
  const unpriced: string[] = [];
  for (const a of new Set(assets)) {
    if (quotes[0] === a) continue;
    if (NON_MARKET_FEE_CURRENCIES.has(a)) {
      unpriced.push(a);
      continue;
    }
    const q = quotes.find((q) => q !== a && markets[`${a}/${q}`] && (markets[`${a}/${q}`]!.spot || markets[`${a}/${q}`]!.type === "spot"));
    if (q) symbols.add(`${a}/${q}`);
    else unpriced.push(a);
  }
  return { symbols: [...symbols].sort(), unpriced };
}
