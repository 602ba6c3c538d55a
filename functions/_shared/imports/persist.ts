/**
 * Importing an exchange export for a user: parse (all-or-nothing: any bad row and nothing is
 * written), then in ONE transaction insert the fills and transfers, then run the PnL engine on
 * the touched streams. Shared by the `import` Edge Function and `npm run import`.
 *
 * Idempotent: exports without trade ids get deterministic synthetic ids, so re-importing a file
 * adds nothing. An export that overlaps API-synced fills does not double them: per fingerprint
 * (exchange, market type, symbol, second, side, price, amount, fee), only the rows beyond those
 * already stored from another source are inserted (counted, not dropped as a group: two real
 * fills can share a fingerprint).
 */
import type { Tx } from "../db.ts";
import { withServiceFor } from "../db.ts";
import type { ExchangeId, FillRow, TransferRow } from "../domain/types.ts";
import { processUser, type StreamResult } from "../positions/process.ts";
import { fingerprint, sha256Hex } from "./ids.ts";
import { FEE_ROWS_OF_INSERTED_FILLS } from "../sync/store.ts";
import { parseExport, type ParseExportOptions } from "./parse.ts";
import type { ImportIssue, ImportKind } from "./formats.ts";

export interface ImportRequest {
  userId: string;
  /** Claims recorded by the audit trail (the user, for uploads; service role for the CLI). */
  actorClaims?: Record<string, unknown>;
  exchange?: ExchangeId;
  kind?: ImportKind;
  text?: string;
  stream?: ParseExportOptions["stream"];
  utcOffset?: string;
  onProgress?: ParseExportOptions["onProgress"];
  /** Run the PnL engine afterwards (default true). */
  process?: boolean;
}

export type ImportResult =
  | { ok: false; format: { id: string; label: string; exchange: string; kind: string } | null; errors: ImportIssue[]; error_count: number; rows: number }
  | {
    ok: true;
    format: { id: string; label: string; exchange: string; kind: string };
    rows: number;
    fills: { in_file: number; inserted: number; already_present: number };
    transfers: { in_file: number; inserted: number; already_present: number };
    pnl: { streams: number; closing_events: number } | null;
    streams: StreamResult[];
  };

async function transferId(t: TransferRow): Promise<string> {
  if (t.transfer_id) return t.transfer_id;
  return "imp:" + (sha256Hex([t.exchange, t.kind, t.asset, t.amount, t.occurred_at, t.address ?? "", t.network ?? ""].join("|"))).slice(0, 24);
}

/** Inserts the export's new fills and their `fees_tracking` rows (the sync's fee rule); answers the fills inserted. */
async function insertFills(tx: Tx, userId: string, fills: FillRow[]): Promise<number> {
  if (!fills.length) return 0;
  const rows = fills.map((f) => ({ ...f, user_id: userId, fingerprint: fingerprint(f) }));
  const cols = Object.keys(rows[0]);
  const [res] = await tx.unsafe(
    `with src as (
       select r.*, row_number() over (partition by r.exchange, r.market_type, r.symbol, r.fingerprint order by r.trade_id) as k
         from jsonb_populate_recordset(null::public.fills, $1::jsonb) as r
     ), other_sources as (
       -- API-synced twins: the fingerprint covers the time to the second, so they lie within that
       -- second of the same stream (found through the stream index; no index on fingerprints).
       select s.exchange, s.market_type, s.symbol, s.fingerprint, count(*) as n
         from (select distinct exchange, market_type, symbol, fingerprint, date_trunc('second', executed_at) as sec from src) as s
         join public.fills f
           on f.user_id = $2 and f.exchange = s.exchange and f.market_type = s.market_type and f.symbol = s.symbol
          and f.executed_at >= s.sec and f.executed_at < s.sec + interval '1 second'
          and f.fingerprint = s.fingerprint and f.source <> 'import'
        group by 1, 2, 3, 4
     ), ins as (
     insert into public.fills (${cols.join(", ")})
     select ${cols.map((c) => `s.${c}`).join(", ")}
       from src s
       left join other_sources o using (exchange, market_type, symbol, fingerprint)
      where s.k > coalesce(o.n, 0)
     on conflict (user_id, exchange, market_type, symbol, trade_id) do nothing
     returning id, user_id, exchange, market_type, symbol, trade_id, order_id, fees, taker_or_maker, executed_at
     ), fee as (${FEE_ROWS_OF_INSERTED_FILLS}
       returning 1
     )
     select (select count(*) from ins)::int as fills, (select count(*) from fee)::int as fees`,
    [rows as never, userId],
  );
  return Number(res.fills);
}

async function insertTransfers(tx: Tx, userId: string, transfers: TransferRow[]): Promise<number> {
  if (!transfers.length) return 0;
  const rows = await Promise.all(transfers.map(async (t) => ({ ...t, transfer_id: await transferId(t), user_id: userId })));
  const cols = Object.keys(rows[0]);
  const inserted = await tx.unsafe(
    `insert into public.transfers (${cols.join(", ")})
     select ${cols.join(", ")} from jsonb_populate_recordset(null::public.transfers, $1::jsonb)
     on conflict (user_id, exchange, kind, transfer_id) do nothing
     returning 1`,
    [rows as never],
  );
  return inserted.length;
}

export async function importExport(req: ImportRequest): Promise<ImportResult> {
  const parsed = await parseExport({
    exchange: req.exchange, kind: req.kind, text: req.text, stream: req.stream, utcOffset: req.utcOffset, onProgress: req.onProgress,
  });
  if (parsed.errors.length || !parsed.format) {
    return { ok: false, format: parsed.format, errors: parsed.errors, error_count: parsed.errorCount, rows: parsed.rows };
  }
  const counts = await withServiceFor(req.actorClaims ?? {}, async (tx) => {
    // Batches keep each statement's JSON parameter moderate on large exports.
    let fills = 0, transfers = 0;
    for (let i = 0; i < parsed.fills.length; i += 5000) fills += await insertFills(tx, req.userId, parsed.fills.slice(i, i + 5000));
    for (let i = 0; i < parsed.transfers.length; i += 5000) transfers += await insertTransfers(tx, req.userId, parsed.transfers.slice(i, i + 5000));
    return { fills, transfers };
  });
  const touched = new Map<string, { exchange: string; market_type: string; symbol: string }>();
  for (const f of parsed.fills) touched.set(`${f.exchange}|${f.market_type}|${f.symbol}`, { exchange: f.exchange, market_type: f.market_type, symbol: f.symbol });
  const streams = req.process === false || counts.fills === 0 ? [] : await processUser(req.userId, [...touched.values()]);
  const f = parsed.format;
  return {
    ok: true,
    format: { id: f.id, label: f.label, exchange: f.exchange, kind: f.kind },
    rows: parsed.rows,
    fills: { in_file: parsed.fills.length, inserted: counts.fills, already_present: parsed.fills.length - counts.fills },
    transfers: { in_file: parsed.transfers.length, inserted: counts.transfers, already_present: parsed.transfers.length - counts.transfers },
    pnl: streams.length ? { streams: streams.length, closing_events: streams.reduce((n, s) => n + s.events, 0) } : null,
    streams,
  };
}
