/**
 * Synthetic exchange bodies for multi-window / multi-page and error tests: realistic raw rows
 * (the exchanges' field names and string amounts) and msw handlers that page through them with
 * the exchange's own parameter semantics, plus error responses per exchange.
 */
import { http, HttpResponse, type HttpHandler } from "msw";
import type { FixtureExchange } from "./replay.ts";
import { mulberry32 } from "../prng.ts";

/** Deterministic PRNG (mulberry32) so generated data is reproducible. */
export const seededRng: (seed: number) => () => number = mulberry32;

export interface BinanceTradeRow {
  symbol: string;
  id: number;
  orderId: number;
  orderListId: number;
  price: string;
  qty: string;
  quoteQty: string;
  commission: string;
  commissionAsset: string;
  time: number;
  isBuyer: boolean;
  isMaker: boolean;
  isBestMatch: boolean;
}

export interface GenOptions {
  symbolId?: string;
  count: number;
  start: number;
  end: number;
  firstId?: number;
  seed?: number;
  /** Every n-th row repeats the previous row's timestamp (bursts sharing one millisecond). */
  sameMsEvery?: number;
}

/** Binance spot `myTrades` rows, ascending id and time, amounts as 8-decimal strings. */
export function binanceMyTrades(o: GenOptions): BinanceTradeRow[] {
  const rng = seededRng(o.seed ?? 1);
  const rows: BinanceTradeRow[] = [];
  const step = (o.end - o.start) / o.count;
  let id = o.firstId ?? 300_000_000;
  for (let i = 0; i < o.count; i++) {
    const prevTime = rows[i - 1]?.time;
    const time = o.sameMsEvery && i > 0 && i % o.sameMsEvery !== 0 ? prevTime! : Math.floor(o.start + i * step + rng() * step * 0.5);
    const price = (60 + rng() * 20).toFixed(2);
    const qty = (Math.floor(rng() * 100000) / 1e5 + 0.00001).toFixed(5);
    const quote = (BigInt(Math.round(Number(price) * 100)) * BigInt(Math.round(Number(qty) * 1e5))).toString().padStart(8, "0");
    const quoteQty = `${quote.slice(0, -7) || "0"}.${quote.slice(-7)}`; // price(2dp) × qty(5dp), exact
    const isBuyer = rng() < 0.5;
    rows.push({
      symbol: o.symbolId ?? "LTCUSDT",
      id: id++,
      orderId: 3_700_000_000 + i,
      orderListId: -1,
      price: `${price}000000`,
      qty: `${qty}000`,
      quoteQty: `${quoteQty}0`,
      commission: "0.00000100",
      commissionAsset: rng() < 0.3 ? "BNB" : isBuyer ? "LTC" : "USDT",
      time,
      isBuyer,
      isMaker: rng() < 0.4,
      isBestMatch: true,
    });
  }
  return rows;
}

export interface RecordedCall {
  url: URL;
  params: Record<string, string>;
  /** Rows the mock answered with (handlers that count them). */
  rows?: number;
}

/**
 * GET api.binance.com/api/v3/myTrades over `rows` with Binance's semantics: `fromId` (ascending
 * from that id, no time params allowed with it), else `startTime`/`endTime` inclusive with at
 * most 24 h between them (-1127 otherwise), ascending, `limit` ≤ 1000.
 */
export function binanceMyTradesHandler(rows: BinanceTradeRow[], calls: RecordedCall[] = []): HttpHandler {
  return http.get("https://api.binance.com/api/v3/myTrades", ({ request }) => {
    const url = new URL(request.url);
    const p = Object.fromEntries(url.searchParams.entries());
    calls.push({ url, params: p });
    const limit = Math.min(Number(p.limit ?? 500), 1000);
    const symbolRows = rows.filter((r) => r.symbol === p.symbol);
    let out: BinanceTradeRow[];
    if (p.fromId !== undefined) {
      if (p.startTime !== undefined || p.endTime !== undefined) {
        return HttpResponse.json({ code: -1128, msg: "Combination of optional parameters invalid." }, { status: 400 });
      }
      out = symbolRows.filter((r) => r.id >= Number(p.fromId));
    } else {
      const s = p.startTime !== undefined ? Number(p.startTime) : -Infinity;
      const e = p.endTime !== undefined ? Number(p.endTime) : Infinity;
      if (e - s > 24 * 3600 * 1000) {
        return HttpResponse.json({ code: -1127, msg: "More than 24 hours between startTime and endTime." }, { status: 400 });
      }
      out = symbolRows.filter((r) => r.time >= s && r.time <= e);
    }
    return HttpResponse.json(out.slice(0, limit)); // ids and times are JSON numbers, as binance sends them
  });
}

export interface BitgetFillRow {
  userId: string;
  symbol: string;
  orderId: string;
  tradeId: string;
  orderType: string;
  side: string;
  priceAvg: string;
  size: string;
  amount: string;
  feeDetail: { deduction: string; feeCoin: string; totalDeductionFee: string; totalFee: string };
  tradeScope: string;
  cTime: string;
  uTime: string;
}

/** Bitget classic spot fills (ids as 19-digit strings, ascending with time). */
export function bitgetSpotFills(o: GenOptions): BitgetFillRow[] {
  return binanceMyTrades(o).map((r, i) => ({
    userId: "3704614084",
    symbol: o.symbolId ?? "LTCUSDT",
    orderId: String(1109431644367261698n + BigInt(i)),
    tradeId: String(1109431644504666114n + BigInt(i) * 7n),
    orderType: "limit",
    side: r.isBuyer ? "buy" : "sell",
    priceAvg: r.price,
    size: r.qty,
    amount: r.quoteQty,
    feeDetail: { deduction: "no", feeCoin: "USDT", totalDeductionFee: "", totalFee: "-0.000001" },
    tradeScope: r.isMaker ? "maker" : "taker",
    cTime: String(r.time),
    uTime: String(r.time),
  }));
}

/**
 * A bitget history endpoint over `rows`, as bitget pages it: startTime/endTime inclusive on
 * `cTime` (≤ 90 days), newest first by `idOf`, `idLessThan` cursor, limit ≤ 100. `symbolRequired`:
 * rows only for the request's `symbol` (no symbol → none); else a missing symbol means all.
 */
export function bitgetHistoryHandler<R extends { symbol: string; cTime: string }>(
  url: string, rows: R[], idOf: (r: R) => string, o: { calls?: RecordedCall[]; symbolRequired?: boolean } = {},
): HttpHandler {
  return http.get(url, ({ request }) => {
    const u = new URL(request.url);
    const p = Object.fromEntries(u.searchParams.entries());
    const call: RecordedCall = { url: u, params: p };
    o.calls?.push(call);
    const limit = Math.min(Number(p.limit ?? 100), 100);
    const s = p.startTime !== undefined ? Number(p.startTime) : -Infinity;
    const e = p.endTime !== undefined ? Number(p.endTime) : Infinity;
    if (e - s > 90 * 24 * 3600 * 1000) {
      return HttpResponse.json({ code: "40034", msg: "Parameter time range exceeds 90 days", requestTime: Date.now(), data: null }, { status: 400 });
    }
    const out = rows
      .filter((r) => (p.symbol === undefined ? !o.symbolRequired : r.symbol === p.symbol) && Number(r.cTime) >= s && Number(r.cTime) <= e)
      .filter((r) => p.idLessThan === undefined || BigInt(idOf(r)) < BigInt(p.idLessThan))
      .sort((a, b) => (BigInt(idOf(b)) > BigInt(idOf(a)) ? 1 : -1))
      .slice(0, limit);
    call.rows = out.length;
    return HttpResponse.json({ code: "00000", msg: "success", requestTime: String(Date.now()), data: out });
  });
}

/** GET api.bitget.com/api/v2/spot/trade/fills over `rows` (see bitgetHistoryHandler; a symbol is required). */
export function bitgetSpotFillsHandler(rows: BitgetFillRow[], calls: RecordedCall[] = []): HttpHandler {
  return bitgetHistoryHandler("https://api.bitget.com/api/v2/spot/trade/fills", rows, (r) => r.tradeId, { calls, symbolRequired: true });
}

// ---------------------------------------------------------------------------------------------
// Error responses
// ---------------------------------------------------------------------------------------------

export type ErrorCase =
  | "auth"
  | "mexc_10072"
  | "rate_limit"
  | "binance_418"
  | "binance_503_html"
  | "binance_1021"
  | "server_500"
  | "malformed_json"
  | "connection";

/** A response factory for an error body as the exchange sends it. */
export function errorResponse(ex: FixtureExchange, kind: ErrorCase, o: { retryAfterSec?: number } = {}): () => Response {
  const headers: Record<string, string> = {};
  if (o.retryAfterSec !== undefined) headers["Retry-After"] = String(o.retryAfterSec);
  const json = (body: unknown, status: number) => () => HttpResponse.json(body as never, { status, headers });
  switch (kind) {
    case "auth":
      if (ex === "binance") return json({ code: -2015, msg: "Invalid API-key, IP, or permissions for action." }, 401);
      if (ex === "bitget") return json({ code: "40006", msg: "Invalid ACCESS_KEY", requestTime: 1706600000000, data: null }, 400);
      if (ex === "gate") return json({ label: "INVALID_KEY", message: "Invalid key provided" }, 401);
      return json({ code: 700002, msg: "Signature for this request is not valid." }, 400);
    case "mexc_10072":
      return json({ code: 10072, msg: "Api key info invalid" }, 400);
    case "rate_limit":
      if (ex === "binance") {
        return json({ code: -1003, msg: "Too much request weight used; current limit is 6000 request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API." }, 429);
      }
      if (ex === "bitget") return json({ code: "429", msg: "Too Many Requests", requestTime: 1706600000000, data: null }, 429);
      if (ex === "gate") return json({ label: "TOO_MANY_REQUESTS", message: "Request Rate limit Exceeded (007)" }, 429);
      return json({ code: 429, msg: "Too Many Requests" }, 429);
    case "binance_418":
      return json({ code: -1003, msg: "Way too much request weight used; IP banned until 1706600600000. Please use WebSocket Streams for live updates to avoid bans." }, 418);
    case "binance_503_html":
      return () => new HttpResponse("<html><head><title>503 Service Temporarily Unavailable</title></head><body><center><h1>503 Service Temporarily Unavailable</h1></center></body></html>", { status: 503, headers: { "Content-Type": "text/html", ...headers } });
    case "binance_1021":
      return json({ code: -1021, msg: "Timestamp for this request is outside of the recvWindow." }, 400);
    case "server_500":
      return () => new HttpResponse("Internal Server Error", { status: 500, headers });
    case "malformed_json":
      return () => HttpResponse.text('[{"symbol":"LTCUSDT","id":"309520010","orderId":"3784695242","price":"69.63', { status: 200, headers: { "Content-Type": "application/json" } });
    case "connection":
      return () => HttpResponse.error();
  }
}
