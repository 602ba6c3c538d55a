/**
 * The trader report: `ReportData` in, an HTML file and a terminal summary out. See README.md.
 */
export { parseReportData, reportDataSchema, ReportDataError } from "./types.ts";
export type { ReportData, ReportDataInput, Headline, EquityPoint, TradeRow, OpenPositionRow, MetricRow, SymbolPnl } from "./types.ts";
export { renderHtmlReport } from "./html.ts";
export { renderTerminalSummary } from "./terminal.ts";
export { screenshot, findChromium } from "./screenshot.ts";
