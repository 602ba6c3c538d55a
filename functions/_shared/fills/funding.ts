/**
 * Funding payments as stored: the payment row (funding_payments) and the fee row it implies
 * (fees_tracking, fee_type FUNDING: a payment paid is a fee, one received a negative fee). One
 * definition for the sync and the importers.
 */
import type { Tx } from "../db.ts";
import type { ExchangeId, FundingRow } from "../domain/types.ts";
import { neg } from "../exchanges/amounts.ts";

export interface FundingOwner {
  user_id: string;
  exchange: ExchangeId;
  /** The credential the sync read it with; none for an imported file. */
  credential_id?: string | null;
}

/** The fees_tracking row of one funding payment (fee = −amount). */
export function fundingFeeRow(owner: FundingOwner, r: FundingRow): Record<string, unknown> {
  return {
    user_id: owner.user_id,
    exchange: owner.exchange,
    market_type: "swap",
    symbol: r.symbol,
    fee_amount: neg(r.amount),
    fee_currency: r.currency,
    fee_type: "FUNDING",
    transaction_type: "FUNDING",
    source_key: `funding:${r.symbol}:${r.funding_id}`,
    fee_timestamp: r.occurred_at,
  };
}

/**
 * Inserts imported funding payments and their fee rows; a payment already stored (same user,
 * exchange, symbol and funding id) is left as it is. Returns how many payments were new.
 */
export async function insertFunding(tx: Tx, userId: string, rows: FundingRow[]): Promise<number> {
  if (!rows.length) return 0;
  const payments = rows.map((r) => ({ user_id: userId, market_type: "swap", ...r }));
  const inserted = await tx.unsafe(
    `insert into public.funding_payments (user_id, market_type, exchange, symbol, funding_id, currency, amount, occurred_at)
     select user_id, market_type, exchange, symbol, funding_id, currency, amount, occurred_at
       from jsonb_populate_recordset(null::public.funding_payments, $1::jsonb)
     on conflict (user_id, exchange, symbol, funding_id) do nothing
     returning funding_id, symbol`,
    [payments as never],
  );
  const fresh = new Set(inserted.map((r) => `${r.symbol}\u0000${r.funding_id}`));
  const fees = rows.filter((r) => fresh.has(`${r.symbol}\u0000${r.funding_id}`))
    .map((r) => fundingFeeRow({ user_id: userId, exchange: r.exchange }, r));
  if (fees.length) {
    await tx.unsafe(
      `insert into public.fees_tracking (${Object.keys(fees[0]).join(", ")})
       select ${Object.keys(fees[0]).join(", ")} from jsonb_populate_recordset(null::public.fees_tracking, $1::jsonb)
       on conflict do nothing`,
      [fees as never],
    );
  }
  return inserted.length;
}
