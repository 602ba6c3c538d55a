/**
 * Row mappers of Gate.io's downloads (see FORMATS.md, "Gate.io"). Gate writes amounts with their
 * unit after a space ("0.259 GT", "-0.02989800 MPC"), ends id and price cells in a tab (trimmed
 * like every cell), and writes times without a zone, in the zone the account displays (the
 * caller's `utcOffset`). The Japanese interface writes the same files with its words for the
 * sides and statuses; both are read.
 */
import type { Side } from "../domain/types.ts";
import { Decimal } from "../decimal.ts";
import { allSet, asset, feeOf, market, num, role, text, time, transferStatus, unitNum } from "./cells.ts";
import type { FillDraft, RowContext, TransferDraft } from "./formats.ts";

/** `Trade type` words: English and Japanese (購入 = buy, 売却 = sell). */
const GATE_SIDES: Record<string, Side> = { buy: "buy", sell: "sell", "購入": "buy", "売却": "sell" };

function gateSide(ctx: RowContext, col: string): Side | null {
  const s = GATE_SIDES[ctx.get(col).toLowerCase()] ?? null;
  if (!s) ctx.bad(col, "expected Buy or Sell (or 購入 / 売却)");
  return s;
}

/** Gate's status words (English and Japanese) mapped like the other exchanges'. */
function gateStatus(ctx: RowContext, col: string): string | null {
  const v = ctx.get(col);
  const s = v === "完了しました" ? "ok" : transferStatus(v);
  if (!s) ctx.bad(col, "unknown status (expected e.g. Success, Credited, 完了しました)");
  return s;
}

/**
 * Today's spot "Trade History" (`No,Time,Trade type,Role,Market,Deal price,Deal amount,Total,
 * Fee`): `No` is the trade id; `Deal amount` is the base and `Total` the quote (gross, the fee
 * not deducted), each with its unit; `Fee` with its unit, in the asset received or in Gate's
 * fee-discount POINT (kept as it is: a fee the engine cannot convert is reported as such).
 */
export function gateSpotTrade(ctx: RowContext): FillDraft | null {
  const tradeId = text(ctx, "No", true);
  const at = time(ctx, "Time");
  const sd = gateSide(ctx, "Trade type");
  const tm = role(ctx, "Role");
  const m = market(ctx, "Market", "spot");
  const price = num(ctx, "Deal price");
  const amount = unitNum(ctx, "Deal amount", m ? [m.base] : null);
  const total = unitNum(ctx, "Total", m ? [m.quote] : null);
  const fee = unitNum(ctx, "Fee", null, "nonnegative");
  if (!m || !allSet(tradeId, at, sd, price, amount, total, fee)) return null;
  return {
    exchange: "gateio", market_type: "spot", symbol: m.symbol, base: m.base, quote: m.quote,
    trade_id: tradeId, order_id: null, side: sd!, price: price!, amount: amount!.amount, cost: total!.amount,
    ...feeOf(fee!.amount, fee!.unit), taker_or_maker: tm, exchange_realized_pnl: null, executed_at: at!,
  };
}

/**
 * The older, tab-separated spot trade history (`No, Order Id, Time, Trade type, Role, Pair,
 * Price, Amount, Total, Fee`): `No` is only the row's number (no trade id: a synthetic one is
 * made); `Amount` (base) and `Total` (quote) are plain numbers; `Fee` has its unit.
 */
export function gateSpotTradeTsv(ctx: RowContext): FillDraft | null {
  const orderId = text(ctx, "Order Id", true);
  const at = time(ctx, "Time");
  const sd = gateSide(ctx, "Trade type");
  const tm = role(ctx, "Role");
  const m = market(ctx, "Pair", "spot");
  const price = num(ctx, "Price");
  const amount = num(ctx, "Amount");
  const total = num(ctx, "Total");
  const fee = unitNum(ctx, "Fee", null, "nonnegative");
  if (!m || !allSet(orderId, at, sd, price, amount, total, fee)) return null;
  return {
    exchange: "gateio", market_type: "spot", symbol: m.symbol, base: m.base, quote: m.quote,
    trade_id: null, order_id: orderId, side: sd!, price: price!, amount: amount!, cost: total!,
    ...feeOf(fee!.amount, fee!.unit), taker_or_maker: tm, exchange_realized_pnl: null, executed_at: at!,
  };
}

/**
 * Deposits (`mydeposits.csv`, tab-separated, UTF-16): `Order ID` is Gate's record id (the same id
 * the billing ledger writes in `action_data`), so the deposit is one transfer whichever of the two
 * files brought it.
 */
export function gateDeposit(ctx: RowContext): TransferDraft | null {
  const id = text(ctx, "Order ID", true);
  const at = time(ctx, "Time");
  const coin = asset(ctx, "Coin");
  const amount = num(ctx, "Amount");
  const st = gateStatus(ctx, "Status");
  if (!allSet(id, at, coin, amount, st)) return null;
  return {
    exchange: "gateio", kind: "deposit", transfer_id: `gate:${id}`, asset: coin!, amount: amount!, fee: null,
    fee_currency: null, network: null, address: text(ctx, "Address"), tx_id: text(ctx, "TxID"), status: st!, occurred_at: at!,
  };
}

/**
 * Withdrawals (`mywithdrawals.csv`, tab-separated, UTF-16): `Amount` is what left the account,
 * `Trading Fee` the network fee in the same coin, `Amount Received` = Amount − fee. Stored as the
 * amount received plus its fee (what left = amount + fee, as for the other exchanges); a row
 * whose three numbers do not add up is an error.
 */
export function gateWithdrawal(ctx: RowContext): TransferDraft | null {
  const id = text(ctx, "Order ID", true);
  const at = time(ctx, "Time");
  const coin = asset(ctx, "Coin");
  const gross = num(ctx, "Amount");
  const fee = num(ctx, "Trading Fee", { sign: "nonnegative" });
  const received = num(ctx, "Amount Received", { sign: "nonnegative" });
  const st = gateStatus(ctx, "Status");
  if (!allSet(id, at, coin, gross, fee, received, st)) return null;
  if (!sumsTo(received!, fee!, gross!)) {
    ctx.bad("Amount Received", `Amount Received ${received} + Trading Fee ${fee} is not Amount ${gross}`);
    return null;
  }
  return {
    exchange: "gateio", kind: "withdrawal", transfer_id: `gate:${id}`, asset: coin!, amount: received!, fee: fee!,
    fee_currency: coin, network: text(ctx, "Network"), address: text(ctx, "Address"), tx_id: text(ctx, "TxID"),
    status: st!, occurred_at: at!,
  };
}

function sumsTo(a: string, b: string, total: string): boolean {
  return new Decimal(a).plus(b).eq(total);
}
