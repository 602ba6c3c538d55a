/**
 * The exchange's own realized PnL beside the engine's, per symbol. Exports that carry it
 * (Binance futures `Realized Profit`, Bitget `Realized P/L`) give it per closing fill; the engine
 * books the same closes in `trade_history`. Over the file's time span per symbol:
 *
 *   exchange   = Σ exchange_realized_pnl of the file's fills
 *   engine     = Σ trade_history.gross_pnl of closes in that span (price difference only, like the
 *                exchange's number), and net_pnl (after fees and funding) beside it
 *   difference = engine − exchange
 *
 * A ledger that names the contract of its realized-PnL rows (Bitget's futures ledger: `close_*`
 * amounts, before fees) gives the same per-symbol figure over the span of those rows, and is
 * compared the same way (`fills` then counts the ledger's rows).
 *
 * Why they differ (README, "Exchange PnL cross-check"): the exchange's figure excludes fees and
 * funding, so compare it with `engine_gross`; a position opened before the file starts has no
 * cost basis in the engine (its close counts in neither, or only in the exchange's); and the
 * exchange averages the entry price where the engine uses FIFO lots, so partial closes of a
 * position built at several prices differ per close and agree once it is flat.
 */
import { Decimal } from "../decimal.ts";
import { withServiceFor } from "../db.ts";
import type { FillRow } from "../domain/types.ts";
import type { LedgerResult } from "./ledger.ts";

export interface PnlCrossCheck {
  exchange: string;
  symbol: string;
  fills: number;
  from: string;
  to: string;
  exchange_pnl: string;
  engine_gross: string;
  engine_net: string;
  difference: string;
}

export async function crossCheckPnl(
  userId: string,
  fills: readonly FillRow[],
  /** A ledger's realized-PnL totals; those with a symbol (and span) are checked per symbol. */
  ledger: { exchange: string; totals: LedgerResult["exchangePnl"] } | null = null,
): Promise<PnlCrossCheck[]> {
  const spans = new Map<string, { exchange: string; symbol: string; fills: number; from: string; to: string; pnl: Decimal }>();
  for (const t of ledger?.totals ?? []) {
    if (!t.symbol || !t.from || !t.to) continue;
    spans.set(`${ledger!.exchange}|${t.symbol}|${t.currency}`, {
      exchange: ledger!.exchange, symbol: t.symbol, fills: t.rows, from: t.from, to: t.to, pnl: new Decimal(t.amount),
    });
  }
  for (const f of fills) {
    if (f.exchange_realized_pnl === null) continue;
    const k = `${f.exchange}|${f.symbol}`;
    const s = spans.get(k);
    if (!s) {
      spans.set(k, { exchange: f.exchange, symbol: f.symbol, fills: 1, from: f.executed_at, to: f.executed_at, pnl: new Decimal(f.exchange_realized_pnl) });
      continue;
    }
    s.fills++;
    if (f.executed_at < s.from) s.from = f.executed_at;
    if (f.executed_at > s.to) s.to = f.executed_at;
    s.pnl = s.pnl.plus(f.exchange_realized_pnl);
  }
  if (!spans.size) return [];
  return await withServiceFor({}, async (tx) => {
    const out: PnlCrossCheck[] = [];
    for (const s of [...spans.values()].sort((a, b) => a.symbol.localeCompare(b.symbol))) {
      const [row] = await tx`
        select coalesce(sum(gross_pnl), 0)::text as gross, coalesce(sum(net_pnl), 0)::text as net
          from public.trade_history
         where user_id = ${userId} and exchange = ${s.exchange} and market_type = 'swap' and symbol = ${s.symbol}
           and exit_time >= ${s.from}::timestamptz and exit_time <= ${s.to}::timestamptz`;
      const gross = new Decimal(row.gross);
      out.push({
        exchange: s.exchange, symbol: s.symbol, fills: s.fills, from: s.from, to: s.to,
        exchange_pnl: s.pnl.toFixed(), engine_gross: gross.toFixed(), engine_net: new Decimal(row.net).toFixed(),
        difference: gross.minus(s.pnl).toFixed(),
      });
    }
    return out;
  });
}
