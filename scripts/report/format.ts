/**
 * Display formatting of the report's decimal strings — exact (decimal.js), never through a JS
 * float. Rounding for display is half-even, like the rest of the project. A value that rounds to
 * zero is shown without a sign.
 */
import Decimal from "decimal.js";

const D = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_EVEN });
export { D as Dec };

export const DASH = "—";

export function dec(s: string): Decimal {
  return new D(s);
}

function group(intPart: string): string {
  return intPart.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** "6400.15157057" → "6,400.15"; "-0.001" → "0.00". `signed` adds "+" to positive values. */
export function fmtNum(s: string, dp = 2, opts: { signed?: boolean } = {}): string {
  const d = dec(s).toDecimalPlaces(dp, D.ROUND_HALF_EVEN);
  const neg = d.isNegative() && !d.isZero();
  const [i, f] = d.abs().toFixed(dp).split(".");
  const body = group(i) + (f ? `.${f}` : "");
  if (neg) return `-${body}`;
  if (opts.signed && !d.isZero()) return `+${body}`;
  return body;
}

/** Money: 2 decimals with thousands separators. */
export function fmtMoney(s: string | null | undefined, opts: { signed?: boolean } = {}): string {
  if (s === null || s === undefined) return DASH;
  return fmtNum(s, 2, opts);
}

/** A price: 2 decimals from 1 up, more below 1 (0.004512). */
export function fmtPrice(s: string | null | undefined): string {
  if (s === null || s === undefined) return DASH;
  const a = dec(s).abs();
  if (a.gte(1) || a.isZero()) return fmtNum(s, 2);
  // keep 4 significant digits
  const dp = Math.min(10, Math.max(4, 3 - Math.floor(Math.log10(a.toNumber()))));
  return fmtNum(s, dp);
}

/** A quantity: up to 8 decimals, trailing zeros dropped ("0.04", "5.994", "1,200"). */
export function fmtQty(s: string | null | undefined): string {
  if (s === null || s === undefined) return DASH;
  const txt = fmtNum(s, 8);
  return txt.includes(".") ? txt.replace(/\.?0+$/, "") : txt;
}

/** A percentage: "82.76%". */
export function fmtPct(s: string | null | undefined, opts: { signed?: boolean; dp?: number } = {}): string {
  if (s === null || s === undefined) return DASH;
  return `${fmtNum(s, opts.dp ?? 2, opts)}%`;
}

/** A ratio (profit factor, Sharpe): "3.41". */
export function fmtRatio(s: string | null | undefined): string {
  if (s === null || s === undefined) return DASH;
  return fmtNum(s, 2);
}

/** A drawdown, whichever sign it was stored with, shown as a decline: "-4.12". */
export function negAbs(s: string): string {
  const d = dec(s).abs();
  return d.isZero() ? "0" : d.neg().toString();
}

/** -1, 0 or 1 for the value as displayed with `dp` decimals (so -0.001 at 2 dp is 0). */
export function signOf(s: string | null | undefined, dp = 2): -1 | 0 | 1 {
  if (s === null || s === undefined) return 0;
  const d = dec(s).toDecimalPlaces(dp, D.ROUND_HALF_EVEN);
  return d.isZero() ? 0 : d.isNegative() ? -1 : 1;
}

export function sumDec(values: string[]): string {
  return values.reduce((acc, v) => acc.plus(v), new D(0)).toString();
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "2026-06-03T10:12:30Z" → "2026-06-03 10:12" (UTC). */
export function fmtDateTime(iso: string): string {
  const d = new Date(iso);
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 16)}`;
}

/** "2026-06-03T10:12:30Z" → "2026-06-03" (UTC). */
export function fmtDay(iso: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(iso) ? iso : new Date(iso).toISOString().slice(0, 10);
}

/** "2026-06-03" → "3 Jun 2026". */
export function fmtLongDay(iso: string): string {
  const d = fmtDay(iso);
  return `${Number(d.slice(8, 10))} ${MONTHS[Number(d.slice(5, 7)) - 1]} ${d.slice(0, 4)}`;
}

/** "2026-06-01" → "Jun 2026". */
export function fmtMonth(iso: string): string {
  const d = fmtDay(iso);
  return `${MONTHS[Number(d.slice(5, 7)) - 1]} ${d.slice(0, 4)}`;
}

/** 93784 → "1d 2h"; 4500 → "1h 15m"; 42 → "42s". */
export function fmtDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${String(m % 60).padStart(2, "0")}m`;
  const days = Math.floor(h / 24);
  return days < 10 ? `${days}d ${h % 24}h` : `${days}d`;
}

/** "BTC/USDT:USDT" (swap) → "BTC/USDT perp"; spot symbols unchanged. */
export function fmtSymbol(symbol: string, marketType?: string): string {
  const i = symbol.indexOf(":");
  const base = i >= 0 ? symbol.slice(0, i) : symbol;
  return i >= 0 || marketType === "swap" ? `${base} perp` : base;
}

export function periodLabel(periodType: string, start: string): string {
  switch (periodType) {
    case "ALL_TIME":
      return "All time";
    case "MONTHLY":
      return fmtMonth(start);
    case "WEEKLY":
      return `Week of ${fmtLongDay(start)}`;
    default:
      return fmtLongDay(start);
  }
}

/**
 * Keeps the rows of the last `n` distinct periods (by period_start), and says how many periods
 * were left out — so a report with every DAILY row stays readable.
 */
export function lastPeriods<T extends { period_start: string }>(rows: T[], n: number): { rows: T[]; omitted: number } {
  const starts = [...new Set(rows.map((r) => r.period_start))].sort((a, b) => Date.parse(a) - Date.parse(b));
  if (starts.length <= n) return { rows, omitted: 0 };
  const keep = new Set(starts.slice(-n));
  return { rows: rows.filter((r) => keep.has(r.period_start)), omitted: starts.length - n };
}
