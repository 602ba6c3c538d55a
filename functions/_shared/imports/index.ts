/**
 * Exchange-export import (pure: no I/O). Entry point: `parseExport`.
 * Formats: FORMATS.md beside this file.
 */
export { parseExport, detectFormat, offsetFromFileName } from "./parse.ts";
export type { ImportProgress, ParseExportOptions, ParseExportResult } from "./parse.ts";
export { FORMATS, IMPORT_KINDS, describeFormats } from "./formats.ts";
export { parseTime, transferStatus } from "./cells.ts";
export type { ImportFormat, ImportIssue, ImportKind } from "./formats.ts";
export type { LedgerResult, UnpairedRow } from "./ledger.ts";
export { fingerprint, fingerprintFields, fillKeyText, syntheticTradeId, sha256Hex } from "./ids.ts";
export { KNOWN_QUOTES, splitPair, toUnified } from "./symbols.ts";
export { readCsv } from "./csv.ts";
export type { TextSource } from "./csv.ts";
