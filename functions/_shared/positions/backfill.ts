/**
 * Legacy backfill (the spec's migration steps 2–3, done right): filled orders of the old
 * backend, with their ENTRY/TP1/TP2/TP3/SL roles, become fills marked `derived_from_order`
 * (one per order, at its average price and executed quantity, with the fees recorded for the
 * order in fees_tracking), then go through the same engine as synced fills — so partial exits,
 * fees and shorts are handled, unlike the spec's one-shot INSERT … SELECT.
 * Orders that already have real fills are skipped; re-running adds nothing.
 */
import type { Tx } from "../db.ts";
import { withService } from "../db.ts";
import type { OrderRow } from "../domain/types.ts";
import { fillFromOrder, normalizeSymbol } from "../pnl/ccxt.ts";
import { processUser, type StreamResult } from "./process.ts";

export interface BackfillResult {
  orders: number;
  fills: number;
  streams: StreamResult[];
}

export async function backfillFromOrders(userId: string): Promise<BackfillResult> {
  const inserted = await withService(async (tx: Tx) => {
    // Legacy symbols ("BTCUSDT") take the unified form the engine and the sync use.
    const legacy = await tx`select distinct symbol from public.orders where user_id = ${userId} and position('/' in symbol) = 0`;
    for (const { symbol } of legacy) {
      await tx`update public.orders set symbol = ${normalizeSymbol(symbol)} where user_id = ${userId} and symbol = ${symbol}`;
    }
    const orders = await tx`
      select o.exchange::text, o.market_type::text, o.symbol, o.order_id, o.client_order_id, o.side, o.type, o.status,
             o.price::text, o.quantity::text, o.executed_qty::text, o.average_price::text, o.stop_price::text, o.reduce_only,
             o.order_role, o.order_timestamp::text, o.filled_timestamp::text,
             coalesce((select jsonb_agg(jsonb_build_object('currency', ft.fee_currency, 'amount', trim_scale(ft.fee_amount)::text))
                         from public.fees_tracking ft
                        where ft.user_id = o.user_id and ft.exchange = o.exchange and ft.order_id = o.order_id
                          and ft.fee_type in ('MAKER', 'TAKER')), '[]'::jsonb) as fees
        from public.orders o
       where o.user_id = ${userId} and o.status in ('FILLED', 'PARTIALLY_FILLED') and o.executed_qty > 0
         and not exists (select 1 from public.fills f where f.user_id = o.user_id and f.exchange = o.exchange
                            and f.market_type = o.market_type and f.symbol = o.symbol and f.order_id = o.order_id)
       order by coalesce(o.filled_timestamp, o.order_timestamp), o.order_id`;
    const fills = orders
      .map((o) => {
        const fill = fillFromOrder(o as unknown as OrderRow);
        return fill ? { ...fill, fees: o.fees, user_id: userId } : null;
      })
      .filter((f) => f !== null);
    if (!fills.length) return { orders: orders.length, fills: 0 };
    const cols = Object.keys(fills[0]!);
    const r = await tx.unsafe(
      `insert into public.fills (${cols.join(", ")})
       select ${cols.join(", ")} from jsonb_populate_recordset(null::public.fills, $1::jsonb)
       on conflict do nothing returning 1`,
      [fills as never],
    );
    return { orders: orders.length, fills: r.length };
  });
  const streams = inserted.fills ? await processUser(userId) : [];
  return { ...inserted, streams };
}
