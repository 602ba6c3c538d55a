/**
 * Ledger exports (Binance's Transaction History statement): one row per balance change, so a
 * trade is several rows (what was received, what was spent, the fee) that must be put back
 * together. A format with an `assemble` step maps each row to a `LedgerDraft`; `assemble` turns
 * the file's drafts into fills and transfers, and lists every row it could not pair without
 * guessing (`unpaired`: counted, listed, never imported) and the rows that are not trades or
 * transfers at all (`skipped`, counted per operation).
 */
import { Decimal } from "../decimal.ts";
import type { FundingRow } from "../domain/types.ts";
import type { FillDraft, TransferDraft } from "./formats.ts";
import { KNOWN_QUOTES } from "./symbols.ts";

/** One ledger row, checked (time in UTC, change signed and canonical). */
export interface LedgerDraft {
  ledger: true;
  line: number;
  at: string;
  account: string;
  operation: string;
  asset: string;
  change: string;
  /** The row's own reference or remark (may be empty). */
  ref: string | null;
}

/** A ledger row that was not imported because pairing it would mean guessing, and why. */
export type UnpairedRow = Omit<LedgerDraft, "ledger" | "ref"> & { reason: string };

export function toUnpaired(e: LedgerDraft, reason: string): UnpairedRow {
  return { line: e.line, at: e.at, account: e.account, operation: e.operation, asset: e.asset, change: e.change, reason };
}

/** A funding payment of a swap read from a ledger (funding_id null: the ledger row has no id of its own). */
export type FundingDraft = Omit<FundingRow, "funding_id"> & { funding_id: string | null };

export interface LedgerResult {
  fills: { line: number; d: FillDraft }[];
  transfers: { line: number; d: TransferDraft }[];
  /** Funding payments of ledgers that name the contract (a statement's funding rows that don't are unpaired). */
  funding: { line: number; d: FundingDraft }[];
  unpaired: UnpairedRow[];
  /** Rows that are neither trades nor transfers (earn, internal moves, …), per operation. */
  skipped: { operation: string; rows: number; why: string }[];
  /**
   * The exchange's own realized PnL rows, summed per currency (a cross-check only); per symbol
   * (ccxt swap symbol), with the first and last row's time, when the ledger names the contract.
   */
  exchangePnl: { currency: string; amount: string; rows: number; symbol?: string; from?: string; to?: string }[];
}

/** Price of a grouped fill: quote total / base total, rounded half-even at 18 decimals. */
export function derivedPrice(cost: string, amount: string): string {
  const p = new Decimal(cost).div(amount).toDecimalPlaces(18);
  return p.toFixed();
}

// Sign helpers on canonical decimal text (what the cell readers return: "-0.5", "0", "12"):
// exact string operations, no Decimal allocation per ledger row.
export const isPositive = (c: string) => c !== "0" && c[0] !== "-";
export const abs = (c: string) => (c[0] === "-" ? c.slice(1) : c);
export const negate = (c: string) => (c === "0" ? "0" : c[0] === "-" ? c.slice(1) : "-" + c);

export function sum(values: readonly string[]): string {
  return values.reduce((a, v) => a.plus(v), new Decimal(0)).toFixed();
}

/**
 * Which of two assets a convert is quoted in: fiat first, then stablecoins, then the crypto
 * quotes, in this order (all of them quotes `splitPair` already knows). Null when neither is.
 */
const QUOTE_RANK: readonly string[] = [
  "EUR", "GBP", "TRY", "BRL", "ARS", "JPY", "AUD", "MXN", "PLN", "RON", "ZAR", "UAH", "IDR",
  "USDT", "USDC", "FDUSD", "BUSD", "TUSD", "USDP", "USD1", "DAI", "USDE",
  "BTC", "ETH", "BNB", "SOL", "XRP", "TRX", "DOGE",
].filter((q) => KNOWN_QUOTES.includes(q));

export function orientPair(a: string, b: string): { base: string; quote: string } | null {
  const ra = QUOTE_RANK.indexOf(a);
  const rb = QUOTE_RANK.indexOf(b);
  if (ra < 0 && rb < 0) return null;
  if (rb < 0 || (ra >= 0 && ra < rb)) return { base: b, quote: a };
  return { base: a, quote: b };
}

/** Counts rows per operation for `skipped`. */
export class SkipCounter {
  private readonly counts = new Map<string, { rows: number; why: string }>();
  add(operation: string, why: string): void {
    const c = this.counts.get(operation);
    if (c) c.rows++;
    else this.counts.set(operation, { rows: 1, why });
  }
  list(): LedgerResult["skipped"] {
    return [...this.counts].map(([operation, c]) => ({ operation, ...c })).sort((a, b) => b.rows - a.rows || a.operation.localeCompare(b.operation));
  }
}

/** Appends v to the list under k. */
export function pushTo<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/**
 * The exchange's realized-PnL rows of a ledger that names the contract, summed per symbol and
 * currency with the span of their rows (what `pnl_check` compares with the engine).
 */
export class PnlBySymbol {
  private readonly sums = new Map<string, { symbol: string; currency: string; amount: Decimal; rows: number; from: string; to: string }>();
  add(symbol: string, currency: string, amount: string, at: string): void {
    const k = `${symbol}|${currency}`;
    const p = this.sums.get(k);
    if (!p) {
      this.sums.set(k, { symbol, currency, amount: new Decimal(amount), rows: 1, from: at, to: at });
      return;
    }
    p.amount = p.amount.plus(amount);
    p.rows++;
    if (at < p.from) p.from = at;
    if (at > p.to) p.to = at;
  }
  list(): LedgerResult["exchangePnl"] {
    return [...this.sums.values()]
      .sort((a, b) => a.symbol.localeCompare(b.symbol) || a.currency.localeCompare(b.currency))
      .map((p) => ({ symbol: p.symbol, currency: p.currency, amount: p.amount.toFixed(), rows: p.rows, from: p.from, to: p.to }));
  }
}
