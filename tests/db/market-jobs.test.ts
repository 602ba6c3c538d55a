/**
 * The spec's market tables from their jobs (private.market_jobs), through the real ccxt clients
 * (msw at HTTP) and the real database: open interest (Gate contract stats through ccxt's implicit
 * API, Binance history), long/short ratios (Binance, Gate) with bias and the overall mean, FRED
 * observations (not configured without the key), masters; re-runs add nothing, a failing source
 * leaves the others running, pg_cron requests a job in a real tick.
 *
 * Bodies: no response was recorded for these calls (../shared/fixtures/ccxt/market/SOURCE.md,
 * "Missing"), so the exchanges' documented example responses are used
 * (tests/fixtures/market/documented.json, sources in its SOURCE.md); FRED's is
 * ../shared/fixtures/fred/series-observations.json (the FRED documentation's example).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { http, HttpResponse } from "msw";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { adminSql, asService, ownerSql } from "../support/db.ts";
import { PROJECT_ROOT, replayClient, type FixtureExchange, type ReplayServer } from "../support/ccxt/replay.ts";
import { useReplayServer } from "../unit/sync/support.ts";
import { holdCron, runOnceUnderCron } from "../support/cron.ts";
import { db } from "../../functions/_shared/db.ts";
import { type MarketJobDeps, runMarketJobs } from "../../functions/_shared/market/jobs.ts";
import { FRED_URL } from "../../functions/_shared/market/fred.ts";

let server: ReplayServer;
useReplayServer((s) => (server = s));

type Doc = { url: string; body: unknown; reference: string };
const DOCS = JSON.parse(readFileSync(join(PROJECT_ROOT, "tests/fixtures/market/documented.json"), "utf8")) as Record<string, Doc>;
const FRED_BODY = JSON.parse(readFileSync(join(PROJECT_ROOT, "../shared/fixtures/fred/series-observations.json"), "utf8"));
const FRED_KEY = "abcdefghijklmnopqrstuvwxyz123456"; // the FRED documentation's demo key

const OUR: Record<string, FixtureExchange> = { binance: "binance", gateio: "gate" };
function deps(env: Record<string, string> = {}, now = Date.now()): MarketJobDeps {
  const vars: Record<string, string> = { MARKET_DATA_CONTRACTS: "BTC/USDT:USDT", ...env };
  return { sql: db(), createClient: (ex) => replayClient(OUR[ex]), fetch: (u, i) => fetch(u, i), env: (k) => vars[k], now: () => now };
}

/** Serves the documented bodies; `down` names entries answered with 500 instead. */
function serveDocs(down: string[] = []): string[] {
  const urls: string[] = [];
  server.resetHandlers(...Object.entries(DOCS).map(([name, d]) =>
    http.get(d.url, ({ request }) => {
      urls.push(request.url);
      return down.includes(name) ? HttpResponse.text("down", { status: 500 }) : HttpResponse.json(d.body as never);
    })));
  return urls;
}

async function clean(): Promise<void> {
  await adminSql()`delete from public.gio_open_interest where symbol_id in (select id from public.symbols where symbol_name = 'BTC_USDT')`;
  await adminSql()`delete from public.long_short_exchanges where symbol_id in (select id from public.symbols where symbol_name = 'BTC_USDT')`;
  await adminSql()`delete from public.long_short_overall where symbol_id in (select id from public.symbols where symbol_name = 'BTC_USDT')`;
  await adminSql()`delete from public.fredindicators where name = 'GNPCA'`;
  await adminSql()`delete from public.fund_flow_analysis where symbol_id in (select id from public.symbols where symbol_name = 'BTC_USDT')`;
  await adminSql()`delete from public.fund_flow_historical where symbol_id in (select id from public.symbols where symbol_name = 'BTC_USDT')`;
  await adminSql()`update private.market_jobs set status = 'idle', requested_at = null`;
}
// The project's own market schedules stay still while this file runs (a real tick requesting
// fund-flow at :03 or long-short at :10 would add a job to a run the test compares); the pg_cron
// test below schedules its own job. holdCron waits for any run in progress (an event, no pause).
let releaseCron: () => Promise<void> = async () => {};
beforeAll(async () => { releaseCron = await holdCron(["market-masters", "market-open-interest", "market-long-short", "market-fred", "market-fund-flow", "plan-market-candles"]); });
afterAll(async () => { await releaseCron(); });
beforeEach(clean);

const oi = () => adminSql()`select g.exchange, g.open_interest::text as oi, g.change_24h::text as change, g.last_updated
                             from public.gio_open_interest as g join public.symbols as s on s.id = g.symbol_id
                            where s.symbol_name = 'BTC_USDT' order by g.exchange, g.last_updated`;
const ls = () => adminSql()`select l.exchange, l.bias, l.long_percent::text as long, l.short_percent::text as short, l.last_updated, t.timeframe
                             from public.long_short_exchanges as l join public.symbols as s on s.id = l.symbol_id
                             join public.timeframes as t on t.id = l.timeframe_id
                            where s.symbol_name = 'BTC_USDT' order by l.last_updated, l.exchange`;
const overall = () => adminSql()`select o.long_percent::text as long, o.short_percent::text as short, o.last_updated
                                  from public.long_short_overall as o join public.symbols as s on s.id = o.symbol_id
                                 where s.symbol_name = 'BTC_USDT' order by o.last_updated`;
const iso = (d: Date) => d.toISOString();

describe("open interest and long/short ratios", () => {
  it("fill from the documented responses; a second run adds and changes nothing", async () => {
    const urls = serveDocs();
    const runs = await runMarketJobs(deps(), ["open-interest", "long-short"]);
    expect(runs.map((r) => [r.job, r.status, r.errors])).toEqual([["open-interest", "succeeded", []], ["long-short", "succeeded", []]]);
    // Gate through ccxt's implicit API (contract_stats), Binance through the unified methods.
    expect(urls.map((u) => new URL(u).pathname).sort()).toEqual([
      "/api/v4/futures/usdt/contract_stats", "/api/v4/futures/usdt/contract_stats",
      "/futures/data/globalLongShortAccountRatio", "/futures/data/openInterestHist",
    ]);
    expect(new URL(urls.find((u) => u.includes("contract_stats"))!).searchParams.get("contract")).toBe("BTC_USDT");

    // Latest point of each source, in USDT notional, exact; no point 24 h before → change NULL.
    expect((await oi()).map((r) => [r.exchange, r.oi, r.change, iso(r.last_updated)])).toEqual([
      ["binance", "149940752.144644480000000000", null, "2020-03-02T05:50:00.000Z"],
      ["gateio", "1511.000000000000000000", null, "2020-10-28T06:10:00.000Z"],
    ]);
    // long % = 100 r / (1 + r): 0.1960 → 16.39 (bearish), 1.9559 → 66.17 (bullish), gate 0.5 → 33.33 (bearish)
    expect((await ls()).map((r) => [r.exchange, r.bias, r.long, r.short, iso(r.last_updated), r.timeframe])).toEqual([
      ["binance", "bearish", "16.39", "83.61", "2020-03-02T09:00:00.000Z", "1h"],
      ["binance", "bullish", "66.17", "33.83", "2020-03-02T09:05:00.000Z", "1h"],
      ["gateio", "bearish", "33.33", "66.67", "2020-10-28T06:10:00.000Z", "1h"],
    ]);
    expect((await overall()).map((r) => [r.long, r.short, iso(r.last_updated)])).toEqual([
      ["16.39", "83.61", "2020-03-02T09:00:00.000Z"], ["66.17", "33.83", "2020-03-02T09:05:00.000Z"], ["33.33", "66.67", "2020-10-28T06:10:00.000Z"],
    ]);

    const before = { oi: await oi(), ls: await ls(), overall: await overall() };
    const again = await runMarketJobs(deps(), ["open-interest", "long-short"]);
    expect(again.map((r) => [r.job, r.status, r.rows])).toEqual([["open-interest", "succeeded", 0], ["long-short", "succeeded", 0]]);
    expect({ oi: await oi(), ls: await ls(), overall: await overall() }).toEqual(before);
  });

  it("a failing source is recorded; the other sources and jobs still write", async () => {
    serveDocs(["binance openInterestHist"]);
    const runs = await runMarketJobs(deps(), ["open-interest", "long-short"]);
    expect(runs.map((r) => [r.job, r.status])).toEqual([["open-interest", "failed"], ["long-short", "succeeded"]]);
    expect(runs[0].errors).toHaveLength(1);
    expect(runs[0].errors[0]).toMatch(/^binance BTC\/USDT:USDT: /);
    expect((await oi()).map((r) => r.exchange)).toEqual(["gateio"]);
    expect(await ls()).toHaveLength(3);
    const jobs = await adminSql()`select job, status, last_error, failures::int from private.market_jobs where job in ('open-interest', 'long-short') order by job`;
    expect(jobs.map((j) => [j.job, j.status, j.failures > 0, j.last_error === null])).toEqual([
      ["long-short", "succeeded", false, true], ["open-interest", "failed", true, false],
    ]);
    const fresh = await asService((tx) => tx`select source, status from ops.market_data_freshness order by source`);
    expect(fresh.map((f) => [f.source, f.status])).toEqual([
      ["fredindicators", "idle"], ["fund_flow", "idle"], ["gio_open_interest", "failed"], ["long_short", "succeeded"], ["market_candles", null],
    ]);
  });
});

describe("fund flows from public trades", () => {
  it("buckets the hour's taker buys and sells by notional; every bucket written; idempotent", async () => {
    await asService((tx) => tx`select private.refresh_market_masters()`);
    const urls = serveDocs();
    // The documented aggregate trade: 2017-06-30T03:35:09.153Z, p 0.01633102 × q 4.70443515, buyer is maker → a taker sell.
    const d = deps({}, Date.parse("2017-06-30T04:10:00Z"));
    const [run] = await runMarketJobs(d, ["fund-flow"]);
    expect([run.job, run.status, run.errors, run.rows]).toEqual(["fund-flow", "succeeded", [], 4]);
    const q = new URL(urls[0]).searchParams;
    expect([new URL(urls[0]).pathname, q.get("symbol"), q.get("startTime")]).toEqual(["/api/v3/aggTrades", "BTCUSDT", String(Date.parse("2017-06-30T03:00:00Z"))]);
    const rows = await adminSql()`select a.order_size, a.inflow::text as inflow, a.outflow::text as outflow, a.net_inflow::text as net, a.period_start, t.timeframe, m.name as market
                                    from public.fund_flow_analysis as a join public.symbols as s on s.id = a.symbol_id
                                    join public.timeframes as t on t.id = a.timeframe_id join public.market_types as m on m.id = a.market_type_id
                                   where s.symbol_name = 'BTC_USDT' order by a.order_size`;
    const z = "0.000000000000000000";
    expect(rows.map((r) => [r.order_size, r.inflow, r.outflow, r.net, iso(r.period_start), r.timeframe, r.market])).toEqual([
      ["large", z, z, z, "2017-06-30T03:00:00.000Z", "1h", "spot"],
      ["medium", z, z, z, "2017-06-30T03:00:00.000Z", "1h", "spot"],
      ["small", z, "0.076828224523353000", "-0.076828224523353000", "2017-06-30T03:00:00.000Z", "1h", "spot"],
    ]);
    const hist = await adminSql()`select h.net_inflow::text as net, h.date_time from public.fund_flow_historical as h
                                    join public.symbols as s on s.id = h.symbol_id where s.symbol_name = 'BTC_USDT'`;
    expect(hist.map((h) => [h.net, iso(h.date_time)])).toEqual([["-0.076828224523353000", "2017-06-30T03:00:00.000Z"]]);
    const [again] = await runMarketJobs(d, ["fund-flow"]);
    expect([again.status, again.rows]).toEqual(["succeeded", 0]);
  });
});

describe("FRED", () => {
  it("without the key: not configured, nothing requested, nothing written", async () => {
    server.resetHandlers(http.get(FRED_URL, () => HttpResponse.json({}, { status: 500 })));
    const [run] = await runMarketJobs(deps({ FRED_SERIES: "GNPCA" }), ["fred"]);
    expect([run.status, run.rows]).toEqual(["not_configured", 0]);
    const [job] = await adminSql()`select status, last_error from private.market_jobs where job = 'fred'`;
    expect([job.status, job.last_error]).toEqual(["not_configured", "not configured: the FRED_API_KEY secret is not set"]);
  });

  it("with the key: the documented observations, idempotent; the key is never stored or reported", async () => {
    const seen: URL[] = [];
    server.resetHandlers(http.get(FRED_URL, ({ request }) => {
      seen.push(new URL(request.url));
      return HttpResponse.json(FRED_BODY);
    }));
    const d = deps({ FRED_SERIES: "GNPCA", FRED_API_KEY: FRED_KEY });
    const [first] = await runMarketJobs(d, ["fred"]);
    expect([first.status, first.rows]).toEqual(["succeeded", 5]);
    const rows = await adminSql()`select observation_date::text as d, value::text as v from public.fredindicators where name = 'GNPCA' order by observation_date`;
    expect(rows.map((r) => [r.d, r.v])).toEqual([
      ["1929-01-01", "1065.90000000"], ["1930-01-01", "975.50000000"], ["1931-01-01", "912.10000000"],
      ["2011-01-01", "15286.70000000"], ["2012-01-01", "15693.10000000"],
    ]);
    expect(seen[0].searchParams.get("file_type")).toBe("json");
    expect(seen[0].searchParams.get("observation_start")).toBeNull();
    const [second] = await runMarketJobs(d, ["fred"]);
    expect([second.status, second.rows]).toEqual(["succeeded", 0]);
    expect(seen[1].searchParams.get("observation_start")).toBe("2012-01-01"); // from the latest stored date

    // A rejected key: failed, and the key appears nowhere.
    server.resetHandlers(http.get(FRED_URL, () => HttpResponse.json({ error_code: 400, error_message: "Bad Request.  The value for variable api_key is not registered." }, { status: 400 })));
    const [bad] = await runMarketJobs(d, ["fred"]);
    expect(bad.status).toBe("failed");
    const [job] = await adminSql()`select to_jsonb(j) as row from private.market_jobs as j where job = 'fred'`;
    expect(JSON.stringify(job.row)).not.toContain(FRED_KEY);
    expect(JSON.stringify(bad)).not.toContain(FRED_KEY);
  });
});

describe("schedules", () => {
  it("one pg_cron job per table family", async () => {
    const rows = await ownerSql()`select jobname, schedule, command from cron.job
                                  where jobname in ('market-masters', 'market-open-interest', 'market-long-short', 'market-fred', 'market-fund-flow') order by jobname`;
    expect(rows.map((r) => [r.jobname, r.schedule, r.command])).toEqual([
      ["market-fred", "20 6 * * *", "select private.request_market_job('fred')"],
      ["market-fund-flow", "3 * * * *", "select private.request_market_job('fund-flow')"],
      ["market-long-short", "10,40 * * * *", "select private.request_market_job('long-short')"],
      ["market-masters", "7 * * * *", "select private.refresh_market_masters()"],
      ["market-open-interest", "*/30 * * * *", "select private.request_market_job('open-interest')"],
    ]);
  });

  it("masters: timeframes, market types and the followed symbols", async () => {
    await asService((tx) => tx`select private.refresh_market_masters()`);
    const [m] = await adminSql()`select (select array_agg(timeframe order by id) from public.timeframes where timeframe in ('5m', '15m', '1h', '4h', '1d')) as tf,
                                        (select array_agg(name order by name) from public.market_types) as mt,
                                        (select count(*)::int from public.symbols where symbol_name in ('BTC_USDT', 'ETH_USDT')) as sy`;
    expect([new Set(m.tf), m.mt, m.sy]).toEqual([new Set(["5m", "15m", "1h", "4h", "1d"]), ["futures", "spot", "swap"], 2]);
    const [{ n }] = await asService((tx) => tx`select private.refresh_market_masters() as n`);
    expect(n).toBe(0); // nothing new
  });

  it("a real pg_cron run requests the long/short job; the worker then runs it (synchronised on cron.job_run_details)", async () => {
    serveDocs();
    const { status } = await runOnceUnderCron("market-long-short", "select private.request_market_job('long-short')");
    expect(status).toBe("succeeded");
    const runs = await runMarketJobs(deps()); // no names: what pg_cron requested
    expect(runs.map((r) => [r.job, r.status])).toEqual([["long-short", "succeeded"]]);
    expect(await ls()).toHaveLength(3);
    expect(await runMarketJobs(deps())).toEqual([]); // requested once, run once
  }, 120_000);
});
