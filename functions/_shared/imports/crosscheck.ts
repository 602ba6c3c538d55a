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
 * Why they differ (README, "Exchange PnL cross-check"): the exchange's figure excludes fees and
 * funding, so compare it with `engine_gross`; a position opened before the file starts has no
 * cost basis in the engine (its close counts in neither, or only in the exchange's); and the
 * exchange averages the entry price where the engine uses FIFO lots, so partial closes of a
 * position built at several prices differ per close and agree once it is flat.
 */
import { Decimal } from "../decimal.ts";
import { withServiceFor } from "../db.ts";
import type { FillRow } from "../domain/types.ts";

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

/**
 * `ledgerPnl`: a ledger's realized-PnL rows per contract (Gate's futures book names the contract
 * on each), with their span; counted in `fills` as rows. Entries without a symbol are skipped.
 */
export async function crossCheckPnl(
  userId: string,
  fills: readonly FillRow[],
  ledgerPnl: readonly { exchange?: string; symbol?: string; amount: string; rows: number; from?: string; to?: string }[] = [],
): Promise<PnlCrossCheck[]> {
  const spans = new Map<string, { exchange: string; symbol: string; fills: number; from: string; to: string; pnl: Decimal }>();
  for (const p of ledgerPnl) {
    if (!p.exchange || !p.symbol || !p.from || !p.to) continue;
    const k = `${p.exchange}|${p.symbol}`;
    const s = spans.get(k);
    if (!s) spans.set(k, { exchange: p.exchange, symbol: p.symbol, fills: p.rows, from: p.from, to: p.to, pnl: new Decimal(p.amount) });
    else {
      s.fills += p.rows;
      if (p.from < s.from) s.from = p.from;
      if (p.to > s.to) s.to = p.to;
      s.pnl = s.pnl.plus(p.amount);
    }
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
