/**
 * Fault-injection support: one deterministic exchange account (binance spot, two symbols, fills
 * and orders over several 24 h windows and 1000-row pages), served by msw with Binance's paging
 * semantics; a fault layer in front of it; the database state a sync leaves (normalised, without
 * ids and user ids) so that a disturbed run can be compared with an undisturbed one; and the
 * cluster's stop / start (the "database restarted" fault).
 */
import Decimal from "decimal.js";
import { delay, http, HttpResponse, type HttpHandler } from "msw";
import { adminSql } from "../../support/db.ts";
import { binanceMyTrades, type BinanceTradeRow, binanceMyTradesHandler, errorResponse, seededRng } from "../../support/ccxt/synthetic.ts";
import { NOW } from "../../unit/sync/support.ts";
import type { SyncOptions } from "../../../functions/_shared/sync/index.ts";

export { seededRng };
export const DAY = 86_400_000;

/** What every fault test syncs: fills and orders of two spot symbols, 2 days of backfill. */
export const OPTIONS: SyncOptions = {
  steps: ["orders", "fills"],
  marketTypes: ["spot"],
  discover: false,
  userSymbols: ["LTC/USDT", "ETH/USDT"],
  backfillDays: 2,
  heartbeatEveryMs: 50,
};

export interface BinanceOrderRow {
  symbol: string;
  orderId: number;
  orderListId: number;
  clientOrderId: string;
  price: string;
  origQty: string;
  executedQty: string;
  cummulativeQuoteQty: string;
  status: string;
  timeInForce: string;
  type: string;
  side: string;
  stopPrice: string;
  icebergQty: string;
  time: number;
  updateTime: number;
  isWorking: boolean;
  workingTime: number;
  origQuoteOrderQty: string;
  selfTradePreventionMode: string;
}

/** Fills of one symbol grouped 3 per order (same side), ids ascending with time, and their orders. */
function account(symbolId: string, count: number, seed: number, firstId: number, firstOrder: number) {
  const raw = binanceMyTrades({ symbolId, count, start: NOW - 2 * DAY, end: NOW - 1, seed, sameMsEvery: 7 })
    .sort((a, b) => a.time - b.time || a.id - b.id);
  const fills: BinanceTradeRow[] = raw.map((r, i) => {
    const group = Math.floor(i / 3);
    return { ...r, id: firstId + i, orderId: firstOrder + group, isBuyer: raw[group * 3].isBuyer };
  });
  const orders: BinanceOrderRow[] = [];
  for (let g = 0; g * 3 < fills.length; g++) {
    const part = fills.slice(g * 3, g * 3 + 3);
    const qty = part.reduce((s, f) => s.plus(f.qty), new Decimal(0));
    const quote = part.reduce((s, f) => s.plus(f.quoteQty), new Decimal(0));
    orders.push({
      symbol: symbolId, orderId: firstOrder + g, orderListId: -1, clientOrderId: `fault-${symbolId}-${g}`,
      price: part[0].price, origQty: qty.toFixed(8), executedQty: qty.toFixed(8), cummulativeQuoteQty: quote.toFixed(8),
      status: "FILLED", timeInForce: "GTC", type: "LIMIT", side: part[0].isBuyer ? "BUY" : "SELL", stopPrice: "0.00000000",
      icebergQty: "0.00000000", time: part[0].time, updateTime: part.at(-1)!.time, isWorking: true, workingTime: part[0].time,
      origQuoteOrderQty: "0.00000000", selfTradePreventionMode: "EXPIRE_MAKER",
    });
  }
  return { fills, orders };
}

const ltc = account("LTCUSDT", 2300, 31, 310_000_000, 3_700_000_000);
const eth = account("ETHUSDT", 650, 32, 520_000_000, 4_100_000_000);
export const FILLS: BinanceTradeRow[] = [...ltc.fills, ...eth.fills];
export const ORDERS: BinanceOrderRow[] = [...ltc.orders, ...eth.orders];

/** GET /api/v3/allOrders: `orderId` (≥, ascending, no time range with it) or startTime/endTime ≤ 24 h. */
export function binanceAllOrdersHandler(rows: BinanceOrderRow[]): HttpHandler {
  return http.get("https://api.binance.com/api/v3/allOrders", ({ request }) => {
    const p = Object.fromEntries(new URL(request.url).searchParams.entries());
    const limit = Math.min(Number(p.limit ?? 500), 1000);
    const mine = rows.filter((r) => r.symbol === p.symbol);
    let out: BinanceOrderRow[];
    if (p.orderId !== undefined) {
      if (p.startTime !== undefined || p.endTime !== undefined) {
        return HttpResponse.json({ code: -1128, msg: "Combination of optional parameters invalid." }, { status: 400 });
      }
      out = mine.filter((r) => r.orderId >= Number(p.orderId));
    } else {
      const s = p.startTime !== undefined ? Number(p.startTime) : -Infinity;
      const e = p.endTime !== undefined ? Number(p.endTime) : Infinity;
      if (e - s > DAY) return HttpResponse.json({ code: -1127, msg: "More than 24 hours between startTime and endTime." }, { status: 400 });
      out = mine.filter((r) => r.time >= s && r.time <= e);
    }
    return HttpResponse.json(out.slice(0, limit));
  });
}

export type FaultKind = "timeout" | "429" | "500" | "503" | "garbage_json" | "garbage_shape" | "html_200" | "reset";
export const FAULT_KINDS: FaultKind[] = ["timeout", "429", "500", "503", "garbage_json", "garbage_shape", "html_200", "reset"];

/**
 * The response of one fault. A timeout never answers by itself: it waits for the client to give
 * up (the request's abort signal, fired by the client's own timeout), so no timer of the test
 * decides whether the client timed out.
 */
export async function faultResponse(kind: FaultKind, signal: AbortSignal): Promise<Response> {
  switch (kind) {
    case "timeout":
      await new Promise<void>((resolve) => {
        if (signal.aborted) resolve();
        else signal.addEventListener("abort", () => resolve(), { once: true });
      });
      return HttpResponse.json([]);
    case "429":
      return errorResponse("binance", "rate_limit", { retryAfterSec: 2 })();
    case "500":
      return errorResponse("binance", "server_500")();
    case "503":
      return errorResponse("binance", "binance_503_html")();
    case "garbage_json":
      return errorResponse("binance", "malformed_json")();
    case "garbage_shape":
      // valid JSON, wrong shape: rows without ids or times
      return HttpResponse.json([{ symbol: "LTCUSDT", price: "1.0", qty: "1.0" }, { hello: "world" }]);
    case "html_200":
      return new HttpResponse("<html><body>maintenance</body></html>", { status: 200, headers: { "content-type": "text/html" } });
    case "reset":
      return HttpResponse.error();
  }
}

export interface ExchangeControl {
  /** History requests (myTrades + allOrders) seen so far. */
  requests: number;
  /** Called with the 1-based number of each history request; a response = that fault. */
  fault?: (n: number, url: URL) => FaultKind | null;
  /** Wait before answering each history request (a slow exchange). */
  delayMs?: number;
  /** Called before answering each history request (e.g. to restart the database meanwhile). */
  during?: (n: number) => Promise<void> | void;
  faults: Array<{ n: number; kind: FaultKind; path: string }>;
}

/** msw handlers of the account, with a fault layer in front of the history endpoints. */
export function exchangeHandlers(ctl: ExchangeControl): HttpHandler[] {
  return [
    http.get(/^https:\/\/api\.binance\.com\/api\/v3\/(myTrades|allOrders)/, async ({ request }) => {
      const n = ++ctl.requests;
      const url = new URL(request.url);
      if (ctl.delayMs) await delay(ctl.delayMs);
      if (ctl.during) await ctl.during(n);
      const kind = ctl.fault?.(n, url) ?? null;
      if (kind) {
        ctl.faults.push({ n, kind, path: url.pathname });
        return await faultResponse(kind, request.signal);
      }
      return undefined; // the data handlers below answer
    }),
    binanceMyTradesHandler(FILLS),
    binanceAllOrdersHandler(ORDERS),
  ];
}

export function newControl(o: Partial<ExchangeControl> = {}): ExchangeControl {
  return { requests: 0, faults: [], ...o };
}

// --------------------------------------------------------------------------------------------- state

const TABLES: Array<{ name: string; table: string; drop: string[]; where?: string }> = [
  { name: "fills", table: "fills", drop: ["id", "user_id", "credential_id", "created_at"] },
  { name: "fees", table: "fees_tracking", drop: ["id", "user_id", "fill_id", "order_ref", "created_at"] },
  { name: "orders", table: "orders", drop: ["id", "user_id", "credential_id", "created_at", "updated_at"] },
  { name: "cursors", table: "sync_cursors", drop: ["user_id", "credential_id", "updated_at"] },
  { name: "positions", table: "positions", drop: ["id", "user_id", "entry_order_ref", "last_updated", "created_at", "last_fill_id"] },
  { name: "trades", table: "trade_history", drop: ["id", "user_id", "position_id", "entry_order_ref", "exit_order_ref", "created_at"] },
  { name: "streams", table: "pnl_stream_state", drop: ["user_id", "updated_at", "rebuilds"] },
  { name: "metrics", table: "performance_metrics", drop: ["id", "user_id", "calculated_at"] },
];

export type State = Record<string, unknown[]>;

/** Everything a sync and the PnL engine leave for one user, ids and user ids removed, sorted. */
export async function stateOf(userId: string, only?: string[]): Promise<State> {
  const out: State = {};
  for (const t of TABLES) {
    if (only && !only.includes(t.name)) continue;
    const rows = await adminSql().unsafe(
      `select to_jsonb(t) - $2::text[] as r from public.${t.table} as t where t.user_id = $1 order by (to_jsonb(t) - $2::text[])::text`,
      [userId, t.drop],
    );
    out[t.name] = rows.map((x) => x.r);
  }
  return out;
}

export function rowCount(s: State): number {
  return Object.values(s).reduce((n, rows) => n + rows.length, 0);
}

/** Per table: which rows differ (for readable failures), or null when equal. */
export function diff(a: State, b: State): Record<string, { onlyA: number; onlyB: number; sample?: unknown; sampleB?: unknown }> | null {
  const out: Record<string, { onlyA: number; onlyB: number; sample?: unknown; sampleB?: unknown }> = {};
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const sa = new Set((a[k] ?? []).map((r) => JSON.stringify(r)));
    const sb = new Set((b[k] ?? []).map((r) => JSON.stringify(r)));
    const onlyA = [...sa].filter((x) => !sb.has(x));
    const onlyB = [...sb].filter((x) => !sa.has(x));
    const dupA = (a[k] ?? []).length - sa.size;
    const dupB = (b[k] ?? []).length - sb.size;
    if (onlyA.length || onlyB.length || dupA !== dupB) {
      out[k] = { onlyA: onlyA.length, onlyB: onlyB.length, sample: onlyA[0] ?? onlyB[0] ?? `duplicates ${dupA} vs ${dupB}`, ...(onlyA.length && onlyB.length ? { sampleB: onlyB[0] } : {}) };
    }
  }
  return Object.keys(out).length ? out : null;
}

export function summary(scenario: string, text: string): void {
  // one line per scenario, as the brief asks (vitest prints console output of the test)
  process.stdout.write(`[faults] ${scenario}: ${text}\n`);
}
