/** Row mappers of MEXC's exports (see FORMATS.md). */
import { allSet, asset, feeOf, market, num, role, side, status, text, time, unitNum } from "./cells.ts";
import type { FillDraft, RowContext, TransferDraft } from "./formats.ts";
import type { UnifiedSymbol } from "./symbols.ts";

/**
 * MEXC spot trade history, older layout: the fee has no unit. BittyTax (the only source for this
 * layout) books it in the asset received: base on BUY, quote on SELL. Today's `UID` layout
 * writes the unit, and its real rows show a BUY's fee in the quote asset (see mexcSpotUid).
 */
export function mexcSpot(ctx: RowContext): FillDraft | null {
  return mexcSpotFill(ctx, () => {
    const fee = num(ctx, "Fee", { sign: "nonnegative" });
    return fee === null ? null : { amount: fee, unit: null };
  });
}

/**
 * MEXC spot trade history as downloaded today (`UID,Pairs,…`): the fee carries its unit glued on
 * (`0.01229430USDT`); a real BUY row pays it in the quote asset, so the unit is read, never assumed.
 */
export function mexcSpotUid(ctx: RowContext): FillDraft | null {
  return mexcSpotFill(ctx, (m) => unitNum(ctx, "Fee", m ? [m.base, m.quote] : null, "nonnegative", false));
}

/**
 * The columns both spot layouts share. `readFee` reads the layout's Fee cell; a fee without a
 * unit is in the asset received (the older layout's rule, above).
 */
function mexcSpotFill(
  ctx: RowContext,
  readFee: (m: UnifiedSymbol | null) => { amount: string; unit: string | null } | null,
): FillDraft | null {
  const m = market(ctx, "Pairs", "spot");
  const at = time(ctx, "Time");
  const sd = side(ctx, "Side");
  const price = num(ctx, "Filled Price");
  const amount = num(ctx, "Executed Amount");
  const total = num(ctx, "Total");
  const fee = readFee(m);
  const tm = role(ctx, "Role");
  if (!m || !allSet(at, sd, price, amount, total, fee)) return null;
  return {
    exchange: "mexc", market_type: "spot", symbol: m.symbol, base: m.base, quote: m.quote,
    trade_id: null, order_id: null, side: sd!, price: price!, amount: amount!, cost: total!,
    ...feeOf(fee!.amount, fee!.unit ?? (sd === "buy" ? m.base : m.quote)), taker_or_maker: tm, exchange_realized_pnl: null,
    executed_at: at!,
  };
}

export function mexcDeposit(ctx: RowContext): TransferDraft | null {
  const st = status(ctx, "Status");
  const at = time(ctx, "Time");
  const coin = asset(ctx, "Crypto");
  const amount = num(ctx, "Deposit Amount");
  const txid = text(ctx, "TxID");
  if (!allSet(st, at, coin, amount)) return null;
  return {
    exchange: "mexc", kind: "deposit", transfer_id: txid, asset: coin!, amount: amount!, fee: null,
    fee_currency: null, network: text(ctx, "Network"), address: null, tx_id: txid, status: st!, occurred_at: at!,
  };
}

export function mexcWithdrawal(ctx: RowContext): TransferDraft | null {
  const st = status(ctx, "Status");
  const at = time(ctx, "Time");
  const coin = asset(ctx, "Crypto");
  const amount = num(ctx, "Request Amount");
  const fee = num(ctx, "Trading Fee", { sign: "nonnegative", optional: true });
  num(ctx, "Settlement Amount", { sign: "nonnegative", optional: true });
  const txid = text(ctx, "TxID");
  if (!allSet(st, at, coin, amount)) return null;
  return {
    exchange: "mexc", kind: "withdrawal", transfer_id: txid, asset: coin!, amount: amount!, fee,
    fee_currency: fee !== null ? coin : null, network: text(ctx, "Network"),
    address: text(ctx, "Withdrawal Address"), tx_id: txid, status: st!, occurred_at: at!,
  };
}
