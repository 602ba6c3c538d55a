/**
 * The non-export parts of an account folder: `orders.json` (orders with their TP/SL roles, as the
 * sync would store them) and `prices.csv` (daily closes `date,symbol,close`, as the sync fetches
 * them through ccxt OHLCV for held assets and fee currencies).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Papa from "papaparse";
import type { Sql } from "postgres";
import type { OrderRow } from "../../functions/_shared/domain/types.ts";

export async function loadOrders(sql: Sql, userId: string, dir: string): Promise<number> {
  const file = join(dir, "orders.json");
  if (!existsSync(file)) return 0;
  const orders = JSON.parse(readFileSync(file, "utf8")) as OrderRow[];
  if (!orders.length) return 0;
  const rows = orders.map((o) => ({ ...o, user_id: userId }));
  const cols = Object.keys(rows[0]);
  const r = await sql.unsafe(
    `insert into public.orders (${cols.join(", ")})
     select ${cols.join(", ")} from jsonb_populate_recordset(null::public.orders, $1::jsonb)
     on conflict do nothing returning 1`,
    [rows as never],
  );
  return r.length;
}

/** Daily closes, stamped at the start of their UTC day (a fee on that day converts at it). */
export async function loadDailyCloses(sql: Sql, dir: string, exchange = "binance"): Promise<number> {
  const file = join(dir, "prices.csv");
  if (!existsSync(file)) return 0;
  const parsed = Papa.parse<{ date: string; symbol: string; close: string }>(readFileSync(file, "utf8"), { header: true, skipEmptyLines: true });
  if (parsed.errors.length) throw new Error(`prices.csv line ${parsed.errors[0].row}: ${parsed.errors[0].message}`);
  const rows = parsed.data.map((p) => ({ exchange, symbol: p.symbol, price: p.close, kind: "close_1d", as_of: `${p.date}T00:00:00Z` }));
  const r = await sql.unsafe(
    `insert into public.market_prices (exchange, symbol, price, kind, as_of)
     select exchange, symbol, price, kind, as_of from jsonb_populate_recordset(null::public.market_prices, $1::jsonb)
     on conflict (exchange, symbol, kind, as_of) do nothing returning 1`,
    [rows as never],
  );
  return r.length;
}
