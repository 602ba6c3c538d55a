/**
 * Audit CLI: run trades through the PnL engine and print one JSON object.
 *
 *   npm run pnl -- [--method average|fifo] [--exchange binance|bitget|gateio|mexc] <file.json>
 *   (npx tsx scripts/pnl.ts … does the same)
 *
 * Input, either
 *   - a JSON array of ccxt unified trades (`fetchMyTrades` output: symbol, side, amount, price,
 *     cost, fee / fees with currency, timestamp or datetime, order, id; numbers or decimal
 *     strings), or
 *   - an object { "trades": [...], "orders": [...], "prices": [...], "funding": [...],
 *     "markets": {...}, "exchange": "...", "method": "average" | "fifo" }:
 *       trades   ccxt trades (as above) or stored fills (FillRow: trade_id, executed_at, …)
 *       orders   { id | order_id, symbol, side, order_role | role: ENTRY|TP1|TP2|TP3|SL, price,
 *                  stop_price | stopPrice, timestamp | datetime | order_timestamp } (TP/SL roles
 *                  give exit_type TP/SL and the linked stop loss / take profits)
 *       prices   { symbol, price, as_of | datetime | timestamp } (third-currency fee conversion,
 *                  e.g. BNB/USDT, and max_drawdown for the traded symbols)
 *       funding  { symbol, amount (> 0 received), currency, id | funding_id, occurred_at |
 *                  datetime | timestamp } (swaps)
 *       markets  { "<symbol>": { amount_step, leverage, margin_mode, contractSize } } (contractSize:
 *                  required for gateio / mexc swaps, whose trade amounts are contracts)
 *   ccxt trades go through the sync's converter (raw fees from `info` when present, contract
 *   sizes, liquidation flags), so the CLI computes on the fills the sync would write.
 *   Trades without an exchange take --exchange, else the file's "exchange", else "binance".
 *
 * Output: { "positions": [...], "trades": [...], "totals": {...}, "unassigned_funding": [...],
 *   "unknown_cost_basis": [...] } — positions with the spec's `positions` columns, trades with
 *   the spec's `trade_history` columns (gross_pnl, net_pnl, entry_fees, exit_fees, exit_type,
 *   pnl_percentage = net_pnl / entry cost of the closed quantity × 100, roi_percentage, …), all
 *   amounts decimal strings (money at 18 decimals, percentages at 8, half-even, trailing zeros
 *   trimmed); totals: realized_gross_pnl, realized_net_pnl, fees, funding, open_quantity per
 *   symbol, unknown_cost_basis_quantity per symbol (sums of the rows above).
 * Bad input: one line on stderr, exit code 2.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { ExchangeId, FillRow, FundingRow, OrderRow, PriceRow } from "../functions/_shared/domain/types.ts";
import { resolveTradingExchange } from "../functions/_shared/domain/exchanges.ts";
import type { RecordedTrade } from "../functions/_shared/exchanges/offline.ts";
import {
  applyFills,
  type CostMethod,
  createState,
  type MarketInfo,
  numStr,
  summarize,
} from "../functions/_shared/pnl/index.ts";

class InputError extends Error {}


type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === "object" && x !== null && !Array.isArray(x);

function exchangeOf(x: unknown, fallback: ExchangeId, what: string): ExchangeId {
  if (x == null) return fallback;
  const e = resolveTradingExchange(String(x));
  if (!e) throw new InputError(`${what}: unknown exchange ${JSON.stringify(x)}`);
  return e;
}

function timeOf(o: Obj, keys: string[], what: string): string {
  for (const k of keys) {
    const v = o[k];
    if (typeof v === "number" && Number.isFinite(v)) return new Date(v).toISOString();
    if (typeof v === "string" && !Number.isNaN(Date.parse(v))) return new Date(Date.parse(v)).toISOString();
  }
  throw new InputError(`${what}: missing or invalid time (${keys.join(" | ")})`);
}

function str(o: Obj, keys: string[], what: string, required = true): string | null {
  for (const k of keys) {
    const v = o[k];
    if (typeof v === "number") return numStr(v);
    if (typeof v === "string" && v !== "") return v;
  }
  if (required) throw new InputError(`${what}: missing ${keys.join(" | ")}`);
  return null;
}

/**
 * Trades → fills: stored fills (FillRow) as they are; ccxt trades through the sync's own
 * converter (exchanges/offline.ts → normalize/fills.ts), one offline ccxt instance per exchange
 * with the trades' markets and the contract sizes of `markets`.
 */
async function toFills(trades: unknown[], ex: ExchangeId, markets: Record<string, Obj>): Promise<FillRow[]> {
  const exOf = trades.map((t, i) => {
    if (!isObj(t)) throw new InputError(`trades[${i}]: not an object`);
    if ("trade_id" in t && "executed_at" in t) return null; // a stored fill
    if (typeof t.symbol !== "string") throw new InputError(`trades[${i}]: symbol missing`);
    return exchangeOf(t.exchange, ex, `trades[${i}]`);
  });
  const sizes: Record<string, string | number | undefined> = {};
  for (const [symbol, m] of Object.entries(markets)) {
    const cs = m.contractSize ?? m.contract_size;
    if (typeof cs === "string" || typeof cs === "number") sizes[symbol] = cs;
  }
  // ccxt is loaded only when there are ccxt trades to convert (a second or more to import)
  const { offlineExchange, recordedTradeToFill } = exOf.some((e) => e !== null)
    ? await import("../functions/_shared/exchanges/offline.ts")
    : ({} as typeof import("../functions/_shared/exchanges/offline.ts"));
  const clients = new Map<ExchangeId, ReturnType<typeof offlineExchange>>();
  return trades.map((t, i) => {
    const e = exOf[i];
    if (e === null) return t as FillRow;
    let client = clients.get(e);
    if (!client) {
      const symbols = new Set(trades.filter((_, j) => exOf[j] === e).map((x) => (x as Obj).symbol as string));
      try {
        client = offlineExchange(e, symbols, sizes);
      } catch (err) {
        throw new InputError((err as Error).message);
      }
      clients.set(e, client);
    }
    try {
      return recordedTradeToFill(client, t as unknown as RecordedTrade, `trades[${i}]`);
    } catch (err) {
      throw new InputError((err as Error).message);
    }
  });
}

function toOrder(o: unknown, i: number, ex: ExchangeId): OrderRow {
  const w = `orders[${i}]`;
  if (!isObj(o)) throw new InputError(`${w}: not an object`);
  const symbol = str(o, ["symbol"], w)!;
  const role = str(o, ["order_role", "role"], w, false);
  if (role !== null && !["ENTRY", "TP1", "TP2", "TP3", "SL"].includes(role)) throw new InputError(`${w}: unknown role ${role}`);
  const side = str(o, ["side"], w)!;
  if (side !== "buy" && side !== "sell") throw new InputError(`${w}: side must be buy or sell`);
  return {
    exchange: exchangeOf(o.exchange, ex, w),
    market_type: symbol.includes(":") ? "swap" : "spot",
    symbol,
    order_id: str(o, ["order_id", "id"], w)!,
    client_order_id: null,
    side,
    type: str(o, ["type"], w, false) ?? "limit",
    status: str(o, ["status"], w, false) ?? "FILLED",
    price: str(o, ["price"], w, false),
    quantity: str(o, ["quantity", "amount"], w, false) ?? "0",
    executed_qty: str(o, ["executed_qty", "filled"], w, false) ?? "0",
    average_price: str(o, ["average_price", "average"], w, false),
    stop_price: str(o, ["stop_price", "stopPrice", "triggerPrice"], w, false),
    reduce_only: null,
    order_role: role as OrderRow["order_role"],
    order_timestamp: timeOf(o, ["order_timestamp", "timestamp", "datetime"], w),
    filled_timestamp: null,
  };
}

function toPrice(p: unknown, i: number, ex: ExchangeId): PriceRow {
  const w = `prices[${i}]`;
  if (!isObj(p)) throw new InputError(`${w}: not an object`);
  return {
    exchange: exchangeOf(p.exchange, ex, w),
    symbol: str(p, ["symbol"], w)!,
    price: str(p, ["price", "last", "close"], w)!,
    kind: "last",
    as_of: timeOf(p, ["as_of", "datetime", "timestamp"], w),
  };
}

function toFunding(f: unknown, i: number, ex: ExchangeId): FundingRow {
  const w = `funding[${i}]`;
  if (!isObj(f)) throw new InputError(`${w}: not an object`);
  const occurred_at = timeOf(f, ["occurred_at", "datetime", "timestamp"], w);
  return {
    exchange: exchangeOf(f.exchange, ex, w),
    symbol: str(f, ["symbol"], w)!,
    funding_id: str(f, ["funding_id", "id"], w, false) ?? `funding:${occurred_at}:${i}`,
    currency: str(f, ["currency", "code"], w, false) ?? "USDT",
    amount: str(f, ["amount"], w)!,
    occurred_at,
  };
}

export async function runCli(argv: string[]): Promise<string> {
  let method: CostMethod | null = null;
  let exArg: string | null = null;
  let file: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--method") {
      const m = argv[++i];
      if (m !== "average" && m !== "fifo") throw new InputError(`--method must be average or fifo, got ${JSON.stringify(m ?? "")}`);
      method = m;
    } else if (a === "--exchange") exArg = argv[++i] ?? "";
    else if (a.startsWith("--")) throw new InputError(`unknown option ${a}`);
    else if (file === null) file = a;
    else throw new InputError(`one input file expected, got also ${a}`);
  }
  if (file === null) throw new InputError("usage: npm run pnl -- [--method average|fifo] [--exchange <id>] <file.json>");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new InputError(`cannot read ${file}: ${(e as Error).message}`);
  }
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${file} is not JSON: ${(e as Error).message}`);
  }
  const doc: Obj = Array.isArray(input) ? { trades: input } : isObj(input) ? input : {};
  if (!Array.isArray(doc.trades)) throw new InputError(`${file}: expected an array of trades or an object with "trades": [...]`);
  const ex = exchangeOf(exArg ?? doc.exchange, "binance", "exchange");
  const m = method ?? doc.method ?? "average";
  if (m !== "average" && m !== "fifo") throw new InputError(`method must be average or fifo`);
  const list = (k: string) => {
    const v = doc[k];
    if (v == null) return [];
    if (!Array.isArray(v)) throw new InputError(`"${k}" must be an array`);
    return v;
  };
  if (doc.markets != null && !isObj(doc.markets)) throw new InputError(`"markets" must be an object`);
  const fills = await toFills(doc.trades, ex, (doc.markets ?? {}) as Record<string, Obj>);
  const orders = list("orders").map((o, i) => toOrder(o, i, ex));
  const prices = list("prices").map((p, i) => toPrice(p, i, ex));
  const funding = list("funding").map((f, i) => toFunding(f, i, ex));
  const markets = (doc.markets ?? {}) as Record<string, MarketInfo>;
  const r = applyFills(createState({ method: m }), fills, { orders, prices, funding, markets });
  const rep = summarize([r], r.state);
  return JSON.stringify(
    {
      method: m,
      positions: rep.positions,
      trades: rep.trades,
      totals: rep.totals,
      unassigned_funding: rep.unassigned_funding,
      unknown_cost_basis: rep.unknown_cost_basis,
    },
    null,
    2,
  );
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isMain) {
  try {
    process.stdout.write(await runCli(process.argv.slice(2)) + "\n");
  } catch (e) {
    const msg = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, " ").trim();
    process.stderr.write(`pnl: ${msg}\n`);
    process.exit(2);
  }
}
