/**
 * History windows and pagination, pure (no I/O).
 *
 * Per exchange, market type and data kind: the widest since→until span one request may cover,
 * the page size, how far back the exchange serves data, and how to page inside a window.
 * Figures marked [README] come from ../shared/fixtures/ccxt/README.md ("History windows");
 * the others from the exchanges' API docs [docs] — conservative where the docs are vague.
 *
 * The sync, per (credential, market type, symbol, data kind):
 *   1. `planWindows({ limit, cursor, now })` → contiguous windows, oldest first;
 *   2. for each window: `req = firstPage(w)`, then loop {
 *        args = `requestArgs(limit, req)` → ccxt call(symbol, args.since, args.limit, args.params)
 *        → normalise → `n = nextPage(limit, req, page)` → in ONE transaction: upsert the page and
 *        store `cursorAfterPage(limit, cursor, w, page, n.done)` → if n.done break; req = n.request }.
 *   Rows are deduplicated by their natural key (windows touch, time paging repeats the edge ms).
 */
import type { ExchangeId, MarketType } from "../domain/types.ts";

export type DataKind = "trades" | "orders" | "deposits" | "withdrawals" | "funding";

/**
 * How to get the next page inside one window when a page comes back full:
 * - fromId:     ascending ids; next request `fromId = last id + 1` (binance; no time params with it)
 * - idLessThan: descending ids; next request `idLessThan = smallest id` (bitget `endId` cursor)
 * - offset:     offset / page number within the same window (gate, mexc contract)
 * - time:       no id cursor: move the time edge to the last row's timestamp, keep the same
 *               millisecond and dedupe (rows sharing it come back again).
 */
export type PageStyle = "fromId" | "idLessThan" | "offset" | "time";

export interface HistoryLimit {
  exchange: ExchangeId;
  kind: DataKind;
  marketType: MarketType | "wallet";
  /** Widest since→until span of one request (ms). */
  windowMs: number;
  /** Max rows per request. */
  maxRows: number;
  /** How far back the exchange serves this data (ms before now); null = no known limit. */
  maxLookbackMs: number | null;
  paging: PageStyle;
  /** For `time` paging: which end of the window a full page holds. */
  order: "asc" | "desc";
  /** The endpoint needs a symbol (so symbols must be discovered). */
  requiresSymbol: boolean;
  /** Time granularity of the request parameters (gate: seconds). */
  timeUnit: "ms" | "s";
  source: string;
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

type Spec = Omit<HistoryLimit, "exchange" | "kind" | "marketType">;
const L = (windowMs: number, maxRows: number, maxLookbackMs: number | null, paging: PageStyle, rest: Partial<Spec> & { source: string }): Spec => ({
  windowMs,
  maxRows,
  maxLookbackMs,
  paging,
  order: rest.order ?? "asc",
  requiresSymbol: rest.requiresSymbol ?? false,
  timeUnit: rest.timeUnit ?? "ms",
  source: rest.source,
});

type Table = Record<ExchangeId, Partial<Record<MarketType | "wallet", Partial<Record<DataKind, Spec>>>>>;

export const HISTORY_LIMITS: Table = {
  binance: {
    spot: {
      trades: L(DAY, 1000, null, "fromId", { requiresSymbol: true, source: "[README] 24 h, 1000 rows; fromId paging [docs]" }),
      orders: L(DAY, 1000, null, "fromId", { requiresSymbol: true, source: "[docs] allOrders: 24 h span, 1000 rows, orderId paging" }),
    },
    swap: {
      trades: L(7 * DAY, 1000, 180 * DAY, "fromId", { requiresSymbol: true, source: "[README] 7 days, 1000 rows; [docs] userTrades: last 6 months only" }),
      orders: L(7 * DAY, 1000, 90 * DAY, "fromId", { requiresSymbol: true, source: "[docs] allOrders: 7 days span, 90 days back" }),
      funding: L(7 * DAY, 1000, 90 * DAY, "time", { source: "[docs] income FUNDING_FEE: 1000 rows, last 3 months; 7 days span kept conservative" }),
    },
    wallet: {
      deposits: L(90 * DAY, 1000, null, "offset", { source: "[docs] capital/deposit/hisrec: 90 days span, offset paging" }),
      withdrawals: L(90 * DAY, 1000, null, "offset", { source: "[docs] capital/withdraw/history: 90 days span, offset paging" }),
    },
  },
  bitget: {
    spot: {
      trades: L(90 * DAY, 100, null, "idLessThan", { requiresSymbol: true, order: "desc", source: "[README] 90 days, 100 rows; endId/idLessThan cursor" }),
      orders: L(90 * DAY, 100, 90 * DAY, "idLessThan", { order: "desc", source: "[docs] history-orders: 90 days, 100 rows" }),
    },
    swap: {
      trades: L(7 * DAY, 100, 90 * DAY, "idLessThan", { requiresSymbol: true, order: "desc", source: "[README] 7 days, 100 rows; [docs] 90 days back" }),
      orders: L(7 * DAY, 100, 90 * DAY, "idLessThan", { order: "desc", source: "[docs] orders-history: 7 days span, 90 days back" }),
      funding: L(30 * DAY, 100, 90 * DAY, "idLessThan", { order: "desc", source: "[docs] mix account bill: 30 days span, 90 days back" }),
    },
    wallet: {
      deposits: L(30 * DAY, 100, null, "idLessThan", { order: "desc", source: "[README] UTA 30-day windows (used for classic too)" }),
      withdrawals: L(30 * DAY, 100, null, "idLessThan", { order: "desc", source: "[README] UTA 30-day windows (used for classic too)" }),
    },
  },
  gateio: {
    spot: {
      trades: L(30 * DAY, 1000, null, "offset", { order: "desc", timeUnit: "s", source: "[README] 30 days, 1000 rows, from/to in seconds; page paging" }),
      orders: L(30 * DAY, 1000, null, "offset", { requiresSymbol: true, order: "desc", timeUnit: "s", source: "[docs] finished orders need currency_pair; 30 days" }),
    },
    swap: {
      trades: L(30 * DAY, 1000, null, "offset", { order: "desc", timeUnit: "s", source: "[README] 1000 rows; [docs] my_trades_timerange from/to seconds" }),
      orders: L(30 * DAY, 1000, null, "offset", { order: "desc", timeUnit: "s", source: "[docs] futures orders: 1000 rows, offset" }),
      funding: L(30 * DAY, 1000, null, "offset", { order: "desc", timeUnit: "s", source: "[docs] account_book type=fund" }),
    },
    wallet: {
      deposits: L(30 * DAY, 500, null, "offset", { order: "desc", timeUnit: "s", source: "[docs] wallet deposits: 30 days span, 500 rows" }),
      withdrawals: L(30 * DAY, 500, null, "offset", { order: "desc", timeUnit: "s", source: "[docs] wallet withdrawals: 30 days span, 500 rows" }),
    },
  },
  mexc: {
    spot: {
      trades: L(30 * DAY, 100, 30 * DAY, "time", { requiresSymbol: true, order: "desc", source: "[README] 100 rows, 30 days back" }),
      orders: L(7 * DAY, 1000, 30 * DAY, "time", { requiresSymbol: true, order: "desc", source: "[docs] allOrders: 7 days span (conservative)" }),
    },
    swap: {
      trades: L(90 * DAY, 100, 90 * DAY, "offset", { requiresSymbol: true, order: "desc", source: "[README] 100 rows, 90 days back; page_num paging" }),
      orders: L(90 * DAY, 100, 90 * DAY, "offset", { order: "desc", source: "[docs] history_orders: page_num paging, 90 days" }),
      funding: L(90 * DAY, 100, 90 * DAY, "offset", { order: "desc", source: "[docs] funding_records: page_num paging" }),
    },
    wallet: {
      deposits: L(7 * DAY, 1000, 90 * DAY, "time", { order: "desc", source: "[docs] deposit/hisrec: 7 days span (conservative), 90 days back" }),
      withdrawals: L(7 * DAY, 1000, 90 * DAY, "time", { order: "desc", source: "[docs] withdraw/history: 7 days span (conservative), 90 days back" }),
    },
  },
};

/** The limits for one (exchange, market type, data kind); deposits/withdrawals ignore the market type. */
export function historyLimit(exchange: ExchangeId, kind: DataKind, marketType: MarketType = "spot"): HistoryLimit {
  const scope = kind === "deposits" || kind === "withdrawals" ? "wallet" : marketType;
  const spec = HISTORY_LIMITS[exchange]?.[scope]?.[kind];
  if (!spec) throw new Error(`no history for ${exchange} ${scope} ${kind}`);
  return { exchange, kind, marketType: scope, ...spec };
}

/** Where a (credential, market type, symbol, data kind) stopped: the newest row stored. */
export interface Cursor {
  lastTime: number;
  lastId?: string | null;
}

export interface Window {
  /** Inclusive start (ms). */
  since: number;
  /** Exclusive end (ms); equals the next window's `since`. */
  until: number;
  limit: number;
}

export interface PlanInput {
  limit: HistoryLimit;
  cursor?: Cursor | null;
  now: number;
  /** First sync: how far back (default 365), capped by the exchange's lookback. */
  backfillDays?: number;
  /** Later syncs restart this much before the cursor (default 5 min) to catch late rows. */
  overlapMs?: number;
}

export const DEFAULT_BACKFILL_DAYS = 365;
export const DEFAULT_OVERLAP_MS = 5 * MINUTE;
/** Margin kept inside the exchange's lookback so the oldest window is not refused as too old. */
export const LOOKBACK_MARGIN_MS = MINUTE;

/**
 * Contiguous request windows, oldest first, from the cursor (minus the overlap) or the backfill
 * start, to `now`. Each spans at most `limit.windowMs`; windows touch (no gap, no overlap);
 * gate windows are aligned to whole seconds.
 */
export function planWindows(p: PlanInput): Window[] {
  const { limit, now } = p;
  const overlap = Math.max(0, p.overlapMs ?? DEFAULT_OVERLAP_MS);
  const backfill = (p.backfillDays ?? DEFAULT_BACKFILL_DAYS) * DAY;
  let start = p.cursor ? p.cursor.lastTime - overlap : now - backfill;
  if (limit.maxLookbackMs !== null) start = Math.max(start, now - limit.maxLookbackMs + LOOKBACK_MARGIN_MS);
  let end = now;
  if (limit.timeUnit === "s") {
    start = Math.floor(start / 1000) * 1000;
    end = Math.ceil(end / 1000) * 1000;
  }
  const out: Window[] = [];
  if (!(start < end)) return out;
  for (let s = start; s < end; s += limit.windowMs) {
    out.push({ since: s, until: Math.min(s + limit.windowMs, end), limit: limit.maxRows });
  }
  return out;
}

/** One request inside a window. */
export interface PageRequest extends Window {
  fromId?: string;
  idLessThan?: string;
  offset?: number;
}

export function firstPage(w: Window): PageRequest {
  return { since: w.since, until: w.until, limit: w.limit };
}

/** What the paginator needs from each row of a page (exchange id + time in ms). */
export interface PageRow {
  id: string;
  time: number;
}

/** A raw ccxt page (trades, orders, transactions…) as PageRows; rows without id/timestamp are malformed. */
export function pageRowsOf(items: Array<{ id?: string | number | null; timestamp?: number | null }>): PageRow[] {
  return items.map((t, i) => {
    if (t.id === undefined || t.id === null || typeof t.timestamp !== "number") {
      throw new Error(`page row ${i} has no id or timestamp`);
    }
    return { id: String(t.id), time: t.timestamp };
  });
}

export type NextPage =
  | { done: true }
  | { done: false; request: PageRequest; warning?: string };

/** Compares exchange ids: numerically when both are integers, else as strings. */
export function compareIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) {
    const x = BigInt(a), y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Given the request just made and the rows it returned, the next request in the same window, or
 * done. A page shorter than the request's limit ends the window.
 */
export function nextPage(limit: HistoryLimit, req: PageRequest, rows: PageRow[]): NextPage {
  if (rows.length < req.limit || rows.length === 0) return { done: true };
  const times = rows.map((r) => r.time);
  const maxTime = Math.max(...times);
  const minTime = Math.min(...times);
  switch (limit.paging) {
    case "fromId": {
      // Binance: fromId can't be combined with a time range, so later pages run by id only and
      // may cross the window's end: stop once a row reaches it (those rows are still stored).
      if (maxTime >= req.until) return { done: true };
      const maxId = rows.map((r) => r.id).reduce((a, b) => (compareIds(a, b) >= 0 ? a : b));
      if (!/^\d+$/.test(maxId)) throw new Error(`fromId paging needs numeric ids, got ${maxId}`);
      return { done: false, request: { ...req, offset: undefined, idLessThan: undefined, fromId: (BigInt(maxId) + 1n).toString() } };
    }
    case "idLessThan": {
      const minId = rows.map((r) => r.id).reduce((a, b) => (compareIds(a, b) <= 0 ? a : b));
      if (req.idLessThan !== undefined && compareIds(minId, req.idLessThan) >= 0) {
        return { done: true }; // no progress: the exchange ignored the cursor
      }
      return { done: false, request: { ...req, idLessThan: minId } };
    }
    case "offset":
      return { done: false, request: { ...req, offset: (req.offset ?? 0) + rows.length } };
    case "time": {
      // The page holds one end of the window: asc → oldest rows (move since up), desc → newest
      // rows (move until down). Inferred from the rows when they are ordered, else from config.
      const first = rows[0].time, last = rows[rows.length - 1].time;
      const order = first < last ? "asc" : first > last ? "desc" : limit.order;
      if (order === "asc") {
        if (maxTime > req.since) return { done: false, request: { ...req, since: maxTime } };
        // every row at the same ms as `since`, and more than a page of them: cannot page inside
        // one millisecond without an id cursor; step over it and report the possible loss.
        return { done: false, request: { ...req, since: req.since + 1 }, warning: `more than ${req.limit} rows at ${req.since}: some may be missing` };
      }
      if (minTime + 1 < req.until) return { done: false, request: { ...req, until: minTime + 1 } };
      return { done: false, request: { ...req, until: req.until - 1 }, warning: `more than ${req.limit} rows at ${req.until - 1}: some may be missing` };
    }
  }
}

/**
 * Cursor after storing rows: `lastTime` = newest time covered, `lastId` = greatest id seen
 * (numeric ids compared as integers). Ids only matter where they grow with time (binance, per
 * symbol), which is where `resumeById` uses them.
 */
export function advanceCursor(cursor: Cursor | null | undefined, rows: PageRow[]): Cursor | null {
  let best: Cursor | null = cursor ? { lastTime: cursor.lastTime, lastId: cursor.lastId ?? null } : null;
  for (const r of rows) {
    if (!best) {
      best = { lastTime: r.time, lastId: r.id };
      continue;
    }
    if (r.time > best.lastTime) best.lastTime = r.time;
    if (best.lastId == null || compareIds(r.id, best.lastId) > 0) best.lastId = r.id;
  }
  return best;
}

/**
 * The cursor to store in the same transaction as a page's rows, so that a crash between pages
 * loses nothing on the next run:
 * - pages that walk a window oldest → newest (binance `fromId`, time paging oldest-first): every
 *   row older than the page's newest is stored, so the cursor moves to that row;
 * - pages that walk newest → oldest (bitget `idLessThan`, gate/mexc offsets, newest-first time
 *   paging): older rows of the window are still missing, so the cursor only moves when the
 *   window is complete — to the window's end (capped at `now`).
 * `pageRows` are the rows of the raw page (ccxt items: id + timestamp), not only those stored.
 */
export function cursorAfterPage(
  limit: HistoryLimit,
  cursor: Cursor | null | undefined,
  window: Window,
  pageRows: PageRow[],
  windowDone: boolean,
): Cursor | null {
  const ascending = limit.paging === "fromId" || (limit.paging === "time" && limit.order === "asc");
  let next = cursor ?? null;
  if (ascending || windowDone) next = advanceCursor(next, pageRows);
  if (windowDone) {
    const end = window.until - 1;
    if (!next) next = { lastTime: end, lastId: null };
    else if (end > next.lastTime) next = { ...next, lastTime: end };
  }
  return next;
}

/**
 * Incremental sync where ids grow with time and the API pages by id without a time range
 * (binance trades / orders, per symbol): one request chain from the cursor's id instead of
 * windows — `fromId = lastId + 1`, continued by `nextPage` until a short page or `now`. No overlap
 * is needed (nothing can appear below an id already seen). Null when it does not apply; then use
 * `planWindows`. The whole chain is one window `{ since: cursor.lastTime, until: now }` for
 * `cursorAfterPage`.
 */
export function resumeById(limit: HistoryLimit, cursor: Cursor | null | undefined, now: number): PageRequest | null {
  if (limit.paging !== "fromId" || !cursor?.lastId || !/^\d+$/.test(cursor.lastId)) return null;
  if (limit.maxLookbackMs !== null && cursor.lastTime < now - limit.maxLookbackMs) return null;
  return { since: cursor.lastTime, until: now, limit: limit.maxRows, fromId: (BigInt(cursor.lastId) + 1n).toString() };
}

/** Arguments of the ccxt call (`fetchMyTrades(symbol, since, limit, params)` and the like). */
export interface CcxtArgs {
  since: number | undefined;
  limit: number;
  params: Record<string, unknown>;
}

/**
 * The ccxt `since` / `limit` / `params` for a page request. Windows are half-open [since, until);
 * ccxt's `until` is inclusive (endTime) on binance, bitget and mexc spot, so until-1 is sent;
 * gate takes from/to in seconds (ccxt divides), windows there are whole seconds.
 */
export function requestArgs(limit: HistoryLimit, req: PageRequest): CcxtArgs {
  const params: Record<string, unknown> = {};
  const { exchange, marketType, kind } = limit;
  if (req.fromId !== undefined) {
    // binance: trades page with `fromId`, allOrders with `orderId` (≥ that id); no time range with it
    params[kind === "orders" ? "orderId" : "fromId"] = req.fromId;
    return { since: undefined, limit: req.limit, params };
  }
  if (exchange === "gateio") {
    params.until = req.until;
    if (req.offset) {
      if (marketType === "spot" && kind === "trades") params.page = Math.floor(req.offset / req.limit) + 1;
      else params.offset = req.offset;
    }
    return { since: req.since, limit: req.limit, params };
  }
  if (exchange === "mexc" && marketType === "swap") {
    params.end_time = req.until - 1;
    if (req.offset) params.page_num = Math.floor(req.offset / req.limit) + 1;
    return { since: req.since, limit: req.limit, params };
  }
  params.until = req.until - 1;
  if (req.idLessThan !== undefined) params.idLessThan = req.idLessThan;
  if (req.offset) params.offset = req.offset;
  return { since: req.since, limit: req.limit, params };
}

// ---------------------------------------------------------------------------------------------
// Symbol discovery
// ---------------------------------------------------------------------------------------------

/** Minimal market shape (a ccxt unified market). */
export interface MarketLike {
  symbol: string;
  base: string;
  quote: string;
  type?: string;
  spot?: boolean;
  swap?: boolean;
  linear?: boolean | null;
  active?: boolean | null;
}

export interface DiscoveryInput {
  markets: Record<string, MarketLike>;
  /** Assets with a balance (any account). */
  balanceAssets?: string[];
  /** Assets deposited or withdrawn. */
  transferAssets?: string[];
  /** Symbols seen in orders (open orders, order history where it can be listed without symbol). */
  orderSymbols?: string[];
  /** Symbols seen elsewhere: open positions, binance income (COMMISSION/REALIZED_PNL rows), imports. */
  seenSymbols?: string[];
  /** Symbols the user added by hand. */
  userSymbols?: string[];
  /** Quote currencies to pair assets with, in order of preference. */
  quotes?: string[];
  /** Which market types to produce (default spot and swap). */
  marketTypes?: MarketType[];
  /** Cap on the number of candidates (strongest evidence first). Default: no cap. */
  maxSymbols?: number;
}

export interface SymbolCandidate {
  symbol: string;
  marketType: MarketType;
  reasons: string[];
}

export const DEFAULT_QUOTES = ["USDT", "USDC", "FDUSD", "BTC", "ETH", "BNB", "EUR", "TRY"];

/**
 * Candidate symbols for exchanges whose trade history needs a symbol (binance, bitget, mexc).
 *
 * Trade-off — coverage vs request count: every candidate costs one request per history window
 * (binance spot: 365 per symbol for a one-year backfill), so pairing every held or transferred
 * asset with every quote multiplies requests; pairing too narrowly misses fills. We pair each
 * asset seen in balances or transfers with the known quote currencies that have a listed market
 * (and with the linear USDT swap), and take orders, positions/income and user-added symbols as
 * they are. What this cannot see: a pair traded and fully exited whose asset was never deposited,
 * withdrawn or held at sync time and whose orders are no longer listable — the user adds it (or
 * a CSV import brings it). Evidence order (for `maxSymbols`): user > orders/seen > balances >
 * transfers; quote assets (USDT…) are not paired as bases with every other quote.
 */
export function discoverSymbols(input: DiscoveryInput): SymbolCandidate[] {
  const quotes = input.quotes ?? DEFAULT_QUOTES;
  const types = new Set<MarketType>(input.marketTypes ?? ["spot", "swap"]);
  const markets = input.markets;
  const found = new Map<string, SymbolCandidate & { rank: number }>();
  const typeOf = (m: MarketLike): MarketType | null =>
    m.spot || m.type === "spot" ? "spot" : (m.swap || m.type === "swap") && m.linear !== false ? "swap" : null;
  const add = (symbol: string, reason: string, rank: number) => {
    const m = markets[symbol];
    if (!m || m.active === false) return;
    const t = typeOf(m);
    if (!t || !types.has(t)) return;
    const c = found.get(symbol);
    if (c) {
      if (!c.reasons.includes(reason)) c.reasons.push(reason);
      c.rank = Math.min(c.rank, rank);
    } else {
      found.set(symbol, { symbol, marketType: t, reasons: [reason], rank });
    }
  };
  const quoteSet = new Set(quotes);
  const pairAsset = (asset: string, reason: string, rank: number) => {
    const a = asset.toUpperCase();
    for (const q of quotes) {
      if (q === a) continue;
      // a quote currency held (USDT) is not paired as a base with every other quote
      if (quoteSet.has(a) && quotes.indexOf(q) > quotes.indexOf(a)) continue;
      add(`${a}/${q}`, reason, rank);
    }
    add(`${a}/USDT:USDT`, reason, rank);
  };
  for (const s of input.userSymbols ?? []) add(s, "user", 0);
  for (const s of input.orderSymbols ?? []) add(s, "orders", 1);
  for (const s of input.seenSymbols ?? []) add(s, "seen", 1);
  for (const a of input.balanceAssets ?? []) pairAsset(a, "balance", 2);
  for (const a of input.transferAssets ?? []) pairAsset(a, "transfer", 3);
  const list = [...found.values()].sort((x, y) => x.rank - y.rank || x.symbol.localeCompare(y.symbol));
  const capped = input.maxSymbols !== undefined ? list.slice(0, input.maxSymbols) : list;
  return capped.map(({ symbol, marketType, reasons }) => ({ symbol, marketType, reasons }));
}
