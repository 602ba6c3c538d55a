/**
 * Multi-window, multi-page histories through planner + paginator + real ccxt + normalisers,
 * against synthetic exchanges that page with the exchange's own parameter semantics (msw).
 * Complete (count and sum equal what the mock holds), no duplicates after natural-key dedupe,
 * no gaps at window edges, and a crash after page k resumes from the stored cursor to the same set.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Exchange, Trade } from "ccxt";
import { replayClient, type ReplayServer, startReplayServer } from "../../support/ccxt/replay.ts";
import {
  binanceMyTrades,
  binanceMyTradesHandler,
  bitgetSpotFills,
  bitgetSpotFillsHandler,
  type RecordedCall,
} from "../../support/ccxt/synthetic.ts";
import {
  type Cursor,
  cursorAfterPage,
  DAY,
  firstPage,
  type HistoryLimit,
  historyLimit,
  nextPage,
  normalizeTrades,
  pageRowsOf,
  planWindows,
  resumeById,
  requestArgs,
  sum,
} from "../../../functions/_shared/exchanges/index.ts";
import type { FillRow } from "../../../functions/_shared/domain/types.ts";

const NOW = Date.UTC(2026, 0, 15, 0, 0, 0, 0);
let server: ReplayServer;
beforeAll(() => {
  server = startReplayServer();
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(NOW);
});
afterAll(() => {
  vi.useRealTimers();
  server.close();
});

interface Store {
  rows: Map<string, FillRow>;
  cursor: Cursor | null;
  pages: number;
}

/** The sync loop the worker runs (without the database): one "transaction" per page. */
async function sync(client: Exchange, limit: HistoryLimit, symbol: string, store: Store, o: { backfillDays: number; crashAfterPage?: number }) {
  for (const w of planWindows({ limit, now: NOW, cursor: store.cursor, backfillDays: o.backfillDays })) {
    let req = firstPage(w);
    for (;;) {
      const a = requestArgs(limit, req);
      const trades: Trade[] = await client.fetchMyTrades(symbol, a.since, a.limit, a.params);
      const { rows } = normalizeTrades(client, trades);
      const page = pageRowsOf(trades);
      const n = nextPage(limit, req, page);
      // --- one transaction: rows + cursor ---
      for (const r of rows) store.rows.set(r.trade_id, r);
      store.cursor = cursorAfterPage(limit, store.cursor, w, page, n.done);
      store.pages++;
      if (o.crashAfterPage !== undefined && store.pages === o.crashAfterPage) throw new Error("crash");
      if (n.done) break;
      req = n.request;
    }
  }
}

const fresh = (): Store => ({ rows: new Map(), cursor: null, pages: 0 });

describe("binance spot: 24 h windows × fromId pages", () => {
  const start = NOW - 3 * DAY;
  // 3 days, 7000 rows (> 1000 per window → several pages per window), bursts of 5 rows per ms
  const data = binanceMyTrades({ count: 7000, start, end: NOW - 1, sameMsEvery: 5, seed: 7 });
  // rows exactly on the window edges (the first ms of a window and the last ms of the previous)
  const edges = [start + DAY - 1, start + DAY, start + 2 * DAY - 1, start + 2 * DAY].map((t, i) => ({ ...data[0], id: 900_000_000 + i, time: t }));
  // binance trade ids grow with time: renumber after merging
  const all = [...data, ...edges].sort((a, b) => a.time - b.time || a.id - b.id).map((r, i) => ({ ...r, id: 300_000_000 + i }));
  const edgeIds = all.filter((r) => edges.some((e) => e.time === r.time && e.orderId === r.orderId && e.qty === r.qty)).map((r) => r.id);

  it("arrives complete: count and sum of amounts equal what the mock served, no duplicates", async () => {
    const calls: RecordedCall[] = [];
    server.resetHandlers(binanceMyTradesHandler(all, calls));
    const client = replayClient("binance");
    const store = fresh();
    await sync(client, historyLimit("binance", "trades", "spot"), "LTC/USDT", store, { backfillDays: 3 });
    expect(store.rows.size).toBe(all.length);
    expect(sum([...store.rows.values()].map((r) => r.amount))).toBe(sum(all.map((r) => r.qty)));
    expect(sum([...store.rows.values()].map((r) => r.cost))).toBe(sum(all.map((r) => r.quoteQty)));
    expect(edgeIds.length).toBeGreaterThanOrEqual(4);
    for (const id of edgeIds) expect(store.rows.has(String(id))).toBe(true);
    // every time-bounded request respects the 24 h rule (the mock answers -1127 otherwise)
    const timed = calls.filter((c) => c.params.startTime !== undefined);
    expect(timed).toHaveLength(3);
    for (const c of timed) expect(Number(c.params.endTime) - Number(c.params.startTime)).toBe(DAY - 1);
    expect(calls.filter((c) => c.params.fromId !== undefined).length).toBeGreaterThan(3);
    expect(store.cursor?.lastTime).toBe(NOW - 1);
  });

  it("a crash after page k, then a new run, gives exactly the rows of an uninterrupted sync", async () => {
    server.resetHandlers(binanceMyTradesHandler(all));
    const client = replayClient("binance");
    for (const k of [1, 2, 5]) {
      const store = fresh();
      await expect(sync(client, historyLimit("binance", "trades", "spot"), "LTC/USDT", store, { backfillDays: 3, crashAfterPage: k })).rejects.toThrow("crash");
      const partial = store.rows.size;
      expect(partial).toBeLessThan(all.length);
      store.pages = 0;
      await sync(client, historyLimit("binance", "trades", "spot"), "LTC/USDT", store, { backfillDays: 3 });
      expect(store.rows.size).toBe(all.length);
    }
  });

  it("a second sync from the cursor adds nothing new", async () => {
    server.resetHandlers(binanceMyTradesHandler(all));
    const client = replayClient("binance");
    const store = fresh();
    await sync(client, historyLimit("binance", "trades", "spot"), "LTC/USDT", store, { backfillDays: 3 });
    const before = new Map(store.rows);
    await sync(client, historyLimit("binance", "trades", "spot"), "LTC/USDT", store, { backfillDays: 3 });
    expect(store.rows).toEqual(before);
  });
});

describe("binance incremental sync by id (resumeById)", () => {
  it("fetches only the new trades, in one request chain, no windows", async () => {
    const old = binanceMyTrades({ count: 1500, start: NOW - 2 * DAY, end: NOW - DAY, seed: 11 });
    const fresh2 = binanceMyTrades({ count: 1200, start: NOW - DAY + 1, end: NOW - 1, seed: 12, firstId: 300_001_500 });
    const calls: RecordedCall[] = [];
    server.resetHandlers(binanceMyTradesHandler([...old, ...fresh2], calls));
    const client = replayClient("binance");
    const limit = historyLimit("binance", "trades", "spot");
    const store: Store = { rows: new Map(), cursor: { lastTime: old.at(-1)!.time, lastId: String(old.at(-1)!.id) }, pages: 0 };
    let req = resumeById(limit, store.cursor, NOW)!;
    const w = { since: req.since, until: req.until, limit: req.limit };
    for (;;) {
      const a = requestArgs(limit, req);
      const trades: Trade[] = await client.fetchMyTrades("LTC/USDT", a.since, a.limit, a.params);
      for (const r of normalizeTrades(client, trades).rows) store.rows.set(r.trade_id, r);
      const n = nextPage(limit, req, pageRowsOf(trades));
      store.cursor = cursorAfterPage(limit, store.cursor, w, pageRowsOf(trades), n.done);
      if (n.done) break;
      req = n.request;
    }
    expect(store.rows.size).toBe(1200);
    expect(calls.map((c) => c.params.fromId)).toEqual(["300001500", "300002500"]);
    expect(store.cursor).toEqual({ lastTime: NOW - 1, lastId: "300002699" });
  });
});

describe("bitget spot: newest-first pages with idLessThan", () => {
  const data = bitgetSpotFills({ count: 450, start: NOW - 3 * DAY, end: NOW - 1, sameMsEvery: 3, seed: 3 });

  it("arrives complete in 100-row pages", async () => {
    const calls: RecordedCall[] = [];
    server.resetHandlers(bitgetSpotFillsHandler(data, calls));
    const client = replayClient("bitget");
    const store = fresh();
    await sync(client, historyLimit("bitget", "trades", "spot"), "LTC/USDT", store, { backfillDays: 3 });
    expect(store.rows.size).toBe(450);
    expect(calls).toHaveLength(5);
    expect(calls.slice(1).every((c) => c.params.idLessThan !== undefined)).toBe(true);
    expect(sum([...store.rows.values()].map((r) => r.amount))).toBe(sum(data.map((r) => r.size)));
    expect([...store.rows.values()].every((r) => r.fees[0].amount === "0.000001")).toBe(true);
  });

  it("a crash mid-window does not move the cursor past the rows still missing", async () => {
    server.resetHandlers(bitgetSpotFillsHandler(data));
    const client = replayClient("bitget");
    const store = fresh();
    await expect(sync(client, historyLimit("bitget", "trades", "spot"), "LTC/USDT", store, { backfillDays: 3, crashAfterPage: 2 })).rejects.toThrow("crash");
    expect(store.rows.size).toBe(200);
    expect(store.cursor).toBeNull();
    store.pages = 0;
    await sync(client, historyLimit("bitget", "trades", "spot"), "LTC/USDT", store, { backfillDays: 3 });
    expect(store.rows.size).toBe(450);
    expect(store.cursor?.lastTime).toBe(NOW - 1);
  });
});
