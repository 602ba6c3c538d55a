/**
 * ccxt orders (fetchOrders / fetchClosedOrders / fetchOpenOrders / fetchOrder) → OrderRow.
 *
 * Quantities are base units (gate/mexc swap contracts × contractSize). Market BUY orders sized in
 * quote (bitget spot `size`, gate spot `amount`, mexc `quoteOrderQty`) keep that size in
 * `quote_quantity`; their `quantity` is the executed base amount once known. Where gate gives no
 * executed base amount (`filled_amount` absent in older answers), it is derived once:
 * filled_total / avg_deal_price rounded to the market's amount tick (fills stay the source of
 * truth for PnL; orders give roles and exit types).
 */
import type { Exchange, Order } from "ccxt";
import type { OrderRow } from "../../domain/types.ts";
import { abs, canon, div, exact, firstExact, isZero, roundToTick, sub } from "../amounts.ts";
import {
  ctxOf,
  type Market,
  infoOf,
  isoOf,
  isoOrNull,
  MalformedPayloadError,
  marketOf,
  nonZero,
  type NormalizeResult,
  type Raw,
  required,
  type Skipped,
  supportedMarketType,
  toBase,
} from "./common.ts";

export type OrderStatus = "NEW" | "PARTIALLY_FILLED" | "FILLED" | "CANCELED" | "REJECTED" | "EXPIRED";

/** OrderRow plus what the domain type does not hold yet (optional, see report). */
export interface NormalizedOrder extends OrderRow {
  /** Quote-currency size of market buys sized in quote. */
  quote_quantity?: string | null;
  /** Cumulative quote value executed, as reported. */
  cost?: string | null;
  /** The exchange marked this order as a liquidation (forced close). */
  is_liquidation?: boolean;
}

/**
 * Maps ccxt's unified status (open/closed/canceled/expired/rejected) plus the raw exchange
 * status to the spec's set. "open" with a fill → PARTIALLY_FILLED; canceled/expired orders keep
 * their executed quantity in executed_qty.
 */
export function mapOrderStatus(ccxtStatus: string | undefined, rawStatus: string | undefined, executed: string | null): OrderStatus {
  const raw = (rawStatus ?? "").toLowerCase();
  if (raw.startsWith("expired")) return "EXPIRED";
  if (raw === "rejected" || raw === "failed") return "REJECTED";
  if (raw === "partially_filled") return "PARTIALLY_FILLED";
  switch (ccxtStatus) {
    case "open":
      return executed !== null && !isZero(executed) ? "PARTIALLY_FILLED" : "NEW";
    case "closed":
      return "FILLED";
    case "canceled":
    case "cancelled":
      return "CANCELED";
    case "expired":
      return "EXPIRED";
    case "rejected":
      return "REJECTED";
  }
  throw new MalformedPayloadError(`unknown order status ${String(ccxtStatus)} / ${String(rawStatus)}`);
}

interface RawOrder {
  price: string | null;
  quantity: string | null; // exchange units
  executed: string | null; // exchange units
  average: string | null;
  cost: string | null;
  stopPrice: string | null;
  quoteQuantity: string | null;
  rawStatus: string | undefined;
  isLiquidation: boolean;
  /** Side from the raw body where ccxt leaves it unmapped (mexc contract 1–4). */
  side?: "buy" | "sell" | null;
}

function avgFrom(cost: string | null, executed: string | null): string | null {
  if (cost === null || executed === null || isZero(executed)) return null;
  return div(cost, executed);
}

function rawBinance(ex: Exchange, i: Raw): RawOrder {
  const executed = exact(ex, i.executedQty);
  const cost = firstExact(ex, i.cummulativeQuoteQty, i.cumQuote, i.cumBase);
  return {
    price: nonZero(ex, i.price),
    quantity: exact(ex, i.origQty),
    executed,
    average: nonZero(ex, i.avgPrice) ?? avgFrom(cost, executed),
    cost,
    stopPrice: nonZero(ex, i.stopPrice),
    quoteQuantity: nonZero(ex, i.origQuoteOrderQty),
    rawStatus: i.status,
    isLiquidation: typeof i.clientOrderId === "string" && i.clientOrderId.startsWith("autoclose-"),
  };
}

function rawBitget(ex: Exchange, i: Raw, m: Market): RawOrder {
  const uta = i.category !== undefined;
  const executed = uta ? exact(ex, i.cumExecQty) : exact(ex, i.baseVolume);
  const cost = uta ? exact(ex, i.cumExecValue) : exact(ex, i.quoteVolume);
  const quoteSized = !uta && m.spot && i.orderType === "market" && i.side === "buy";
  const status = i.status ?? i.state ?? i.orderStatus;
  return {
    price: nonZero(ex, i.price),
    quantity: quoteSized ? null : firstExact(ex, i.size, i.qty),
    executed,
    average: nonZero(ex, i.priceAvg ?? i.avgPrice),
    cost,
    stopPrice: nonZero(ex, i.triggerPrice),
    quoteQuantity: quoteSized ? exact(ex, i.size) : null,
    rawStatus: status,
    isLiquidation: i.orderSource === "liquidation" ||
      (typeof i.tradeSide === "string" && i.tradeSide.toLowerCase().startsWith("burst")),
  };
}

function rawGate(ex: Exchange, i: Raw, m: Market): RawOrder {
  const liq = i.is_liq === true || i.finish_as === "liquidated" || i.text === "liquidation";
  const rawStatus = i.finish_as === "failed" ? "failed" : i.finish_as === "expired" ? "expired" : undefined;
  if (m.spot) {
    const quoteSized = i.type === "market" && i.side === "buy";
    const filledTotal = exact(ex, i.filled_total ?? i.fill_price);
    const avg = nonZero(ex, i.avg_deal_price);
    let executed = exact(ex, i.filled_amount);
    if (executed === null && !quoteSized) executed = sub(exact(ex, i.amount) ?? "0", exact(ex, i.left) ?? "0");
    if (executed === null && filledTotal !== null) {
      executed = avg === null ? "0" : roundToTick(div(filledTotal, avg), exact(ex, m.precision?.amount) ?? "0");
    }
    return {
      price: nonZero(ex, i.price),
      quantity: quoteSized ? null : exact(ex, i.amount),
      executed,
      average: avg,
      cost: filledTotal,
      stopPrice: null,
      quoteQuantity: quoteSized ? exact(ex, i.amount) : null,
      rawStatus,
      isLiquidation: liq,
    };
  }
  const size = exact(ex, i.size);
  const left = exact(ex, i.left);
  return {
    price: nonZero(ex, i.price),
    quantity: size === null ? null : abs(size),
    executed: size === null ? null : sub(abs(size), abs(left ?? "0")),
    average: nonZero(ex, i.fill_price),
    cost: null,
    stopPrice: null,
    quoteQuantity: null,
    rawStatus,
    isLiquidation: liq,
  };
}

function rawMexc(ex: Exchange, i: Raw): RawOrder {
  const executed = firstExact(ex, i.executedQty, i.dealVol);
  const cost = exact(ex, i.cummulativeQuoteQty);
  const qty = nonZero(ex, i.origQty) ?? exact(ex, i.vol);
  return {
    price: nonZero(ex, i.price),
    quantity: qty,
    executed,
    average: nonZero(ex, i.dealAvgPrice) ?? avgFrom(cost, executed),
    cost,
    stopPrice: nonZero(ex, i.stopPrice),
    quoteQuantity: qty === null ? nonZero(ex, i.origQuoteOrderQty) : null,
    rawStatus: typeof i.status === "string" ? i.status : undefined,
    isLiquidation: String(i.category ?? "") === "2",
    // contract orders: 1 open long, 2 close short (buys); 3 open short, 4 close long (sells)
    side: typeof i.side === "number" || /^[1-4]$/.test(String(i.side ?? "")) ? (Number(i.side) <= 2 ? "buy" : "sell") : null,
  };
}

function rawOf(ex: Exchange, exchange: string, i: Raw, m: Market): RawOrder {
  switch (exchange) {
    case "binance":
      return rawBinance(ex, i);
    case "bitget":
      return rawBitget(ex, i, m);
    case "gateio":
      return rawGate(ex, i, m);
    case "mexc":
      return rawMexc(ex, i);
  }
  throw new Error(`unsupported exchange ${exchange}`);
}

export function normalizeOrder(ex: Exchange, o: Order): NormalizedOrder | null {
  const ctx = ctxOf(ex);
  const market = marketOf(ex, o.symbol);
  const marketType = supportedMarketType(market);
  if (marketType === null) return null;
  const id = String(required(o.id, "order id"));
  const raw = rawOf(ex, ctx.exchange, infoOf(o), market);
  const side = raw.side ?? o.side;
  if (side !== "buy" && side !== "sell") throw new MalformedPayloadError(`order ${id}: bad side ${String(side)}`);
  const executedUnits = raw.executed ?? exact(ex, o.filled) ?? "0";
  const executed = toBase(ctx, market, abs(executedUnits));
  const quantityUnits = raw.quantity ?? (raw.quoteQuantity !== null ? executedUnits : exact(ex, o.amount));
  const quantity = toBase(ctx, market, abs(required(quantityUnits, `order ${id} quantity`)));
  const status = mapOrderStatus(o.status ?? undefined, raw.rawStatus, executed);
  const type = o.type ?? "unknown";
  const price = type === "market" ? null : raw.price ?? exact(ex, o.price);
  // bitget unfilled orders repeat the limit price in priceAvg: no average before a fill
  const average = isZero(executed) ? null : raw.average ?? exact(ex, o.average);
  const filledTs = status === "FILLED" ? o.lastTradeTimestamp ?? o.lastUpdateTimestamp ?? o.timestamp : null;
  const costUnits = raw.cost ?? exact(ex, o.cost);
  return {
    exchange: ctx.exchange,
    market_type: marketType,
    symbol: market.symbol,
    order_id: id,
    client_order_id: o.clientOrderId ? String(o.clientOrderId) : null,
    side,
    type,
    status,
    price: price === null ? null : canon(price),
    quantity,
    executed_qty: executed,
    average_price: average === null || isZero(average) ? null : canon(average),
    stop_price: raw.stopPrice ?? exact(ex, o.triggerPrice ?? o.stopPrice),
    reduce_only: typeof o.reduceOnly === "boolean" ? o.reduceOnly : null,
    order_role: null,
    order_timestamp: isoOf(o.timestamp, `order ${id}`),
    filled_timestamp: isoOrNull(filledTs),
    quote_quantity: raw.quoteQuantity,
    cost: costUnits,
    is_liquidation: raw.isLiquidation,
  };
}

export function normalizeOrders(ex: Exchange, orders: Order[]): NormalizeResult<NormalizedOrder> {
  if (!Array.isArray(orders)) throw new MalformedPayloadError(`${ex.id}: orders page is not an array`);
  const rows: NormalizedOrder[] = [];
  const skipped: Skipped[] = [];
  for (const o of orders) {
    const row = normalizeOrder(ex, o);
    if (row) rows.push(row);
    else skipped.push({ id: o.id ?? null, symbol: o.symbol ?? null, reason: "market type not stored" });
  }
  return { rows, skipped };
}
