/**
 * Adapters into the engine's input shape (FillRow): ccxt unified trades, and legacy filled
 * orders (spec migration steps 2–3: an order with an ENTRY/TP/SL role becomes one fill marked
 * `derived_from_order`, then goes through the same engine).
 */
import type { ExchangeId, FeeEntry, FillRow, FillSource, MarketType, OrderRow } from "../domain/types.ts";
import { resolveTradingExchange } from "../domain/exchanges.ts";
import { splitPair } from "../domain/symbols.ts";
import { Decimal, toDecimal } from "../decimal.ts";
import { splitSymbol } from "./engine.ts";

type Num = number | string;

/** The parts of a ccxt unified trade the engine reads (numbers or decimal strings). */
export interface CcxtTradeLike {
  id?: string | number | null;
  order?: string | number | null;
  symbol: string;
  side: "buy" | "sell";
  amount: Num;
  price: Num;
  cost?: Num | null;
  fee?: { cost?: Num | null; currency?: string | null } | null;
  fees?: Array<{ cost?: Num | null; currency?: string | null }> | null;
  timestamp?: number | null;
  datetime?: string | null;
  takerOrMaker?: "maker" | "taker" | null;
  /** Not unified in ccxt; accepted when an adapter or the user sets it. */
  liquidation?: boolean | null;
  exchange?: string | null;
  // deno-lint-ignore no-explicit-any
  info?: any;
}

export interface FromCcxtOptions {
  /** Database id ("gateio") or ccxt id ("gate"); default: `trade.exchange`. */
  exchange?: string;
  /** Default: "swap" when the symbol has a settle part ("BTC/USDT:USDT"), else "spot". */
  market_type?: MarketType;
  /** Swap contracts → base units (gate, mexc): amount × contract_size. Default 1. */
  contract_size?: Num;
  source?: FillSource;
}


/** Exact plain string of a ccxt number (shortest round-trip form, never "1e-7"). */
export function numStr(x: Num): string {
  const d = toDecimal(x);
  return d.isZero() ? "0" : d.toFixed();
}

/**
 * A ccxt unified trade → FillRow. Fees: the `fees` array when present and non-empty, else `fee`;
 * zero-cost entries are skipped; the sign is kept (negative = rebate; exchange-specific sign
 * fixes, e.g. bitget UTA, belong to the sync adapter). A trade without id gets a deterministic
 * synthetic id "syn:<timestamp>:<order>:<side>:<price>:<amount>".
 */
export function fromCcxtTrade(t: CcxtTradeLike, opts: FromCcxtOptions = {}): FillRow {
  const exName = (opts.exchange ?? t.exchange ?? "").toString().toLowerCase();
  const exchange = resolveTradingExchange(exName);
  if (!exchange) throw new RangeError(`trade ${t.id ?? "?"}: unknown exchange ${JSON.stringify(exName)}`);
  if (typeof t.symbol !== "string") throw new RangeError(`trade ${t.id ?? "?"}: symbol missing`);
  const [base, quote] = splitSymbol(t.symbol);
  const market_type: MarketType = opts.market_type ?? (t.symbol.includes(":") ? "swap" : "spot");
  if (t.side !== "buy" && t.side !== "sell") throw new RangeError(`trade ${t.id ?? "?"}: side must be buy or sell`);
  let time: number;
  if (typeof t.timestamp === "number" && Number.isFinite(t.timestamp)) time = t.timestamp;
  else if (typeof t.datetime === "string" && !Number.isNaN(Date.parse(t.datetime))) time = Date.parse(t.datetime);
  else throw new RangeError(`trade ${t.id ?? "?"}: timestamp/datetime missing`);
  const price = toDecimal(t.price);
  let amount = toDecimal(t.amount);
  if (opts.contract_size != null) amount = amount.times(toDecimal(opts.contract_size));
  const cost = t.cost != null && opts.contract_size == null ? toDecimal(t.cost) : price.times(amount);
  const rawFees = t.fees && t.fees.length > 0 ? t.fees : t.fee ? [t.fee] : [];
  const fees: FeeEntry[] = [];
  for (const f of rawFees) {
    if (f == null || f.cost == null) continue;
    const c = toDecimal(f.cost);
    if (c.isZero()) continue;
    if (!f.currency) throw new RangeError(`trade ${t.id ?? "?"}: fee without currency`);
    fees.push({ currency: f.currency.toUpperCase(), amount: c.toFixed() });
  }
  const order_id = t.order == null || t.order === "" ? null : String(t.order);
  const trade_id = t.id == null || t.id === ""
    ? `syn:${time}:${order_id ?? ""}:${t.side}:${price.toFixed()}:${amount.toFixed()}`
    : String(t.id);
  return {
    exchange,
    market_type,
    symbol: t.symbol,
    base,
    quote,
    trade_id,
    order_id,
    side: t.side,
    price: price.toFixed(),
    amount: amount.toFixed(),
    cost: cost.toFixed(),
    fees,
    taker_or_maker: t.takerOrMaker ?? null,
    exchange_realized_pnl: null,
    is_liquidation: t.liquidation === true,
    executed_at: new Date(time).toISOString(),
    source: opts.source ?? "api",
  };
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
