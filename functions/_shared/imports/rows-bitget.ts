/** Row mappers of Bitget's trade exports (see FORMATS.md; the ledgers are in ledger-bitget.ts). */
import type { Side } from "../domain/types.ts";
import { negate } from "./decimal.ts";
import { allSet, asset, feeOf, market, num, side, text, time } from "./cells.ts";
import type { FillDraft, RowContext } from "./formats.ts";

/** Bitget writes fees as negative numbers (deducted); a positive number is a rebate. */
function bitgetFee(ctx: RowContext, col: string): string | null {
  const f = num(ctx, col, { sign: "any" });
  return f === null ? null : negate(f);
}

export function bitgetSpot(ctx: RowContext): FillDraft | null {
  const at = time(ctx, "Date");
  const orderId = text(ctx, "Order ID", true);
  const tradeId = text(ctx, "Trade ID", true);
  const m = market(ctx, "Trading pair", "spot");
  const sd = side(ctx, "Direction");
  const price = num(ctx, "Price");
  const amount = num(ctx, "Amount");
  const total = num(ctx, "Total");
  const fee = bitgetFee(ctx, "Fee");
  const feeCoin = asset(ctx, "Fee coin");
  if (!m || !allSet(at, orderId, tradeId, sd, price, amount, total, fee, feeCoin)) return null;
  return {
    exchange: "bitget", market_type: "spot", symbol: m.symbol, base: m.base, quote: m.quote,
    trade_id: tradeId, order_id: orderId, side: sd!, price: price!, amount: amount!, cost: total!,
    ...feeOf(fee!, feeCoin!), taker_or_maker: null, exchange_realized_pnl: null, executed_at: at!,
  };
}

const BITGET_DIRECTIONS: Record<string, Side> = {
  "open long": "buy",
  "close short": "buy",
  "open short": "sell",
  "close long": "sell",
  buy: "buy",
  sell: "sell",
};

export function bitgetFutures(ctx: RowContext): FillDraft | null {
  const at = time(ctx, "Date");
  const orderId = text(ctx, "Order ID", true);
  const tradeId = text(ctx, "Trade ID", true);
  const m = market(ctx, "Futures", "swap");
  const dir = ctx.get("Direction").toLowerCase().replace(/\s+/g, " ");
  const sd = BITGET_DIRECTIONS[dir] ?? null;
  if (!sd) ctx.bad("Direction", "expected Open long, Close long, Open short, Close short, Buy or Sell");
  const price = num(ctx, "Price");
  const amount = num(ctx, "Amount");
  const total = num(ctx, "Total");
  const fee = bitgetFee(ctx, "Fee");
  const feeCoin = asset(ctx, "Fee coin");
  const pnl = num(ctx, "Realized P/L", { sign: "any", optional: true });
  if (!m || !allSet(at, orderId, tradeId, sd, price, amount, total, fee, feeCoin)) return null;
  return {
    exchange: "bitget", market_type: "swap", symbol: m.symbol, base: m.base, quote: m.quote,
    trade_id: tradeId, order_id: orderId, side: sd!, price: price!, amount: amount!, cost: total!,
    ...feeOf(fee!, feeCoin!), taker_or_maker: null, exchange_realized_pnl: pnl, executed_at: at!,
  };
}


/**
 * Bitget's spot "order details" download, `Date,Trading pair,Base Asset,Quote Asset,Direction,
 * Price,Amount,Total,Fee,Fee Coin` (header confirmed, no real rows found: FORMATS.md). No ids:
 * identical rows (one order sweeping a level) stay apart through the synthetic id's occurrence
 * index. The pair is taken from `Base Asset` / `Quote Asset`; `Trading pair` must name the same
 * two assets (with or without a separator). The fee is what was paid whatever its sign (web
 * exports write it negative; Bitget spot pays no maker rebates), in `Fee Coin`: the base asset on
 * buys, the quote asset on sells in the real fills seen, but read, never assumed.
 */
export function bitgetSpotFills(ctx: RowContext): FillDraft | null {
  const at = time(ctx, "Date");
  const base = asset(ctx, "Base Asset");
  const quote = asset(ctx, "Quote Asset");
  const pair = ctx.get("Trading pair");
  if (base && quote && pair.toUpperCase().replace(/[/_-]/g, "") !== base + quote) {
    ctx.bad("Trading pair", `does not name ${base} and ${quote} (Base Asset, Quote Asset)`);
    return null;
  }
  const sd = side(ctx, "Direction");
  const price = num(ctx, "Price");
  const amount = num(ctx, "Amount");
  const total = num(ctx, "Total");
  const fee = num(ctx, "Fee", { sign: "any" });
  const feeCoin = asset(ctx, "Fee Coin");
  if (!allSet(at, base, quote, sd, price, amount, total, fee, feeCoin)) return null;
  return {
    exchange: "bitget", market_type: "spot", symbol: `${base}/${quote}`, base: base!, quote: quote!,
    trade_id: null, order_id: null, side: sd!, price: price!, amount: amount!, cost: total!,
    ...feeOf(fee![0] === "-" ? fee!.slice(1) : fee!, feeCoin!), taker_or_maker: null, exchange_realized_pnl: null,
    executed_at: at!,
  };
}
