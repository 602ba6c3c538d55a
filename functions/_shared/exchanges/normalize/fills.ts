/**
 * ccxt trades (fetchMyTrades) → FillRow.
 *
 * Amounts come from the raw strings in `info` for the four exchanges (field names below), with
 * `numberToString` of ccxt's numbers as the fallback. Swap amounts on gate and mexc are
 * contracts × market.contractSize. Fees are every non-zero entry, each in its own currency,
 * positive = paid, negative = rebate.
 *
 * Exchange quirks handled here (ccxt 4.5.84):
 * - bitget classic `feeDetail.totalFee` is negative when paid: fee = -totalFee (ccxt does the
 *   same but keeps the sign when `deduction` is "yes", and reads only the first entry of the
 *   swap `feeDetail[]` array); bitget UTA `feeDetail[].fee` is positive when paid, which ccxt
 *   negates (negative fee.cost): we take it as is.
 * - bitget hedge-mode swap fills report the *position* side (a fill that closes a long says
 *   "buy" with `tradeSide` "close"); ccxt flips it for orders but not for fills. We flip it, so
 *   `side` is always the direction of the execution. `tradeSide` "burst_*" = liquidation.
 * - gate fees: `fee` in `fee_currency`, `gt_fee` in GT, `point_fee` in GATEPOINT (points: no
 *   market, no price); zero entries dropped. Gate futures `size` is signed contracts.
 * - binance/mexc `commission` + `commissionAsset` (can be BNB / MX).
 * - mexc contract deals: `vol` in contracts, numeric `side` (1/2 buy, 3/4 sell; ccxt leaves the
 *   number as the side), `category` 2 = liquidation.
 */
import type { Exchange, Trade } from "ccxt";
import type { FeeEntry, FillRow, Side } from "../../domain/types.ts";
import { abs, canon, exact, firstExact, isZero, mul, neg } from "../amounts.ts";
import {
  ctxOf,
  currencyCode,
  infoOf,
  isoOf,
  MalformedPayloadError,
  marketOf,
  type NormalizeResult,
  type Raw,
  required,
  type Skipped,
  supportedMarketType,
  toBase,
} from "./common.ts";

/** Fee currencies that have no market to price them (exchange points). */
export const NON_MARKET_FEE_CURRENCIES: ReadonlySet<string> = new Set(["GATEPOINT", "POINT"]);

interface RawFill {
  price: string | null;
  /** In exchange units (contracts for gate/mexc swaps), unsigned. */
  amount: string | null;
  /** Quote value as reported, if reported. */
  cost: string | null;
  fees: FeeEntry[] | null;
  realizedPnl: string | null;
  isLiquidation: boolean;
  /** Side correction (bitget hedge mode) or raw side when ccxt has none. */
  side: Side | null;
}

function pushFee(ex: Exchange, out: FeeEntry[], currency: unknown, amount: string | null) {
  if (amount === null || isZero(amount)) return;
  const code = currencyCode(ex, currency);
  if (!code) throw new MalformedPayloadError(`fee ${amount} without currency`);
  out.push({ currency: code, amount });
}

function flip(s: Side): Side {
  return s === "buy" ? "sell" : "buy";
}

function rawBinance(ex: Exchange, i: Raw): RawFill {
  const fees: FeeEntry[] = [];
  pushFee(ex, fees, i.commissionAsset, exact(ex, i.commission));
  return {
    price: exact(ex, i.price),
    amount: exact(ex, i.qty),
    cost: exact(ex, i.quoteQty),
    fees,
    realizedPnl: exact(ex, i.realizedPnl),
    isLiquidation: false, // userTrades carry no flag; see orders (clientOrderId "autoclose-")
    side: null,
  };
}

function rawBitget(ex: Exchange, i: Raw, ccxtSide: Side): RawFill {
  const fees: FeeEntry[] = [];
  const uta = i.execId !== undefined || i.category !== undefined;
  const details: Raw[] = Array.isArray(i.feeDetail) ? i.feeDetail : i.feeDetail ? [i.feeDetail] : [];
  for (const d of details) {
    if (uta) {
      pushFee(ex, fees, d.feeCoin, exact(ex, d.fee)); // UTA: positive = paid
    } else {
      const total = exact(ex, d.totalFee); // classic: negative = paid
      pushFee(ex, fees, d.feeCoin, total === null ? null : neg(total));
    }
  }
  const tradeSide = typeof i.tradeSide === "string" ? i.tradeSide.toLowerCase() : "";
  let side: Side | null = null;
  if (i.posMode === "hedge_mode" && tradeSide.includes("close")) side = flip(ccxtSide);
  return {
    price: firstExact(ex, i.priceAvg, i.price, i.execPrice),
    amount: firstExact(ex, i.baseVolume, i.size, i.execQty),
    cost: firstExact(ex, i.quoteVolume, i.amount, i.execValue),
    fees,
    realizedPnl: firstExact(ex, i.profit, i.execPnl),
    isLiquidation: tradeSide.startsWith("burst"),
    side,
  };
}

function rawGate(ex: Exchange, i: Raw, settle: string | undefined): RawFill {
  const fees: FeeEntry[] = [];
  pushFee(ex, fees, i.fee_currency ?? settle, exact(ex, i.fee));
  pushFee(ex, fees, "GT", exact(ex, i.gt_fee));
  pushFee(ex, fees, "GATEPOINT", exact(ex, i.point_fee));
  const amount = firstExact(ex, i.amount, i.size);
  return {
    price: exact(ex, i.price),
    amount: amount === null ? null : abs(amount),
    cost: null, // gate reports no quote value for fills: price × base amount
    fees,
    realizedPnl: null,
    isLiquidation: i.text === "liquidation",
    side: null,
  };
}

function rawMexc(ex: Exchange, i: Raw): RawFill {
  const fees: FeeEntry[] = [];
  // spot: commission/commissionAsset; contract: fee/feeCurrency
  pushFee(ex, fees, i.commissionAsset ?? i.feeCurrency, firstExact(ex, i.commission, i.fee));
  const amount = firstExact(ex, i.qty, i.vol);
  return {
    price: exact(ex, i.price),
    amount: amount === null ? null : abs(amount),
    cost: exact(ex, i.quoteQty),
    fees,
    realizedPnl: exact(ex, i.profit),
    // contract deals: category 2 = system take-over (liquidation)
    isLiquidation: String(i.category ?? "") === "2",
    // contract deals: side 1 open long, 2 close short (buys); 3 open short, 4 close long (sells).
    // ccxt 4.5.84 passes the number through as the side.
    side: typeof i.side === "number" || /^[1-4]$/.test(String(i.side ?? ""))
      ? (Number(i.side) <= 2 ? "buy" : "sell")
      : null,
  };
}

function rawOf(ex: Exchange, exchange: string, t: Trade, settle: string | undefined): RawFill {
  const i = infoOf(t);
  switch (exchange) {
    case "binance":
      return rawBinance(ex, i);
    case "bitget":
      return rawBitget(ex, i, t.side as Side);
    case "gateio":
      return rawGate(ex, i, settle);
    case "mexc":
      return rawMexc(ex, i);
  }
  throw new Error(`unsupported exchange ${exchange}`);
}

/** ccxt's fees[] as FeeEntry (fallback when the raw structure is unknown). */
export function feesFromCcxt(ex: Exchange, fees: Array<{ cost?: unknown; currency?: unknown }> | undefined): FeeEntry[] {
  const out: FeeEntry[] = [];
  for (const f of fees ?? []) pushFee(ex, out, f.currency, exact(ex, f.cost));
  return out;
}

/** One ccxt trade → FillRow. Throws MalformedPayloadError on missing fields; null when the market is not stored. */
export function normalizeTrade(ex: Exchange, t: Trade): FillRow | null {
  const ctx = ctxOf(ex);
  const market = marketOf(ex, t.symbol);
  const marketType = supportedMarketType(market);
  if (marketType === null) return null;
  const raw = rawOf(ex, ctx.exchange, t, market.settle);
  const tradeId = required(t.id, "trade id");
  const side = raw.side ?? (t.side as Side | undefined);
  if (side !== "buy" && side !== "sell") throw new MalformedPayloadError(`trade ${tradeId}: bad side ${String(side)}`);
  const price = required(raw.price ?? exact(ex, t.price), `trade ${tradeId} price`);
  const unitAmount = required(raw.amount ?? exact(ex, t.amount), `trade ${tradeId} amount`);
  const amount = toBase(ctx, market, abs(unitAmount));
  const cost = raw.cost ?? mul(price, amount);
  // A trade with no raw payload (a recorded/hand-written ccxt trade, exchanges/offline.ts) has
  // only ccxt's unified fee fields; a trade from the exchange always has `info`.
  const hasRaw = Object.keys(infoOf(t)).length > 0;
  const ccxtFees = (t as { fees?: Array<{ cost?: unknown; currency?: unknown }> }).fees;
  const ccxtFee = (t as { fee?: { cost?: unknown; currency?: unknown } }).fee;
  const fees = hasRaw && raw.fees !== null
    ? raw.fees
    : feesFromCcxt(ex, ccxtFees && ccxtFees.length > 0 ? ccxtFees : ccxtFee ? [ccxtFee] : []);
  const takerOrMaker = t.takerOrMaker === "maker" || t.takerOrMaker === "taker" ? t.takerOrMaker : null;
  return {
    exchange: ctx.exchange,
    market_type: marketType,
    symbol: market.symbol,
    base: market.base,
    quote: market.quote,
    trade_id: String(tradeId),
    order_id: t.order ? String(t.order) : null,
    side,
    price: canon(price),
    amount,
    cost: canon(cost),
    fees,
    taker_or_maker: takerOrMaker,
    exchange_realized_pnl: marketType === "swap" ? raw.realizedPnl : null,
    is_liquidation: raw.isLiquidation || (t as { liquidation?: unknown }).liquidation === true,
    executed_at: isoOf(t.timestamp, `trade ${tradeId}`),
    source: "api",
  };
}

/** A page of ccxt trades → rows (+ what was skipped). Any malformed trade fails the whole page. */
export function normalizeTrades(ex: Exchange, trades: Trade[]): NormalizeResult<FillRow> {
  if (!Array.isArray(trades)) throw new MalformedPayloadError(`${ex.id}: trades page is not an array`);
  const rows: FillRow[] = [];
  const skipped: Skipped[] = [];
  for (const t of trades) {
    const row = normalizeTrade(ex, t);
    if (row) rows.push(row);
    else skipped.push({ id: t.id ?? null, symbol: t.symbol ?? null, reason: "market type not stored" });
  }
  return { rows, skipped };
}

/**
 * Binance futures fills carry no liquidation flag, their orders do (clientOrderId "autoclose-…"):
 * marks the fills of orders flagged `is_liquidation` (from normalizeOrders). Returns new rows.
 */
export function markLiquidations(fills: FillRow[], orders: Array<{ order_id: string; is_liquidation?: boolean }>): FillRow[] {
  const liq = new Set(orders.filter((o) => o.is_liquidation).map((o) => o.order_id));
  return fills.map((f) => (f.order_id !== null && liq.has(f.order_id) && !f.is_liquidation ? { ...f, is_liquidation: true } : f));
}
