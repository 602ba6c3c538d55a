/**
 * Daily klines served the way the exchanges' endpoints page them, for the candle worker's tests.
 * Binance `GET /api/v3/klines` rows: [open time, open, high, low, close, volume, close time,
 * quote volume, trades, taker buy base, taker buy quote, "0"] (the layout of the recorded case
 * "Spot OHLCV with since and limit" in ../shared/fixtures/ccxt/market/binance.json).
 *
 * The prices are SYNTHETIC (no daily klines for these symbols and days were recorded): what the
 * tests check is which days have a candle, paging and idempotence, not market values.
 */
import { http, HttpResponse, type HttpHandler } from "msw";

export const DAY_MS = 86_400_000;

export type BinanceKline = [number, string, string, string, string, string, number, string, number, string, string, string];

/** One kline per day in [from, to] (ISO dates), except `missing` days; closes from `close(i)`. */
export function binanceDailyKlines(from: string, to: string, close: (i: number) => string, missing: string[] = []): BinanceKline[] {
  const out: BinanceKline[] = [];
  const skip = new Set(missing.map((d) => Date.parse(`${d}T00:00:00Z`)));
  for (let t = Date.parse(`${from}T00:00:00Z`), i = 0; t <= Date.parse(`${to}T00:00:00Z`); t += DAY_MS, i++) {
    if (skip.has(t)) continue;
    const c = close(i);
    out.push([t, c, c, c, c, "1000.00000000", t + DAY_MS - 1, "0", 100, "500.00000000", "0", "0"]);
  }
  return out;
}

export interface KlineServer {
  /** Requests seen per exchange symbol id (e.g. LTCUSDT). */
  requests: Map<string, URLSearchParams[]>;
  handler: HttpHandler;
}

/**
 * msw handler for binance spot klines: rows with open time ≥ startTime (and ≤ endTime), at most
 * min(limit, pageCap) of them, as binance answers. `fail(symbolId, n)` returning a Response makes
 * the n-th request of a symbol fail with it.
 */
export function binanceKlineServer(series: Record<string, BinanceKline[]>, o: { pageCap?: number; fail?: (symbolId: string, n: number) => Response | undefined } = {}): KlineServer {
  const requests = new Map<string, URLSearchParams[]>();
  const handler = http.get("https://api.binance.com/api/v3/klines", ({ request }) => {
    const q = new URL(request.url).searchParams;
    const id = q.get("symbol") ?? "";
    const seen = requests.get(id) ?? [];
    seen.push(q);
    requests.set(id, seen);
    const failure = o.fail?.(id, seen.length);
    if (failure) return failure;
    const rows = series[id];
    if (!rows) return HttpResponse.json({ code: -1121, msg: "Invalid symbol." }, { status: 400 });
    const start = Number(q.get("startTime") ?? 0);
    const end = q.get("endTime") === null ? Infinity : Number(q.get("endTime"));
    const limit = Math.min(Number(q.get("limit") ?? 500), o.pageCap ?? 1000);
    return HttpResponse.json(rows.filter((r) => r[0] >= start && r[0] <= end).slice(0, limit));
  });
  return { requests, handler };
}
