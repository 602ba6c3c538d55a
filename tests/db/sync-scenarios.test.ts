/**
 * The worker under realistic histories and failures, exchanges mocked at HTTP (msw), real
 * database: multi-window / multi-page completeness, crash and resume, retries with Retry-After,
 * persistent 5xx, authentication errors, malformed pages, one symbol failing, secrets scrubbed.
 */
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { adminSql } from "../support/db.ts";
import type { ReplayServer } from "../support/ccxt/replay.ts";
import {
  binanceMyTrades, binanceMyTradesHandler, bitgetSpotFills, bitgetSpotFillsHandler, errorResponse, type RecordedCall,
} from "../support/ccxt/synthetic.ts";
import { sum } from "../../functions/_shared/exchanges/index.ts";
import { syncCredential, type TouchedStream } from "../../functions/_shared/sync/index.ts";
import { ltcSpotOnly, makeDeps, newCredential, NOW, recordAll, SECRETS, type TestCredential, useReplayServer } from "../unit/sync/support.ts";

const DAY = 86_400_000;
let server: ReplayServer;
useReplayServer((s) => (server = s));

const FILLS_ONLY = ltcSpotOnly("fills");

async function storedFills(userId: string) {
  return await adminSql()`
    select symbol, trade_id, side, price::text, amount::text, cost::text, fees, executed_at
      from public.fills where user_id = ${userId} order by symbol, trade_id`;
}
async function fillStats(userId: string) {
  const [r] = await adminSql()`
    select count(*)::int as n, count(distinct (symbol, trade_id))::int as distinct_n, coalesce(sum(amount), 0)::text as amount,
           coalesce(sum(cost), 0)::text as cost
      from public.fills where user_id = ${userId}`;
  return r;
}
const canon = (s: string) => (s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s);
async function cursorsOf(userId: string) {
  return await adminSql()`select market_type::text, symbol, data_kind, cursor_time, cursor_id from public.sync_cursors where user_id = ${userId} order by 1, 2, 3`;
}
async function lastRun(userId: string) {
  const [r] = await adminSql()`select status, counts, pages, retries, errors, duration_ms from public.sync_runs where user_id = ${userId} order by id desc limit 1`;
  return r;
}

// Binance spot: 3 days, 7000 rows (several 1000-row pages per 24 h window), bursts sharing one
// millisecond, rows exactly on the window edges; ids renumbered to grow with time.
const start = NOW - 3 * DAY;
const gen = binanceMyTrades({ count: 7000, start, end: NOW - 1, sameMsEvery: 5, seed: 7 });
const edges = [start + DAY - 1, start + DAY, start + 2 * DAY - 1, start + 2 * DAY].map((t, i) => ({ ...gen[0], id: 900_000_000 + i, time: t }));
const BINANCE_ROWS = [...gen, ...edges].sort((a, b) => a.time - b.time || a.id - b.id).map((r, i) => ({ ...r, id: 300_000_000 + i }));

describe("multi-window, multi-page histories arrive complete", () => {
  it("binance spot (24 h windows × fromId pages): count and sums equal the mock's, no duplicates, window edges kept", async () => {
    const calls: RecordedCall[] = [];
    server.resetHandlers(binanceMyTradesHandler(BINANCE_ROWS, calls));
    const cred = await newCredential("binance", "win");
    const r = await syncCredential(makeDeps("binance", { options: FILLS_ONLY }), { userId: cred.user.id, credentialId: cred.credentialId });
    expect(r.status).toBe("succeeded");
    const s = await fillStats(cred.user.id);
    expect(s.n).toBe(BINANCE_ROWS.length);
    expect(s.distinct_n).toBe(BINANCE_ROWS.length);
    expect(canon(s.amount)).toBe(sum(BINANCE_ROWS.map((x) => x.qty)));
    expect(canon(s.cost)).toBe(sum(BINANCE_ROWS.map((x) => x.quoteQty)));
    const edgeTimes = new Set(edges.map((e) => e.time));
    const edgeIds = BINANCE_ROWS.filter((x) => edgeTimes.has(x.time)).map((x) => String(x.id));
    const [{ n }] = await adminSql()`select count(*)::int as n from public.fills where user_id = ${cred.user.id} and trade_id = any(${edgeIds})`;
    expect(n).toBe(edgeIds.length);
    expect(r.counts.fills).toBe(BINANCE_ROWS.length);
    expect(r.counts.fees).toBe(BINANCE_ROWS.length); // one fee entry per fill
    expect(calls.filter((c) => c.params.startTime !== undefined)).toHaveLength(3);
    expect(calls.filter((c) => c.params.fromId !== undefined).length).toBeGreaterThan(3);
    expect(r.pages).toBe(calls.length);
    const [cur] = await cursorsOf(cred.user.id);
    expect(cur.cursor_id).toBe(String(BINANCE_ROWS.at(-1)!.id));
  });

  it("bitget spot (newest-first 100-row pages with idLessThan): complete, fees exact", async () => {
    const data = bitgetSpotFills({ count: 450, start: NOW - 3 * DAY, end: NOW - 1, sameMsEvery: 3, seed: 3 });
    const calls: RecordedCall[] = [];
    server.resetHandlers(bitgetSpotFillsHandler(data, calls));
    const cred = await newCredential("bitget", "win");
    const r = await syncCredential(makeDeps("bitget", { options: FILLS_ONLY }), { userId: cred.user.id, credentialId: cred.credentialId });
    expect(r.status).toBe("succeeded");
    const s = await fillStats(cred.user.id);
    expect(s.n).toBe(450);
    expect(s.distinct_n).toBe(450);
    expect(canon(s.amount)).toBe(sum(data.map((x) => x.size)));
    expect(calls).toHaveLength(5);
    const [f] = await adminSql()`select count(*)::int as n, sum(fee_amount)::text as total from public.fees_tracking where user_id = ${cred.user.id}`;
    expect(f.n).toBe(450);
    expect(canon(f.total)).toBe(sum(data.map(() => "0.000001")));
  });

  it("a second sync from the cursors adds nothing and asks binance only for ids after the last one", async () => {
    const calls: RecordedCall[] = [];
    server.resetHandlers(binanceMyTradesHandler(BINANCE_ROWS, calls));
    const cred = await newCredential("binance", "again");
    const deps = makeDeps("binance", { options: FILLS_ONLY });
    await syncCredential(deps, { userId: cred.user.id, credentialId: cred.credentialId });
    calls.length = 0;
    const r = await syncCredential(deps, { userId: cred.user.id, credentialId: cred.credentialId });
    expect(r.counts.fills).toBe(0);
    expect(calls.map((c) => c.params.fromId)).toEqual([String(BINANCE_ROWS.at(-1)!.id + 1)]);
    expect((await fillStats(cred.user.id)).n).toBe(BINANCE_ROWS.length);
  });
});

describe("crash and resume", () => {
  it("killing the sync after page k and running again gives exactly the rows of an uninterrupted sync", async () => {
    server.resetHandlers(binanceMyTradesHandler(BINANCE_ROWS));
    const reference = await newCredential("binance", "ref");
    await syncCredential(makeDeps("binance", { options: FILLS_ONLY }), { userId: reference.user.id, credentialId: reference.credentialId });
    const expected = await storedFills(reference.user.id);
    expect(expected).toHaveLength(BINANCE_ROWS.length);
    for (const k of [1, 2, 5, 8]) {
      const cred = await newCredential("binance", `crash${k}`);
      const crashing = makeDeps("binance", {
        options: FILLS_ONLY,
        afterPage: (p) => {
          if (p.page === k) throw new Error(`killed after page ${k}`);
        },
      });
      await expect(syncCredential(crashing, { userId: cred.user.id, credentialId: cred.credentialId })).rejects.toThrow(`killed after page ${k}`);
      const partial = (await fillStats(cred.user.id)).n;
      expect(partial).toBeGreaterThan(0);
      expect(partial).toBeLessThan(BINANCE_ROWS.length);
      // the advisory lock went with the crashed sync: a new run may start at once
      const r = await syncCredential(makeDeps("binance", { options: FILLS_ONLY }), { userId: cred.user.id, credentialId: cred.credentialId });
      expect(r.status).toBe("succeeded");
      expect(r.counts.fills).toBe(BINANCE_ROWS.length - partial);
      expect(await storedFills(cred.user.id)).toEqual(expected);
    }
  });

  it("newest-first paging (bitget): a crash mid-window leaves no cursor; the next run completes the window", async () => {
    const data = bitgetSpotFills({ count: 450, start: NOW - 3 * DAY, end: NOW - 1, seed: 5 });
    server.resetHandlers(bitgetSpotFillsHandler(data));
    const cred = await newCredential("bitget", "crashbg");
    const crashing = makeDeps("bitget", { options: FILLS_ONLY, afterPage: (p) => { if (p.page === 2) throw new Error("killed"); } });
    await expect(syncCredential(crashing, { userId: cred.user.id, credentialId: cred.credentialId })).rejects.toThrow("killed");
    expect((await fillStats(cred.user.id)).n).toBe(200);
    expect(await cursorsOf(cred.user.id)).toHaveLength(0);
    await syncCredential(makeDeps("bitget", { options: FILLS_ONLY }), { userId: cred.user.id, credentialId: cred.credentialId });
    expect((await fillStats(cred.user.id)).n).toBe(450);
  });
});

describe("errors", () => {
  it("429 with Retry-After, then success → waits as told, retried, complete", async () => {
    let first = true;
    const limited = errorResponse("binance", "rate_limit", { retryAfterSec: 3 });
    server.resetHandlers(
      http.get("https://api.binance.com/api/v3/myTrades", () => {
        if (first) {
          first = false;
          return limited();
        }
        return undefined;
      }),
      binanceMyTradesHandler(BINANCE_ROWS),
    );
    const cred = await newCredential("binance", "429");
    const deps = makeDeps("binance", { options: FILLS_ONLY });
    const r = await syncCredential(deps, { userId: cred.user.id, credentialId: cred.credentialId });
    expect(r.status).toBe("succeeded");
    expect(r.retries).toBe(1);
    expect(deps.sleeps).toHaveLength(1);
    expect(deps.sleeps[0]).toBeGreaterThanOrEqual(3000);
    expect((await fillStats(cred.user.id)).n).toBe(BINANCE_ROWS.length);
    expect((await lastRun(cred.user.id)).retries).toBe(1);
  });

  it("persistent 5xx everywhere → run failed after bounded retries; cursors untouched", async () => {
    const cred = await newCredential("binance", "5xx");
    // a first healthy sync sets the cursor
    server.resetHandlers(binanceMyTradesHandler(BINANCE_ROWS.slice(0, 3000)));
    await syncCredential(makeDeps("binance", { options: FILLS_ONLY }), { userId: cred.user.id, credentialId: cred.credentialId });
    const before = await cursorsOf(cred.user.id);
    server.resetHandlers(http.all("https://*.binance.com/*", errorResponse("binance", "server_500")));
    const deps = makeDeps("binance", { options: { ...FILLS_ONLY, steps: ["balances", "fills"] } });
    const r = await syncCredential(deps, { userId: cred.user.id, credentialId: cred.credentialId });
    expect(r.status).toBe("failed");
    expect(r.errors.map((e) => e.kind)).toEqual(["unavailable", "unavailable"]);
    expect(r.retries).toBe(8); // 5 attempts per call, 2 calls
    expect(await cursorsOf(cred.user.id)).toEqual(before);
    const [c] = await adminSql()`select last_sync_status, verification_status from public.api_credentials where id = ${cred.credentialId}`;
    expect(c).toEqual({ last_sync_status: "failed", verification_status: "verified" });
  });

  it("5xx from page 2 on → page 1 kept, the cursor does not pass it; the next run completes without duplicates", async () => {
    const cred = await newCredential("binance", "5xxmid");
    let served = 0;
    server.resetHandlers(
      http.get("https://api.binance.com/api/v3/myTrades", () => (++served > 1 ? errorResponse("binance", "server_500")() : undefined)),
      binanceMyTradesHandler(BINANCE_ROWS),
    );
    const r = await syncCredential(makeDeps("binance", { options: FILLS_ONLY }), { userId: cred.user.id, credentialId: cred.credentialId });
    expect(r.status).toBe("failed");
    expect((await fillStats(cred.user.id)).n).toBe(1000);
    const [cur] = await cursorsOf(cred.user.id);
    expect(cur.cursor_id).toBe(String(BINANCE_ROWS[999].id));
    expect(new Date(cur.cursor_time).getTime()).toBe(BINANCE_ROWS[999].time);
    server.resetHandlers(binanceMyTradesHandler(BINANCE_ROWS));
    const again = await syncCredential(makeDeps("binance", { options: FILLS_ONLY }), { userId: cred.user.id, credentialId: cred.credentialId });
    expect(again.status).toBe("succeeded");
    const s = await fillStats(cred.user.id);
    expect(s.n).toBe(BINANCE_ROWS.length);
    expect(s.distinct_n).toBe(BINANCE_ROWS.length);
  });

  for (const [ex, kind] of [["binance", "auth"], ["bitget", "auth"], ["gate", "auth"], ["mexc", "auth"], ["mexc", "mexc_10072"]] as const) {
    it(`authentication error (${ex} ${kind}) → credential invalid, one request only, nothing retried`, async () => {
      const cred = await newCredential(ex, `auth-${ex}`);
      server.resetHandlers(http.all("*", ({ request }) => (new URL(request.url).hostname === "127.0.0.1" ? undefined : errorResponse(ex, kind)())));
      const rec = recordAll(server);
      const deps = makeDeps(ex, { options: { discover: false, userSymbols: [], backfillDays: 1 } });
      const r = await syncCredential(deps, { userId: cred.user.id, credentialId: cred.credentialId });
      rec.stop();
      expect(rec.urls).toHaveLength(1);
      expect(r.status).toBe("failed");
      expect(r.authFailed).toBe(true);
      expect(r.retries).toBe(0);
      expect(deps.sleeps).toHaveLength(0);
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0].kind).toBe("auth");
      const [c] = await adminSql()`select verification_status, last_sync_status from public.api_credentials where id = ${cred.credentialId}`;
      expect(c).toEqual({ verification_status: "invalid", last_sync_status: "auth_failed" });
    });
  }

  it("malformed JSON → that page rejected with its reason, nothing of it written; the rest of the sync goes on", async () => {
    const cred = await newCredential("binance", "malformed");
    server.resetHandlers(
      http.get("https://api.binance.com/api/v3/myTrades", errorResponse("binance", "malformed_json")),
      http.get("https://api.binance.com/api/v3/account", () =>
        HttpResponse.json({ balances: [{ asset: "LTC", free: "1.50000000", locked: "0.25000000" }], accountType: "SPOT" })),
    );
    const r = await syncCredential(makeDeps("binance", { options: { ...FILLS_ONLY, steps: ["balances", "fills"] } }), { userId: cred.user.id, credentialId: cred.credentialId });
    expect(r.status).toBe("partial");
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ kind: "bad_response", step: "fills", symbol: "LTC/USDT" });
    expect(r.errors[0].message).toMatch(/not valid JSON|JSON|Unexpected|Unterminated/i);
    expect((await fillStats(cred.user.id)).n).toBe(0);
    expect(await adminSql()`select 1 from public.fees_tracking where user_id = ${cred.user.id}`).toHaveLength(0);
    expect((await cursorsOf(cred.user.id)).filter((c) => c.data_kind === "fills")).toHaveLength(0);
    const [b] = await adminSql()`select total::text from public.balances where user_id = ${cred.user.id} and asset = 'LTC'`;
    expect(canon(b.total)).toBe("1.75");
    const run = await lastRun(cred.user.id);
    expect(run.status).toBe("partial");
    expect(run.errors[0].kind).toBe("bad_response");
  });

  it("one symbol failing does not stop the others; errors never carry a secret", async () => {
    const cred = await newCredential("binance", "onesym");
    const eth = binanceMyTrades({ symbolId: "ETHUSDT", count: 40, start: NOW - 2 * DAY, end: NOW - 1, seed: 9 });
    server.resetHandlers(
      http.get("https://api.binance.com/api/v3/myTrades", ({ request }) =>
        new URL(request.url).searchParams.get("symbol") === "LTCUSDT"
          // an error body that echoes the caller's key and signed URL
          ? HttpResponse.json({ code: -1121, msg: `Invalid symbol for key ${SECRETS.apiKey} at ${request.url}` }, { status: 400 })
          : undefined),
      binanceMyTradesHandler(eth),
    );
    const touched: TouchedStream[][] = [];
    const deps = makeDeps("binance", {
      options: { ...FILLS_ONLY, userSymbols: ["LTC/USDT", "ETH/USDT"] },
      onFillsWritten: (_u, t) => { touched.push(t); },
    });
    const r = await syncCredential(deps, { userId: cred.user.id, credentialId: cred.credentialId });
    expect(r.status).toBe("partial");
    expect((await fillStats(cred.user.id)).n).toBe(40);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ step: "fills", symbol: "LTC/USDT", kind: "bad_request" });
    expect(touched).toEqual([[{ exchange: "binance", market_type: "spot", symbol: "ETH/USDT" }]]);
    const [run] = await adminSql()`select errors::text as e from public.sync_runs where user_id = ${cred.user.id}`;
    for (const s of Object.values(SECRETS)) expect(run.e).not.toContain(s);
    expect(run.e).not.toMatch(/signature=[0-9a-f]{8}/);
  });
});

describe("two workers on one credential", () => {
  it("started together: the account is synced once (the other is told it is locked)", async () => {
    const calls: RecordedCall[] = [];
    server.resetHandlers(binanceMyTradesHandler(BINANCE_ROWS, calls));
    const cred: TestCredential = await newCredential("binance", "twice");
    const [a, b] = await Promise.all([
      syncCredential(makeDeps("binance", { options: FILLS_ONLY }), { userId: cred.user.id, credentialId: cred.credentialId }),
      syncCredential(makeDeps("binance", { options: FILLS_ONLY }), { userId: cred.user.id, credentialId: cred.credentialId }),
    ]);
    expect([a.status, b.status].sort()).toEqual(["locked", "succeeded"]);
    expect((await fillStats(cred.user.id)).n).toBe(BINANCE_ROWS.length);
    const runs = await adminSql()`select id from public.sync_runs where user_id = ${cred.user.id}`;
    expect(runs).toHaveLength(1);
    expect(calls.length).toBe((a.status === "succeeded" ? a : b).pages);
  });
});

describe("symbol discovery and time budget", () => {
  it("binance: symbols come from balances, transfers and stored data; each is asked for separately", async () => {
    const cred = await newCredential("binance", "discover");
    await adminSql()`insert into public.fills (user_id, credential_id, exchange, market_type, symbol, base, quote, trade_id, side, price, amount, cost, executed_at, source)
                     values (${cred.user.id}, ${cred.credentialId}, 'binance', 'spot', 'ADA/USDT', 'ADA', 'USDT', 'imp-1', 'buy', 1, 1, 1, now(), 'import')`;
    const asked = new Set<string>();
    server.resetHandlers(
      http.get("https://api.binance.com/api/v3/account", () =>
        HttpResponse.json({ accountType: "SPOT", balances: [{ asset: "LTC", free: "1", locked: "0" }, { asset: "USDT", free: "5", locked: "0" }] })),
      http.get("https://api.binance.com/sapi/v1/capital/deposit/hisrec", () =>
        HttpResponse.json([{ id: "d-1", amount: "2", coin: "ETH", network: "ETH", status: 1, address: "0xabc", txId: "0x1", insertTime: NOW - DAY }])),
      http.get("https://api.binance.com/sapi/v1/capital/withdraw/history", () => HttpResponse.json([])),
      http.get("https://api.binance.com/api/v3/myTrades", ({ request }) => {
        asked.add(new URL(request.url).searchParams.get("symbol")!);
        return HttpResponse.json([]);
      }),
    );
    const r = await syncCredential(makeDeps("binance", { options: { steps: ["balances", "transfers", "fills"], marketTypes: ["spot"], backfillDays: 1 } }),
      { userId: cred.user.id, credentialId: cred.credentialId });
    expect(r.errors).toEqual([]);
    for (const s of ["LTCUSDT", "ETHUSDT", "ADAUSDT"]) expect(asked).toContain(s);
    // a quote currency held is not paired as a base with every other quote
    expect([...asked].some((s) => s.startsWith("USDT"))).toBe(false);
  });

  it("bitget: a truncated body (ccxt reads it as an empty page) is rejected, the cursor stays", async () => {
    const cred = await newCredential("bitget", "bgtrunc");
    server.resetHandlers(http.get("https://api.bitget.com/api/v2/spot/trade/fills", () =>
      HttpResponse.text('{"code":"00000","msg":"success","requestTime":"1","data":[{"userId":"1","symbol":"LTCUSDT","orderId":"1", "tra', { headers: { "content-type": "application/json" } })));
    const r = await syncCredential(makeDeps("bitget", { options: FILLS_ONLY }), { userId: cred.user.id, credentialId: cred.credentialId });
    expect(r.status).toBe("failed");
    expect(r.errors[0]).toMatchObject({ kind: "bad_response", code: "MalformedPayloadError" });
    expect(await cursorsOf(cred.user.id)).toHaveLength(0);
  });

  it("a time budget stops between pages: the run is partial and incomplete, the next run continues from the cursor", async () => {
    server.resetHandlers(binanceMyTradesHandler(BINANCE_ROWS));
    const cred = await newCredential("binance", "budget");
    const r = await syncCredential(makeDeps("binance", { options: { ...FILLS_ONLY, budgetMs: -1 } }), { userId: cred.user.id, credentialId: cred.credentialId });
    expect(r).toMatchObject({ status: "partial", incomplete: true });
    const again = await syncCredential(makeDeps("binance", { options: FILLS_ONLY }), { userId: cred.user.id, credentialId: cred.credentialId });
    expect(again.status).toBe("succeeded");
    expect((await fillStats(cred.user.id)).n).toBe(BINANCE_ROWS.length);
  });
});
