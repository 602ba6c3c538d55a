/** Small builders for the PnL tests: fills, orders, prices, funding, and a runner. */
import type { FillRow, FundingRow, OrderRow, PriceRow } from "../../../functions/_shared/domain/types.ts";
import {
  applyFills,
  type ClosingEvent,
  type CostMethod,
  createState,
  type EngineContext,
  type PnlReport,
  summarize,
} from "../../../functions/_shared/pnl/index.ts";

export const T0 = Date.UTC(2024, 0, 1);
/** ISO time `min` minutes after 2024-01-01T00:00:00Z. */
export const at = (min: number): string => new Date(T0 + min * 60_000).toISOString();

let seq = 0;
export function resetIds(): void {
  seq = 0;
}

export interface FillSpec {
  side: "buy" | "sell";
  price: string;
  amount: string;
  /** Fee as "<amount> <CUR>", e.g. "0.1 USDT"; several separated by commas; omitted = none. */
  fee?: string;
  order?: string | null;
  min?: number;
  id?: string;
  symbol?: string;
  liquidation?: boolean;
}

export function fill(s: FillSpec): FillRow {
  const symbol = s.symbol ?? "BTC/USDT";
  const [pair] = symbol.split(":");
  const [base, quote] = pair.split("/");
  seq++;
  const fees = (s.fee ?? "").split(",").map((x) => x.trim()).filter(Boolean).map((x) => {
    const [amount, currency] = x.split(/\s+/);
    return { amount, currency };
  });
  return {
    exchange: "binance",
    market_type: symbol.includes(":") ? "swap" : "spot",
    symbol,
    base,
    quote,
    trade_id: s.id ?? String(seq),
    order_id: s.order === undefined ? `o${seq}` : s.order,
    side: s.side,
    price: s.price,
    amount: s.amount,
    cost: "0",
    fees,
    taker_or_maker: null,
    exchange_realized_pnl: null,
    is_liquidation: s.liquidation ?? false,
    executed_at: at(s.min ?? seq),
    source: "api",
  };
}

export function order(o: Partial<OrderRow> & Pick<OrderRow, "order_id" | "side" | "order_role">): OrderRow {
  return {
    exchange: "binance",
    market_type: "spot",
    symbol: "BTC/USDT",
    client_order_id: null,
    type: "limit",
    status: "FILLED",
    price: null,
    quantity: "1",
    executed_qty: "1",
    average_price: null,
    stop_price: null,
    reduce_only: null,
    order_timestamp: at(0),
    filled_timestamp: null,
    ...o,
  };
}

export const price = (symbol: string, p: string, min: number): PriceRow => ({
  exchange: "binance",
  symbol,
  price: p,
  kind: "last",
  as_of: at(min),
});

export const funding = (symbol: string, amount: string, min: number, id?: string): FundingRow => ({
  exchange: "binance",
  symbol,
  funding_id: id ?? `f${min}`,
  currency: "USDT",
  amount,
  occurred_at: at(min),
});

/** Run fills through a fresh engine and return the audit report (rows by key, totals). */
export function run(fills: FillRow[], ctx: EngineContext = {}, method: CostMethod = "average"): PnlReport & {
  state: ReturnType<typeof createState>;
} {
  const state = createState({ method });
  const r = applyFills(state, fills, ctx);
  return { ...summarize([r], r.state), state: r.state };
}

/** The only closing event, or fail. */
export function only(events: ClosingEvent[]): ClosingEvent {
  if (events.length !== 1) throw new Error(`expected one event, got ${events.length}`);
  return events[0];
}
