/**
 * Idempotent batch writes of synced or imported rows: one statement per page, typed by the
 * table's own row type (`jsonb_populate_recordset(null::public.<table>, …)`), `on conflict` on
 * each table's natural key. Callers run these inside the transaction that also advances the
 * sync cursor, so a crash between pages loses nothing and repeats nothing.
 */
import type { Tx } from "../db.ts";

/** Natural keys (the unique constraints of the schema) of the tables written here. */
const KEYS = {
  fills: ["user_id", "exchange", "market_type", "trade_id"],
  orders: ["user_id", "exchange", "order_id"],
  balances: ["user_id", "exchange", "account_type", "asset"],
  transfers: ["user_id", "exchange", "kind", "transfer_id"],
  funding_payments: ["user_id", "exchange", "symbol", "funding_id"],
  market_prices: ["exchange", "symbol", "kind", "as_of"],
} as const;

export type StoredTable = keyof typeof KEYS;

export interface UpsertOptions {
  /** Columns to refresh when the row exists (orders change status); none = insert only. */
  update?: string[];
}

const IDENT = /^[a-z_][a-z0-9_]*$/;

/**
 * Inserts `rows` (plain objects keyed by column name) into `table`; rows whose natural key exists
 * are skipped, or have `update` columns refreshed. Returns how many rows were inserted and how
 * many existed.
 */
export async function upsertRows(
  tx: Tx,
  table: StoredTable,
  rows: Record<string, unknown>[],
  opts: UpsertOptions = {},
): Promise<{ inserted: number; existing: number }> {
  if (rows.length === 0) return { inserted: 0, existing: 0 };
  const columns = Object.keys(rows[0]);
  for (const c of [...columns, ...(opts.update ?? [])]) {
    if (!IDENT.test(c)) throw new Error(`store: bad column name ${c}`);
  }
  const key = KEYS[table];
  const cols = columns.join(", ");
  const conflict = opts.update?.length
    ? `do update set ${opts.update.map((c) => `${c} = excluded.${c}`).join(", ")}
         where (${opts.update.map((c) => `${table}.${c}`).join(", ")}) is distinct from (${opts.update.map((c) => `excluded.${c}`).join(", ")})`
    : "do nothing";
  // xmax = 0 marks a freshly inserted row (an updated one has the updating transaction's xid).
  const returning = opts.update?.length ? "returning (xmax = 0) as inserted" : "returning true as inserted";
  const result = await tx.unsafe(
    `insert into public.${table} (${cols})
     select ${cols} from jsonb_populate_recordset(null::public.${table}, $1::jsonb)
     on conflict (${key.join(", ")}) ${conflict}
     ${returning}`,
    [rows as never], // postgres.js serialises it for the jsonb parameter
  );
  const inserted = result.filter((r) => r.inserted).length;
  return { inserted, existing: rows.length - inserted };
}
