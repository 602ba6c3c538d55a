/**
 * parseExport: one exchange export file (string or stream) → FillRow[] / TransferRow[], or
 * line-numbered errors. All-or-nothing: when any row is bad, no rows are returned.
 */
import type { ExchangeId, FeeEntry, FillRow, FundingRow, TransferRow } from "../domain/types.ts";
import { readCsv, splitLine, type TextSource } from "./csv.ts";
import { isZero } from "./decimal.ts";
import {
  describeFormats,
  type FillDraft,
  FORMATS,
  type ImportFormat,
  type ImportIssue,
  type ImportKind,
  type OrderDraft,
  type RowContext,
  type TransferDraft,
} from "./formats.ts";
import { fillKeyText, Occurrences, syntheticRowId, syntheticTradeId } from "./ids.ts";
import type { FundingDraft, LedgerDraft, LedgerResult, UnpairedRow } from "./ledger.ts";

export interface ImportProgress {
  /** Data rows read so far (header and blank lines excluded). */
  rows: number;
  /** Bytes of the file consumed so far (UTF-8). */
  bytes: number;
}

export interface ParseExportOptions {
  /** Restrict detection to this exchange (the header must belong to one of its formats). */
  exchange?: ExchangeId;
  /** Restrict detection to this kind; required for headers shared by two kinds. */
  kind?: ImportKind;
  /** The whole file. Exactly one of `text` and `stream` is given. */
  text?: string;
  /** The file as chunks of text or UTF-8 bytes (a ReadableStream or any async iterable). */
  stream?: ReadableStream<string | Uint8Array> | AsyncIterable<string | Uint8Array>;
  /** Called after each batch of rows and once at the end. */
  onProgress?: (p: ImportProgress) => void;
  /**
   * Offset of the time zone the export was made in, for formats whose timestamps carry no zone
   * (Bitget, MEXC, Binance's `Time` layouts: see FORMATS.md). "+08:00", "-05:30", "+0".
   * Default: the offset in the file name (`…(UTC+8).csv`), else UTC. Both given and different:
   * an error.
   */
  utcOffset?: string;
  /** The downloaded file's name: Binance writes the export's zone in it (`…(UTC+8).csv`). */
  fileName?: string;
  /** Stop collecting errors after this many (the count keeps going). Default 1000. */
  maxErrors?: number;
}

export interface ParseExportResult {
  format: Pick<ImportFormat, "id" | "label" | "exchange" | "kind"> | null;
  fills: FillRow[];
  transfers: TransferRow[];
  /** Funding payments (ledger formats that name the contract). */
  funding: FundingRow[];
  errors: ImportIssue[];
  /** Total number of problems found (errors may hold fewer, see maxErrors). */
  errorCount: number;
  rows: number;
  bytes: number;
  /** Ledger rows not imported because pairing them would mean guessing (ledger formats only). */
  unpaired: UnpairedRow[];
  /** Ledger rows that are neither trades nor transfers, counted per operation. */
  skipped: LedgerResult["skipped"];
  /** A ledger's own realized PnL rows summed per currency (cross-check only). */
  exchangePnl: LedgerResult["exchangePnl"];
  /** The UTC offset the file's local times were read in, in minutes (0 for UTC formats). */
  utcOffsetMinutes: number;
  /** Where that offset came from: the layout's header says UTC, the file name, the option, or nothing (UTC assumed). */
  utcOffsetSource: "header" | "file name" | "option" | "assumed";
}

/**
 * The zone Binance writes in a download's name: `(UTC+8)`, `(UTC-6)`, `(UTC+05:30)`, `(UTC)`;
 * real names also show `(UTC--6)` for UTC-6. Null when the name says nothing.
 */
export function offsetFromFileName(name: string | undefined): number | null {
  if (!name) return null;
  const m = name.match(/\(UTC(?:([+-])-?(\d{1,2})(?::?(\d{2}))?)?\)/i);
  if (!m) return null;
  if (!m[1]) return 0;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
  if (minutes > 14 * 60) return null;
  return (m[1] === "-" ? -1 : 1) * minutes;
}

function showOffset(minutes: number): string {
  const a = Math.abs(minutes);
  return `${minutes < 0 ? "-" : "+"}${String(Math.floor(a / 60)).padStart(2, "0")}:${String(a % 60).padStart(2, "0")}`;
}

function parseOffset(s: string | undefined): number | null {
  if (s === undefined || s === "" || s === "Z" || /^UTC$/i.test(s)) return 0;
  const m = s.replace(/^UTC/i, "").match(/^([+-])(\d{1,2})(?::?(\d{2}))?$/);
  if (!m) return null;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
  if (minutes > 14 * 60) return null;
  return (m[1] === "-" ? -1 : 1) * minutes;
}

function fileError(problem: string, extra: Partial<ImportIssue> = {}): ImportIssue {
  return { line: extra.line ?? 0, column: extra.column ?? null, value: extra.value ?? null, problem };
}

function result(
  partial: Partial<ParseExportResult> & { errors: ImportIssue[] },
): ParseExportResult {
  return {
    format: null, fills: [], transfers: [], funding: [], errorCount: partial.errors.length, rows: 0, bytes: 0,
    unpaired: [], skipped: [], exchangePnl: [], utcOffsetMinutes: 0, utcOffsetSource: "assumed",
    ...partial,
  };
}

const delimiterOf = (f: ImportFormat): string => f.delimiter ?? ",";
const sameHeader = (f: ImportFormat, header: readonly string[]) =>
  f.header.length === header.length && f.header.every((c, i) => c === header[i]);

/**
 * The delimiter a file is read with, from its first non-blank line: a tab or a semicolon when the
 * line, split on it, is exactly the header of a layout written with it; otherwise the comma (and
 * the header check then says what is wrong). Never guessed from the rows.
 */
export function headerDelimiter(line: string): string {
  for (const d of ["\t", ";"]) {
    if (!line.includes(d)) continue;
    const cells = splitLine(line.replace(/^\uFEFF/, ""), d);
    if (FORMATS.some((f) => delimiterOf(f) === d && sameHeader(f, cells))) return d;
  }
  return ",";
}

/** Pick the format for a header, or explain why none fits. */
export function detectFormat(
  header: string[],
  exchange?: ExchangeId,
  kind?: ImportKind,
  delimiter = ",",
): ImportFormat | ImportIssue {
  const wanted = FORMATS.filter((f) => (!exchange || f.exchange === exchange) && (!kind || f.kind === kind));
  const same = (f: ImportFormat) => delimiterOf(f) === delimiter && sameHeader(f, header);
  const matches = FORMATS.filter(same);
  const fit = matches.filter((f) => wanted.includes(f));
  if (fit.length === 1) return fit[0];
  if (fit.length > 1) {
    return fileError(
      `This header is shared by ${fit.map((f) => `${f.label} [${f.kind}]`).join(" and ")}: pass kind ` +
        `(${fit.map((f) => f.kind).join(" or ")}) to say which it is.`,
      { line: 1, value: header.join(",") },
    );
  }
  const asked = [exchange, kind].filter(Boolean).join(" ");
  if (matches.length) {
    return fileError(
      `This file is a ${matches.map((f) => `${f.label} [${f.exchange} ${f.kind}]`).join(" / ")} export, ` +
        `not ${asked}. Expected formats: ${describeFormats(wanted.length ? wanted : FORMATS)}`,
      { line: 1, value: header.join(",") },
    );
  }
  const pool = wanted.length ? wanted : FORMATS;
  return fileError(
    `Unknown export format${asked ? ` for ${asked}` : ""}: the header must be exactly one of the known layouts. ` +
      `Closest: ${describeFormats(closest(header, pool, 3))}. All: ${describeFormats(pool)}`,
    { line: 1, value: header.join(",") },
  );
}

/** The known layouts sharing the most column names with `header` (for the error message only). */
function closest(header: string[], pool: readonly ImportFormat[], n: number): ImportFormat[] {
  const mine = new Set(header.map((c) => c.toLowerCase()));
  const score = (f: ImportFormat) => {
    const theirs = f.header.map((c) => c.toLowerCase());
    const common = theirs.filter((c) => mine.has(c)).length;
    return common / (mine.size + theirs.length - common);
  };
  return [...pool].map((f) => ({ f, s: score(f) })).sort((a, b) => b.s - a.s).slice(0, n).map((x) => x.f);
}

export async function parseExport(opts: ParseExportOptions): Promise<ParseExportResult> {
  const maxErrors = opts.maxErrors ?? 1000;
  if ((opts.text === undefined) === (opts.stream === undefined)) {
    return result({ errors: [fileError("Give exactly one of text or stream.")] });
  }
  const explicit = opts.utcOffset === undefined || opts.utcOffset === "" ? undefined : parseOffset(opts.utcOffset);
  if (explicit === null) {
    return result({ errors: [fileError(`utcOffset "${opts.utcOffset}" is not an offset like +08:00`)] });
  }
  const named = offsetFromFileName(opts.fileName);
  if (explicit !== undefined && named !== null && explicit !== named) {
    return result({
      errors: [fileError(
        `The file name says UTC${showOffset(named)} but utcOffset is ${showOffset(explicit)}: ` +
          `drop the offset or give the one the export was made in.`,
      )],
    });
  }
  const offset = explicit ?? named ?? 0;
  const source: TextSource = opts.text ?? opts.stream!;

  const errors: ImportIssue[] = [];
  let errorCount = 0;
  const push = (e: ImportIssue) => {
    errorCount++;
    if (errors.length < maxErrors) errors.push(e);
  };

  let format: ImportFormat | null = null;
  let header: string[] = [];
  let index = new Map<string, number>();
  const fillDrafts: { line: number; d: FillDraft }[] = [];
  const transferDrafts: { line: number; d: TransferDraft }[] = [];
  const ledgerDrafts: LedgerDraft[] = [];
  let order: OrderDraft | null = null;
  let orderSeen = false;
  let rows = 0;
  let bytes = 0;
  let sawAnything = false;

  for await (const batch of readCsv(source, headerDelimiter)) {
    bytes = batch.bytes;
    for (const rec of batch.records) {
      sawAnything = true;
      if (!format) {
        header = rec.cells.map((c) => c.trim());
        if (header.length === 1 && header[0].split(";").length > 2) {
          return result({
            errors: [fileError(
              "This file is separated by semicolons (a spreadsheet saved it again in a locale that writes decimal commas). " +
                "Import the file as the exchange downloaded it, or save it as comma-separated CSV with decimal points.",
              { line: rec.line, value: header[0] },
            )],
            bytes,
          });
        }
        const f = detectFormat(header, opts.exchange, opts.kind, batch.delimiter);
        if (!("row" in f)) {
          return result({ errors: [{ ...f, line: rec.line }], bytes });
        }
        format = f;
        index = new Map(header.map((c, i) => [c, i]));
        continue;
      }
      rows++;
      if (rec.problem) {
        push({ line: rec.line, column: null, value: null, problem: rec.problem });
        continue;
      }
      if (format.subRows && (rec.cells[0] ?? "").trim() === "") {
        // An order's fill sub-row (or the sub-header above them): columns from the second cell.
        const sub = format.subRows;
        const cells = rec.cells.slice(1);
        while (cells.length > sub.header.length && cells[cells.length - 1].trim() === "") cells.pop();
        if (cells.length === sub.header.length && cells.every((c, i) => c.trim() === sub.header[i])) {
          rows--;
          continue;
        }
        if (cells.length !== sub.header.length) {
          push({
            line: rec.line, column: null, value: rec.cells.join(","),
            problem: `expected a fill sub-row of ${sub.header.length} columns after an empty first cell, found ${cells.length}`,
          });
          continue;
        }
        if (!order) {
          if (!orderSeen) push({ line: rec.line, column: null, value: rec.cells.join(","), problem: "a fill sub-row before any order row" });
          continue;
        }
        const subIndex = new Map(sub.header.map((c, i) => [c, i]));
        const before = errorCount;
        const fill = sub.row(rowContext(rec.line, cells, subIndex, format.zone === "utc" ? 0 : offset, push), order);
        if (errorCount === before && fill) fillDrafts.push({ line: rec.line, d: fill });
        continue;
      }
      // Trailing empty cells (Binance's `Time,…` downloads end every row in ",,,") are dropped.
      while (rec.cells.length > header.length && rec.cells[rec.cells.length - 1].trim() === "") rec.cells.pop();
      if (rec.cells.length < header.length && rec.cells.length >= header.length - (format.trailingOptional ?? 0)) {
        while (rec.cells.length < header.length) rec.cells.push("");
      }
      if (rec.cells.length !== header.length) {
        push({
          line: rec.line, column: null, value: rec.cells.join(","),
          problem: `expected ${header.length} columns, found ${rec.cells.length}`,
        });
        continue;
      }
      const ctx = rowContext(rec.line, rec.cells, index, format.zone === "utc" ? 0 : offset, push);
      const before = errorCount;
      const out = format.row(ctx);
      if (format.subRows) {
        order = errorCount === before && out && "order" in out ? out : null;
        orderSeen = true;
      }
      if (errorCount !== before || !out) continue;
      if ("order" in out) continue;
      if ("ledger" in out) ledgerDrafts.push(out);
      else if ("side" in out) fillDrafts.push({ line: rec.line, d: out });
      else transferDrafts.push({ line: rec.line, d: out });
    }
    opts.onProgress?.({ rows, bytes });
  }
  opts.onProgress?.({ rows, bytes });

  const fmt = format ? { id: format.id, label: format.label, exchange: format.exchange, kind: format.kind } : null;
  if (!sawAnything) {
    return result({
      errors: [fileError(bytes === 0 ? "The file is empty (0 bytes)." : "The file has no header line (only blank lines).")],
      bytes,
    });
  }
  if (rows === 0) {
    return result({
      format: fmt,
      errors: [fileError(`The file has a ${format!.label} header but no data rows.`, { line: 1 })],
      bytes,
    });
  }

  let ledger: LedgerResult | null = null;
  if (format?.assemble && !errorCount) {
    ledger = format.assemble(ledgerDrafts);
    fillDrafts.push(...ledger.fills);
    transferDrafts.push(...ledger.transfers);
  }

  // Duplicate exchange trade ids inside one file make the file ambiguous.
  const seen = new Map<string, number>();
  for (const { line, d } of fillDrafts) {
    if (d.trade_id === null) continue;
    const k = `${d.symbol}\u0000${d.trade_id}`;
    const prev = seen.get(k);
    if (prev !== undefined) {
      push({ line, column: "Trade ID", value: d.trade_id, problem: `duplicate trade id (also on line ${prev})` });
    } else seen.set(k, line);
  }

  if (errorCount) {
    errors.sort((a, b) => a.line - b.line);
    return result({ format: fmt, errors, errorCount, rows, bytes });
  }

  const fills = await buildFills(fillDrafts.map((x) => x.d));
  const transfers = await buildTransfers(transferDrafts.map((x) => x.d));
  const funding = buildFunding((ledger?.funding ?? []).map((x) => x.d));
  return {
    format: fmt, fills, transfers, funding, errors: [], errorCount: 0, rows, bytes,
    unpaired: ledger?.unpaired ?? [], skipped: ledger?.skipped ?? [], exchangePnl: ledger?.exchangePnl ?? [],
    utcOffsetMinutes: format!.zone === "utc" ? 0 : offset,
    utcOffsetSource: format!.zone === "utc" ? "header" : explicit !== undefined ? "option" : named !== null ? "file name" : "assumed",
  };
}

function rowContext(
  line: number, cells: string[], index: Map<string, number>, utcOffsetMinutes: number, push: (e: ImportIssue) => void,
): RowContext {
  return {
    line,
    utcOffsetMinutes,
    get: (col) => (cells[index.get(col)!] ?? "").trim(),
    bad: (col, problem, value) =>
      push({ line, column: col, value: value !== undefined ? value : col ? (cells[index.get(col)!] ?? "").trim() : null, problem }),
  };
}

async function mapInBatches<T, R>(items: T[], fn: (t: T) => Promise<R>, size = 2000): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

async function buildFills(drafts: FillDraft[]): Promise<FillRow[]> {
  const occurrences = new Occurrences();
  const keyed = drafts.map((d) => {
    if (d.trade_id !== null) return { d, id: d.trade_id };
    const fields = { ...d, ...feeKey(d) };
    return { d, id: syntheticTradeId(fields, occurrences.next(fillKeyText(fields))) };
  });
  return mapInBatches(keyed, async ({ d, id }): Promise<FillRow> => ({
    exchange: d.exchange,
    market_type: d.market_type,
    symbol: d.symbol,
    base: d.base,
    quote: d.quote,
    trade_id: id,
    order_id: d.order_id,
    side: d.side,
    price: d.price,
    amount: d.amount,
    cost: d.cost,
    fees: feeEntries(d),
    taker_or_maker: d.taker_or_maker,
    exchange_realized_pnl: d.exchange_realized_pnl,
    is_liquidation: false,
    executed_at: d.executed_at,
    source: "import",
  }));
}

/** The fee fields a synthetic id hashes: one fee as before; several joined with "+". */
function feeKey(d: FillDraft): { fee: string; fee_currency: string } {
  if (!d.more_fees?.length) return { fee: d.fee_amount, fee_currency: d.fee_currency };
  const all = [{ currency: d.fee_currency, amount: d.fee_amount }, ...d.more_fees];
  return { fee: all.map((f) => f.amount).join("+"), fee_currency: all.map((f) => f.currency).join("+") };
}

function feeEntries(d: FillDraft): FeeEntry[] {
  const first = isZero(d.fee_amount) ? [] : [{ currency: d.fee_currency, amount: d.fee_amount }];
  return [...first, ...(d.more_fees ?? []).filter((f) => !isZero(f.amount))];
}

async function buildTransfers(drafts: TransferDraft[]): Promise<TransferRow[]> {
  const occurrences = new Occurrences();
  return mapInBatches(drafts, async (d): Promise<TransferRow> => {
    if (d.transfer_id !== null) return { ...d, transfer_id: d.transfer_id };
    const key = JSON.stringify([d.exchange, d.kind, d.asset, d.amount, d.occurred_at, d.tx_id ?? ""]);
    return { ...d, transfer_id: syntheticRowId(key, occurrences.next(key)) };
  });
}

/**
 * Funding ids for ledger rows without one: `imp:` + 24 hex of SHA-256 over the payment's fields
 * and its occurrence index among identical ones (so re-importing the file adds nothing).
 */
function buildFunding(drafts: FundingDraft[]): FundingRow[] {
  const occurrences = new Occurrences();
  return drafts.map((d) => {
    if (d.funding_id !== null) return { ...d, funding_id: d.funding_id };
    const key = JSON.stringify([d.exchange, d.symbol, d.currency, d.amount, d.occurred_at]);
    return { ...d, funding_id: syntheticRowId(key, occurrences.next(key)) };
  });
}
