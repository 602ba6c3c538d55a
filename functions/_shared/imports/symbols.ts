/**
 * Exchange symbols → ccxt unified symbols. The split itself (glued or separated) is
 * domain/symbols.ts's splitPair, shared with the legacy-order path.
 */
import type { MarketType } from "../domain/types.ts";
import { splitPair } from "../domain/symbols.ts";

export { KNOWN_QUOTES, splitPair } from "../domain/symbols.ts";

export interface UnifiedSymbol {
  symbol: string;
  base: string;
  quote: string;
  settle: string | null;
}

/** ccxt unified symbol: spot "BTC/USDT"; USDⓈ-margined swap "BTC/USDT:USDT". */
export function toUnified(raw: string, marketType: MarketType): UnifiedSymbol | string {
  const p = splitPair(raw);
  if (typeof p === "string") return p;
  if (marketType === "spot") return { symbol: `${p.base}/${p.quote}`, base: p.base, quote: p.quote, settle: null };
  return { symbol: `${p.base}/${p.quote}:${p.quote}`, base: p.base, quote: p.quote, settle: p.quote };
}
