/**
 * ccxt fetchDeposits / fetchWithdrawals → TransferRow. Amount and fee from the raw strings
 * (binance/mexc `amount` + `transactionFee`, bitget `size` + `fee`, gate `amount` + `fee`), else
 * numberToString. `network` is ccxt's unified network code (e.g. "TRC20"; comparable across
 * exchanges), falling back to the raw chain name. Withdrawal `amount` is as the exchange reports
 * it; the fee is separate (paid on top on binance/mexc/gate).
 */
import type { Exchange, Transaction } from "ccxt";
import type { TransferKind, TransferRow } from "../../domain/types.ts";
import { abs, exact, firstExact, isZero } from "../amounts.ts";
import { ctxOf, currencyCode, infoOf, isoOf, MalformedPayloadError, required } from "./common.ts";

/** `kind`: which endpoint the rows came from (fetchDeposits → "deposit"); defaults to ccxt's `type`. */
export function normalizeTransfer(ex: Exchange, t: Transaction, kindHint?: TransferKind): TransferRow {
  const { exchange } = ctxOf(ex);
  const i = infoOf(t);
  // mexc deposits carry no id: the transaction hash identifies them
  const id = String(required(t.id ?? i.id ?? i.orderId ?? t.txid, "transfer id"));
  // the caller knows which endpoint it called; ccxt's guess (gate: from the id prefix) is the fallback
  const kind: TransferKind | undefined = kindHint ?? (t.type === "deposit" || t.type === "withdrawal" ? t.type : undefined);
  if (!kind) throw new MalformedPayloadError(`transfer ${id}: unknown type ${String(t.type)}`);
  const asset = required(t.currency ?? currencyCode(ex, i.coin ?? i.currency), `transfer ${id} asset`);
  const amount = required(firstExact(ex, i.amount, i.size, t.amount), `transfer ${id} amount`);
  // a transfer fee is always paid: bitget reports it negative ("-1.5")
  const feeRaw = firstExact(ex, i.transactionFee, i.fee, t.fee?.cost);
  const fee = feeRaw === null || isZero(feeRaw) ? null : abs(feeRaw);
  const network = t.network ?? (i.network as string | undefined) ?? (i.chain as string | undefined) ?? null;
  return {
    exchange,
    kind,
    transfer_id: id,
    asset,
    amount: abs(amount),
    fee,
    fee_currency: fee === null ? null : (t.fee?.currency ?? asset),
    network: network === "" ? null : network,
    address: t.address || (i.address as string | undefined) || (i.toAddress as string | undefined) || null,
    tx_id: t.txid || null,
    status: t.status ?? "pending",
    occurred_at: isoOf(t.timestamp, `transfer ${id}`),
  };
}

export function normalizeTransfers(ex: Exchange, list: Transaction[], kindHint?: TransferKind): TransferRow[] {
  if (!Array.isArray(list)) throw new MalformedPayloadError(`${ex.id}: transfers page is not an array`);
  return list.map((t) => normalizeTransfer(ex, t, kindHint));
}
