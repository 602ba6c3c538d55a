/**
 * Ledger exports (Binance's Transaction History statement): one row per balance change, so a
 * trade is several rows (what was received, what was spent, the fee) that must be put back
 * together. A format with an `assemble` step maps each row to a `LedgerDraft`; `assemble` turns
 * the file's drafts into fills and transfers, and lists every row it could not pair without
 * guessing (`unpaired`: counted, listed, never imported) and the rows that are not trades or
 * transfers at all (`skipped`, counted per operation).
 */
import { Decimal } from "../decimal.ts";
import type { ExchangeId, FundingRow, Side } from "../domain/types.ts";
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

/** A ledger's result before its rows are assembled. */
export function emptyLedger(): LedgerResult {
  return { fills: [], transfers: [], funding: [], unpaired: [], skipped: [], exchangePnl: [] };
}

/**
 * The spot fill a ledger's legs stand for, base and quote known: price = cost / amount
 * (`derivedPrice`), fees per currency summed (zero sums dropped; the first is fee_amount, the
 * others more_fees), no trade id (a synthetic one is made).
 */
export function ledgerFill(f: {
  exchange: ExchangeId; at: string; side: Side; base: string; quote: string; amount: string; cost: string;
  fees?: Map<string, string[]>; orderId?: string | null;
}): FillDraft {
  const [first, ...more] = [...(f.fees ?? [])].map(([currency, v]) => ({ currency, amount: sum(v) }))
    .filter((x) => !new Decimal(x.amount).isZero());
  return {
    exchange: f.exchange, market_type: "spot", symbol: `${f.base}/${f.quote}`, base: f.base, quote: f.quote,
    trade_id: null, order_id: f.orderId ?? null, side: f.side, price: derivedPrice(f.cost, f.amount), amount: f.amount, cost: f.cost,
    fee_amount: first?.amount ?? "0", fee_currency: first?.currency ?? f.quote, more_fees: more.length ? more : undefined,
    taker_or_maker: null, exchange_realized_pnl: null, executed_at: f.at,
  };
}

/**
 * The one fill of a trade whose legs say only what was received and what was spent (per asset,
 * amounts > 0) and its fees (per currency, paid > 0): exactly one asset each way, the market
 * oriented by `orientPair` (the asset received is the base: a buy), amount and cost the sums;
 * otherwise why not. `what` names the trade in the reasons ("trade", "order", "convert"), and
 * `notOne` is the reason when the legs don't name exactly one asset each way.
 */
export function fillFromLegs(
  legs: { got: Map<string, string[]>; gave: Map<string, string[]>; fees?: Map<string, string[]> },
  f: { exchange: ExchangeId; at: string; what: string; notOne?: string; orderId?: string | null },
): FillDraft | string {
  if (legs.got.size !== 1 || legs.gave.size !== 1) {
    return f.notOne ?? `the ${f.what}'s rows do not name exactly one asset received and one spent`;
  }
  const [[inAsset, ins]] = [...legs.got];
  const [[outAsset, outs]] = [...legs.gave];
  if (inAsset === outAsset) return `both legs of the ${f.what} are in the same asset`;
  const pair = orientPair(inAsset, outAsset);
  if (!pair) return `neither ${inAsset} nor ${outAsset} is a known quote asset, so the market of this ${f.what} is unknown`;
  const buy = pair.base === inAsset;
  return ledgerFill({
    exchange: f.exchange, at: f.at, side: buy ? "buy" : "sell", base: pair.base, quote: pair.quote,
    amount: sum(buy ? ins : outs), cost: sum(buy ? outs : ins), fees: legs.fees, orderId: f.orderId,
  });
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
