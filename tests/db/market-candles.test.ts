/**
 * Daily candles: a user synced from the recorded binance fixtures (ccxt + msw) gets the series
 * their data needs registered, the candle worker fetches them through ccxt's fetchOHLCV (paged,
 * idempotent, a failing series recorded and retried while the others run), the closes reach
 * market_prices, and the reconstructed history values every day a candle exists for; the day
 * without a candle stays unpriced (never an older close) and is counted.
 *
 * The recorded account bodies are ccxt's (../shared/fixtures/ccxt/binance.json). No daily klines
 * were recorded for LTC/ETH in 2023, so the kline bodies are synthetic (tests/support/ccxt/klines.ts);
 * the recorded OHLCV cases of all four exchanges are replayed in "recorded OHLCV payloads" below.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { http, HttpResponse } from "msw";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminSql, asService, asUser, ownerSql, trackMarketPrices } from "../support/db.ts";
import { createUser } from "../support/users.ts";
import { holdCron, runOnceUnderCron } from "../support/cron.ts";
import { bodyResponse, caseArgs, CCXT_FIXTURES_DIR, type FixtureCase, type FixtureExchange, type FixtureFile, replayClient, type ReplayServer } from "../support/ccxt/replay.ts";
import { binanceDailyKlines, binanceKlineServer, DAY_MS } from "../support/ccxt/klines.ts";
import { makeDeps, newCredential, serveCases, useReplayServer } from "../unit/sync/support.ts";
import { db } from "../../functions/_shared/db.ts";
import { syncCredential } from "../../functions/_shared/sync/index.ts";
import { CandleDataError, type CandleDeps, closedCandles, decimalText, runCandles } from "../../functions/_shared/market/candles.ts";

let server: ReplayServer;
useReplayServer((s) => (server = s));

let cleanPrices: () => Promise<void> = async () => {};
const SYMBOLS = ["LTC/USDT", "ETH/USDT"];
// pg_cron's own candle planning (every 15 min) stays still while this file compares series rows;
// the pg_cron test below schedules its own run (holdCron waits for a run in progress: an event).
let releaseCron: () => Promise<void> = async () => {};
beforeAll(async () => { cleanPrices = await trackMarketPrices(); releaseCron = await holdCron(["plan-market-candles"]); });
let credentialId: string | null = null;
afterAll(async () => {
  // the credential stays behind with an old last_sync_at: keep pg_cron's enqueue-due-syncs from
  // queueing it for the queue tests of other files
  if (credentialId) await adminSql()`update public.api_credentials set is_active = false where id = ${credentialId}`;
  await adminSql()`delete from public.market_candles where exchange = 'binance' and symbol = any(${SYMBOLS}) and open_time < '2024-01-01'`;
  await adminSql()`delete from private.market_series where exchange = 'binance' and symbol = any(${SYMBOLS}) and backfill_from < '2024-01-01'`;
  await cleanPrices();
  await releaseCron();
});

const SYNC_AT = Date.parse("2023-11-03T00:00:00Z");
const WORKER_NOW = Date.parse("2023-11-03T00:05:00Z");
const HOLE = "2023-10-28"; // no LTC candle that day

function candleDeps(): CandleDeps {
  return { sql: db(), createClient: () => replayClient("binance"), now: () => WORKER_NOW, sleep: async () => {} };
}

async function series() {
  return await adminSql()`select symbol, status, backfill_from, next_since, attempts, last_error, candles_written::int as written
                            from private.market_series where exchange = 'binance' and symbol = any(${SYMBOLS}) order by symbol`;
}

describe("candles for a user synced from the recorded fixtures", () => {
  it("registers, fetches (paged, idempotent, failures retried) and values every day that has a candle", async () => {
    // 1. The user: binance spot fill (LTC/USDT sell, 2023-10-24) and spot balance (LTC, ETH) from ccxt's recordings.
    serveCases(server, "binance", [["fetchMyTrades", "Spot private trade"], ["fetchBalance", "Spot balance"]]);
    const cred = await newCredential("binance", "candles");
    credentialId = cred.credentialId;
    const run = await syncCredential(makeDeps("binance", { now: () => SYNC_AT, options: { steps: ["balances", "fills"], discover: false, userSymbols: ["LTC/USDT"], marketTypes: ["spot"], backfillDays: 12 } }),
      { userId: cred.user.id, credentialId: cred.credentialId });
    expect(run.status).toBe("succeeded");

    // 2. Discovery: LTC/USDT (traded) and ETH/USDT (held) from the day before the first fill.
    const [{ n }] = await asService((tx) => tx`select private.discover_market_series(${cred.user.id}::uuid) as n`);
    expect(n).toBeGreaterThanOrEqual(2);
    expect((await series()).map((s) => [s.symbol, s.status, s.backfill_from.toISOString()])).toEqual([
      ["ETH/USDT", "pending", "2023-10-23T00:00:00.000Z"],
      ["LTC/USDT", "pending", "2023-10-23T00:00:00.000Z"],
    ]);

    // 3. The worker: the exchange answers at most 4 days a page; ETH fails (503) on the first run.
    const klines = {
      LTCUSDT: binanceDailyKlines("2023-10-23", "2023-11-03", (i) => (68 + i / 4).toFixed(2), [HOLE]),
      ETHUSDT: binanceDailyKlines("2023-10-23", "2023-11-03", (i) => (1790 + i).toFixed(2)),
    };
    let ethDown = true;
    const ks = binanceKlineServer(klines, { pageCap: 4, fail: (id) => (id === "ETHUSDT" && ethDown ? HttpResponse.text("busy", { status: 503 }) : undefined) });
    server.resetHandlers(ks.handler);
    const first = await runCandles(candleDeps(), { max: 500 });
    const mine = (rs: typeof first) => rs.filter((r) => SYMBOLS.includes(r.symbol)).sort((a, b) => a.symbol.localeCompare(b.symbol));
    expect(mine(first).map((r) => [r.symbol, r.status, r.candles])).toEqual([["ETH/USDT", "failed", 0], ["LTC/USDT", "ok", 10]]);
    // LTC: 11 closed days (10-23 … 11-02) minus the hole, 4 a page → 3 requests (the second page jumps the
    // hole: 10-27, 10-29, 10-30, 10-31); today (11-03) is not closed, so not stored.
    expect(ks.requests.get("LTCUSDT")?.map((q) => new Date(Number(q.get("startTime"))).toISOString().slice(0, 10))).toEqual(["2023-10-23", "2023-10-27", "2023-11-01"]);
    const failed = (await series()).find((s) => s.symbol === "ETH/USDT")!;
    expect([failed.status, failed.attempts]).toEqual(["failed", 1]);
    expect(failed.last_error).toMatch(/ExchangeNotAvailable|503|busy/);

    // Not due before its backoff; due again after it.
    expect(mine(await runCandles(candleDeps(), { max: 500 }))).toEqual([{ exchange: "binance", symbol: "LTC/USDT", status: "ok", requests: 0, pages: 0, candles: 0 }]);
    await adminSql()`update private.market_series set next_attempt_at = now() where exchange = 'binance' and symbol = 'ETH/USDT'`;
    ethDown = false;
    const retried = mine(await runCandles(candleDeps(), { max: 500 }));
    expect(retried.map((r) => [r.symbol, r.status, r.candles])).toEqual([["ETH/USDT", "ok", 11], ["LTC/USDT", "ok", 0]]);
    expect((await series()).map((s) => [s.symbol, s.status, s.attempts, s.last_error, s.next_since.toISOString(), s.written])).toEqual([
      ["ETH/USDT", "ok", 0, null, "2023-11-03T00:00:00.000Z", 11],
      ["LTC/USDT", "ok", 0, null, "2023-11-03T00:00:00.000Z", 10],
    ]);

    // Re-running from the start of the window writes nothing new.
    await adminSql()`update private.market_series set next_since = backfill_from where exchange = 'binance' and symbol = any(${SYMBOLS})`;
    const again = mine(await runCandles(candleDeps(), { max: 500 }));
    expect(again.map((r) => [r.symbol, r.candles])).toEqual([["ETH/USDT", 0], ["LTC/USDT", 0]]);

    // 4. Stored exactly, closes in market_prices.
    const candles = await adminSql()`select symbol, open_time, close::text from public.market_candles
                                      where exchange = 'binance' and symbol = any(${SYMBOLS}) and open_time < '2024-01-01' order by symbol, open_time`;
    expect(candles.filter((c) => c.symbol === "LTC/USDT")).toHaveLength(10);
    expect(candles.find((c) => c.symbol === "LTC/USDT" && c.open_time.toISOString().startsWith("2023-10-24"))?.close).toBe("68.250000000000000000");
    const [{ prices }] = await adminSql()`select count(*)::int as prices from public.market_prices
                                           where exchange = 'binance' and symbol = any(${SYMBOLS}) and kind = 'close_1d' and as_of < '2024-01-01'`;
    expect(prices).toBe(21);

    // 5. Reconstruction: every day with candles is priced; the hole stays unpriced (no older close used).
    await asService((tx) => tx`select private.reconstruct_portfolio_history(${cred.user.id}::uuid, '2023-10-23'::date, '2023-11-02'::date)`);
    const days = await adminSql()`select snapshot_date::text as day, unpriced_assets from public.portfolio_snapshots
                                   where user_id = ${cred.user.id} and exchange is null order by snapshot_date`;
    expect(days).toHaveLength(11);
    for (const d of days) {
      const assets = (d.unpriced_assets as Array<{ asset: string }>).map((a) => a.asset);
      expect([d.day, assets]).toEqual([d.day, d.day === HOLE ? ["LTC"] : []]);
    }
    // ... and counted for the user (what the API's equity curve and the report say).
    const [u] = await asUser(cred.user, (tx) => tx`select * from public.get_unpriced_summary('2023-10-23', '2023-11-02')`);
    expect([u.days, u.unpriced_days, u.unpriced_assets]).toEqual([11, 1, ["LTC"]]);
  });
});

describe("a symbol the exchange does not list", () => {
  it("is marked unavailable, not retried before a week, and does not stop the other series", async () => {
    await adminSql()`insert into private.market_series (exchange, symbol, timeframe, backfill_from, next_since)
                     values ('binance', 'NOPE/USDT', '1d', '2023-10-23', '2023-10-23')`;
    try {
      server.resetHandlers(binanceKlineServer({}).handler);
      const [r] = (await runCandles(candleDeps(), { max: 500 })).filter((x) => x.symbol === "NOPE/USDT");
      expect([r.status, r.requests]).toEqual(["unavailable", 0]); // ccxt refuses it before any request (BadSymbol)
      const [row] = await adminSql()`select status, attempts, last_error, next_attempt_at > now() + interval '6 days' as later
                                       from private.market_series where exchange = 'binance' and symbol = 'NOPE/USDT'`;
      expect([row.status, row.attempts, row.later]).toEqual(["unavailable", 1, true]);
      expect(row.last_error).toMatch(/^BadSymbol: /);
      expect((await runCandles(candleDeps(), { max: 500 })).filter((x) => x.symbol === "NOPE/USDT")).toEqual([]);
    } finally {
      await adminSql()`delete from private.market_series where exchange = 'binance' and symbol = 'NOPE/USDT'`;
    }
  });
});

describe("planning under pg_cron", () => {
  it("is scheduled every 15 minutes", async () => {
    const [job] = await ownerSql()`select schedule, command from cron.job where jobname = 'plan-market-candles'`;
    expect([job.schedule, job.command]).toEqual(["*/15 * * * *", "select private.plan_market_candles()"]);
  });

  it("a real pg_cron run registers the series of a user's new fills (synchronised on cron.job_run_details)", async () => {
    const user = await createUser("candles-cron");
    await adminSql()`insert into public.fills (user_id, exchange, market_type, symbol, base, quote, trade_id, side, price, amount, cost, executed_at, source)
                     values (${user.id}, 'gateio', 'spot', 'CRONX/BTC', 'CRONX', 'BTC', 'cron-1', 'buy', 0.001, 5, 0.005, '2026-02-10T08:00:00Z', 'import')`;
    const { status } = await runOnceUnderCron("plan-market-candles", "select private.plan_market_candles()");
    try {
      expect(status).toBe("succeeded");
      const rows = await adminSql()`select symbol, status, backfill_from from private.market_series
                                    where exchange = 'gateio' and symbol in ('CRONX/BTC', 'BTC/USDT') order by symbol`;
      // the pair itself, and its quote's USDT conversion, from the day before the fill
      expect(rows.map((r) => [r.symbol, r.status, r.backfill_from.toISOString()])).toEqual([
        ["BTC/USDT", "pending", "2026-02-09T00:00:00.000Z"],
        ["CRONX/BTC", "pending", "2026-02-09T00:00:00.000Z"],
      ]);
      const fresh = await asService((tx) => tx`select symbol, status, is_stale from ops.market_candle_freshness where exchange = 'gateio' and symbol = 'CRONX/BTC'`);
      expect(fresh.map((f) => [f.symbol, f.status, f.is_stale])).toEqual([["CRONX/BTC", "pending", true]]);
    } finally {
      await adminSql()`delete from private.market_series where exchange = 'gateio' and symbol in ('CRONX/BTC', 'BTC/USDT') and backfill_from = '2026-02-09'`;
    }
  }, 120_000);
});

describe("recorded OHLCV payloads (ccxt's static tests, all four exchanges)", () => {
  const cases = (["binance", "bitget", "gate", "mexc"] as FixtureExchange[]).flatMap((ex) =>
    marketCases(ex).map((c) => [ex, c.description] as const));

  it("are present for the four exchanges", () => {
    expect(new Set(cases.map(([ex]) => ex))).toEqual(new Set(["binance", "bitget", "gate", "mexc"]));
  });

  it.each(cases)("%s %s: ccxt parses the recorded body as recorded; every value's text is the exchange's decimal; intraday rows are refused", async (ex, description) => {
    const c = marketCases(ex).find((x) => x.description === description)!;
    server.resetHandlers(http.all(/^https:\/\/[^/]+\/.*/, () => bodyResponse(c.httpResponse)));
    const client = replayClient(ex);
    // deno-lint-ignore no-explicit-any
    const rows = (await (client as any).fetchOHLCV(...caseArgs(c))) as number[][];
    expect(rows).toEqual(c.parsedResponse);
    // Decimal text (what is stored) = a decimal string of the recorded body, trailing zeros aside.
    const recorded = new Set([...JSON.stringify(c.httpResponse).matchAll(/-?\d+(?:\.\d+)?/g)].map((m) => trimZeros(m[0])));
    for (const r of rows) for (const v of r.slice(1, 5)) expect(recorded.has(decimalText(v)), `${decimalText(v)}`).toBe(true);
    if (rows.every((r) => r[0] % DAY_MS === 0)) {
      const stored = closedCandles(rows, 0, Date.now());
      expect(stored.map((x) => [x.openTime, x.open, x.high, x.low, x.close])).toEqual(rows.map((r) => [r[0], ...r.slice(1, 5).map(decimalText)]));
    } else {
      expect(() => closedCandles(rows, 0, Date.now())).toThrow(CandleDataError);
    }
  });
});

function marketCases(ex: FixtureExchange): FixtureCase[] {
  const file = JSON.parse(readFileSync(join(CCXT_FIXTURES_DIR, "market", `${ex}.json`), "utf8")) as FixtureFile;
  return file.methods.fetchOHLCV ?? [];
}

function trimZeros(s: string): string {
  return s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
}
