/**
 * ccxt client factory for the four supported exchanges.
 *
 * - HTTP goes through `globalThis.fetch` (`fetchImplementation`): recent ccxt in Node uses its
 *   bundled undici otherwise, which neither msw nor Deno's fetch instrumentation sees.
 * - Account mode is pinned (bitget classic v2 API: `uta=false`; gate classic: `unifiedAccount=false`)
 *   unless the caller passes the mode detected for this credential (`accountMode`), so ccxt never
 *   probes an account endpoint on each call. Detect it once with `detectAccountMode` and store it
 *   per credential.
 * - Markets may be preloaded (`markets`) so `loadMarkets()` makes no request.
 */
import type { Exchange } from "ccxt";
import { ccxtClass, InvalidNonce } from "./ccxt.ts";
import { CCXT_ID, type ExchangeId } from "../domain/types.ts";

export type CcxtExchange = Exchange;

/** The account mode of one credential, as stored beside it. */
export interface AccountMode {
  /** bitget unified trading account (v3 endpoints). Default false (classic v2). */
  bitgetUta?: boolean;
  /** gate unified account. Default false (classic spot/futures accounts). */
  gateUnified?: boolean;
}

export interface CreateClientOptions {
  exchange: ExchangeId;
  apiKey: string;
  secret: string;
  /** bitget passphrase. */
  password?: string;
  /** Unified markets to preload (ccxt `setMarkets`). */
  markets?: Record<string, unknown>;
  /** Default true (production). Tests pass false. */
  enableRateLimit?: boolean;
  /** Extra ccxt options, merged last. */
  options?: Record<string, unknown>;
  accountMode?: AccountMode;
  /** Request timeout in ms (ccxt default 10000). */
  timeout?: number;
}

const FROM_CCXT: Record<string, ExchangeId> = Object.fromEntries(
  Object.entries(CCXT_ID).map(([ours, theirs]) => [theirs, ours as ExchangeId]),
);

/** Our exchange id (`gateio`) for a ccxt instance (`gate`). */
export function exchangeIdOf(ex: { id: string }): ExchangeId {
  const id = FROM_CCXT[ex.id];
  if (!id) throw new Error(`unsupported exchange ${ex.id}`);
  return id;
}

function modeOptions(exchange: ExchangeId, mode: AccountMode | undefined): Record<string, unknown> {
  if (exchange === "bitget") return { uta: mode?.bitgetUta ?? false };
  if (exchange === "gateio") return { unifiedAccount: mode?.gateUnified ?? false };
  return {};
}

export function createExchangeClient(o: CreateClientOptions): CcxtExchange {
  const ccxtId = CCXT_ID[o.exchange];
  const Cls = ccxtClass(ccxtId);
  if (!Cls) throw new Error(`ccxt has no exchange ${ccxtId}`);
  const cfg: Record<string, unknown> = {
    apiKey: o.apiKey,
    secret: o.secret,
    enableRateLimit: o.enableRateLimit ?? true,
    options: {
      // We resync explicitly on InvalidNonce (withNonceResync); no time call at construction.
      adjustForTimeDifference: false,
      ...modeOptions(o.exchange, o.accountMode),
      ...(o.options ?? {}),
    },
  };
  if (o.password !== undefined) cfg.password = o.password;
  if (o.timeout !== undefined) cfg.timeout = o.timeout;
  const ex = new Cls(cfg);
  // deno-lint-ignore no-explicit-any
  (ex as any).fetchImplementation = (url: string, init: RequestInit) => globalThis.fetch(url, init);
  // the parsed body stays readable after the call: history pages count its rows (dropped-rows.ts)
  // deno-lint-ignore no-explicit-any
  (ex as any).enableLastJsonResponse = true;
  if (o.markets) ex.setMarkets(o.markets as never);
  return ex;
}

/**
 * Production hook: ask the exchange which account mode this credential uses (one request), so
 * the result can be stored per credential and passed back as `accountMode` on every sync.
 */
export async function detectAccountMode(ex: CcxtExchange): Promise<AccountMode> {
  const id = exchangeIdOf(ex);
  // deno-lint-ignore no-explicit-any
  const anyEx = ex as any;
  if (id === "bitget") {
    try {
      await anyEx.privateUtaGetV3AccountSettings();
      return { bitgetUta: true };
    } catch {
      return { bitgetUta: false };
    }
  }
  if (id === "gateio") {
    const saved = anyEx.options.unifiedAccount;
    delete anyEx.options.unifiedAccount;
    try {
      return { gateUnified: (await anyEx.loadUnifiedStatus()) === true };
    } finally {
      anyEx.options.unifiedAccount = saved;
    }
  }
  return {};
}

/**
 * Runs `fn`; on ccxt InvalidNonce (binance -1021: clock skew) it turns on
 * `adjustForTimeDifference`, loads the server time offset once and retries once.
 */
export async function withNonceResync<T>(ex: CcxtExchange, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (!(e instanceof InvalidNonce)) throw e;
    // deno-lint-ignore no-explicit-any
    const anyEx = ex as any;
    anyEx.options.adjustForTimeDifference = true;
    await anyEx.loadTimeDifference();
    return await fn();
  }
}
