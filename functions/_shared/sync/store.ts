/**
 * Idempotent batch writes of synced or imported rows, one statement per page, `on conflict` on
 * each table's natural key. Callers run these inside the transaction that also advances the sync
 * cursor, so a crash between pages loses nothing and repeats nothing.
 *
 * - `upsertRows`: generic, typed by the table's own row type
 *   (`jsonb_populate_recordset(null::public.<table>, …)`).
 * - `insertFills`: the hot path (fills + their `fees_tracking` rows in ONE statement), columns
 *   passed as typed arrays and expanded with `unnest` (≈ 2× faster than the jsonb path; see
 *   scripts/bench/sync-upsert.ts).
 * - `storeCursor` / `loadCursors`: `sync_cursors`.
 */
import { fingerprint } from "../imports/ids.ts";
import type { Sql, Tx } from "../db.ts";
import type { FillRow } from "../domain/types.ts";
import { arrayLiteral, toText } from "../db-input.ts";

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

export interface FillOwner {
  userId: string;
  credentialId: string | null;
}

/**
 * The `fees_tracking` rows of freshly inserted fills, as a data-modifying statement over a CTE
 * named `ins` (columns id, user_id, exchange, market_type, symbol, trade_id, order_id, fees,
 * taker_or_maker, executed_at): one row per fill and fee currency (entries of one currency
 * summed), MAKER/TAKER, source_key `fill:<market_type>:<symbol>:<trade_id>:<currency>`; > 0 paid,
 * < 0 rebate. Shared by the sync and the importer.
 */
export const FEE_ROWS_OF_INSERTED_FILLS = `
       insert into public.fees_tracking (user_id, fill_id, order_id, exchange, market_type, symbol, fee_amount, fee_currency,
                                         fee_type, transaction_type, source_key, fee_timestamp)
       select ins.user_id, ins.id, ins.order_id, ins.exchange, ins.market_type, ins.symbol, e.amount, e.currency,
              case when ins.taker_or_maker = 'maker' then 'MAKER' else 'TAKER' end, 'ORDER_FILL',
              'fill:' || ins.market_type || ':' || ins.symbol || ':' || ins.trade_id || ':' || e.currency, ins.executed_at
         from ins
         cross join lateral (
           select x.value ->> 'currency' as currency, sum((x.value ->> 'amount')::numeric) as amount
             from jsonb_array_elements(ins.fees) as x
            group by 1
         ) as e
       on conflict (user_id, exchange, source_key) do nothing`;

/**
 * The sync's fill upsert as one statement, for an input (the fills columns exchange … fingerprint,
 * in table order) given as SQL; parameters $1 user id, $2 credential id, the input's from $3.
 * Inserts the new fills (existing ones are left alone), removes imported twins of those synced
 * now, and writes their fee rows; answers { fills, fees } inserted.
 */
export function fillUpsertStatement(inputSql: string): string {
  return `with input as (
       ${inputSql}
     ), ins as (
       insert into public.fills (user_id, credential_id, exchange, market_type, symbol, base, quote, trade_id, order_id, side,
                                 price, amount, cost, fees, taker_or_maker, exchange_realized_pnl, is_liquidation, executed_at, source,
                                 fingerprint)
       select $1::uuid, $2::uuid, i.* from input as i
       on conflict (user_id, exchange, market_type, symbol, trade_id) do nothing
       returning id, user_id, exchange, market_type, symbol, trade_id, order_id, fees, taker_or_maker, executed_at, fingerprint
     ), imported_twins as (
       -- An execution imported earlier from an export (synthetic id) and now synced with its real
       -- trade id: the imported copy goes, as many of them as API rows arrived per fingerprint.
       -- (the ids are computed first, as an array: an IN (subquery) was planned as a scan of
       -- all the user's fills per page, O(fills²) over a backfill)
       delete from public.fills f
        where f.user_id = $1::uuid
          and f.id = any(array(
            select x.id from (
              select f2.id, g.n,
                     row_number() over (partition by f2.exchange, f2.market_type, f2.symbol, f2.fingerprint order by f2.id) as k
                from public.fills f2
                join (select exchange, market_type, symbol, fingerprint, count(*) as n from ins
                       where fingerprint is not null group by 1, 2, 3, 4) as g
                  using (exchange, market_type, symbol, fingerprint)
               where f2.user_id = $1::uuid and f2.source = 'import'
                 -- one-time filter: users who never imported an export skip the search
                 and exists (select 1 from public.fills i where i.user_id = $1::uuid and i.source = 'import')) as x
             where x.k <= x.n))
       returning 1
     ), fee as (
${FEE_ROWS_OF_INSERTED_FILLS}
       returning 1
     )
     select (select count(*) from ins)::int as fills, (select count(*) from fee)::int as fees`;
}

/** The fills columns `insertFills` passes (as text arrays, in this order), after user and credential. */
const FILL_INPUT_COLUMNS = [
  "exchange", "market_type", "symbol", "base", "quote", "trade_id", "order_id", "side", "price", "amount", "cost", "fees",
  "taker_or_maker", "exchange_realized_pnl", "is_liquidation", "executed_at", "source",
] as const satisfies readonly (keyof FillRow)[];

/**
 * A page of fills made ready for `insertFills`: one text array per column, and the fingerprints.
 * Pure client work, done apart from the write so that the sync can prepare page k+1 while page k
 * is being written (see load-ahead.ts).
 */
export interface PreparedFills {
  readonly count: number;
  /** One array literal per input column (db-input.ts `arrayLiteral`). */
  readonly columns: readonly string[];
}

export function prepareFills(rows: FillRow[]): PreparedFills {
  const columns = FILL_INPUT_COLUMNS.map((k) =>
    // is_liquidation is NOT NULL: a missing flag is false
    arrayLiteral(k === "is_liquidation" ? rows.map((r) => (r.is_liquidation ? "t" : "f")) : rows.map((r) => toText(r[k])))
  );
  // The duplicate-detection fingerprint the importer computes too (see imports/ids.ts).
  columns.push(arrayLiteral(rows.map((r) => fingerprint(r))));
  return { count: rows.length, columns };
}

/**
 * Inserts a page of fills (any exchange / market type / symbol) and, for every fill actually
 * inserted, one `fees_tracking` row per fee currency (source_key
 * `fill:<market_type>:<symbol>:<trade_id>:<currency>`, MAKER/TAKER, > 0 paid, < 0 rebate).
 * Fills already stored are left alone (do nothing), so are their fees. One statement.
 */
export async function insertFills(tx: Q, owner: FillOwner, page: FillRow[] | PreparedFills): Promise<{ fills: number; fees: number }> {
  const prepared = Array.isArray(page) ? prepareFills(page) : page;
  if (prepared.count === 0) return { fills: 0, fees: 0 };
  const [res] = await tx.unsafe(
    fillUpsertStatement(`select * from unnest($3::public.exchange_id[], $4::public.market_type[], $5::text[], $6::text[], $7::text[], $8::text[],
                            $9::text[], $10::text[], $11::numeric[], $12::numeric[], $13::numeric[], $14::jsonb[], $15::text[],
                            $16::numeric[], $17::boolean[], $18::timestamptz[], $19::text[], $20::text[])
         as t(exchange, market_type, symbol, base, quote, trade_id, order_id, side, price, amount, cost, fees,
              taker_or_maker, exchange_realized_pnl, is_liquidation, executed_at, source, fingerprint)`),
    [owner.userId, owner.credentialId, ...prepared.columns],
    { prepare: true }, // a named prepared statement on a dedicated session (db-session.ts); the pool has prepare off
  );
  return { fills: Number(res.fills), fees: Number(res.fees) };
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
