/**
 * Importing an exchange export for a user: parse (all-or-nothing: any bad row and nothing is
 * written), then in ONE transaction insert the fills and transfers, then run the PnL engine on
 * the touched streams. Shared by the `import` Edge Function and `npm run import`.
 *
 * Idempotent: exports without trade ids get deterministic synthetic ids, so re-importing a file
 * adds nothing. An export that overlaps API-synced fills does not double them: per fingerprint
 * (exchange, market type, symbol, second, side, price, amount, fee), only the rows beyond those
 * already stored under other trade ids (API-synced, or another layout's export) are inserted
 * (counted, not dropped as a group: two real
 * fills can share a fingerprint).
 */
import type { Tx } from "../db.ts";
import { withServiceFor } from "../db.ts";
import type { ExchangeId, FillRow, TransferRow } from "../domain/types.ts";
import { streamKeyOf } from "../domain/keys.ts";
import { processUser, type StreamResult } from "../positions/process.ts";
import { insertImportedFills } from "../fills/write.ts";
import { insertFunding } from "../fills/funding.ts";
import { parseExport, type ParseExportOptions, type ParseExportResult } from "./parse.ts";
import type { ImportIssue, ImportKind } from "./formats.ts";
import { crossCheckPnl, type PnlCrossCheck } from "./crosscheck.ts";
import type { LedgerResult, UnpairedRow } from "./ledger.ts";

export interface ImportRequest {
  userId: string;
  /** Claims recorded by the audit trail (the user, for uploads; service role for the CLI). */
  actorClaims?: Record<string, unknown>;
  exchange?: ExchangeId;
  kind?: ImportKind;
  text?: string;
  stream?: ParseExportOptions["stream"];
  utcOffset?: string;
  /** The uploaded file's name: `…(UTC+8).csv` gives the zone of formats that write local times. */
  fileName?: string;
  onProgress?: ParseExportOptions["onProgress"];
  /** Called after each batch written (rows of the file's fills and transfers; all in one transaction). */
  onWrite?: (p: { written: number; total: number }) => void;
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
    /** Funding payments of ledgers that name the contract (Gate's and Bitget's futures ledgers). */
    funding: { in_file: number; inserted: number; already_present: number };
    pnl: { streams: number; closing_events: number } | null;
    /** Ledger rows not imported because pairing them would mean guessing (count, and the first 100). */
    unpaired: { count: number; rows: UnpairedRow[] };
    /** Ledger rows that are neither trades nor transfers, per operation. */
    skipped: LedgerResult["skipped"];
    /** Per symbol: the exchange's realized PnL in the file beside the engine's (after the engine ran). */
    pnl_check: PnlCrossCheck[];
    /** A ledger's realized-PnL rows summed per currency, and per symbol when the ledger names it (then also in pnl_check). */
    exchange_pnl_totals: LedgerResult["exchangePnl"];
    utc_offset_minutes: number;
    /** header (the layout says UTC), file name, option, or assumed (a local-time file with no zone given: read as UTC). */
    utc_offset_source: ParseExportResult["utcOffsetSource"];
    streams: StreamResult[];
  };

async function insertTransfers(tx: Tx, userId: string, transfers: TransferRow[]): Promise<number> {
  if (!transfers.length) return 0;
  // Every parsed transfer has its id: the exchange's, or the parser's synthetic one (parse.ts).
  const rows = transfers.map((t) => ({ ...t, user_id: userId }));
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
    fileName: req.fileName,
  });
  return await storeParsedExport(req, parsed);
}

/**
 * The second half of importExport, for a caller that parsed the file itself and keeps the parse
 * (the main job cross-checks its fills once the engine has run): writes it in one transaction,
 * runs the engine (unless `process: false`) and answers the same result.
 */
export async function storeParsedExport(
  req: Pick<ImportRequest, "userId" | "actorClaims" | "onWrite" | "process">,
  parsed: ParseExportResult,
): Promise<ImportResult> {
  if (parsed.errors.length || !parsed.format) {
    return { ok: false, format: parsed.format, errors: parsed.errors, error_count: parsed.errorCount, rows: parsed.rows };
  }
  const counts = await withServiceFor(req.actorClaims ?? {}, async (tx) => {
    // Batches keep each statement's JSON parameter moderate on large exports.
    let fills = 0, transfers = 0;
    const total = parsed.fills.length + parsed.transfers.length;
    for (let i = 0; i < parsed.fills.length; i += 5000) {
      fills += await insertImportedFills(tx, req.userId, parsed.fills.slice(i, i + 5000));
      req.onWrite?.({ written: Math.min(i + 5000, parsed.fills.length), total });
    }
    for (let i = 0; i < parsed.transfers.length; i += 5000) {
      transfers += await insertTransfers(tx, req.userId, parsed.transfers.slice(i, i + 5000));
      req.onWrite?.({ written: parsed.fills.length + Math.min(i + 5000, parsed.transfers.length), total });
    }
    const funding = await insertFunding(tx, req.userId, parsed.funding);
    return { fills, transfers, funding };
  });
  const touched = new Map<string, { exchange: string; market_type: string; symbol: string }>();
  for (const f of parsed.fills) touched.set(streamKeyOf(f), { exchange: f.exchange, market_type: f.market_type, symbol: f.symbol });
  // New funding changes the funding carried by that swap's positions.
  for (const p of parsed.funding) touched.set(streamKeyOf({ ...p, market_type: "swap" }), { exchange: p.exchange, market_type: "swap", symbol: p.symbol });
  const streams = req.process === false || counts.fills + counts.funding === 0 ? [] : await processUser(req.userId, [...touched.values()]);
  const f = parsed.format;
  return {
    ok: true,
    format: { id: f.id, label: f.label, exchange: f.exchange, kind: f.kind },
    rows: parsed.rows,
    fills: { in_file: parsed.fills.length, inserted: counts.fills, already_present: parsed.fills.length - counts.fills },
    transfers: { in_file: parsed.transfers.length, inserted: counts.transfers, already_present: parsed.transfers.length - counts.transfers },
    funding: { in_file: parsed.funding.length, inserted: counts.funding, already_present: parsed.funding.length - counts.funding },
    pnl: streams.length ? { streams: streams.length, closing_events: streams.reduce((n, s) => n + s.events, 0) } : null,
    unpaired: { count: parsed.unpaired.length, rows: parsed.unpaired.slice(0, 100) },
    skipped: parsed.skipped,
    pnl_check: req.process === false ? [] : await crossCheckPnl(req.userId, parsed.fills, { exchange: f.exchange, totals: parsed.exchangePnl }),
    exchange_pnl_totals: parsed.exchangePnl,
    utc_offset_minutes: parsed.utcOffsetMinutes,
    utc_offset_source: parsed.utcOffsetSource,
    streams,
  };
}
