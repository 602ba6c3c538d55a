/**
 * The audit report: the final rows of one or more `applyFills` results plus totals. Totals are
 * sums of the emitted (already rounded) row values, so they equal what a database SUM over the
 * stored rows gives, to the last digit.
 */
import type { ApplyResult, ClosingEvent, PositionRow, UnassignedFunding, UnknownCostBasis } from "./types.ts";
import { type PnlState, streamTotals } from "./engine.ts";
import { fmt, parseQ } from "./fixed.ts";

export interface PnlTotals {
  realized_gross_pnl: string;
  realized_net_pnl: string;
  /** Σ positions.fees_paid + fees of sells without cost basis (quote). */
  fees: string;
  /** Funding in closed events + accrued on open positions + unassigned (> 0 received). */
  funding: string;
  /** Signed open quantity per symbol (LONG > 0, SHORT < 0); symbols with nothing open are "0". */
  open_quantity: Record<string, string>;
  /** Quantity sold beyond known holdings, per symbol (only symbols with some). */
  unknown_cost_basis_quantity: Record<string, string>;
  /** Unconverted fees per currency. */
  fees_unconverted: Record<string, string>;
  dust_quantity: Record<string, string>;
  unassigned_funding: string;
  closing_events: number;
}

export interface PnlReport {
  positions: PositionRow[];
  trades: ClosingEvent[];
  unassigned_funding: UnassignedFunding[];
  unknown_cost_basis: UnknownCostBasis[];
  totals: PnlTotals;
}

const sum = (xs: string[]): string => fmt(xs.reduce((a, x) => a + parseQ(x), 0n), 18);

/** Merge results (last emission per close_key / position_key wins) and total them. */
export function summarize(results: ApplyResult<PnlState>[], state: PnlState): PnlReport {
  const ev = new Map<string, ClosingEvent>();
  const pos = new Map<string, PositionRow>();
  const unassigned: UnassignedFunding[] = [];
  const unknown: UnknownCostBasis[] = [];
  for (const r of results) {
    for (const e of r.events) ev.set(e.close_key, e);
    for (const p of r.positions) pos.set(p.position_key, p);
    unassigned.push(...r.unassigned_funding);
    unknown.push(...r.unknown_cost_basis);
  }
  const trades = [...ev.values()].sort((a, b) => a.exit_time.localeCompare(b.exit_time) || a.close_key.localeCompare(b.close_key));
  const positions = [...pos.values()].sort((a, b) => a.opened_at.localeCompare(b.opened_at) || a.position_key.localeCompare(b.position_key));
  const open_quantity: Record<string, string> = {};
  const unknownQ: Record<string, string> = {};
  const dust: Record<string, string> = {};
  for (const s of streamTotals(state)) {
    open_quantity[s.symbol] = fmt(parseQ(open_quantity[s.symbol] ?? "0") + parseQ(s.open_quantity), 18);
    if (s.unknown_cost_basis_quantity !== "0") {
      unknownQ[s.symbol] = fmt(parseQ(unknownQ[s.symbol] ?? "0") + parseQ(s.unknown_cost_basis_quantity), 18);
    }
    if (s.dust_quantity !== "0") dust[s.symbol] = fmt(parseQ(dust[s.symbol] ?? "0") + parseQ(s.dust_quantity), 18);
  }
  const fx = new Map<string, bigint>();
  const addFx = (l: { currency: string; amount: string }[]) => {
    for (const f of l) fx.set(f.currency, (fx.get(f.currency) ?? 0n) + parseQ(f.amount));
  };
  for (const p of positions) addFx(p.fees_unconverted);
  for (const u of unknown) addFx(u.fees_unconverted);
  const openPos = positions.filter((p) => p.status === "OPEN");
  return {
    positions,
    trades,
    unassigned_funding: unassigned,
    unknown_cost_basis: unknown,
    totals: {
      realized_gross_pnl: sum(trades.map((t) => t.gross_pnl)),
      realized_net_pnl: sum(trades.map((t) => t.net_pnl)),
      fees: sum([...positions.map((p) => p.fees_paid), ...unknown.map((u) => u.fees)]),
      funding: sum([...trades.map((t) => t.funding), ...openPos.map((p) => p.open_funding), ...unassigned.map((u) => u.amount)]),
      open_quantity,
      unknown_cost_basis_quantity: unknownQ,
      fees_unconverted: Object.fromEntries([...fx].sort().map(([k, v]) => [k, fmt(v, 18)])),
      dust_quantity: dust,
      unassigned_funding: sum(unassigned.map((u) => u.amount)),
      closing_events: trades.length,
    },
  };
}
