/**
 * The input contract of the trader report (HTML and terminal): `ReportData`.
 *
 * The orchestration (`npm start`) fills it from the database; the renderers only format what it
 * holds (they compute nothing that changes a number, except sums shown in table footers and the
 * flow-adjusted peak used to shade drawdowns in the equity chart).
 *
 * Conventions
 * - Amounts, prices, quantities, percentages and ratios are DECIMAL STRINGS ("6400.15157057",
 *   "-61.71040117"), never JS numbers: the renderers format them digit by digit. Money is in the
 *   quote currency (USDT).
 * - Percentages are in percent (82.76 means 82.76 %). `win_rate` = winners / trades × 100.
 * - Drawdowns (`max_drawdown_pct`, `max_drawdown_amount`, `metrics[].max_drawdown`) are the size
 *   of the decline, either sign accepted; they are always displayed as a negative number.
 * - Timestamps are ISO 8601 strings (`2026-06-03T10:12:30Z`, an offset is accepted; a JS `Date` is
 *   accepted too and turned into an ISO string). `equity_curve[].date` is a UTC day `YYYY-MM-DD`.
 * - `null` means "not computable" (no losing trade → profit_factor null, fewer than two days of
 *   returns → sharpe null …) and is shown as "—".
 * - `equity_curve[]` is daily and sorted by date. `balance` is the total equity at the end of the
 *   day (cash + positions at market), `realized_pnl` the CUMULATIVE realized net PnL since
 *   `period.from`, `unrealized_pnl` the open positions' PnL at that day's close, `net_flows` the
 *   deposits minus withdrawals of that day, `twr_index` the chained time-weighted return index
 *   (1 = start of the period), `is_reconstructed` true when the day comes from a reconstruction
 *   (imported exports + daily closes) rather than a stored snapshot.
 * - `trades[]` are closing events (trade_history rows); `side` is the position's side (LONG /
 *   SHORT), `exit_quantity` the quantity closed by the event.
 * - `headline.fees` are the fees realized in the closed trades (so gross − fees + funding = net);
 *   the optional `headline.fees_paid` also counts the entry fees of positions still open.
 */
import { z } from "zod";

const DECIMAL_RE = /^-?\d+(\.\d+)?$/;
const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP_RE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** A decimal string such as "-12.5" (no exponent, no thousands separators). */
export const decimalString = z
  .string({ error: (iss) => decimalError(iss.input) })
  .regex(DECIMAL_RE, { error: (iss) => decimalError(iss.input) });

const nullableDecimal = z.union([decimalString, z.null()], {
  error: (iss) => decimalError(iss.input, " or null"),
});

function decimalError(input: unknown, orNull = ""): string {
  const hint = typeof input === "number" ? " (amounts are strings, not JS numbers)" : "";
  return `expected a decimal string like "-12.5"${orNull}${hint}, got ${describe(input)}`;
}

/** An ISO 8601 timestamp; a Date is accepted and converted. */
export const isoTimestamp = z
  .union([z.string(), z.date()], {
    error: (iss) => `expected an ISO 8601 timestamp like "2026-06-03T10:12:30Z", got ${describe(iss.input)}`,
  })
  .transform((v, ctx) => {
    if (v instanceof Date) {
      if (Number.isNaN(v.getTime())) {
        ctx.addIssue({ code: "custom", message: "expected a valid date, got an invalid Date" });
        return z.NEVER;
      }
      return v.toISOString();
    }
    if (!TIMESTAMP_RE.test(v) || Number.isNaN(Date.parse(v))) {
      ctx.addIssue({
        code: "custom",
        message: `expected an ISO 8601 timestamp like "2026-06-03T10:12:30Z", got ${describe(v)}`,
      });
      return z.NEVER;
    }
    return v;
  });

/** A UTC day, YYYY-MM-DD. */
export const isoDay = z
  .string({ error: (iss) => `expected a day like "2026-05-01", got ${describe(iss.input)}` })
  .refine((v) => DAY_RE.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)), {
    error: (iss) => `expected a day like "2026-05-01", got ${describe(iss.input)}`,
  });

const count = z
  .number({ error: (iss) => `expected a whole number >= 0, got ${describe(iss.input)}` })
  .int({ error: (iss) => `expected a whole number >= 0, got ${describe(iss.input)}` })
  .nonnegative({ error: (iss) => `expected a whole number >= 0, got ${describe(iss.input)}` });

const side = z.enum(["LONG", "SHORT"], {
  error: (iss) => `expected "LONG" or "SHORT", got ${describe(iss.input)}`,
});
const marketType = z.enum(["spot", "swap"], {
  error: (iss) => `expected "spot" or "swap", got ${describe(iss.input)}`,
});
const nonEmpty = z
  .string({ error: (iss) => `expected a non-empty string, got ${describe(iss.input)}` })
  .min(1, { error: "expected a non-empty string" });

export const headlineSchema = z.object({
  realized_gross_pnl: decimalString,
  realized_net_pnl: decimalString,
  /** Fees realized in the closed trades (gross − fees + funding = net). */
  fees: decimalString,
  /** Optional: every fee paid in the period, including entry fees of positions still open. */
  fees_paid: nullableDecimal.optional(),
  /** Funding realized (> 0 received). */
  funding: decimalString,
  trades: count,
  winners: count,
  losers: count,
  breakeven: count,
  win_rate: nullableDecimal,
  profit_factor: nullableDecimal,
  max_drawdown_pct: nullableDecimal,
  max_drawdown_amount: nullableDecimal,
  twr_pct: nullableDecimal,
  roi_pct: nullableDecimal,
  sharpe: nullableDecimal,
  net_deposits: decimalString,
  equity_start: decimalString,
  equity_end: decimalString,
});

export const equityPointSchema = z.object({
  date: isoDay,
  balance: decimalString,
  realized_pnl: decimalString,
  unrealized_pnl: decimalString,
  net_flows: decimalString,
  twr_index: nullableDecimal,
  is_reconstructed: z.boolean({ error: (iss) => `expected true or false, got ${describe(iss.input)}` }),
});

export const tradeSchema = z.object({
  exchange: nonEmpty,
  market_type: marketType,
  symbol: nonEmpty,
  side,
  entry_time: isoTimestamp,
  exit_time: isoTimestamp,
  entry_price: decimalString,
  exit_price: decimalString,
  exit_quantity: decimalString,
  gross_pnl: decimalString,
  net_pnl: decimalString,
  entry_fees: decimalString,
  exit_fees: decimalString,
  exit_type: z.enum(["TP", "SL", "MANUAL", "LIQUIDATION", "PARTIAL"], {
    error: (iss) => `expected one of TP, SL, MANUAL, LIQUIDATION, PARTIAL, got ${describe(iss.input)}`,
  }),
  pnl_percentage: nullableDecimal,
  hold_duration_seconds: count,
});

export const openPositionSchema = z.object({
  exchange: nonEmpty,
  market_type: marketType,
  symbol: nonEmpty,
  side,
  quantity: decimalString,
  entry_price: decimalString,
  current_price: nullableDecimal,
  unrealized_pnl: nullableDecimal,
  opened_at: isoTimestamp,
});

export const metricRowSchema = z.object({
  period_type: z.enum(["DAILY", "WEEKLY", "MONTHLY", "ALL_TIME"], {
    error: (iss) => `expected one of DAILY, WEEKLY, MONTHLY, ALL_TIME, got ${describe(iss.input)}`,
  }),
  period_start: isoTimestamp,
  /** null = all exchanges together. */
  exchange: z.union([nonEmpty, z.null()], {
    error: (iss) => `expected an exchange id or null, got ${describe(iss.input)}`,
  }),
  total_trades: count,
  win_rate: nullableDecimal,
  total_net_pnl: decimalString,
  profit_factor: nullableDecimal,
  max_drawdown: nullableDecimal,
  sharpe_ratio: nullableDecimal,
});

export const symbolPnlSchema = z.object({
  symbol: nonEmpty,
  exchange: nonEmpty,
  net_pnl: decimalString,
  trades: count,
});

export const reportDataSchema = z.object({
  generated_at: isoTimestamp,
  user: z.object({ email: z.string({ error: (iss) => `expected a string, got ${describe(iss.input)}` }) }),
  period: z.object({ from: isoTimestamp, to: isoTimestamp }),
  exchanges: z.array(nonEmpty),
  headline: headlineSchema,
  equity_curve: z.array(equityPointSchema),
  trades: z.array(tradeSchema),
  open_positions: z.array(openPositionSchema),
  metrics: z.array(metricRowSchema),
  pnl_by_symbol: z.array(symbolPnlSchema),
  notes: z.array(z.string()),
});

/** What the renderers take (dates normalised to ISO strings). */
export type ReportData = z.output<typeof reportDataSchema>;
/** What the orchestration may pass to `parseReportData` (timestamps may be Dates). */
export type ReportDataInput = z.input<typeof reportDataSchema>;
export type Headline = ReportData["headline"];
export type EquityPoint = ReportData["equity_curve"][number];
export type TradeRow = ReportData["trades"][number];
export type OpenPositionRow = ReportData["open_positions"][number];
export type MetricRow = ReportData["metrics"][number];
export type SymbolPnl = ReportData["pnl_by_symbol"][number];

export class ReportDataError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `ReportData is invalid (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  - ${p}`).join("\n"),
    );
    this.name = "ReportDataError";
  }
}

/** Validates and normalises; throws ReportDataError naming every bad field by its path. */
export function parseReportData(input: unknown): ReportData {
  const r = reportDataSchema.safeParse(input);
  if (r.success) return r.data;
  const problems = r.error.issues.slice(0, 20).map((iss) => {
    const path = formatPath(iss.path);
    let msg = iss.message;
    if (iss.code === "invalid_type" && /received undefined/.test(msg)) msg = "missing (required)";
    return `${path || "(root)"}: ${msg}`;
  });
  if (r.error.issues.length > 20) problems.push(`… and ${r.error.issues.length - 20} more`);
  throw new ReportDataError(problems);
}

function formatPath(path: PropertyKey[]): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}

function describe(v: unknown): string {
  if (v === undefined) return "nothing (missing)";
  if (v === null) return "null";
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === "number") return `the number ${v}`;
  if (v instanceof Date) return "a Date";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : `${typeof v} ${String(v)}`;
}
