/**
 * Path and query parameters of the `exchange` function, validated with zod. Every problem is a
 * 400 `invalid_request` (unknown exchange / route: 404 `not_found`) whose message names the
 * accepted values; unknown or repeated query parameters are refused (a typo must not silently
 * mean "no filter").
 */
import { z } from "zod";
import { resolveTradingExchange, TRADING_EXCHANGES, type ExchangeId } from "../domain/exchanges.ts";
import { HttpError, parseQuery } from "../http.ts";

export const LIVE_EXCHANGES = TRADING_EXCHANGES;

export const LIVE_ROUTES = [
  "account-info", "assets", "open-orders", "orders", "deposits", "withdrawals", "transfers", "fills", "tickers",
] as const;
export type LiveRoute = (typeof LIVE_ROUTES)[number];

/** Most rows one exchange page may return (orders and fills). */
export const MAX_LIMIT: Record<ExchangeId, number> = { binance: 1000, bitget: 100, gateio: 1000, mexc: 100 };
/** Most symbols one /tickers call may ask for. */
export const MAX_TICKER_SYMBOLS = 50;
const EARLIEST = Date.UTC(2010, 0, 1);

const list = (values: readonly string[]) => values.join(", ");

export function parseExchange(raw: string): ExchangeId {
  const id = resolveTradingExchange(raw); // ccxt's `gate` too
  if (!id) {
    throw new HttpError(404, "unknown_exchange", `Unknown exchange "${raw.slice(0, 40)}"; accepted values: ${list(LIVE_EXCHANGES)}.`, {
      accepted: LIVE_EXCHANGES,
    });
  }
  return id;
}

export function parseRoute(raw: string | undefined): LiveRoute {
  if (raw && (LIVE_ROUTES as readonly string[]).includes(raw)) return raw as LiveRoute;
  throw new HttpError(
    404,
    "not_found",
    `Unknown route${raw ? ` "${raw.slice(0, 40)}"` : ""}. Routes: GET /exchange/:exchange/{${list(LIVE_ROUTES)}}.`,
    { accepted: LIVE_ROUTES },
  );
}

/** ccxt unified symbol (BTC/USDT, BTC/USDT:USDT) or an exchange id (BTCUSDT, BTC_USDT); resolved against the markets later. */
const symbol = z.string().min(1).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9/:._-]*$/, "symbol must be a market symbol such as BTC/USDT or BTC/USDT:USDT");
const coin = z.string().min(1).max(20).regex(/^[A-Za-z0-9]+$/, "coin must be a currency code such as USDT").transform((s) => s.toUpperCase());

function limitFor(exchange: ExchangeId) {
  const max = MAX_LIMIT[exchange];
  return z.string().transform((s, ctx) => {
    const n = /^\d{1,7}$/.test(s) ? Number(s) : NaN;
    if (!Number.isInteger(n) || n < 1 || n > max) {
      ctx.addIssue({ code: "custom", message: `limit must be a whole number from 1 to ${max} on ${exchange} (got "${s.slice(0, 20)}")` });
      return z.NEVER;
    }
    return n;
  });
}

/** `since`: milliseconds since 1970 or an ISO-8601 date/time; between 2010 and now. */
function sinceAt(now: number) {
  return z.string().transform((s, ctx) => {
    let t = NaN;
    if (/^\d{10,14}$/.test(s)) t = Number(s);
    else if (/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(s)) t = Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s);
    if (!Number.isFinite(t) || t < EARLIEST || t > now + 60_000) {
      ctx.addIssue({
        code: "custom",
        message: `since must be a time between 2010-01-01 and now, as milliseconds since 1970 (e.g. 1735689600000) or ISO-8601 (e.g. 2025-01-01 or 2025-01-01T00:00:00Z) (got "${s.slice(0, 40)}")`,
      });
      return z.NEVER;
    }
    return t;
  });
}

const account = z.enum(["spot", "futures", "funding"], { error: (iss) => `unknown account "${String(iss.input)}"; accepted values: spot, futures, funding` });

export interface HistoryQuery { symbol?: string; since?: number; limit?: number }
export interface TransferQuery { coin?: string; since?: number; limit?: number; from: "spot" | "futures" | "funding"; to: "spot" | "futures" | "funding" }

export function querySchema(route: LiveRoute, exchange: ExchangeId, now: number): { schema: z.ZodType; accepted: readonly string[] } {
  const limit = limitFor(exchange).optional();
  const since = sinceAt(now).optional();
  switch (route) {
    case "account-info":
    case "assets":
      return { schema: z.object({}), accepted: [] };
    case "open-orders":
      return { schema: z.object({ symbol: symbol.optional() }), accepted: ["symbol"] };
    case "orders":
    case "fills":
      return { schema: z.object({ symbol: symbol.optional(), since, limit }), accepted: ["symbol", "since", "limit"] };
    case "deposits":
    case "withdrawals":
      return { schema: z.object({ coin: coin.optional(), since, limit }), accepted: ["coin", "since", "limit"] };
    case "transfers":
      return {
        schema: z.object({ coin: coin.optional(), since, limit, from: account.default("spot"), to: account.optional() })
          .transform((q) => ({ ...q, to: q.to ?? (q.from === "spot" ? "futures" : "spot") }))
          .superRefine((q, ctx) => {
            if (q.from === q.to) ctx.addIssue({ code: "custom", path: ["to"], message: "from and to must be different accounts" });
          }),
        accepted: ["coin", "since", "limit", "from", "to"],
      };
    case "tickers":
      return {
        schema: z.object({
          symbols: z.string({ error: "symbols is required: a comma-separated list such as BTC/USDT,ETH/USDT" }).transform((s, ctx) => {
            const parts = [...new Set(s.split(",").map((p) => p.trim()).filter(Boolean))];
            if (parts.length === 0 || parts.length > MAX_TICKER_SYMBOLS) {
              ctx.addIssue({ code: "custom", message: `symbols must list 1 to ${MAX_TICKER_SYMBOLS} symbols, comma-separated (e.g. BTC/USDT,ETH/USDT)` });
              return z.NEVER;
            }
            for (const p of parts) {
              if (!symbol.safeParse(p).success) {
                ctx.addIssue({ code: "custom", message: `"${p.slice(0, 40)}" is not a market symbol such as BTC/USDT` });
                return z.NEVER;
              }
            }
            return parts;
          }),
        }),
        accepted: ["symbols"],
      };
  }
}

/**
 * Parses the URL's query for `route`: repeated or unknown parameters and invalid values become a
 * 400 whose message lists every problem (`details: [{ param, message }]`).
 */
export function parseLiveQuery(url: URL, route: LiveRoute, exchange: ExchangeId, now: number): Record<string, unknown> {
  const { schema, accepted } = querySchema(route, exchange, now);
  return parseQuery(url, schema, accepted) as Record<string, unknown>;
}
