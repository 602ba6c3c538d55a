/** Row mappers of Binance's one-row-per-record exports (see FORMATS.md). */
import type { TransferKind } from "../domain/types.ts";
import { canonicalDecimal } from "./decimal.ts";
import { allSet, asset, bool, feeOf, market, num, side, status, text, time, unitNum, wrapUnit } from "./cells.ts";
import type { FillDraft, OrderDraft, RowContext, TransferDraft } from "./formats.ts";
import { derivedPrice } from "./ledger.ts";

/**
 * Binance spot trade history (units glued to the numbers), in its three headers: `Date(UTC)`,
 * today's `Time` (zone in the file name) and `Order No,Time,…` with the order number.
 */
export function binanceSpotGlued(dateCol: string, orderCol: string | null) {
  return (ctx: RowContext): FillDraft | null => binanceSpotGluedRow(ctx, dateCol, orderCol);
}

function binanceSpotGluedRow(ctx: RowContext, dateCol: string, orderCol: string | null): FillDraft | null {
  const at = time(ctx, dateCol);
  const orderId = orderCol ? text(ctx, orderCol, true) : null;
  const m = market(ctx, "Pair", "spot");
  const sd = side(ctx, "Side");
  const price = num(ctx, "Price");
  const exe = m ? unitNum(ctx, "Executed", [m.base]) : null;
  const amt = m ? unitNum(ctx, "Amount", [m.quote]) : null;
  const fee = unitNum(ctx, "Fee", m ? ["BNB", m.base, m.quote] : null, "nonnegative", false);
  if (!m || !allSet(at, sd, price, exe, amt, fee) || (orderCol && !orderId)) return null;
  return {
    exchange: "binance", market_type: "spot", symbol: m.symbol, base: m.base, quote: m.quote,
    trade_id: null, order_id: orderId, side: sd!, price: price!, amount: exe!.amount, cost: amt!.amount,
    ...feeOf(fee!.amount, fee!.unit), taker_or_maker: null, exchange_realized_pnl: null, executed_at: at!,
  };
}

/** Binance spot trade history, older layout with plain numbers and a Fee Coin column. */
export function binanceSpotLegacy(ctx: RowContext): FillDraft | null {
  const at = time(ctx, "Date(UTC)");
  const m = market(ctx, "Market", "spot");
  const sd = side(ctx, "Type");
  const price = num(ctx, "Price");
  const amount = num(ctx, "Amount");
  const total = num(ctx, "Total");
  const fee = num(ctx, "Fee", { sign: "nonnegative" });
  const feeCoin = asset(ctx, "Fee Coin");
  if (!m || !allSet(at, sd, price, amount, total, fee, feeCoin)) return null;
  return {
    exchange: "binance", market_type: "spot", symbol: m.symbol, base: m.base, quote: m.quote,
    trade_id: null, order_id: null, side: sd!, price: price!, amount: amount!, cost: total!,
    ...feeOf(fee!, feeCoin!), taker_or_maker: null, exchange_realized_pnl: null, executed_at: at!,
  };
}

export function binanceFutures(withIds: boolean) {
  return (ctx: RowContext): FillDraft | null => {
    const at = time(ctx, "Date(UTC)");
    const quoteAsset = asset(ctx, "Quote Asset");
    const m = market(ctx, "Symbol", "swap", quoteAsset);
    const sd = side(ctx, "Side");
    const price = num(ctx, "Price");
    const qty = num(ctx, "Quantity");
    const amount = num(ctx, "Amount");
    const feeCoin = asset(ctx, "Fee Coin");
    // Fee is a plain number in the Fee Coin's unit; "0.0123USDT" (unit glued) is accepted too.
    const fee = feeCoin
      ? canonicalDecimal(ctx.get("Fee")) !== null
        ? wrapUnit(num(ctx, "Fee", { sign: "nonnegative" }), feeCoin)
        : unitNum(ctx, "Fee", [feeCoin], "nonnegative")
      : null;
    const pnl = num(ctx, "Realized Profit", { sign: "any" });
    const orderId = withIds ? text(ctx, "Order ID", true) : null;
    const tradeId = withIds ? text(ctx, "Trade ID", true) : null;
    if (m && quoteAsset && m.quote !== quoteAsset) ctx.bad("Quote Asset", `does not match the symbol's quote ${m.quote}`);
    if (!m || !allSet(at, sd, price, qty, amount, fee, pnl) || (withIds && !allSet(orderId, tradeId))) return null;
    if (m.quote !== quoteAsset) return null;
    return {
      exchange: "binance", market_type: "swap", symbol: m.symbol, base: m.base, quote: m.quote,
      trade_id: tradeId, order_id: orderId, side: sd!, price: price!, amount: qty!, cost: amount!,
      ...feeOf(fee!.amount, fee!.unit), taker_or_maker: null, exchange_realized_pnl: pnl, executed_at: at!,
    };
  };
}

export function binanceTransfer(kind: TransferKind, dateCol: string, feeCol: string | null) {
  return (ctx: RowContext): TransferDraft | null => {
    const at = time(ctx, dateCol);
    const coin = asset(ctx, "Coin");
    const amount = num(ctx, "Amount");
    const fee = feeCol ? num(ctx, feeCol, { sign: "nonnegative", optional: true }) : null;
    const st = status(ctx, "Status");
    const txid = text(ctx, "TXID");
    if (!allSet(at, coin, amount, st)) return null;
    const network = text(ctx, "Network");
    return {
      exchange: "binance", kind, transfer_id: txid && !/internal/i.test(txid) ? txid : null, asset: coin!,
      amount: amount!, fee: fee, fee_currency: fee !== null ? coin : null, network,
      address: text(ctx, "Address"), tx_id: txid, status: st!, occurred_at: at!,
    };
  };
}

/**
 * Binance USDⓈ-M futures trade history as downloaded today: times in the zone of the file name,
 * the fee with its unit after a space or glued (`0.29528919 USDC`), Maker true/false, the
 * exchange's trade and order ids.
 */
export function binanceFuturesUid(ctx: RowContext): FillDraft | null {
  const at = time(ctx, "Time");
  const m = market(ctx, "Symbol", "swap");
  const sd = side(ctx, "Side");
  const price = num(ctx, "Price");
  const qty = num(ctx, "Quantity");
  const amount = num(ctx, "Amount");
  const fee = unitNum(ctx, "Fee", m ? [m.quote, "BNB"] : null, "nonnegative", false);
  const pnl = num(ctx, "Realized Profit", { sign: "any" });
  const maker = bool(ctx, "Maker");
  const tradeId = text(ctx, "Trade ID", true);
  const orderId = text(ctx, "Order ID", true);
  if (!m || !allSet(at, sd, price, qty, amount, fee, pnl, maker, tradeId, orderId)) return null;
  return {
    exchange: "binance", market_type: "swap", symbol: m.symbol, base: m.base, quote: m.quote,
    trade_id: tradeId, order_id: orderId, side: sd!, price: price!, amount: qty!, cost: amount!,
    ...feeOf(fee!.amount, fee!.unit), taker_or_maker: maker ? "maker" : "taker", exchange_realized_pnl: pnl,
    executed_at: at!,
  };
}

/** Binance spot order history: the order row gives the pair, side and order number. */
export function binanceOrderRow(ctx: RowContext): OrderDraft | null {
  time(ctx, "Date(UTC)");
  const orderId = text(ctx, "OrderNo", true);
  const m = market(ctx, "Pair", "spot");
  const sd = side(ctx, "Type");
  if (!m || !allSet(orderId, sd)) return null;
  return { order: true, symbol: m.symbol, base: m.base, quote: m.quote, side: sd!, order_id: orderId! };
}

/** One fill sub-row of a Binance spot order (`,Date(UTC),Trading Price,Filled,Total,Fee`). */
export function binanceOrderFill(ctx: RowContext, o: OrderDraft): FillDraft | null {
  const at = time(ctx, "Date(UTC)");
  const price = num(ctx, "Trading Price");
  const filled = num(ctx, "Filled");
  const total = num(ctx, "Total");
  const fee = unitNum(ctx, "Fee", [o.base, o.quote, "BNB"], "nonnegative", false);
  if (!allSet(at, price, filled, total, fee)) return null;
  return {
    exchange: "binance", market_type: "spot", symbol: o.symbol, base: o.base, quote: o.quote,
    trade_id: null, order_id: o.order_id, side: o.side, price: price!, amount: filled!, cost: total!,
    ...feeOf(fee!.amount, fee!.unit), taker_or_maker: null, exchange_realized_pnl: null, executed_at: at!,
  };
}

/**
 * Binance Convert history (`Time,Wallet,Pair,Type,Sell,Buy,Price,Inverse Price,Date Updated,
 * Status`): one convert per row, amounts with their unit after a space (`124.60184573 BUSD`).
 * The pair names the base; the side is buy when the base is what was bought. The price is the
 * quote amount / the base amount (the `Price` cell is not read). Only `Successful` rows are
 * converts that happened: other statuses give no fill.
 */
export function binanceConvert(ctx: RowContext): FillDraft | null {
  // Executed when the balances changed: `Date Updated` (the statement books the convert then),
  // a second or so after `Time`, when the quote was accepted.
  time(ctx, "Time");
  const at = time(ctx, "Date Updated");
  const m = market(ctx, "Pair", "spot");
  const sell = unitNum(ctx, "Sell", m ? [m.base, m.quote] : null);
  const buy = unitNum(ctx, "Buy", m ? [m.base, m.quote] : null);
  const st = ctx.get("Status");
  if (!m || !allSet(at, sell, buy)) return null;
  if (sell!.unit === buy!.unit) {
    ctx.bad("Buy", `bought and sold the same asset (${buy!.unit})`);
    return null;
  }
  if (!/^successful$/i.test(st)) return null;
  const isBuy = buy!.unit === m.base;
  const amount = isBuy ? buy!.amount : sell!.amount;
  const cost = isBuy ? sell!.amount : buy!.amount;
  return {
    exchange: "binance", market_type: "spot", symbol: m.symbol, base: m.base, quote: m.quote,
    trade_id: null, order_id: null, side: isBuy ? "buy" : "sell", price: derivedPrice(cost, amount), amount, cost,
    ...feeOf("0", m.quote), taker_or_maker: null, exchange_realized_pnl: null, executed_at: at!,
  };
}
