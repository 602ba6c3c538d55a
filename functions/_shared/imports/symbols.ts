/**
 * Exchange symbols → ccxt unified symbols. Glued symbols ("BTCUSDT") are split on the longest
 * known quote asset that is a suffix; separated ones ("BTC_USDT", "BTC-USDT", "BTC/USDT") split
 * on the separator. Exchange-specific suffixes ("_SPBL", "_UMCBL" of Bitget's v1 ids) are
 * dropped first.
 */
import type { MarketType } from "../domain/types.ts";

/** Quote assets recognised at the end of a glued symbol; matched longest first. */
export const KNOWN_QUOTES: readonly string[] = [
  "USDT", "USDC", "FDUSD", "BUSD", "TUSD", "USDP", "USD1", "DAI", "USDE",
  "BTC", "ETH", "BNB", "SOL", "XRP", "TRX", "DOGE",
  "TRY", "EUR", "BRL", "ARS", "JPY", "GBP", "AUD", "MXN", "PLN", "RON", "ZAR", "UAH", "IDR",
].slice().sort((a, b) => b.length - a.length || a.localeCompare(b));

export interface UnifiedSymbol {
  symbol: string;
  base: string;
  quote: string;
  settle: string | null;
}

const ASSET = /^[A-Z0-9]{1,20}$/;

/** Split an exchange symbol into base and quote, or return an error message. */
export function splitPair(raw: string): { base: string; quote: string } | string {
  let s = raw.trim().toUpperCase();
  s = s.replace(/_(SPBL|UMCBL|DMCBL|CMCBL)$/, "");
  s = s.replace(/-?(PERP|SWAP)$/, "");
  const sep = s.match(/^([A-Z0-9]+)[/_-]([A-Z0-9]+)(?::[A-Z0-9]+)?$/);
  if (sep) return { base: sep[1], quote: sep[2] };
  if (!ASSET.test(s)) return `"${raw}" is not a trading pair`;
  for (const q of KNOWN_QUOTES) {
    if (s.length > q.length && s.endsWith(q)) return { base: s.slice(0, -q.length), quote: q };
  }
  return `"${raw}" does not end in a known quote asset (${KNOWN_QUOTES.join(", ")})`;
}

/** ccxt unified symbol: spot "BTC/USDT"; USDⓈ-margined swap "BTC/USDT:USDT". */
export function toUnified(raw: string, marketType: MarketType): UnifiedSymbol | string {
  const p = splitPair(raw);
  if (typeof p === "string") return p;
  if (marketType === "spot") return { symbol: `${p.base}/${p.quote}`, base: p.base, quote: p.quote, settle: null };
  return { symbol: `${p.base}/${p.quote}:${p.quote}`, base: p.base, quote: p.quote, settle: p.quote };
}
