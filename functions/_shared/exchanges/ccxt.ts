/**
 * The project's only runtime import of ccxt: the classes of the four exchanges we support and
 * ccxt's error classes, loaded from the package's own per-exchange ES modules.
 *
 * Why not `import ccxt from "ccxt"`: the package entry imports all of ccxt's ~110 exchanges, so
 * every function that touched it bundled to ≈ 16.6 MB, over Supabase's 5 MB limit for functions
 * bundled server-side (`supabase functions deploy --use-api`). These four classes with their
 * shared base bundle to ≈ 3.5 MB (`npm test` measures every function; README, deployment).
 *
 * ccxt's `exports` map exposes only ".", so the modules are imported by file path into
 * node_modules (ccxt is a direct dependency, installed at the top of node_modules by `npm ci`).
 * Node, tsx, vitest, tsc and Deno (`nodeModulesDir: "manual"`) resolve these paths alike; the
 * modules' own bare imports (@noble/*, @scure/*, ws) resolve through node_modules in Node and
 * through deno.json's import map in Deno. Types still come from "ccxt" (`import type`, erased):
 * they are the same declaration files, so `Exchange` from either place is one type.
 */
import binance from "../../../node_modules/ccxt/js/src/binance.js";
import bitget from "../../../node_modules/ccxt/js/src/bitget.js";
import gate from "../../../node_modules/ccxt/js/src/gate.js";
import mexc from "../../../node_modules/ccxt/js/src/mexc.js";
import type { Exchange } from "ccxt";

export * from "../../../node_modules/ccxt/js/src/base/errors.js";

/** A ccxt exchange class (constructed with ccxt's config object). */
export type CcxtExchangeClass = new (config?: Record<string, unknown>) => Exchange;

/** ccxt's classes by ccxt id (`gate`, not our `gateio`: see domain CCXT_ID). */
export const CCXT_CLASSES: Readonly<Record<string, CcxtExchangeClass>> = Object.freeze({
  binance: binance as unknown as CcxtExchangeClass,
  bitget: bitget as unknown as CcxtExchangeClass,
  gate: gate as unknown as CcxtExchangeClass,
  mexc: mexc as unknown as CcxtExchangeClass,
});

/** The class of ccxt id `id`, or undefined when the project does not load that exchange. */
export function ccxtClass(id: string): CcxtExchangeClass | undefined {
  return Object.hasOwn(CCXT_CLASSES, id) ? CCXT_CLASSES[id] : undefined;
}
