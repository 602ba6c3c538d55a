/**
 * Idempotent batch writes of synced or imported rows, one statement per page, `on conflict` on
 * each table's natural key. Callers run these inside the transaction that also advances the sync
 * cursor, so a crash between pages loses nothing and repeats nothing.
 *
 * - `upsertRows`: generic, typed by the table's own row type
 *   (`jsonb_populate_recordset(null::public.<table>, …)`).
 * - the fills + fees write is fills/write.ts's (shared with the importer).
 * - `storeCursor` / `loadCursors`: `sync_cursors`.
 */
import type { Sql, Tx } from "../db.ts";

type Q = Sql | Tx;

/** Natural keys (the unique constraints of the schema) of the tables written here. */
export const KEYS = {
  fills: ["user_id", "exchange", "market_type", "symbol", "trade_id"],
  orders: ["user_id", "exchange", "market_type", "symbol", "order_id"],
  balances: ["user_id", "exchange", "account_type", "asset"],
  exchange_positions: ["user_id", "exchange", "market_type", "symbol", "side"],
  transfers: ["user_id", "exchange", "kind", "transfer_id"],
  funding_payments: ["user_id", "exchange", "symbol", "funding_id"],
  market_prices: ["exchange", "symbol", "kind", "as_of"],
  fees_tracking: ["user_id", "exchange", "source_key"],
} as const;

export type StoredTable = keyof typeof KEYS;

export interface UpsertOptions {
  /** Columns to refresh when the row exists (orders change status); none = insert only. */
  update?: string[];
}

const IDENT = /^[a-z_][a-z0-9_]*$/;

/**
 * Inserts `rows` (plain objects keyed by column name) into `table`; rows whose natural key exists
 * are skipped, or have `update` columns refreshed (only when a value differs). Returns how many
 * rows were inserted and how many existing rows were changed.
 */
export async function upsertRows(
  tx: Q,
  table: StoredTable,
  rows: Record<string, unknown>[],
  opts: UpsertOptions = {},
): Promise<{ inserted: number; updated: number }> {
  if (rows.length === 0) return { inserted: 0, updated: 0 };
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
  // Rows of one page may repeat a key (time paging repeats the edge millisecond): keep the last,
  // so that `do update` never meets the same row twice in one statement.
  const unique = dedupe(rows, key.filter((k) => columns.includes(k)));
  const result = await tx.unsafe(
    `insert into public.${table} (${cols})
     select ${cols} from jsonb_populate_recordset(null::public.${table}, $1::jsonb)
     on conflict (${key.join(", ")}) ${conflict}
     ${returning}`,
    [unique as never], // postgres.js serialises it for the jsonb parameter
  );
  const inserted = result.filter((r) => r.inserted).length;
  return { inserted, updated: result.length - inserted };
}

function dedupe(rows: Record<string, unknown>[], key: readonly string[]): Record<string, unknown>[] {
  if (key.length === 0) return rows;
  const m = new Map<string, Record<string, unknown>>();
  for (const r of rows) m.set(JSON.stringify(key.map((k) => r[k] ?? null)), r);
  return m.size === rows.length ? rows : [...m.values()];
}

/** Where one (credential, market type, symbol, data kind) history stands. */
export interface CursorKey {
  userId: string;
  credentialId: string;
  marketType: "spot" | "swap";
  symbol: string;
  dataKind: string;
}

export interface StoredCursor {
  lastTime: number;
  lastId: string | null;
}

/** Upserts a cursor (null = nothing to store, e.g. an unfinished newest-first window). */
export async function storeCursor(tx: Q, k: CursorKey, c: StoredCursor | null): Promise<void> {
  if (!c) return;
  await tx`
    insert into public.sync_cursors (user_id, credential_id, market_type, symbol, data_kind, cursor_time, cursor_id)
    values (${k.userId}, ${k.credentialId}, ${k.marketType}, ${k.symbol}, ${k.dataKind},
            ${new Date(c.lastTime).toISOString()}, ${c.lastId})
    on conflict (user_id, credential_id, market_type, data_kind, symbol) do update
      set cursor_time = excluded.cursor_time, cursor_id = excluded.cursor_id
      where (sync_cursors.cursor_time, sync_cursors.cursor_id) is distinct from (excluded.cursor_time, excluded.cursor_id)`;
}

/**
 * A page's rows and the cursor after them, inside the page's transaction. The cursor's statement
 * is sent right behind the rows' first one (pipelined on the connection, one round trip less);
 * if the rows fail, the transaction is aborted and the cursor's statement fails with it.
 */
export async function writePage(tx: Q, k: CursorKey, c: StoredCursor | null, writeRows: () => Promise<unknown>): Promise<void> {
  await Promise.all([writeRows(), storeCursor(tx, k, c)]);
}

/** All cursors of a credential, keyed `${marketType}|${dataKind}|${symbol}`. */
export async function loadCursors(q: Q, userId: string, credentialId: string): Promise<Map<string, StoredCursor>> {
  const rows = await q`
    select market_type, data_kind, symbol, cursor_time, cursor_id
      from public.sync_cursors where user_id = ${userId} and credential_id = ${credentialId}`;
  const m = new Map<string, StoredCursor>();
  for (const r of rows) {
    if (r.cursor_time === null) continue;
    m.set(cursorMapKey(r.market_type, r.data_kind, r.symbol), { lastTime: new Date(r.cursor_time).getTime(), lastId: r.cursor_id });
  }
  return m;
}

export function cursorMapKey(marketType: string, dataKind: string, symbol: string): string {
  return `${marketType}|${dataKind}|${symbol}`;
}
