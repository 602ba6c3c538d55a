/**
 * Rows ccxt dropped without a word. Its list parsers end with `filterBySinceLimit`: a raw row
 * without a timestamp fails `timestamp >= since` and disappears, so a page of valid JSON whose rows
 * lack id / time reads as an empty (or short) page — the end of the window — and the cursor would
 * move past rows never stored. After each history call the raw rows of the response are counted;
 * when ccxt returned fewer, each raw row is parsed again with ccxt's own row parser and the page is
 * rejected if any of them is unusable. Rows ccxt filters on purpose (older than `since`, bitget's
 * closed-orders call leaving out canceled ones, bitget UTA funding by bill type) parse fine and
 * pass.
 *
 * Uses the client's last response: one client per credential, sequential calls.
 */
import type { MarketInterface } from "ccxt";
import type { ExchangeId } from "../domain/types.ts";
import { type CcxtExchange, exchangeIdOf } from "./client.ts";
import { MalformedPayloadError } from "./normalize/common.ts";

export type HistoryRowKind = "trades" | "orders" | "transfers" | "funding";

/** Where each exchange's history endpoints put their rows (first path holding an array wins). */
const ROW_PATHS: Record<ExchangeId, string[][]> = {
  // myTrades, fapi userTrades, allOrders, capital deposit/withdraw history, fapi income
  binance: [[]],
  // mix fills: data.fillList; mix orders-history: data.entrustedList; mix account bill:
  // data.bills; v3 (UTA): data.list; v2 spot fills, history-orders, wallet records: data
  bitget: [["data", "fillList"], ["data", "entrustedList"], ["data", "bills"], ["data", "list"], ["data"]],
  // spot my_trades / orders, futures my_trades_timerange / orders / account_book, wallet
  gateio: [[]],
  // spot v3 (myTrades, allOrders, capital): top level; contract funding_records:
  // data.resultList; contract order_deals / history_orders: data
  mexc: [[], ["data", "resultList"], ["data"]],
};

/** The row array of a history response body, or null when the body holds none where expected. */
export function rawRowsOf(exchange: ExchangeId, body: unknown): unknown[] | null {
  for (const path of ROW_PATHS[exchange]) {
    let v: unknown = body;
    for (const key of path) v = v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>)[key] : undefined;
    if (Array.isArray(v)) return v;
  }
  return null;
}

// deno-lint-ignore no-explicit-any
type AnyExchange = any;

/** Forget the last response, so a call that makes no request is not judged by an older one. */
export function clearLastResponse(ex: CcxtExchange): void {
  const e = ex as AnyExchange;
  e.last_json_response = undefined;
  e.last_http_response = undefined;
}

/** The last response's JSON body (ccxt keeps it with `enableLastJsonResponse`, else re-parsed). */
export function lastJsonBody(ex: CcxtExchange): unknown {
  const e = ex as AnyExchange;
  if (e.last_json_response !== undefined) return e.last_json_response;
  if (typeof e.last_http_response !== "string") return undefined;
  try {
    return JSON.parse(e.last_http_response);
  } catch {
    return undefined;
  }
}

/** ccxt's parser of ONE raw row of a kind (what its list call applies before filtering). */
function parseRow(ex: CcxtExchange, kind: HistoryRowKind, raw: unknown, market: MarketInterface | undefined): unknown {
  const e = ex as AnyExchange;
  switch (kind) {
    case "trades":
      return e.parseTrade(raw, market);
    case "orders":
      return e.parseOrder(raw, market);
    case "transfers":
      return e.parseTransaction(raw);
    case "funding":
      if (typeof e.parseFundingHistory !== "function") throw new Error(`${ex.id}: no funding row parser`);
      return e.parseFundingHistory(raw, market);
  }
}

const present = (v: unknown) => (typeof v === "string" ? v !== "" : typeof v === "number");

/**
 * Whether a parsed row can be stored and paged on — the sync's page-row rules: a numeric
 * timestamp, and an id (transfers may go by their info id or txid; funding rows need none).
 */
export function usableRow(kind: HistoryRowKind, row: unknown): boolean {
  const r = row as { id?: unknown; txid?: unknown; timestamp?: unknown; info?: Record<string, unknown> } | null;
  if (!r || typeof r.timestamp !== "number" || !Number.isFinite(r.timestamp)) return false;
  if (kind === "funding") return true;
  if (kind === "transfers") return [r.id, r.info?.id, r.info?.orderId, r.txid].some(present);
  return present(r.id);
}

export interface DroppedRowsCheck {
  kind: HistoryRowKind;
  /** The market of the call, when it had a symbol. */
  market?: MarketInterface;
  /** Whether a re-parsed row can be stored and paged on (default: `usableRow(kind, row)`). */
  usable?: (row: unknown) => boolean;
}

/**
 * After a ccxt history call returned `parsed`: throws MalformedPayloadError when the response
 * held more rows and some of them cannot be parsed into a usable row.
 */
export function assertNoRowsDropped(ex: CcxtExchange, parsed: readonly unknown[], o: DroppedRowsCheck): void {
  const raw = rawRowsOf(exchangeIdOf(ex), lastJsonBody(ex));
  if (raw === null || raw.length <= parsed.length) return;
  const usable = o.usable ?? ((row: unknown) => usableRow(o.kind, row));
  let bad = 0;
  for (const r of raw) {
    let ok: boolean;
    try {
      ok = usable(parseRow(ex, o.kind, r, o.market));
    } catch {
      ok = false;
    }
    if (!ok) bad++;
  }
  if (bad > 0) {
    throw new MalformedPayloadError(
      `exchange returned ${raw.length} rows, ${bad} could not be parsed (missing id/timestamp)`,
      { rows: raw.length, parsed: parsed.length, unparseable: bad },
    );
  }
}
