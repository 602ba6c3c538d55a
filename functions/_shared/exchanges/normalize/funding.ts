/**
 * Funding payments → FundingRow (amount > 0 received, < 0 paid).
 * - ccxt `fetchFundingHistory` entries (all four exchanges): raw amount from `info`
 *   (binance `income`, bitget `amount`, gate `change`, mexc `funding`), else numberToString.
 * - binance raw `fapiPrivateGetIncome` rows: only `incomeType` FUNDING_FEE are funding.
 * Records without an exchange id get a deterministic one: `<symbol>:<timestamp>`.
 */
import type { Exchange, FundingHistory } from "ccxt";
import type { FundingRow } from "../../domain/types.ts";
import { firstExact } from "../amounts.ts";
import { ctxOf, currencyCode, infoOf, isoOf, MalformedPayloadError, type Raw } from "./common.ts";

export function normalizeFundingHistory(ex: Exchange, entries: FundingHistory[]): FundingRow[] {
  if (!Array.isArray(entries)) throw new MalformedPayloadError(`${ex.id}: funding page is not an array`);
  const { exchange } = ctxOf(ex);
  return entries.map((f) => {
    const i = infoOf(f);
    const symbol = f.symbol;
    if (!symbol) throw new MalformedPayloadError(`${ex.id}: funding entry without symbol`);
    const amount = firstExact(ex, i.income, i.amount, i.change, i.funding, f.amount);
    if (amount === null) throw new MalformedPayloadError(`${ex.id}: funding entry without amount`);
    const currency = f.code ?? currencyCode(ex, i.asset ?? i.coin ?? i.currency);
    if (!currency) throw new MalformedPayloadError(`${ex.id}: funding entry without currency`);
    const occurredAt = isoOf(f.timestamp, "funding entry");
    return {
      exchange,
      symbol,
      funding_id: f.id ? String(f.id) : i.id ? String(i.id) : `${symbol}:${f.timestamp}`,
      currency,
      amount,
      occurred_at: occurredAt,
    };
  });
}

/** Raw binance `fapiPrivateGetIncome` rows → FundingRow (FUNDING_FEE only; others ignored). */
export function normalizeBinanceIncome(ex: Exchange, rows: Raw[]): FundingRow[] {
  if (!Array.isArray(rows)) throw new MalformedPayloadError("binance income page is not an array");
  const out: FundingRow[] = [];
  for (const r of rows) {
    if (r.incomeType !== "FUNDING_FEE") continue;
    const market = ex.safeMarket(r.symbol, undefined, undefined, "swap");
    const amount = firstExact(ex, r.income);
    if (amount === null) throw new MalformedPayloadError(`binance income ${r.tranId} without income`);
    const ts = Number(r.time);
    out.push({
      exchange: "binance",
      symbol: market.symbol ?? String(r.symbol),
      funding_id: String(r.tranId ?? `${r.symbol}:${r.time}`),
      currency: currencyCode(ex, r.asset) ?? "USDT",
      amount,
      occurred_at: isoOf(ts, `binance income ${r.tranId}`),
    });
  }
  return out;
}
