/**
 * Fills and their fee rows, written once (issue 16): the sync's page write (`prepareFills` →
 * `insertFills`, which also removes imported twins of fills synced now) and the importer's
 * (`insertImportedFills`, which skips rows whose API-synced twin is stored) share the fee rule
 * (`feeRowsOf`) and the fingerprints (fills/keys.ts). Before, the importer pasted the sync's
 * fee-rows SQL fragment, which only worked inside a statement with a CTE named `ins`.
 *
 * `insertFills` is the hot path: columns passed as typed arrays and expanded with `unnest`
 * (≈ 2× faster than the jsonb path; see scripts/bench/sync-upsert.ts).
 */
import type { Sql, Tx } from "../db.ts";
import type { FillRow } from "../domain/types.ts";
import { arrayLiteral, toText } from "../db-input.ts";
import { fingerprint } from "./keys.ts";

type Q = Sql | Tx;

export interface FillOwner {
  userId: string;
  credentialId: string | null;
}

/**
 * The `fees_tracking` rows of freshly inserted fills: a data-modifying statement over the CTE
 * `inserted` of the enclosing statement (columns id, user_id, exchange, market_type, symbol,
 * trade_id, order_id, fees, taker_or_maker, executed_at — what both fill statements below
 * return): one row per fill and fee currency (entries of one currency summed), MAKER/TAKER,
 * source_key `fill:<market_type>:<symbol>:<trade_id>:<currency>`; > 0 paid, < 0 rebate. The one
 * fee rule of fills, private to this module: only the two statements here embed it.
 */
function feeRowsOf(inserted: string): string {
  return `
       insert into public.fees_tracking (user_id, fill_id, order_id, exchange, market_type, symbol, fee_amount, fee_currency,
                                         fee_type, transaction_type, source_key, fee_timestamp)
       select ins.user_id, ins.id, ins.order_id, ins.exchange, ins.market_type, ins.symbol, e.amount, e.currency,
              case when ins.taker_or_maker = 'maker' then 'MAKER' else 'TAKER' end, 'ORDER_FILL',
              'fill:' || ins.market_type || ':' || ins.symbol || ':' || ins.trade_id || ':' || e.currency, ins.executed_at
         from ${inserted} as ins
         cross join lateral (
           select x.value ->> 'currency' as currency, sum((x.value ->> 'amount')::numeric) as amount
             from jsonb_array_elements(ins.fees) as x
            group by 1
         ) as e
       on conflict (user_id, exchange, source_key) do nothing`;
}

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
${feeRowsOf("ins")}
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
  // The duplicate-detection fingerprint the importer computes too (fills/keys.ts).
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

/**
 * The importer's fill write: inserts an export's new fills and their `fees_tracking` rows (the
 * one fee rule) in one statement; per fingerprint, only the rows beyond those already stored under
 * other trade ids (API-synced twins, or the same fills from an export of another layout) are
 * inserted. Answers the fills inserted.
 */
export async function insertImportedFills(tx: Tx, userId: string, fills: FillRow[]): Promise<number> {
  if (!fills.length) return 0;
  const rows = fills.map((f) => ({ ...f, user_id: userId, fingerprint: fingerprint(f) }));
  const cols = Object.keys(rows[0]);
  const [res] = await tx.unsafe(
    `with src as (
       select r.*, row_number() over (partition by r.exchange, r.market_type, r.symbol, r.fingerprint order by r.trade_id) as k
         from jsonb_populate_recordset(null::public.fills, $1::jsonb) as r
     ), other_sources as (
       -- Twins stored from another source or another download of the same fills (the API sync,
       -- an export of another layout: other trade ids). The fingerprint covers the time to the
       -- second, so they lie within that second of the same stream (found through the stream
       -- index; no index on fingerprints). Rows with one of this file's own ids are a re-import,
       -- left to the unique key.
       select s.exchange, s.market_type, s.symbol, s.fingerprint, count(*) as n
         from (select exchange, market_type, symbol, fingerprint, date_trunc('second', executed_at) as sec,
                      array_agg(trade_id) as ids
                 from src
                group by 1, 2, 3, 4, 5) as s
         join public.fills f
           on f.user_id = $2 and f.exchange = s.exchange and f.market_type = s.market_type and f.symbol = s.symbol
          and f.executed_at >= s.sec and f.executed_at < s.sec + interval '1 second'
          and f.fingerprint = s.fingerprint and f.trade_id <> all (s.ids)
        group by 1, 2, 3, 4
     ), ins as (
     insert into public.fills (${cols.join(", ")})
     select ${cols.map((c) => `s.${c}`).join(", ")}
       from src s
       left join other_sources o using (exchange, market_type, symbol, fingerprint)
      where s.k > coalesce(o.n, 0)
     on conflict (user_id, exchange, market_type, symbol, trade_id) do nothing
     returning id, user_id, exchange, market_type, symbol, trade_id, order_id, fees, taker_or_maker, executed_at
     ), fee as (${feeRowsOf("ins")}
       returning 1
     )
     select (select count(*) from ins)::int as fills, (select count(*) from fee)::int as fees`,
    [rows as never, userId],
  );
  return Number(res.fills);
}
