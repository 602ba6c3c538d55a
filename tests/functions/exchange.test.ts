/**
 * The `exchange` function (live exchange reads) in-process: the handler called under Node with
 * the exchanges mocked at HTTP by msw (recorded ccxt bodies where ccxt has them, hand-written
 * ones from the API docs otherwise: tests/unit/live/fixtures/handwritten.json and
 * tests/fixtures/exchanges/*.json), against the real local database (credentials stored
 * encrypted as the credentials function stores them). Every answer is checked against the zod
 * schemas of `functions/_shared/live/schemas.ts`; no answer and no log line may hold a secret.
 */
import { readFileSync } from "node:fs";
import { http, type HttpHandler } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { z } from "zod";
import { adminSql, closePools } from "../support/db.ts";
import { exportStackEnv, stackEnv } from "../support/env.ts";
import { supabaseAs } from "../support/http.ts";
import { createUser, signToken, type TestUser } from "../support/users.ts";
import { bodyResponse, getCase, loadMarkets, type FixtureExchange } from "../support/ccxt/replay.ts";
import { errorResponse } from "../support/ccxt/synthetic.ts";
import { encryptCredentialSecrets, loadCredentialCrypto } from "../../functions/_shared/crypto/mod.ts";
import { closeDb } from "../../functions/_shared/db.ts";
import { configureLive, liveDeps } from "../../functions/_shared/live/index.ts";
import * as S from "../../functions/_shared/live/schemas.ts";

const HW = JSON.parse(readFileSync(new URL("../unit/live/fixtures/handwritten.json", import.meta.url), "utf8"));
/** GET api/v3/ticker/24hr?symbols=[…]: ccxt's recorded BTCUSDT 24 h ticker + a hand-written ETHUSDT one. */
const BINANCE_24HR = () => [getCase("binance", "fetchTicker", "public spot ticker").httpResponse, HW.binance.ethTicker24hr.body];

// Distinctive secrets: none may ever appear in a response or a log line.
const KEYS = {
  binance: { apiKey: "EXbnKEY7q7cZ1x9Lr0aT4pW2mN8vK3jH5gF6dS1aQ0wE9rT8yU7iO6pL5kJ4hZZ", secretKey: "EXbnSECRETx1c2V3b4N5m6Q7w8E9r0T1y2U3i4O5p6A7s8D9f0G1h2J3k4L5z6", passphrase: null },
  bitget: { apiKey: "bg_exKEY0f1e2d3c4b5a69788796a5b4c3", secretKey: "bgEXsecret9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0", passphrase: "MyBitgetLivePassphrase77" },
  gateio: { apiKey: "gateEXkey0123456789abcdef01234567", secretKey: "gateEXsecret0123456789abcdef0123456789abcdef0123456789abcdef0123", passphrase: null },
  mexc: { apiKey: "mx0vEXkey0123456789ab", secretKey: "mexcEXsecret0123456789abcdef0123", passphrase: null },
} as const;
const ALL_SECRETS: string[] = Object.values(KEYS).flatMap((k): Array<string | null> => [k.apiKey, k.secretKey, k.passphrase]).filter((s): s is string => !!s);

const server = setupServer();
const logs: string[] = [];
/** Every request that reached an exchange (method + host + path + query). */
const seen: { method: string; url: URL }[] = [];
let handler: (req: Request) => Promise<Response>;
let alice: TestUser; // a key on all four exchanges
let bob: TestUser; // no key at all
let carol: TestUser; // a binance key the exchange will reject
let fakeNow = Date.now();

async function storeKey(user: TestUser, exchange: keyof typeof KEYS, permissions: Record<string, unknown> | null = null) {
  const { keyring } = await loadCredentialCrypto(process.env);
  const cols = await encryptCredentialSecrets(keyring, { userId: user.id, exchange }, KEYS[exchange]);
  const [row] = await adminSql()`
    insert into public.api_credentials (user_id, exchange, label, is_active, api_key_ct, secret_key_ct, passphrase_ct, kid,
                                        key_hint, permissions, verification_status)
    values (${user.id}, ${exchange}, ${"live " + exchange}, true, ${cols.api_key_ct}, ${cols.secret_key_ct}, ${cols.passphrase_ct},
            ${keyring.activeKid}, ${"••••" + KEYS[exchange].apiKey.slice(-4)}, ${permissions === null ? null : adminSql().json(permissions as never)},
            ${permissions === null ? "unverified" : "verified"})
    returning id`;
  return row.id as string;
}

beforeAll(async () => {
  exportStackEnv();
  server.listen({
    onUnhandledRequest: (req, print) => { if (new URL(req.url).hostname !== "127.0.0.1") print.error(); },
  });
  server.events.on("request:start", ({ request }) => {
    const url = new URL(request.url);
    if (url.hostname !== "127.0.0.1") seen.push({ method: request.method, url });
  });
  for (const level of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => { logs.push(args.map(String).join(" ")); });
  }
  handler = (await import("../../functions/exchange/handler.ts")).default;
  // Markets are public and cached per exchange for an hour: preload the recorded ones.
  for (const [ours, ccxtId] of [["binance", "binance"], ["bitget", "bitget"], ["gateio", "gate"], ["mexc", "mexc"]] as const) {
    liveDeps.markets.prime(ours, loadMarkets(ccxtId as FixtureExchange));
  }
  configureLive({ now: () => fakeNow, sleep: async () => {}, enableRateLimit: false });
  alice = await createUser("alice");
  bob = await createUser("bob");
  carol = await createUser("carol");
  await storeKey(alice, "binance", { read: true, spotTrade: true, futuresTrade: false, withdraw: false, ipRestricted: true });
  await storeKey(alice, "bitget", { read: true, spotTrade: true, futuresTrade: false, withdraw: false, ipRestricted: true });
  await storeKey(alice, "gateio");
  await storeKey(alice, "mexc");
  await storeKey(carol, "binance", { read: true, spotTrade: false, futuresTrade: false, withdraw: false, ipRestricted: false });
});
beforeEach(() => {
  seen.length = 0;
  liveDeps.prices.clear();
});
afterEach(() => server.resetHandlers());
afterAll(async () => {
  server.close();
  for (const line of logs) for (const s of ALL_SECRETS) expect(line, "a log line contains a secret").not.toContain(s);
  vi.restoreAllMocks();
  await closeDb();
  await closePools();
});

async function call(user: TestUser | null, path: string, method = "GET") {
  const headers: Record<string, string> = {};
  if (user) headers.authorization = `Bearer ${user.token}`;
  const res = await handler(new Request(`http://localhost/functions/v1/exchange${path}`, { method, headers }));
  const text = await res.text();
  for (const s of ALL_SECRETS) expect(text, "a response contains a secret").not.toContain(s);
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

/** GET / POST handler serving a JSON (or raw text) body at host + path. */
function serve(method: "GET" | "POST", url: string, body: unknown): HttpHandler {
  return (method === "GET" ? http.get : http.post)(url, () => bodyResponse(body));
}
const recorded = (ex: FixtureExchange, method: string, description: string) => getCase(ex, method, description).httpResponse;
const requestsTo = (path: string) => seen.filter((r) => r.url.pathname === path);

function parsed<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const r = schema.safeParse(body);
  if (!r.success) throw new Error(`response does not match the schema: ${JSON.stringify(r.error.issues.slice(0, 5))}\n${JSON.stringify(body).slice(0, 800)}`);
  return r.data;
}

// ──────────────────────────────────────────────────────────────────────────────────────────
describe("binance", () => {
  it("account-info → NormalizedAccountInfo with the exchange's flags and exact balances", async () => {
    server.use(serve("GET", "https://api.binance.com/api/v3/account", recorded("binance", "fetchBalance", "Spot balance")));
    const r = await call(alice, "/binance/account-info");
    expect(r.status).toBe(200);
    const info = parsed(S.NormalizedAccountInfo, r.body);
    expect(info).toMatchObject({
      exchange: "binance", makerCommission: 10, takerCommission: 10, commissionRates: { maker: "0.001", taker: "0.001" },
      canTrade: true, canWithdraw: true, canDeposit: true, accountType: "SPOT", permissions: ["SPOT"],
      flagsSource: "exchange_account", updateTime: 1701856395927,
    });
    expect(info.balances).toEqual([
      { asset: "LTC", free: "0.919741", locked: "0", total: "0.919741" },
      { asset: "ETH", free: "0.02229833", locked: "0", total: "0.02229833" },
    ]);
    expect(info.keyPermissions).toMatchObject({ read: true, withdraw: false });
  });

  it("assets → NormalizedUserAsset[] with freeze/withdrawing and exact USD values from tickers", async () => {
    server.use(
      serve("POST", "https://api.binance.com/sapi/v3/asset/getUserAsset", HW.binance.userAssets.body),
      serve("GET", "https://api.binance.com/api/v3/ticker/24hr", BINANCE_24HR()),
    );
    const r = await call(alice, "/binance/assets");
    expect(r.status).toBe(200);
    const body = parsed(S.AssetsResponse, r.body);
    expect(body.assets).toEqual([
      { asset: "ETH", free: "0.4", locked: "0", freeze: "0.1", withdrawing: "0", total: "0.5", exchange: "binance", usdValue: "1910.03", pricePerUnit: "3820.06", priceSymbol: "ETH/USDT" },
      { asset: "USDT", free: "125.5", locked: "0", freeze: "0", withdrawing: "10", total: "135.5", exchange: "binance", usdValue: "135.5", pricePerUnit: "1", priceSymbol: null },
      { asset: "BTC", free: "0.001", locked: "0.0005", freeze: "0", withdrawing: "0", total: "0.0015", exchange: "binance", usdValue: "110.05476", pricePerUnit: "73369.84", priceSymbol: "BTC/USDT" },
      { asset: "SHIBX", free: "42", locked: "0", freeze: "0", withdrawing: "0", total: "42", exchange: "binance", usdValue: null, pricePerUnit: null, priceSymbol: null },
    ]);
    expect(body.total_usd_value).toBe("2155.58476");
    expect(body.unpriced).toEqual(["SHIBX"]);
    expect(body.prices_error).toBeNull();
    const tick = requestsTo("/api/v3/ticker/24hr");
    expect(tick).toHaveLength(1);
    expect(JSON.parse(tick[0].url.searchParams.get("symbols")!)).toEqual(["BTCUSDT", "ETHUSDT"]);
  });

  it("the price cache: a second call within 30 s makes no ticker request; after 30 s it does", async () => {
    server.use(
      serve("POST", "https://api.binance.com/sapi/v3/asset/getUserAsset", HW.binance.userAssets.body),
      serve("GET", "https://api.binance.com/api/v3/ticker/24hr", BINANCE_24HR()),
    );
    const first = await call(alice, "/binance/assets");
    expect(first.status).toBe(200);
    expect(requestsTo("/api/v3/ticker/24hr")).toHaveLength(1);
    fakeNow += 29_000;
    const second = await call(alice, "/binance/assets");
    expect(second.body.assets).toEqual(first.body.assets);
    expect(requestsTo("/api/v3/ticker/24hr")).toHaveLength(1); // served from the cache
    expect(requestsTo("/sapi/v3/asset/getUserAsset")).toHaveLength(2); // balances are always live
    // the tickers route shares the cache
    const cachedTicker = await call(alice, "/binance/tickers?symbols=BTC/USDT");
    expect(cachedTicker.body.tickers).toEqual([{ symbol: "BTC/USDT", price: "73369.84", as_of: expect.any(String), cached: true }]);
    expect(requestsTo("/api/v3/ticker/24hr")).toHaveLength(1);
    fakeNow += 1_001; // 30.001 s after the prices were fetched
    const third = await call(alice, "/binance/assets");
    expect(third.status).toBe(200);
    expect(requestsTo("/api/v3/ticker/24hr")).toHaveLength(2);
  });

  it("open-orders → Order[]", async () => {
    server.use(serve("GET", "https://api.binance.com/api/v3/openOrders", recorded("binance", "fetchOpenOrders", "Fetch spot open orders")));
    const r = await call(alice, "/binance/open-orders?symbol=LTC/USDT");
    expect(r.status).toBe(200);
    const body = parsed(S.OrdersResponse, r.body);
    expect(body.orders).toHaveLength(1);
    expect(body.orders[0]).toMatchObject({
      exchange: "binance", marketType: "spot", orderId: "3811057334", clientOrderId: "x-R4BD3S82102a551f8c1642bba06728",
      symbol: "LTC/USDT", side: "buy", price: "50", origQty: "0.2", executedQty: "0", status: "NEW", time: 1699380855570, avgPrice: null,
    });
    expect(requestsTo("/api/v3/openOrders")[0].url.searchParams.get("symbol")).toBe("LTCUSDT");
    // without a symbol: all open orders (binance allows it)
    const all = await call(alice, "/binance/open-orders");
    expect(all.status).toBe(200);
    expect(requestsTo("/api/v3/openOrders")[1].url.searchParams.get("symbol")).toBeNull();
  });

  it("orders (history) → Order[], symbol/since/limit passed on; symbol required", async () => {
    server.use(serve("GET", "https://api.binance.com/api/v3/allOrders", recorded("binance", "fetchOrders", "fetch spot orders")));
    const r = await call(alice, "/binance/orders?symbol=LTCUSDT&since=2023-12-01&limit=5");
    expect(r.status).toBe(200);
    const body = parsed(S.OrdersResponse, r.body);
    expect(body.orders).toEqual([expect.objectContaining({
      orderId: "3854801792", symbol: "LTC/USDT", side: "buy", type: "limit", price: "50", origQty: "0.1", executedQty: "0",
      status: "CANCELED", time: 1701856395927, updateTime: null,
    })]);
    const q = requestsTo("/api/v3/allOrders")[0].url.searchParams;
    expect([q.get("symbol"), q.get("startTime"), q.get("limit")]).toEqual(["LTCUSDT", String(Date.UTC(2023, 11, 1)), "5"]);
    const missing = await call(alice, "/binance/orders");
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/needs a symbol/);
  });

  it("fills → TradeFill[] (spec TradeHistory)", async () => {
    server.use(serve("GET", "https://api.binance.com/api/v3/myTrades", recorded("binance", "fetchMyTrades", "Spot private trade")));
    const r = await call(alice, "/binance/fills?symbol=LTC/USDT&limit=1");
    expect(r.status).toBe(200);
    const body = parsed(S.FillsResponse, r.body);
    expect(body.fills).toEqual([{
      exchange: "binance", marketType: "spot", tradeId: "309520010", orderId: "3784695242", symbol: "LTC/USDT", side: "sell",
      price: "69.63", size: "0.2", amount: "13.926", feeDetail: { feeCoin: "USDT", totalFee: "0.013926" },
      fees: [{ currency: "USDT", amount: "0.013926" }], takerOrMaker: "taker", realizedPnl: null, isLiquidation: false, cTime: "1698138992358",
    }]);
  });

  it("deposits → NormalizedDeposit[]; withdrawals → NormalizedWithdrawal[] with fee", async () => {
    server.use(
      serve("GET", "https://api.binance.com/sapi/v1/capital/deposit/hisrec", recorded("binance", "fetchDeposits", "fetchDeposits")),
      serve("GET", "https://api.binance.com/sapi/v1/capital/withdraw/history", recorded("binance", "fetchWithdrawals", "fetchWithdrawals")),
    );
    const d = await call(alice, "/binance/deposits");
    expect(d.status).toBe(200);
    const deposits = parsed(S.DepositsResponse, d.body).deposits;
    expect(deposits).toEqual([{
      id: "4534543435", amount: "10", coin: "USDT", network: expect.stringMatching(/^(TRX|TRC20)$/), status: "success",
      address: "534j5h435j34hk", txId: "435kl435jh4354j3k5", timestamp: 1714923704000, exchange: "binance",
    }]);
    const w = await call(alice, "/binance/withdrawals?coin=usdt");
    expect(w.status).toBe(200);
    const withdrawals = parsed(S.WithdrawalsResponse, w.body).withdrawals;
    expect(withdrawals).toEqual([{
      id: "54c1b7543534543fsdfsdf6", amount: "9", coin: "USDT", network: expect.stringMatching(/^(TRX|TRC20)$/), status: "success",
      address: "TKRxCKea88FDKDSJFSDKJ43243K", txId: "FDSJHFKDSHFJ4KR5H4KJH3454JHK", timestamp: Date.UTC(2024, 4, 5, 15, 38, 56),
      exchange: "binance", fee: "1", feeCoin: "USDT",
    }]);
    expect(requestsTo("/sapi/v1/capital/withdraw/history")[0].url.searchParams.get("coin")).toBe("USDT");
  });

  it("transfers → NormalizedTransfer[] (universal transfer history, spot → futures by default)", async () => {
    server.use(serve("GET", "https://api.binance.com/sapi/v1/asset/transfer", HW.binance.transfers.body));
    const r = await call(alice, "/binance/transfers");
    expect(r.status).toBe(200);
    const body = parsed(S.TransfersResponse, r.body);
    expect(body.transfers.map(({ id, coin, amount, status, timestamp }) => ({ id, coin, amount, status, timestamp }))).toEqual([
      { id: "11415955597", coin: "USDT", amount: "0.00000001", status: "success", timestamp: 1700003600000 },
      { id: "11415955596", coin: "USDT", amount: "100.5", status: "success", timestamp: 1700000000000 },
    ]);
    expect(requestsTo("/sapi/v1/asset/transfer")[0].url.searchParams.get("type")).toBe("MAIN_UMFUTURE");
    await call(alice, "/binance/transfers?from=futures");
    expect(requestsTo("/sapi/v1/asset/transfer")[1].url.searchParams.get("type")).toBe("UMFUTURE_MAIN");
  });

  it("tickers → exact last prices; unknown symbols listed; no key needed", async () => {
    server.use(serve("GET", "https://api.binance.com/api/v3/ticker/24hr", BINANCE_24HR()));
    const r = await call(bob, "/binance/tickers?symbols=BTC/USDT,ETHUSDT,NOPE/USDT");
    expect(r.status).toBe(200);
    const body = parsed(S.TickersResponse, r.body);
    expect(body.tickers).toEqual([
      { symbol: "BTC/USDT", price: "73369.84", as_of: new Date(1710328245391).toISOString(), cached: false },
      { symbol: "ETH/USDT", price: "3820.06", as_of: new Date(1710328245391).toISOString(), cached: false },
    ]);
    expect(body.unknown).toEqual(["NOPE/USDT"]);
    expect(seen.every((s) => !s.url.searchParams.has("signature"))).toBe(true);
  });
});

// ──────────────────────────────────────────────────────────────────────────────────────────
describe("bitget", () => {
  it("account-info → balances from spot assets, flags from the key's permissions", async () => {
    server.use(serve("GET", "https://api.bitget.com/api/v2/spot/account/assets", recorded("bitget", "fetchBalance", "spot balance")));
    const r = await call(alice, "/bitget/account-info");
    expect(r.status).toBe(200);
    const info = parsed(S.NormalizedAccountInfo, r.body);
    expect(info).toMatchObject({
      exchange: "bitget", makerCommission: null, takerCommission: null, canTrade: true, canWithdraw: false, canDeposit: null,
      accountType: "SPOT", permissions: ["READ", "SPOT"], flagsSource: "key_permissions", updateTime: null,
    });
    expect(info.balances).toEqual([
      { asset: "BGB", free: "1.15", locked: "0", total: "1.15" },
      { asset: "USDT", free: "17.85159289", locked: "5.5", total: "23.35159289" },
      { asset: "LTC", free: "0.2232616", locked: "0", total: "0.2232616" },
      { asset: "TRX", free: "154.8660789", locked: "0", total: "154.8660789" },
      { asset: "FON", free: "2.997", locked: "0", total: "2.997" },
    ]);
  });

  it("assets → frozen kept as freeze; USD values for priced assets; the rest unpriced", async () => {
    server.use(
      serve("GET", "https://api.bitget.com/api/v2/spot/account/assets", recorded("bitget", "fetchBalance", "spot balance")),
      serve("GET", "https://api.bitget.com/api/v2/spot/market/tickers", HW.bitget.ltcTicker.body),
    );
    const r = await call(alice, "/bitget/assets");
    expect(r.status).toBe(200);
    const body = parsed(S.AssetsResponse, r.body);
    expect(body.assets.slice(0, 2)).toEqual([
      { asset: "USDT", free: "17.85159289", locked: "0", freeze: "5.5", withdrawing: "0", total: "23.35159289", exchange: "bitget", usdValue: "23.35159289", pricePerUnit: "1", priceSymbol: null },
      { asset: "LTC", free: "0.2232616", locked: "0", freeze: "0", withdrawing: "0", total: "0.2232616", exchange: "bitget", usdValue: "16.15297676", pricePerUnit: "72.35", priceSymbol: "LTC/USDT" },
    ]);
    expect(body.assets.slice(2).map((a) => [a.asset, a.usdValue])).toEqual([["BGB", null], ["FON", null], ["TRX", null]]);
    expect(body.total_usd_value).toBe("39.50456965");
    expect(body.unpriced.sort()).toEqual(["BGB", "FON", "TRX"]);
    expect(requestsTo("/api/v2/spot/market/tickers")).toHaveLength(1);
  });

  it("open-orders → Order[] (no symbol needed)", async () => {
    const c = getCase("bitget", "fetchOpenOrders", "open spot orders");
    server.use(serve("GET", "https://api.bitget.com/api/v2/spot/trade/unfilled-orders", c.httpResponse));
    const r = await call(alice, "/bitget/open-orders");
    expect(r.status).toBe(200);
    const body = parsed(S.OrdersResponse, r.body);
    expect(body.orders).toEqual([{
      exchange: "bitget", marketType: "spot", orderId: "1136353550487961603", clientOrderId: "a0fa8867-b90c-4c1c-ab32-45469dcdb53d",
      symbol: "LTC/USDT", side: "buy", type: "limit", price: "50", origQty: "0.11", executedQty: "0", origQuoteQty: null,
      cummulativeQuoteQty: "0", avgPrice: null, stopPrice: null, takeProfitPrice: null, stopLossPrice: null, reduceOnly: null,
      status: "NEW", time: 1706653719541, updateTime: null,
    }]);
  });

  it("orders (history) → finished orders, symbol optional", async () => {
    const c = getCase("bitget", "fetchClosedOrders", "Spot closed order");
    server.use(serve("GET", "https://api.bitget.com/api/v2/spot/trade/history-orders", c.httpResponse));
    const r = await call(alice, "/bitget/orders?symbol=LTC/USDT&limit=100");
    expect(r.status).toBe(200);
    const body = parsed(S.OrdersResponse, r.body);
    // a market buy sized in quote (5.5 USDT): origQty is the executed base amount
    expect(body.orders).toEqual([expect.objectContaining({
      orderId: "1109431644367261698", clientOrderId: "b7381448-70ba-423f-96ad-4e836d01f668", symbol: "LTC/USDT", side: "buy", type: "market",
      price: null, origQty: "0.0794", executedQty: "0.0794", origQuoteQty: "5.5", cummulativeQuoteQty: "5.499641", avgPrice: "69.265",
      status: "FILLED", time: 1700235036937,
    })]);
    expect(requestsTo("/api/v2/spot/trade/history-orders")[0].url.searchParams.get("symbol")).toBe("LTCUSDT");
    const over = await call(alice, "/bitget/orders?limit=101");
    expect(over.status).toBe(400);
    expect(over.body.error.message).toMatch(/limit must be a whole number from 1 to 100 on bitget/);
  });

  it("fills → TradeFill[], fee positive when paid", async () => {
    const c = getCase("bitget", "fetchMyTrades", "Spot trade");
    server.use(serve("GET", "https://api.bitget.com/api/v2/spot/trade/fills", c.httpResponse));
    const r = await call(alice, "/bitget/fills?symbol=LTC/USDT");
    expect(r.status).toBe(200);
    const body = parsed(S.FillsResponse, r.body);
    // bitget's totalFee "-0.0000794" (negative = paid) is a positive fee here
    expect(body.fills).toEqual([{
      exchange: "bitget", marketType: "spot", tradeId: "1109431644504666114", orderId: "1109431644367261698", symbol: "LTC/USDT",
      side: "buy", price: "69.265", size: "0.0794", amount: "5.499641", feeDetail: { feeCoin: "LTC", totalFee: "0.0000794" },
      fees: [{ currency: "LTC", amount: "0.0000794" }], takerOrMaker: "taker", realizedPnl: null, isLiquidation: false, cTime: "1700235036970",
    }]);
    expect((await call(alice, "/bitget/fills")).status).toBe(400); // bitget needs a symbol
  });

  it("deposits and withdrawals (hand-written bodies from the API docs)", async () => {
    const dep = getCase("bitget", "fetchDeposits", "spot wallet deposit records");
    const wd = getCase("bitget", "fetchWithdrawals", "spot wallet withdrawal records");
    server.use(serve("GET", dep.url!, dep.httpResponse), serve("GET", wd.url!, wd.httpResponse));
    // bitget answers the last 90 days unless told otherwise: ask from January 2024
    const d = parsed(S.DepositsResponse, (await call(alice, "/bitget/deposits?since=1706000000000")).body);
    expect(d.deposits).toEqual([{
      id: "1131289452385005568", amount: "150.12345678", coin: "USDT", network: "TRC20", status: "success",
      address: "TJRyWwFs9wTFGZg3JbrVriFbNfCug5tDeC", txId: "4f2a9c7e1b3d5f7092a4c6e8f0a2b4c6d8e0f2a4b6c8d0e2f4a6b8c0d2e4f6a8",
      timestamp: 1706590000000, exchange: "bitget",
    }]);
    const w = parsed(S.WithdrawalsResponse, (await call(alice, "/bitget/withdrawals?since=1706000000000")).body);
    // bitget reports the fee negative ("-1.5"): a fee paid is positive here
    expect(w.withdrawals).toEqual([{
      id: "1131290000000000001", amount: "99.5", coin: "USDT", network: "ERC20", status: "success",
      address: "0x7d2a4b6c8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b", txId: "0x8e1f2a4b6c8d0e2f4a6b8c0d2e4f6a8b0c2d4e6f8a0b2c4d6e8f0a2b4c6d8e0f",
      timestamp: 1706595000000, exchange: "bitget", fee: "1.5", feeCoin: "USDT",
    }]);
  });

  it("transfers need a coin; with one → NormalizedTransfer[]", async () => {
    server.use(serve("GET", "https://api.bitget.com/api/v2/spot/account/transferRecords", HW.bitget.transfers.body));
    const noCoin = await call(alice, "/bitget/transfers");
    expect(noCoin.status).toBe(400);
    expect(noCoin.body.error.message).toMatch(/coin/);
    const r = await call(alice, "/bitget/transfers?coin=USDT");
    expect(r.status).toBe(200);
    const body = parsed(S.TransfersResponse, r.body);
    expect(body.transfers).toEqual([expect.objectContaining({ id: "1112112916581646336", coin: "USDT", amount: "250.12345678", status: "success", timestamp: 1700000000000 })]);
    const q = requestsTo("/api/v2/spot/account/transferRecords")[0].url.searchParams;
    expect([q.get("coin"), q.get("fromType")]).toEqual(["USDT", "spot"]);
  });

  it("tickers", async () => {
    server.use(serve("GET", "https://api.bitget.com/api/v2/spot/market/tickers", HW.bitget.ltcTicker.body));
    const r = await call(alice, "/bitget/tickers?symbols=LTC/USDT,BTC/USDT");
    expect(r.status).toBe(200);
    expect(parsed(S.TickersResponse, r.body).tickers.map((t) => [t.symbol, t.price])).toEqual([["LTC/USDT", "72.35"], ["BTC/USDT", "73369.13"]]);
  });
});

// ──────────────────────────────────────────────────────────────────────────────────────────
describe("gate and mexc", () => {
  it("gate account-info (unverified key: flags unknown) and assets", async () => {
    server.use(
      serve("GET", "https://api.gateio.ws/api/v4/spot/accounts", recorded("gate", "fetchBalance", "spot accounts")),
      serve("GET", "https://api.gateio.ws/api/v4/spot/tickers", HW.gate.ltcTicker.body),
    );
    const a = await call(alice, "/gateio/account-info");
    expect(a.status).toBe(200);
    const info = parsed(S.NormalizedAccountInfo, a.body);
    expect(info).toMatchObject({ exchange: "gateio", canTrade: null, canWithdraw: null, canDeposit: null, keyPermissions: null, permissions: [] });
    expect(info.balances).toEqual([
      { asset: "USDT", free: "1523.77331245", locked: "100.5", total: "1624.27331245" },
      { asset: "LTC", free: "0.0733", locked: "0", total: "0.0733" },
      { asset: "GT", free: "0.00000001", locked: "0", total: "0.00000001" },
    ]);
    const r = await call(alice, "/gate/assets"); // ccxt's spelling accepted too
    expect(r.status).toBe(200);
    const body = parsed(S.AssetsResponse, r.body);
    expect(body.assets.map((x) => [x.asset, x.total, x.pricePerUnit, x.usdValue])).toEqual([
      ["USDT", "1624.27331245", "1", "1624.27331245"],
      ["LTC", "0.0733", "84.12", "6.165996"],
      ["GT", "0.00000001", null, null],
    ]);
    expect(body.total_usd_value).toBe("1630.43930845");
  });

  it("mexc account-info and assets", async () => {
    const bal = getCase("mexc", "fetchBalance", "spot account");
    server.use(
      serve("GET", bal.url!, bal.httpResponse),
      serve("GET", "https://api.mexc.com/api/v3/ticker/24hr", HW.mexc.atlasTicker.body),
    );
    const a = await call(alice, "/mexc/account-info");
    expect(a.status).toBe(200);
    const info = parsed(S.NormalizedAccountInfo, a.body);
    expect(info).toMatchObject({
      exchange: "mexc", makerCommission: null, commissionRates: { maker: null, taker: null }, canTrade: true, canWithdraw: true,
      canDeposit: true, accountType: "SPOT", permissions: ["SPOT"], flagsSource: "exchange_account",
    });
    expect(info.balances).toEqual([
      { asset: "ATLAS", free: "1220.55", locked: "100", total: "1320.55" },
      { asset: "USDT", free: "0.0000001", locked: "0", total: "0.0000001" },
      { asset: "MX", free: "3.12345678", locked: "0.5", total: "3.62345678" },
    ]);
    const r = await call(alice, "/mexc/assets");
    expect(r.status).toBe(200);
    const body = parsed(S.AssetsResponse, r.body);
    expect(body.assets.map((x) => [x.asset, x.total, x.pricePerUnit, x.usdValue])).toEqual([
      ["ATLAS", "1320.55", "0.003125", "4.12671875"],
      ["USDT", "0.0000001", "1", "0.0000001"],
      ["MX", "3.62345678", null, null],
    ]);
    expect(body.total_usd_value).toBe("4.12671885");
    expect(requestsTo("/api/v3/ticker/24hr")[0].url.searchParams.get("symbol")).toBe("ATLASUSDT");
  });

  it("gate transfers → 501 with a clear message; mexc open orders need a symbol", async () => {
    const g = await call(alice, "/gateio/transfers");
    expect(g.status).toBe(501);
    expect(g.body.error.message).toMatch(/Gate does not offer/);
    const m = await call(alice, "/mexc/open-orders");
    expect(m.status).toBe(400);
    expect(m.body.error.message).toMatch(/MEXC needs a symbol/);
    expect(seen).toHaveLength(0);
  });
});

// ──────────────────────────────────────────────────────────────────────────────────────────
describe("exchange trouble → clear answers, never a 500", () => {
  it("the exchange rejects the key → 422 with the reason, and the credential is marked invalid", async () => {
    server.use(http.get("https://api.binance.com/api/v3/account", errorResponse("binance", "auth")));
    const r = await call(carol, "/binance/account-info");
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe("invalid_key");
    expect(r.body.error.message).toMatch(/Binance rejected this API key/);
    expect(r.body.error.details).toMatchObject({ exchange: "binance", verification_status: "invalid" });
    expect(r.body.error.details.exchange_reason).toMatch(/Invalid API-key/);
    const [row] = await adminSql()`select verification_status from public.api_credentials where user_id = ${carol.id} and exchange = 'binance'`;
    expect(row.verification_status).toBe("invalid");
    expect(requestsTo("/api/v3/account")).toHaveLength(1); // no retry on an auth error
  });

  it("mexc's 10072 (a BadRequest in ccxt) counts as a rejected key too", async () => {
    const bal = getCase("mexc", "fetchBalance", "spot account");
    server.use(http.get(bal.url!, errorResponse("mexc", "mexc_10072")));
    const r = await call(alice, "/mexc/account-info");
    expect(r.status).toBe(422);
    const [row] = await adminSql()`select verification_status from public.api_credentials where user_id = ${alice.id} and exchange = 'mexc'`;
    expect(row.verification_status).toBe("invalid");
  });

  it("rate limit → 429 with Retry-After", async () => {
    server.use(http.get("https://api.binance.com/api/v3/account", errorResponse("binance", "rate_limit", { retryAfterSec: 7 })));
    const r = await call(alice, "/binance/account-info");
    expect(r.status).toBe(429);
    expect(r.headers.get("retry-after")).toBe("7");
    expect(r.body.error).toMatchObject({ code: "rate_limited", details: { retry_after_seconds: 7 } });
    const g = await (async () => {
      server.use(http.get("https://api.gateio.ws/api/v4/spot/accounts", errorResponse("gate", "rate_limit")));
      return await call(alice, "/gateio/account-info");
    })();
    expect(g.status).toBe(429);
    expect(Number(g.headers.get("retry-after"))).toBeGreaterThan(0);
    // the public ticker route too, with the exchange's own Retry-After
    server.use(http.get("https://api.bitget.com/api/v2/spot/market/tickers", errorResponse("bitget", "rate_limit", { retryAfterSec: 9 })));
    const t = await call(alice, "/bitget/tickers?symbols=LTC/USDT");
    expect([t.status, t.headers.get("retry-after")]).toEqual([429, "9"]);
  });

  it("network failure → 503 (after one quick retry); exchange down (503 HTML) → 503", async () => {
    server.use(http.get("https://api.binance.com/api/v3/account", errorResponse("binance", "connection")));
    const r = await call(alice, "/binance/account-info");
    expect(r.status).toBe(503);
    expect(r.body.error.code).toBe("exchange_unavailable");
    expect(requestsTo("/api/v3/account")).toHaveLength(2);
    server.use(http.get("https://api.binance.com/api/v3/account", errorResponse("binance", "binance_503_html")));
    const down = await call(alice, "/binance/account-info");
    expect(down.status).toBe(503);
  });

  it("a garbage body → 502", async () => {
    server.use(http.get("https://api.binance.com/api/v3/account", errorResponse("binance", "malformed_json")));
    const r = await call(alice, "/binance/account-info");
    expect(r.status).toBe(502);
    expect(r.body.error.code).toBe("bad_exchange_response");
    server.use(http.get("https://api.bitget.com/api/v2/spot/trade/fills", () => bodyResponse('{"code":"00000","data":[{"tradeId":"1')));
    const b = await call(alice, "/bitget/fills?symbol=LTC/USDT");
    expect(b.status).toBe(502);
  });

  it("assets still answer when only the prices fail (prices_error, assets unpriced)", async () => {
    server.use(
      serve("POST", "https://api.binance.com/sapi/v3/asset/getUserAsset", HW.binance.userAssets.body),
      http.get("https://api.binance.com/api/v3/ticker/24hr", errorResponse("binance", "rate_limit", { retryAfterSec: 5 })),
    );
    const r = await call(alice, "/binance/assets");
    expect(r.status).toBe(200);
    const body = parsed(S.AssetsResponse, r.body);
    expect(body.prices_error).toMatch(/limiting requests/);
    expect(body.unpriced.sort()).toEqual(["BTC", "ETH", "SHIBX"]);
    expect(body.total_usd_value).toBe("135.5");
  });
});

// ──────────────────────────────────────────────────────────────────────────────────────────
describe("access and input", () => {
  it("no token, or a token whose subject is not a user id → 401", async () => {
    const r = await call(null, "/binance/assets");
    expect(r.status).toBe(401);
    const odd = await signToken({ ...alice.claims, sub: "1 or 1=1" });
    const res = await handler(new Request("http://localhost/functions/v1/exchange/binance/assets", { headers: { authorization: `Bearer ${odd}` } }));
    expect(res.status).toBe(401);
  });

  it("a user without a stored key → 404 telling them to add one; nothing sent to the exchange", async () => {
    const r = await call(bob, "/binance/account-info");
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe("no_credential");
    expect(r.body.error.message).toMatch(/no Binance API key stored.*POST \/credentials/);
    expect(seen).toHaveLength(0);
  });

  it("a second user cannot use the first user's credential: they get their own 404", async () => {
    for (const ex of ["binance", "bitget", "gateio", "mexc"]) {
      const r = await call(bob, `/${ex}/assets`);
      expect(r.status).toBe(404);
      expect(r.body.error.code).toBe("no_credential");
    }
    expect(seen).toHaveLength(0);
  });

  it("a deleted key → 404; a deactivated key → 409", async () => {
    const dave = await createUser("dave");
    const id = await storeKey(dave, "bitget");
    await adminSql()`update public.api_credentials set is_active = false where id = ${id}`;
    expect((await call(dave, "/bitget/assets")).status).toBe(409);
    await adminSql()`update public.api_credentials set api_key_ct = null, secret_key_ct = null, passphrase_ct = null, deleted_at = now() where id = ${id}`;
    expect((await call(dave, "/bitget/assets")).status).toBe(404);
  });

  it("unknown exchange or route → 404 naming the accepted values; bad query → 400; not GET → 405", async () => {
    const ex = await call(alice, "/kraken/assets");
    expect(ex.status).toBe(404);
    expect(ex.body.error.message).toMatch(/accepted values: binance, bitget, gateio, mexc/);
    const route = await call(alice, "/binance/balances");
    expect(route.status).toBe(404);
    expect(route.body.error.message).toMatch(/account-info, assets, open-orders, orders, deposits, withdrawals, transfers, fills, tickers/);
    expect((await call(alice, "")).status).toBe(404);
    expect((await call(alice, "/%ED%A0%80/open-orders")).status).toBe(404); // a malformed escape
    expect((await call(alice, "/binance/assets/extra")).status).toBe(404);
    for (const q of ["limit=0", "limit=1001", "limit=abc", "limit=-5", "since=yesterday", "since=1000", "since=2999-01-01", "symbol=BTC/USDT&symbol=ETH/USDT", "sybmol=BTC/USDT", "symbol=BTC%20USDT"]) {
      const r = await call(alice, `/binance/fills?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body.error.code, q).toBe("invalid_request");
    }
    expect((await call(alice, "/binance/fills?symbol=NOPE/USDT")).status).toBe(400);
    expect((await call(alice, "/binance/tickers")).status).toBe(400);
    expect((await call(alice, "/binance/transfers?from=spot&to=spot")).status).toBe(400);
    expect((await call(alice, "/binance/assets", "POST")).status).toBe(405);
    expect(seen).toHaveLength(0);
  });
});

// ──────────────────────────────────────────────────────────────────────────────────────────
describe("through the local functions server with supabase-js", () => {
  it("functions.invoke('exchange/binance/assets', { method: 'GET' }): 404 for a user without a key; 401 without a user token", async () => {
    const { data, error } = await supabaseAs(bob.token).functions.invoke("exchange/binance/assets", { method: "GET" });
    expect(data).toBeNull();
    const res = (error as { context?: Response }).context!;
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe("no_credential");
    const anon = await supabaseAs().functions.invoke("exchange/binance/assets", { method: "GET" });
    expect((anon.error as { context?: Response }).context!.status).toBe(401);
    expect(stackEnv().SUPABASE_URL).toMatch(/^http:\/\/127\.0\.0\.1:/);
  });
});
