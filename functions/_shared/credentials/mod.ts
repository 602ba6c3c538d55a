/** Credentials: request schemas, masking, exchange key verification (ccxt). */
export * from "./schemas.ts";
export * from "./mask.ts";
export * from "./ccxt-client.ts";
export * from "./verify.ts";
