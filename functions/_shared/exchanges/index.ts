/** Exchange layer (ccxt → rows), no database. See README section in client.ts / history.ts. */
export * from "./amounts.ts";
export * from "./client.ts";
export * from "./normalize.ts";
export * from "./history.ts";
export * from "./errors.ts";
export * from "./dropped-rows.ts";
