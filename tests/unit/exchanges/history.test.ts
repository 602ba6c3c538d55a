/** Windows planner, paginator, request arguments and symbol discovery (pure). */
import { describe, expect, it } from "vitest";
import {
  advanceCursor,
  cursorAfterPage,
  resumeById,
  DAY,
  discoverSymbols,
  firstPage,
  historyLimit,
  HISTORY_LIMITS,
  MINUTE,
  nextPage,
  planWindows,
  requestArgs,
  type Window,
} from "../../../functions/_shared/exchanges/index.ts";
import type { ExchangeId } from "../../../functions/_shared/domain/types.ts";
import { loadMarkets } from "../../support/ccxt/replay.ts";

const NOW = Date.UTC(2026, 0, 15, 12, 34, 56, 789);

function contiguous(ws: Window[]) {
  for (let i = 1; i < ws.length; i++) expect(ws[i].since).toBe(ws[i - 1].until);
}

describe("limits per exchange (README 'History windows')", () => {
  it.each([
    ["binance", "spot", DAY, 1000],
    ["binance", "swap", 7 * DAY, 1000],
    ["bitget", "spot", 90 * DAY, 100],
    ["bitget", "swap", 7 * DAY, 100],
    ["gateio", "spot", 30 * DAY, 1000],
    ["gateio", "swap", 30 * DAY, 1000],
    ["mexc", "spot", 30 * DAY, 100],
    ["mexc", "swap", 90 * DAY, 100],
  ] as const)("%s %s trades: %d ms windows, %d rows", (ex, mt, span, rows) => {
    const l = historyLimit(ex, "trades", mt);
    expect(l.windowMs).toBe(span);
    expect(l.maxRows).toBe(rows);
  });
  it("trade history needs a symbol on binance, bitget and mexc, not on gate", () => {
    for (const ex of ["binance", "bitget", "mexc", "gateio"] as ExchangeId[]) {
      expect(historyLimit(ex, "trades", "spot").requiresSymbol).toBe(ex !== "gateio");
    }
  });
  it("mexc spot serves 30 days back, swap 90; bitget UTA-style transfers 30-day windows; gate in seconds", () => {
    expect(historyLimit("mexc", "trades", "spot").maxLookbackMs).toBe(30 * DAY);
    expect(historyLimit("mexc", "trades", "swap").maxLookbackMs).toBe(90 * DAY);
    expect(historyLimit("bitget", "deposits").windowMs).toBe(30 * DAY);
    expect(historyLimit("gateio", "trades", "spot").timeUnit).toBe("s");
  });
  it("every entry is complete", () => {
    for (const [ex, scopes] of Object.entries(HISTORY_LIMITS)) {
      for (const [scope, kinds] of Object.entries(scopes)) {
        for (const [kind, spec] of Object.entries(kinds!)) {
          expect(spec!.windowMs, `${ex} ${scope} ${kind}`).toBeGreaterThan(0);
          expect(spec!.maxRows).toBeGreaterThan(0);
          expect(spec!.source).not.toBe("");
        }
      }
    }
  });
  it("unknown combinations throw", () => {
    expect(() => historyLimit("gateio", "funding", "spot")).toThrow();
  });
});

describe("planWindows", () => {
  it("binance spot: 3-day range → three 24 h windows, contiguous, ending at now", () => {
    const ws = planWindows({ limit: historyLimit("binance", "trades", "spot"), now: NOW, backfillDays: 3 });
    expect(ws).toHaveLength(3);
    expect(ws[0].since).toBe(NOW - 3 * DAY);
    expect(ws.map((w) => w.until - w.since)).toEqual([DAY, DAY, DAY]);
    expect(ws[2].until).toBe(NOW);
    expect(ws.every((w) => w.limit === 1000)).toBe(true);
    contiguous(ws);
  });
  it("default backfill is 365 days: 365 binance spot windows; binance swap capped at 180 days back → 26 weekly windows", () => {
    expect(planWindows({ limit: historyLimit("binance", "trades", "spot"), now: NOW })).toHaveLength(365);
    const swap = planWindows({ limit: historyLimit("binance", "trades", "swap"), now: NOW });
    expect(swap[0].since).toBe(NOW - 180 * DAY + MINUTE); // capped by the exchange's lookback
    expect(swap).toHaveLength(26);
    contiguous(swap);
  });
  it("a partial last window", () => {
    const ws = planWindows({ limit: historyLimit("bitget", "trades", "swap"), now: NOW, backfillDays: 10 });
    expect(ws.map((w) => (w.until - w.since) / DAY)).toEqual([7, 3]);
    contiguous(ws);
  });
  it("from a cursor: restart exactly `overlap` before it, no more", () => {
    const cursor = { lastTime: NOW - 2 * DAY - 3 * 3600_000, lastId: "123" };
    const ws = planWindows({ limit: historyLimit("binance", "trades", "spot"), now: NOW, cursor });
    expect(ws[0].since).toBe(cursor.lastTime - 5 * MINUTE);
    expect(ws.at(-1)!.until).toBe(NOW);
    contiguous(ws);
    const custom = planWindows({ limit: historyLimit("binance", "trades", "spot"), now: NOW, cursor, overlapMs: 0 });
    expect(custom[0].since).toBe(cursor.lastTime);
  });
  it("cursor at now → one small window; cursor in the future → nothing", () => {
    const ws = planWindows({ limit: historyLimit("bitget", "trades", "spot"), now: NOW, cursor: { lastTime: NOW } });
    expect(ws).toEqual([{ since: NOW - 5 * MINUTE, until: NOW, limit: 100 }]);
    expect(planWindows({ limit: historyLimit("bitget", "trades", "spot"), now: NOW, cursor: { lastTime: NOW + DAY } })).toEqual([]);
  });
  it("mexc spot: a 365-day backfill is capped at 30 days back", () => {
    const ws = planWindows({ limit: historyLimit("mexc", "trades", "spot"), now: NOW });
    expect(ws).toHaveLength(1);
    expect(ws[0].since).toBe(NOW - 30 * DAY + MINUTE);
  });
  it("gate: windows on whole seconds (from/to are seconds)", () => {
    const ws = planWindows({ limit: historyLimit("gateio", "trades", "spot"), now: NOW, backfillDays: 65 });
    expect(ws).toHaveLength(3);
    for (const w of ws) {
      expect(w.since % 1000).toBe(0);
      expect(w.until % 1000).toBe(0);
    }
    expect(ws.at(-1)!.until).toBeGreaterThanOrEqual(NOW);
    contiguous(ws);
  });
});

describe("nextPage", () => {
  const rows = (n: number, t0: number, id0: number, dt = 1) => Array.from({ length: n }, (_, i) => ({ id: String(id0 + i), time: t0 + i * dt }));
  const bnb = historyLimit("binance", "trades", "spot");
  const w: Window = { since: NOW - DAY, until: NOW, limit: 1000 };

  it("a short page ends the window", () => {
    expect(nextPage(bnb, firstPage(w), rows(999, w.since, 1))).toEqual({ done: true });
    expect(nextPage(bnb, firstPage(w), [])).toEqual({ done: true });
  });
  it("binance: full page → fromId = last id + 1 (big ids exact)", () => {
    const r = rows(1000, w.since, 1);
    r[999].id = "9007199254740993"; // > 2^53
    const next = nextPage(bnb, firstPage(w), r);
    expect(next).toMatchObject({ done: false, request: { fromId: "9007199254740994" } });
  });
  it("binance: fromId paging stops once rows reach the window end", () => {
    expect(nextPage(bnb, { ...firstPage(w), fromId: "5" }, rows(1000, NOW - 10, 5))).toEqual({ done: true });
  });
  it("bitget: full page → idLessThan = smallest id; a cursor ignored by the exchange ends it", () => {
    const bg = historyLimit("bitget", "trades", "spot");
    const req = { ...firstPage(w), limit: 100 };
    const page = rows(100, w.since, 1000).reverse();
    const next = nextPage(bg, req, page);
    expect(next).toMatchObject({ done: false, request: { idLessThan: "1000", since: w.since, until: w.until } });
    expect(nextPage(bg, { ...req, idLessThan: "1000" }, page)).toEqual({ done: true });
  });
  it("gate: offset advances by the page size", () => {
    const g = historyLimit("gateio", "trades", "swap");
    const n1 = nextPage(g, firstPage(w), rows(1000, w.since, 1));
    expect(n1).toMatchObject({ done: false, request: { offset: 1000 } });
    const n2 = nextPage(g, (n1 as unknown as { request: never }).request, rows(1000, w.since, 1001));
    expect(n2).toMatchObject({ request: { offset: 2000 } });
  });
  it("time paging (mexc), newest first: until moves down to the oldest row's ms (kept, deduped)", () => {
    const mx = historyLimit("mexc", "trades", "spot");
    const req = { ...firstPage(w), limit: 100 };
    const page = rows(100, NOW - 1000, 1, 5).reverse();
    expect(nextPage(mx, req, page)).toMatchObject({ done: false, request: { until: NOW - 1000 + 1, since: w.since } });
  });
  it("time paging, oldest first: since moves up to the newest row's ms", () => {
    const mx = historyLimit("mexc", "trades", "spot");
    const page = rows(100, w.since, 1, 5);
    expect(nextPage(mx, { ...firstPage(w), limit: 100 }, page)).toMatchObject({ request: { since: w.since + 99 * 5 } });
  });
  it("time paging with a full page inside one millisecond: steps over it with a warning (no endless loop)", () => {
    const mx = historyLimit("mexc", "trades", "spot");
    const page = Array.from({ length: 100 }, (_, i) => ({ id: `x${i}`, time: w.since }));
    const next = nextPage(mx, { ...firstPage(w), limit: 100, until: w.since + 1 }, page);
    expect(next.done).toBe(false);
    expect((next as { warning?: string }).warning).toMatch(/more than 100 rows/);
  });
});

describe("requestArgs", () => {
  const w = { since: 1_700_000_000_000, until: 1_700_086_400_000, limit: 1000 };
  it("binance: until inclusive = window end - 1 (24 h span allowed); fromId alone", () => {
    expect(requestArgs(historyLimit("binance", "trades", "spot"), firstPage(w))).toEqual({ since: w.since, limit: 1000, params: { until: w.until - 1 } });
    expect(requestArgs(historyLimit("binance", "trades", "spot"), { ...firstPage(w), fromId: "42" })).toEqual({ since: undefined, limit: 1000, params: { fromId: "42" } });
    expect(requestArgs(historyLimit("binance", "orders", "swap"), { ...firstPage(w), fromId: "42" }).params).toEqual({ orderId: "42" });
    expect(requestArgs(historyLimit("binance", "deposits"), { ...firstPage(w), offset: 1000 }).params).toEqual({ until: w.until - 1, offset: 1000 });
  });
  it("bitget: idLessThan carried with the window", () => {
    expect(requestArgs(historyLimit("bitget", "trades", "spot"), { ...w, limit: 100, idLessThan: "9" })).toEqual({ since: w.since, limit: 100, params: { until: w.until - 1, idLessThan: "9" } });
  });
  it("gate: spot trades page number, futures offset", () => {
    expect(requestArgs(historyLimit("gateio", "trades", "spot"), { ...w, offset: 2000 }).params).toEqual({ until: w.until, page: 3 });
    expect(requestArgs(historyLimit("gateio", "trades", "swap"), { ...w, offset: 2000 }).params).toEqual({ until: w.until, offset: 2000 });
  });
  it("mexc swap: end_time and page_num", () => {
    expect(requestArgs(historyLimit("mexc", "trades", "swap"), { ...w, limit: 100, offset: 200 }).params).toEqual({ end_time: w.until - 1, page_num: 3 });
  });
});

describe("advanceCursor", () => {
  it("keeps the newest (time, id)", () => {
    expect(advanceCursor(null, [])).toBeNull();
    expect(advanceCursor(null, [{ id: "5", time: 10 }, { id: "7", time: 10 }, { id: "3", time: 9 }])).toEqual({ lastTime: 10, lastId: "7" });
    expect(advanceCursor({ lastTime: 20, lastId: "1" }, [{ id: "9", time: 10 }])).toEqual({ lastTime: 20, lastId: "9" });
    expect(advanceCursor({ lastTime: 20, lastId: "10" }, [{ id: "9", time: 30 }])).toEqual({ lastTime: 30, lastId: "10" });
  });
});

describe("cursorAfterPage", () => {
  const w: Window = { since: 0, until: 1000, limit: 2 };
  it("ascending paging moves with each page; window end when done", () => {
    const l = historyLimit("binance", "trades", "spot");
    expect(cursorAfterPage(l, null, w, [{ id: "1", time: 10 }, { id: "2", time: 20 }], false)).toEqual({ lastTime: 20, lastId: "2" });
    expect(cursorAfterPage(l, { lastTime: 20, lastId: "2" }, w, [{ id: "3", time: 30 }], true)).toEqual({ lastTime: 999, lastId: "3" });
  });
  it("descending paging holds until the window is complete", () => {
    const l = historyLimit("bitget", "trades", "spot");
    expect(cursorAfterPage(l, null, w, [{ id: "9", time: 900 }, { id: "8", time: 800 }], false)).toBeNull();
    expect(cursorAfterPage(l, null, w, [{ id: "1", time: 100 }], true)).toEqual({ lastTime: 999, lastId: "1" });
  });
  it("an empty window still moves the cursor (quiet symbols are not re-scanned)", () => {
    expect(cursorAfterPage(historyLimit("binance", "trades", "spot"), { lastTime: 5, lastId: "7" }, w, [], true)).toEqual({ lastTime: 999, lastId: "7" });
  });
});

describe("resumeById", () => {
  it("binance: from the cursor's id, no windows; other exchanges: not applicable", () => {
    expect(resumeById(historyLimit("binance", "trades", "spot"), { lastTime: NOW - DAY, lastId: "99" }, NOW)).toEqual({ since: NOW - DAY, until: NOW, limit: 1000, fromId: "100" });
    expect(resumeById(historyLimit("binance", "trades", "spot"), { lastTime: NOW - DAY, lastId: null }, NOW)).toBeNull();
    expect(resumeById(historyLimit("binance", "trades", "spot"), null, NOW)).toBeNull();
    expect(resumeById(historyLimit("bitget", "trades", "spot"), { lastTime: NOW - DAY, lastId: "99" }, NOW)).toBeNull();
    // beyond what binance futures still serve: plan windows instead
    expect(resumeById(historyLimit("binance", "trades", "swap"), { lastTime: NOW - 200 * DAY, lastId: "99" }, NOW)).toBeNull();
  });
});

describe("discoverSymbols", () => {
  const markets = loadMarkets("binance") as never;
  it("pairs held and transferred assets with listed quotes and the USDT swap; orders and user symbols as they are", () => {
    const out = discoverSymbols({
      markets,
      balanceAssets: ["LTC", "USDT", "BNB"],
      transferAssets: ["ETH"],
      orderSymbols: ["ADA/USDT"],
      userSymbols: ["XRP/USDT:USDT", "NOT/LISTED"],
    });
    expect(out.map((c) => c.symbol)).toEqual([
      "XRP/USDT:USDT",
      "ADA/USDT",
      "LTC/USDT",
      "LTC/USDT:USDT",
      "ETH/USDT",
      "ETH/USDT:USDT",
    ]);
    expect(out.find((c) => c.symbol === "LTC/USDT")).toEqual({ symbol: "LTC/USDT", marketType: "spot", reasons: ["balance"] });
  });
  it("market type filter and cap", () => {
    const out = discoverSymbols({ markets, balanceAssets: ["BTC", "ETH", "LTC"], marketTypes: ["spot"], maxSymbols: 2 });
    expect(out.map((c) => c.symbol)).toEqual(["BTC/USDT", "ETH/USDT"]);
  });
  it("evidence merges", () => {
    const out = discoverSymbols({ markets, balanceAssets: ["LTC"], orderSymbols: ["LTC/USDT"], marketTypes: ["spot"] });
    expect(out).toEqual([{ symbol: "LTC/USDT", marketType: "spot", reasons: ["orders", "balance"] }]);
  });
});
