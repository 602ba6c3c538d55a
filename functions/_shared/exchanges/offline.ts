/**
 * ccxt trades recorded elsewhere (a file, a support ticket) → FillRow with the sync's own
 * converter (normalize/fills.ts normalizeTrade), so the audit CLI (`npm run pnl`) computes on
 * exactly the fills the sync would write: raw exchange fees from `info`, gate/mexc swap
 * contracts × contractSize, liquidation flags, bitget side fixes (issue 16: there used to be a
 * second converter in pnl/ccxt.ts without any of these).
 *
 * No request is made: the ccxt instance gets markets built from the trades' unified symbols
 * (BASE/QUOTE spot, BASE/QUOTE:SETTLE linear swap) and the contract sizes the caller knows.
 */
import type { Trade } from "ccxt";
import type { ExchangeId, FillRow } from "../domain/types.ts";
import { type CcxtExchange, createExchangeClient, exchangeIdOf } from "./client.ts";
import { normalizeTrade } from "./normalize/fills.ts";
import { amountIsInContracts } from "./normalize/common.ts";

/** A ccxt instance that never calls the network, with a market for each unified symbol. */
export function offlineExchange(exchange: ExchangeId, symbols: Iterable<string>, contractSizes: Record<string, string | number | undefined> = {}): CcxtExchange {
  const markets: Record<string, unknown> = {};
  for (const symbol of symbols) {
    const m = /^([A-Za-z0-9]+)\/([A-Za-z0-9]+)(?::([A-Za-z0-9]+))?$/.exec(symbol);
    if (!m) throw new RangeError(`"${symbol}" is not a ccxt unified symbol (BASE/QUOTE or BASE/QUOTE:SETTLE)`);
    const [, base, quote, settle] = m;
    const swap = settle !== undefined;
    markets[symbol] = {
      id: symbol, symbol, base, quote, settle, baseId: base, quoteId: quote, settleId: settle,
      type: swap ? "swap" : "spot", spot: !swap, swap, future: false, option: false, contract: swap,
      linear: swap ? true : undefined, inverse: swap ? false : undefined,
      contractSize: swap ? contractSizes[symbol] : undefined,
      active: true, precision: {}, limits: {}, info: {},
    };
  }
  return createExchangeClient({ exchange, apiKey: "", secret: "", enableRateLimit: false, markets });
}

/** The parts of a ccxt trade a caller may give (numbers or decimal strings; `info` optional). */
export interface RecordedTrade {
  id?: string | number | null;
  order?: string | number | null;
  symbol: string;
  side: string;
  amount: number | string;
  price: number | string;
  cost?: number | string | null;
  fee?: { cost?: number | string | null; currency?: string | null } | null;
  fees?: Array<{ cost?: number | string | null; currency?: string | null }> | null;
  timestamp?: number | null;
  datetime?: string | null;
  takerOrMaker?: string | null;
  /** Not unified in ccxt; honoured when set (e.g. by hand in an audit file). */
  liquidation?: boolean | null;
  info?: unknown;
}

/**
 * One recorded ccxt trade → FillRow through normalizeTrade, on an offlineExchange holding its
 * market (`what` names it in errors, e.g. "trades[3]"). A trade without `timestamp` takes its
 * `datetime`; a trade without id gets the deterministic synthetic id
 * "syn:<timestamp>:<order>:<side>:<price>:<amount>". Gate and mexc swap trades need the market's
 * contract size: without it the trade is refused, never taken as 1 contract = 1 coin.
 */
export function recordedTradeToFill(ex: CcxtExchange, t: RecordedTrade, what: string): FillRow {
  const timestamp = typeof t.timestamp === "number" && Number.isFinite(t.timestamp)
    ? t.timestamp
    : typeof t.datetime === "string" && !Number.isNaN(Date.parse(t.datetime)) ? Date.parse(t.datetime) : undefined;
  if (timestamp === undefined) throw new RangeError(`${what}: timestamp/datetime missing`);
  const market = ex.markets?.[t.symbol];
  if (!market) throw new RangeError(`${what}: no market ${JSON.stringify(t.symbol)}`);
  if (amountIsInContracts(exchangeIdOf(ex), market) && market.contractSize === undefined) {
    throw new RangeError(`${what}: ${exchangeIdOf(ex)} swap amounts are contracts: give markets["${t.symbol}"].contractSize`);
  }
  const id = t.id == null || t.id === ""
    ? `syn:${timestamp}:${t.order ?? ""}:${t.side}:${String(t.price)}:${String(t.amount)}`
    : String(t.id);
  let row: FillRow | null;
  try {
    row = normalizeTrade(ex, { ...t, id, timestamp, info: t.info ?? {} } as unknown as Trade);
  } catch (e) {
    throw new RangeError(`${what}: ${(e as Error).message}`);
  }
  if (row === null) throw new RangeError(`${what}: market type of ${t.symbol} is not stored`);
  return row;
}

/** Recorded ccxt trades of one exchange → FillRow (recordedTradeToFill on one offlineExchange). */
export function recordedTradesToFills(exchange: ExchangeId, trades: RecordedTrade[], contractSizes: Record<string, string | number | undefined> = {}): FillRow[] {
  const ex = offlineExchange(exchange, new Set(trades.map((t) => t.symbol)), contractSizes);
  return trades.map((t, i) => recordedTradeToFill(ex, t, `trades[${i}]`));
}
