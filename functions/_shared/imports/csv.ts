/**
 * Streaming CSV reading with physical line numbers.
 *
 * Text arrives as one string or as chunks (strings or UTF-8 bytes). Chunks are cut into whole
 * records at newlines that are outside quotes, so a quoted cell may contain newlines; each batch
 * of whole records is parsed by papaparse. Every record keeps the 1-based line number of the
 * line it starts on (header = line 1), which is what error messages cite.
 */
// @ts-types="@types/papaparse"
import Papa from "papaparse";

export type TextSource =
  | string
  | ReadableStream<string | Uint8Array>
  | AsyncIterable<string | Uint8Array>;

export interface CsvRecord {
  /** 1-based physical line where the record starts. */
  line: number;
  cells: string[];
  /** Set when the CSV syntax of this record is broken (e.g. an unterminated quote). */
  problem?: string;
}

export interface CsvBatch {
  records: CsvRecord[];
  /** The delimiter the file is read with (chosen from its first non-blank line). */
  delimiter: string;
  /** UTF-8 bytes consumed so far (including this batch). */
  bytes: number;
}

/** Size of the slices a string input is cut into, so progress is reported for big strings too. */
const STRING_SLICE = 1 << 20;

/**
 * The text encoding of an export's bytes, by its byte-order mark: Gate.io's deposit and
 * withdrawal downloads are UTF-16LE with a BOM; everything else seen is UTF-8 (BOM or not).
 */
export function encodingOf(head: Uint8Array): "utf-16le" | "utf-16be" | "utf-8" {
  if (head[0] === 0xff && head[1] === 0xfe) return "utf-16le";
  if (head[0] === 0xfe && head[1] === 0xff) return "utf-16be";
  return "utf-8";
}

/** A whole export's bytes as text, in the encoding its BOM names (the BOM itself is dropped). */
export function decodeExport(bytes: Uint8Array): string {
  return new TextDecoder(encodingOf(bytes)).decode(bytes);
}

async function* chunksOf(source: TextSource): AsyncGenerator<{ text: string; bytes: number }> {
  if (typeof source === "string") {
    const enc = new TextEncoder();
    let i = 0;
    while (i < source.length) {
      let end = Math.min(i + STRING_SLICE, source.length);
      // Never split a surrogate pair.
      if (end < source.length) {
        const c = source.charCodeAt(end - 1);
        if (c >= 0xd800 && c <= 0xdbff) end++;
      }
      const text = source.slice(i, end);
      yield { text, bytes: enc.encode(text).length };
      i = end;
    }
    return;
  }
  let decoder: TextDecoder | null = null; // chosen by the first bytes' BOM
  const enc = new TextEncoder();
  const iterable: AsyncIterable<string | Uint8Array> =
    typeof (source as ReadableStream).getReader === "function"
      ? readerIterable(source as ReadableStream<string | Uint8Array>)
      : (source as AsyncIterable<string | Uint8Array>);
  for await (const chunk of iterable) {
    if (typeof chunk === "string") yield { text: chunk, bytes: enc.encode(chunk).length };
    else {
      // A BOM split across the first two chunks would be misread: chunks of one or zero bytes
      // do not occur in practice (streams deliver kilobytes), and a 1-byte first chunk is UTF-8 here.
      decoder ??= new TextDecoder(encodingOf(chunk));
      yield { text: decoder.decode(chunk, { stream: true }), bytes: chunk.byteLength };
    }
  }
  const tail = decoder?.decode() ?? "";
  if (tail) yield { text: tail, bytes: 0 };
}

async function* readerIterable(stream: ReadableStream<string | Uint8Array>): AsyncGenerator<string | Uint8Array> {
  const reader = stream.getReader();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        return;
      }
      yield value;
    }
  } finally {
    // Stopped early (unknown header): cancel the upload instead of leaving it half read.
    if (!finished) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

/**
 * Read a CSV source batch by batch. Blank lines are skipped (their line numbers still count);
 * a leading UTF-8 BOM is dropped; CRLF and LF both end a line.
 */
export async function* readCsv(
  source: TextSource,
  /** Chooses the delimiter from the file's first non-blank line (default: always a comma). */
  pickDelimiter: (firstLine: string) => string = () => ",",
): AsyncGenerator<CsvBatch> {
  let delimiter: string | null = null;
  let buffer = "";
  let bufferLine = 1; // physical line number of buffer[0]
  let inQuotes = false;
  let scanFrom = 0; // buffer index up to which quote state has been scanned
  let bytes = 0;
  let first = true;

  const cut = (upTo: number): CsvRecord[] => {
    // buffer[0..upTo) holds whole records ending in "\n".
    const part = buffer.slice(0, upTo);
    buffer = buffer.slice(upTo);
    scanFrom -= upTo;
    if (delimiter === null) {
      const first = firstLine(part);
      if (first !== null) delimiter = pickDelimiter(first);
    }
    const out = splitRecords(part, bufferLine, delimiter ?? ",");
    bufferLine += countNewlines(part);
    return out;
  };

  for await (const { text, bytes: b } of chunksOf(source)) {
    bytes += b;
    buffer += first && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    first = false;
    let lastBoundary = -1;
    for (let i = scanFrom; i < buffer.length; i++) {
      const c = buffer.charCodeAt(i);
      if (c === 34 /* " */) inQuotes = !inQuotes;
      else if (c === 10 /* \n */ && !inQuotes) lastBoundary = i;
    }
    scanFrom = buffer.length;
    // Yield after every chunk (possibly without records) so byte progress is always reported.
    const records = lastBoundary >= 0 ? cut(lastBoundary + 1) : [];
    yield { records, bytes, delimiter: delimiter ?? "," };
  }
  if (buffer.length) {
    const records = cut(buffer.length);
    yield { records, bytes, delimiter: delimiter ?? "," };
  }
}

/** The first non-blank line of whole-record text (without its line end), or null. */
function firstLine(text: string): string | null {
  for (let start = 0; start < text.length;) {
    const end = text.indexOf("\n", start);
    const line = text.slice(start, end < 0 ? text.length : end).replace(/\r$/, "");
    if (line.trim() !== "") return line;
    if (end < 0) break;
    start = end + 1;
  }
  return null;
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf("\n"); i >= 0; i = s.indexOf("\n", i + 1)) n++;
  return n;
}

/** Split whole-record text into records (quote aware), then parse them with papaparse. */
function splitRecords(part: string, startLine: number, delimiter: string): CsvRecord[] {
  const raw: { line: number; text: string }[] = [];
  let line = startLine;
  let recStart = 0;
  let recLine = startLine;
  let inQ = false;
  for (let i = 0; i <= part.length; i++) {
    const c = i < part.length ? part.charCodeAt(i) : 10;
    if (c === 34) inQ = !inQ;
    else if (c === 10 && (!inQ || i === part.length)) {
      let text = part.slice(recStart, i);
      if (text.endsWith("\r")) text = text.slice(0, -1);
      if (text.trim() !== "") raw.push({ line: recLine, text });
      if (i < part.length) line++;
      recStart = i + 1;
      recLine = line;
      continue;
    }
    if (c === 10) line++;
  }
  if (!raw.length) return [];
  const parsed = Papa.parse<string[]>(raw.map((r) => r.text).join("\n"), {
    header: false,
    delimiter, // never guessed per batch: chosen once, from the header line (parse.ts)
    newline: "\n",
    skipEmptyLines: false,
    dynamicTyping: false,
  });
  if (parsed.data.length === raw.length) {
    const out: CsvRecord[] = raw.map((r, i) => ({ line: r.line, cells: parsed.data[i] }));
    for (const e of parsed.errors) {
      if (e.row !== undefined && e.row !== null && out[e.row]) out[e.row].problem = `CSV syntax: ${e.message}`;
    }
    return out;
  }
  // Papaparse disagreed about record boundaries (malformed quoting): parse one by one.
  return raw.map((r) => {
    const one = Papa.parse<string[]>(r.text, { header: false, delimiter, newline: "\n" });
    const rec: CsvRecord = { line: r.line, cells: one.data[0] ?? [] };
    if (one.errors.length || one.data.length !== 1) {
      rec.problem = `CSV syntax: ${one.errors[0]?.message ?? "record does not parse as one row"}`;
    }
    return rec;
  });
}

/** One line's cells under a delimiter (quote aware), trimmed: for telling a header's layout. */
export function splitLine(line: string, delimiter: string): string[] {
  return (Papa.parse<string[]>(line, { header: false, delimiter, newline: "\n" }).data[0] ?? []).map((c) => c.trim());
}
