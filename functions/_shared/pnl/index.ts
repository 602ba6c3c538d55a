/**
 * PnL engine — public API. See engine.ts for the conventions (cost methods, fees, funding,
 * dust, rounding, incremental state) and types.ts for the row shapes.
 */
export { applyFills, compareIds, createState, PnlState, splitSymbol, streamKey, streamTotals } from "./engine.ts";
export type { OpenPositionExact, StateJson } from "./engine.ts";
export { fillFromOrder, fromLegacyOrders, normalizeSymbol, numStr } from "./ccxt.ts";
export { summarize } from "./summary.ts";
export type { PnlReport, PnlTotals } from "./summary.ts";
export * from "./types.ts";
