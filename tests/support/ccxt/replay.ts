/**
 * Replay recorded exchange responses through the real ccxt code path with msw.
 *
 *   const server = startReplayServer();            // once per test file (afterAll: server.close())
 *   const { result, requests } = await replayCase(server, "gate", "fetchMyTrades", "Spot trade");
 *
 * Fixtures: ccxt's static response tests in `../shared/fixtures/ccxt/<ex>.json` (relative to the
 * project root) and our hand-written bodies (from the exchanges' API docs, `"source":
 * "handwritten"`) in `tests/fixtures/exchanges/<ex>.json`, same structure plus `url`.
 * Exchange names here are ccxt's (`gate`); `createExchangeClient` takes ours (`gateio`).
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { http, HttpResponse, type HttpHandler } from "msw";
import { setupServer } from "msw/node";

export type ReplayServer = ReturnType<typeof setupServer>;
import type { Exchange } from "ccxt";
import { createExchangeClient, type CreateClientOptions } from "../../../functions/_shared/exchanges/client.ts";
import type { ExchangeId } from "../../../functions/_shared/domain/types.ts";

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const CCXT_FIXTURES_DIR = path.resolve(PROJECT_ROOT, "../shared/fixtures/ccxt");
export const OWN_FIXTURES_DIR = path.resolve(PROJECT_ROOT, "tests/fixtures/exchanges");

export type FixtureExchange = "binance" | "bitget" | "gate" | "mexc";
export const FIXTURE_EXCHANGES: FixtureExchange[] = ["binance", "bitget", "gate", "mexc"];
export const OUR_ID: Record<FixtureExchange, ExchangeId> = { binance: "binance", bitget: "bitget", gate: "gateio", mexc: "mexc" };

export interface FixtureCase {
  description: string;
  method: string;
  input: unknown[];
  httpResponse: unknown;
  parsedResponse?: unknown;
  /** "handwritten" for our own bodies. */
  source?: string;
  /** Handwritten cases: the URL (host + path) ccxt calls. */
  url?: string;
  /** Handwritten cases: where the body comes from. */
  reference?: string;
  /** Handwritten: several endpoints for one call (url → body). */
  responses?: Record<string, unknown>;
}

export interface FixtureFile {
  exchange: string;
  options?: Record<string, unknown>;
  methods: Record<string, FixtureCase[]>;
}

const cache = new Map<string, FixtureFile>();
function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, "utf8")) as T;
}

/** ccxt's recorded file merged with our hand-written one (ours tagged source: "handwritten"). */
export function loadFixture(ex: FixtureExchange): FixtureFile {
  const hit = cache.get(ex);
  if (hit) return hit;
  const base = readJson<FixtureFile>(path.join(CCXT_FIXTURES_DIR, `${ex}.json`));
  const merged: FixtureFile = { ...base, methods: Object.fromEntries(Object.entries(base.methods).map(([k, v]) => [k, [...v]])) };
  const ownFile = path.join(OWN_FIXTURES_DIR, `${ex}.json`);
  if (fs.existsSync(ownFile)) {
    const own = readJson<FixtureFile>(ownFile);
    for (const [m, cases] of Object.entries(own.methods)) {
      merged.methods[m] = [...(merged.methods[m] ?? []), ...cases.map((c) => ({ ...c, source: c.source ?? "handwritten" }))];
    }
  }
  cache.set(ex, merged);
  return merged;
}

export function loadMarkets(ex: FixtureExchange): Record<string, unknown> {
  return readJson(path.join(CCXT_FIXTURES_DIR, "markets", `${ex}.json`));
}

export function getCase(ex: FixtureExchange, method: string, description: string): FixtureCase {
  const c = loadFixture(ex).methods[method]?.find((x) => x.description === description);
  if (!c) throw new Error(`no fixture ${ex} ${method} "${description}"`);
  return c;
}

export function allCases(ex: FixtureExchange, methods?: string[]): FixtureCase[] {
  const f = loadFixture(ex);
  return Object.entries(f.methods)
    .filter(([m]) => !methods || methods.includes(m))
    .flatMap(([, cs]) => cs);
}

/** host + path each recorded ccxt case calls (ccxt 4.5.84, account modes pinned). */
export const CASE_URLS: Record<FixtureExchange, Record<string, string>> = {
  binance: {
    "rolling tickers": "https://api.binance.com/api/v3/ticker",
    "Fetch spot closed order": "https://api.binance.com/api/v3/order",
    "Fetch spot open orders": "https://api.binance.com/api/v3/openOrders",
    "open portfolio margin orders": "https://papi.binance.com/papi/v1/um/openOrders",
    "Fetch linear positions without symbols": "https://fapi.binance.com/fapi/v3/positionRisk",
    "Fetch linear positions with symbols": "https://fapi.binance.com/fapi/v3/positionRisk",
    "Fetch linear positions using account endnpoint": "https://fapi.binance.com/fapi/v3/account",
    "inverse positions": "https://dapi.binance.com/dapi/v1/positionRisk",
    "Spot private trade": "https://api.binance.com/api/v3/myTrades",
    "Swap private trade": "https://fapi.binance.com/fapi/v1/userTrades",
    "spot porfolioMargin private trade": "https://papi.binance.com/papi/v1/margin/myTrades",
    "Spot balance": "https://api.binance.com/api/v3/account",
    "Linear swap balance": "https://fapi.binance.com/fapi/v3/account",
    "fetch papi balance": "https://papi.binance.com/papi/v1/balance",
    "fetch linear papi balance": "https://papi.binance.com/papi/v1/balance",
    "fetch portfolio margin orders": "https://papi.binance.com/papi/v1/um/allOrders",
    "fetch spot orders": "https://api.binance.com/api/v3/allOrders",
    "public spot ticker": "https://api.binance.com/api/v3/ticker/24hr",
    fetchWithdrawals: "https://api.binance.com/sapi/v1/capital/withdraw/history",
    fetchDeposits: "https://api.binance.com/sapi/v1/capital/deposit/hisrec",
  },
  bitget: {
    "Spot trade": "https://api.bitget.com/api/v2/spot/trade/fills",
    "swap trade": "https://api.bitget.com/api/v2/mix/order/fills",
    "uta swap fetchMyTrades": "https://api.bitget.com/api/v3/trade/fills",
    "Swap closed order reduced only": "https://api.bitget.com/api/v2/mix/order/orders-history",
    "Spot closed order": "https://api.bitget.com/api/v2/spot/trade/history-orders",
    "open spot orders": "https://api.bitget.com/api/v2/spot/trade/unfilled-orders",
    "uta swap fetchOpenOrders": "https://api.bitget.com/api/v3/trade/unfilled-orders",
    "spot cross": "https://api.bitget.com/api/v2/margin/crossed/account/assets",
    "spot balance": "https://api.bitget.com/api/v2/spot/account/assets",
    "Fetch the uta balance": "https://api.bitget.com/api/v3/account/assets",
    "Linear position": "https://api.bitget.com/api/v2/mix/position/all-position",
    "fetchPositions uta": "https://api.bitget.com/api/v3/position/current-position",
    "swap market buy": "https://api.bitget.com/api/v2/mix/order/detail",
    "Swap market sell": "https://api.bitget.com/api/v2/mix/order/detail",
    "swap reduceOnly sell order": "https://api.bitget.com/api/v2/mix/order/detail",
    "fetch spot order": "https://api.bitget.com/api/v2/spot/trade/orderInfo",
    "uta swap fetchOrder": "https://api.bitget.com/api/v3/trade/order-info",
    "public spot ticker": "https://api.bitget.com/api/v2/spot/market/tickers",
    "uta swap ticker": "https://api.bitget.com/api/v3/market/tickers",
    "uta fetchTickers for one spot symbol": "https://api.bitget.com/api/v3/market/tickers",
    "uta fetchTickers for one swap symbol": "https://api.bitget.com/api/v3/market/tickers",
  },
  gate: {
    "Fetch positions": "https://api.gateio.ws/api/v4/futures/usdt/positions",
    "Spot trade": "https://api.gateio.ws/api/v4/spot/my_trades",
    "Swap trade": "https://api.gateio.ws/api/v4/futures/USDT/my_trades_timerange",
    "spot closed orders": "https://api.gateio.ws/api/v4/spot/orders",
    "closed swap orders": "https://api.gateio.ws/api/v4/futures/USDT/orders",
    "public spot ticker": "https://api.gateio.ws/api/v4/spot/tickers",
  },
  mexc: {
    "user trade": "https://api.mexc.com/api/v3/myTrades",
    "fetch orders": "https://api.mexc.com/api/v3/allOrders",
    "public spot ticker": "https://api.mexc.com/api/v3/ticker/24hr",
  },
};

/** The URLs (→ bodies) a case is served at. */
export function caseResponses(ex: FixtureExchange, c: FixtureCase): Record<string, unknown> {
  if (c.responses) return c.responses;
  const url = c.url ?? CASE_URLS[ex][c.description];
  if (!url) throw new Error(`no URL known for ${ex} "${c.description}"`);
  return { [url]: c.httpResponse };
}

/** A JSON value as msw response; strings (raw JSON text as ccxt recorded it) via text. */
export function bodyResponse(body: unknown, init?: ResponseInit): Response {
  return typeof body === "string" ? HttpResponse.text(body, init) : HttpResponse.json(body as never, init);
}

export interface RecordedRequest {
  method: string;
  url: URL;
}

/** msw handlers serving a case's bodies at their host + path; every request is recorded. */
export function caseHandlers(ex: FixtureExchange, c: FixtureCase, requests: RecordedRequest[] = []): HttpHandler[] {
  return Object.entries(caseResponses(ex, c)).map(([url, body]) =>
    http.all(url, ({ request }) => {
      requests.push({ method: request.method, url: new URL(request.url) });
      return bodyResponse(body);
    })
  );
}

/** msw server that fails any request no handler serves (nothing reaches a real exchange). */
export function startReplayServer(): ReplayServer {
  const server = setupServer();
  server.listen({ onUnhandledRequest: "error" });
  return server;
}

export interface ReplayClientOptions extends Partial<Omit<CreateClientOptions, "exchange">> {
  /** Extra ccxt options merged over the fixture file's `options`. */
  options?: Record<string, unknown>;
}

/** ccxt client with the fixture markets preloaded, rate limiter off, account modes pinned. */
export function replayClient(ex: FixtureExchange, o: ReplayClientOptions = {}): Exchange {
  return createExchangeClient({
    exchange: OUR_ID[ex],
    apiKey: o.apiKey ?? "test-key",
    secret: o.secret ?? "test-secret",
    password: o.password ?? "test-pass",
    markets: o.markets ?? loadMarkets(ex),
    enableRateLimit: o.enableRateLimit ?? false,
    accountMode: o.accountMode,
    options: { ...(loadFixture(ex).options ?? {}), ...(o.options ?? {}) },
  });
}

/** `input` of a case as call arguments (`null` = undefined). */
export function caseArgs(c: FixtureCase): unknown[] {
  return c.input.map((x) => (x === null ? undefined : x));
}

export interface ReplayResult<T = unknown> {
  client: Exchange;
  case: FixtureCase;
  result: T;
  requests: RecordedRequest[];
}

/** Serve one case, run its unified ccxt method with its recorded input, return what ccxt parsed. */
export async function replayCase<T = unknown>(
  server: ReplayServer,
  ex: FixtureExchange,
  method: string,
  description: string,
  o: ReplayClientOptions = {},
): Promise<ReplayResult<T>> {
  const c = getCase(ex, method, description);
  const requests: RecordedRequest[] = [];
  server.resetHandlers(...caseHandlers(ex, c, requests));
  const client = replayClient(ex, o);
  // deno-lint-ignore no-explicit-any
  const result = await (client as any)[c.method](...caseArgs(c));
  return { client, case: c, result: result as T, requests };
}
