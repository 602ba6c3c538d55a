/**
 * A small ccxt client factory for key verification. (The sync has its own adapters in
 * `_shared/exchanges/`; the two can be merged — this one only pins what verification needs.)
 *
 * - requests go through the global `fetch` (Deno's, or Node's — which msw intercepts in tests);
 * - bitget `options.uta = false` and gate `options.unifiedAccount = false`: the classic APIs,
 *   no account-mode probing;
 * - markets can be preloaded (`markets`) so `loadMarkets()` makes no call.
 */
import type { Exchange } from "ccxt";
import { ccxtClass } from "../exchanges/ccxt.ts";
import { CCXT_ID, type ExchangeId } from "../domain/types.ts";

export interface ApiSecrets {
  apiKey: string;
  secretKey: string;
  passphrase?: string | null;
}

export interface CcxtClientOptions {
  /** ccxt's built-in throttle (default true; tests pass false). */
  enableRateLimit?: boolean;
  /** Per-request timeout in ms (ccxt default 10 000). */
  timeoutMs?: number;
  /** Unified markets to preload (e.g. from fixtures), keyed by symbol or as an array. */
  markets?: Record<string, unknown> | unknown[];
}

export function createCcxtClient(exchange: ExchangeId, secrets: ApiSecrets, options: CcxtClientOptions = {}): Exchange {
  const id = CCXT_ID[exchange];
  const Ctor = ccxtClass(id);
  if (typeof Ctor !== "function") throw new Error(`ccxt has no exchange ${JSON.stringify(id)}`);
  const exchangeOptions: Record<string, unknown> = {};
  if (id === "bitget") exchangeOptions.uta = false;
  if (id === "gate") exchangeOptions.unifiedAccount = false;
  const config: Record<string, unknown> = {
    apiKey: secrets.apiKey,
    secret: secrets.secretKey,
    enableRateLimit: options.enableRateLimit ?? true,
    options: exchangeOptions,
  };
  if (secrets.passphrase) config.password = secrets.passphrase;
  if (options.timeoutMs !== undefined) config.timeout = options.timeoutMs;
  const ex = new Ctor(config);
  ex.fetchImplementation = (url: string, init: RequestInit) => globalThis.fetch(url, init);
  if (options.markets) {
    const list = Array.isArray(options.markets) ? options.markets : Object.values(options.markets);
    ex.setMarkets(list as Parameters<Exchange["setMarkets"]>[0]);
  }
  return ex;
}
