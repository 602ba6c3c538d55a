/**
 * Query parameters of the `api` Edge Function, validated with zod. Every rule answers 400
 * `invalid_request` with a message a person can act on and `details: [{ param, message }]`;
 * unknown parameters are refused (a typo such as `perid=30d` must not silently mean "30d").
 */
import { z } from "zod";
import { HttpError } from "../http.ts";
import { EXCHANGES, EXIT_TYPES, METRIC_PERIODS, TRADE_PERIODS, type Exchange, type TradePeriod } from "../types/api.ts";

export const MAX_PAGE_SIZE = 500;
export const DEFAULT_PAGE_SIZE = 50;
/** Longest explicit equity-curve window (days). */
export const MAX_CURVE_DAYS = 3660;

const list = (values: readonly string[]) => values.join(", ");

const exchange = z.enum(EXCHANGES, { error: (iss) => `unknown exchange "${String(iss.input)}"; accepted values: ${list(EXCHANGES)}` });

const tradePeriod = z.string().transform((s, ctx) => {
  const v = s.toLowerCase();
  if (!(TRADE_PERIODS as readonly string[]).includes(v)) {
    ctx.addIssue({ code: "custom", message: `unknown period "${s}"; accepted values: ${list(TRADE_PERIODS)}` });
    return z.NEVER;
  }
  return v as TradePeriod;
});

const metricPeriod = z.string().transform((s, ctx) => {
  const v = s.toLowerCase().replace(/-/g, "_");
  if (!(METRIC_PERIODS as readonly string[]).includes(v)) {
    ctx.addIssue({ code: "custom", message: `unknown period "${s}"; accepted values: ${list(METRIC_PERIODS)}` });
    return z.NEVER;
  }
  return v as (typeof METRIC_PERIODS)[number];
});

const exitType = z.string().transform((s, ctx) => {
  const v = s.toUpperCase();
  if (!(EXIT_TYPES as readonly string[]).includes(v)) {
    ctx.addIssue({ code: "custom", message: `unknown exit_type "${s}"; accepted values: ${list(EXIT_TYPES)}` });
    return z.NEVER;
  }
  return v as (typeof EXIT_TYPES)[number];
});

const symbol = z.string().min(1).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9/:._-]*$/, "symbol must be a market symbol such as BTC/USDT or BTC/USDT:USDT");

const limit = z.string().transform((s, ctx) => {
  const n = /^\d{1,6}$/.test(s) ? Number(s) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE) {
    ctx.addIssue({ code: "custom", message: `limit must be a whole number from 1 to ${MAX_PAGE_SIZE} (got "${s.slice(0, 20)}")` });
    return z.NEVER;
  }
  return n;
});

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;

/** A day (YYYY-MM-DD) or an instant (ISO-8601 with Z or an offset); `endOfDay` turns a day into the next midnight. */
function instant(name: string, endOfDay: boolean) {
  return z.string().transform((s, ctx) => {
    let d: Date | null = null;
    if (DATE_RE.test(s)) {
      d = new Date(`${s}T00:00:00Z`);
      if (!Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) !== s) d = null; // 2025-02-30
      if (d && endOfDay) d = new Date(d.getTime() + 86_400_000);
    } else if (DATETIME_RE.test(s)) {
      d = new Date(s);
    }
    if (!d || Number.isNaN(d.getTime()) || d.getUTCFullYear() < 2000 || d.getUTCFullYear() > 2200) {
      ctx.addIssue({ code: "custom", message: `${name} must be a date (YYYY-MM-DD) or an ISO-8601 time with a zone, between 2000 and 2200 (got "${s.slice(0, 40)}")` });
      return z.NEVER;
    }
    return d;
  });
}

function day(name: string) {
  return z.string().transform((s, ctx) => {
    const d = DATE_RE.test(s) ? new Date(`${s}T00:00:00Z`) : null;
    if (!d || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== s || d.getUTCFullYear() < 2000 || d.getUTCFullYear() > 2200) {
      ctx.addIssue({ code: "custom", message: `${name} must be a date YYYY-MM-DD between 2000 and 2200 (got "${s.slice(0, 40)}")` });
      return z.NEVER;
    }
    return s;
  });
}

// ── keyset cursor: base64url("<exit_time with microseconds>|<id>") ──────────────────────────
export interface TradeCursor { exitTime: string; id: string }

const CURSOR_TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

export function encodeCursor(c: TradeCursor): string {
  return btoa(`${c.exitTime}|${c.id}`).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function decodeCursor(raw: string): TradeCursor | null {
  if (raw.length > 100 || !/^[A-Za-z0-9_-]+$/.test(raw)) return null;
  let text: string;
  try {
    text = atob(raw.replace(/-/g, "+").replace(/_/g, "/"));
  } catch {
    return null;
  }
  const m = text.match(/^([^|]+)\|([1-9]\d{0,17})$/);
  if (!m || !CURSOR_TIME_RE.test(m[1]) || Number.isNaN(new Date(m[1]).getTime())) return null;
  return { exitTime: m[1], id: m[2] };
}

const cursor = z.string().transform((s, ctx) => {
  const c = decodeCursor(s);
  if (!c) {
    ctx.addIssue({ code: "custom", message: "cursor is malformed: pass back the next_cursor of the previous page unchanged" });
    return z.NEVER;
  }
  return c;
});

// ── per-endpoint schemas ───────────────────────────────────────────────────────────────────
export const noQuery = z.object({});

export const openPositionsQuery = z.object({ exchange: exchange.optional(), symbol: symbol.optional() });

export const tradeHistoryQuery = z.object({
  period: tradePeriod.optional(),
  from: instant("from", false).optional(),
  to: instant("to", true).optional(),
  symbol: symbol.optional(),
  exchange: exchange.optional(),
  exit_type: exitType.optional(),
  limit: limit.optional(),
  cursor: cursor.optional(),
}).superRefine((q, ctx) => {
  if (q.period && (q.from || q.to)) ctx.addIssue({ code: "custom", path: ["period"], message: "give either period or from/to, not both" });
  if (q.from && q.to && q.from >= q.to) ctx.addIssue({ code: "custom", path: ["from"], message: "from must be before to" });
});
export type TradeHistoryQuery = z.infer<typeof tradeHistoryQuery>;

export const metricsQuery = z.object({ period: metricPeriod.optional(), exchange: exchange.optional() });

export const snapshotQuery = z.object({ exchange: exchange.optional() });

export const equityCurveQuery = z.object({
  period: tradePeriod.optional(),
  from: day("from").optional(),
  to: day("to").optional(),
  exchange: exchange.optional(),
}).superRefine((q, ctx) => {
  if (q.period && (q.from || q.to)) ctx.addIssue({ code: "custom", path: ["period"], message: "give either period or from/to, not both" });
  if (q.from && q.to) {
    const days = (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000;
    if (days < 0) ctx.addIssue({ code: "custom", path: ["from"], message: "from must not be after to" });
    if (days > MAX_CURVE_DAYS) ctx.addIssue({ code: "custom", path: ["from"], message: `the window may span at most ${MAX_CURVE_DAYS} days` });
  }
});
export type EquityCurveQuery = z.infer<typeof equityCurveQuery>;

// parseQuery lives with the other HTTP helpers; re-exported for the api function.
export { parseQuery } from "../http.ts";

export const QUERY_PARAMS = {
  openPositions: ["exchange", "symbol"],
  tradeHistory: ["period", "from", "to", "symbol", "exchange", "exit_type", "limit", "cursor"],
  metrics: ["period", "exchange"],
  snapshot: ["exchange"],
  equityCurve: ["period", "from", "to", "exchange"],
  none: [],
} as const;

export type { Exchange };
