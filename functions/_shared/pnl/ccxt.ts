/**
 * Adapters into the engine's input shape (FillRow): legacy filled orders (spec migration steps
 * 2–3: an order with an ENTRY/TP/SL role becomes one fill marked
 * `derived_from_order`, then goes through the same engine). ccxt trades are converted by the
 * sync's converter only (exchanges/normalize/fills.ts; recorded ones: exchanges/offline.ts).
 */
import type { FillRow, OrderRow } from "../domain/types.ts";
import { splitPair } from "../domain/symbols.ts";
import { Decimal, toDecimal } from "../decimal.ts";
import { splitSymbol } from "./engine.ts";

type Num = number | string;

/** Exact plain string of a ccxt number (shortest round-trip form, never "1e-7"). */
export function numStr(x: Num): string {
  const d = toDecimal(x);
  return d.isZero() ? "0" : d.toFixed();
}

/** "BTCUSDT" → "BTC/USDT" (legacy spec symbols; split by domain/symbols.ts's splitPair); ccxt symbols pass through. */
export function normalizeSymbol(symbol: string): string {
  if (symbol.includes("/")) return symbol;
  const p = splitPair(symbol);
  if (typeof p === "string") throw new RangeError(`cannot split symbol ${JSON.stringify(symbol)}: ${p}`);
  return `${p.base}/${p.quote}`;
}

/**
 * A filled legacy order → one fill (`source: "derived_from_order"`, trade_id "order:<order_id>",
 * price = average_price ?? price, amount = executed_qty, no fees: legacy orders carry none).
 * Returns null when nothing was executed.
 */
export function fillFromOrder(o: OrderRow): FillRow | null {
  const qty = new Decimal(o.executed_qty || "0");
  if (qty.lte(0)) return null;
  const px = o.average_price ?? o.price;
  if (px == null) throw new RangeError(`order ${o.order_id}: no price`);
  const symbol = normalizeSymbol(o.symbol);
  const [base, quote] = splitSymbol(symbol);
  const price = toDecimal(px);
  return {
    exchange: o.exchange,
    market_type: o.market_type,
    symbol,
    base,
    quote,
    trade_id: `order:${o.order_id}`,
    order_id: o.order_id,
    side: o.side,
    price: price.toFixed(),
    amount: qty.toFixed(),
    cost: price.times(qty).toFixed(),
    fees: [],
    taker_or_maker: null,
    exchange_realized_pnl: null,
    is_liquidation: false,
    executed_at: new Date(Date.parse(o.filled_timestamp ?? o.order_timestamp)).toISOString(),
    source: "derived_from_order",
  };
}

/**
 * Legacy backfill input: the filled orders (FILLED / PARTIALLY_FILLED with executed_qty > 0)
 * become fills, and every order (symbols normalised to ccxt form, "BTCUSDT" → "BTC/USDT") is
 * returned for the engine's context, so TP1/TP2/TP3/SL roles give exit types and the linked
 * stop loss / take profits.
 */
export function fromLegacyOrders(orders: readonly OrderRow[]): { fills: FillRow[]; orders: OrderRow[] } {
  const norm = orders.map((o) => ({ ...o, symbol: normalizeSymbol(o.symbol) }));
  const fills: FillRow[] = [];
  for (const o of norm) {
    if (o.status !== "FILLED" && o.status !== "PARTIALLY_FILLED") continue;
    const f = fillFromOrder(o);
    if (f) fills.push(f);
  }
  return { fills, orders: norm };
}
