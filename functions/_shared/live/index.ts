/** Live exchange reads for the `exchange` function (README.md here). */
export * from "./params.ts";
export * from "./cache.ts";
export * from "./credential.ts";
export * from "./errors.ts";
export * from "./reads.ts";
