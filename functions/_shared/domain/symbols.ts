/**
 * Splitting exchange symbols into base and quote, defined once (issue 16): the export importers
 * (imports/symbols.ts) and the legacy-order / audit-CLI path (pnl/ccxt.ts normalizeSymbol) both
 * call splitPair. Glued symbols ("BTCUSDT") split on the longest known quote asset that is a
 * suffix; separated ones ("BTC_USDT", "BTC-USDT", "BTC/USDT") on the separator. Exchange-specific
 * suffixes ("_SPBL", "_UMCBL" of Bitget's v1 ids, "-PERP"/"-SWAP") are dropped first.
 */

/** Quote assets recognised at the end of a glued symbol; matched longest first. */
export const KNOWN_QUOTES: readonly string[] = [
  "USDT", "USDC", "FDUSD", "BUSD", "TUSD", "USDP", "USD1", "DAI", "USDE", "USD",
  "BTC", "ETH", "BNB", "SOL", "XRP", "TRX", "DOGE",
  "TRY", "EUR", "BRL", "ARS", "JPY", "GBP", "AUD", "MXN", "PLN", "RON", "ZAR", "UAH", "IDR",
].slice().sort((a, b) => b.length - a.length || a.localeCompare(b));

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
