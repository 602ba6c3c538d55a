/** ccxt unified structures → our rows. One module per data kind under ./normalize/. */
export * from "./normalize/common.ts";
export * from "./normalize/fills.ts";
export * from "./normalize/orders.ts";
export * from "./normalize/balances.ts";
export * from "./normalize/transfers.ts";
export * from "./normalize/prices.ts";
export * from "./normalize/positions.ts";
export * from "./normalize/funding.ts";
