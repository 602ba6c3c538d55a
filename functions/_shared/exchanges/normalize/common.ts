/** Helpers shared by the normalizers: market lookup, units, timestamps, malformed payloads. */
import type { Exchange, MarketInterface } from "ccxt";

export type Market = MarketInterface;
import type { ExchangeId, MarketType } from "../../domain/types.ts";
import { exchangeIdOf } from "../client.ts";
import { exact, mul } from "../amounts.ts";

/** A payload the normalizer cannot turn into a row (missing/garbled field): the page must be rejected. */
export class MalformedPayloadError extends Error {
  readonly detail: unknown;
  constructor(message: string, detail?: unknown) {
    super(message);
    this.name = "MalformedPayloadError";
    this.detail = detail;
  }
}

/** Something the normalizer deliberately did not turn into a row (e.g. inverse or option market). */
export interface Skipped {
  id: string | null;
  symbol: string | null;
  reason: string;
}

export interface NormalizeResult<T> {
  rows: T[];
  skipped: Skipped[];
}

// deno-lint-ignore no-explicit-any
export type Raw = Record<string, any>;

export interface Ctx {
  ex: Exchange;
  exchange: ExchangeId;
}

export function ctxOf(ex: Exchange): Ctx {
  return { ex, exchange: exchangeIdOf(ex) };
}

export function infoOf(x: { info?: unknown } | undefined | null): Raw {
  const info = x?.info;
  return info && typeof info === "object" ? (info as Raw) : {};
}

/** The unified market of a symbol, or a MalformedPayloadError when ccxt could not resolve it. */
export function marketOf(ex: Exchange, symbol: string | undefined | null): Market {
  if (!symbol) throw new MalformedPayloadError(`${ex.id}: record without symbol`);
  const m = ex.markets?.[symbol];
  if (!m) throw new MalformedPayloadError(`${ex.id}: unknown market ${symbol}`);
  return m as Market;
}

/**
 * "spot" | "swap" for markets we store; null for what the domain does not hold (dated futures,
 * options, inverse (coin-margined) swaps), which the caller reports as skipped.
 */
export function supportedMarketType(m: Market): MarketType | null {
  if (m.spot || m.type === "spot") return "spot";
  if ((m.swap || m.type === "swap") && m.linear !== false && m.inverse !== true) return "swap";
  return null;
}

/**
 * Swap amounts come in contracts on gate and mexc (base = contracts × contractSize);
 * binance and bitget report swap amounts in base units already.
 */
export function amountIsInContracts(exchange: ExchangeId, m: Market): boolean {
  return (exchange === "gateio" || exchange === "mexc") && supportedMarketType(m) === "swap";
}

export function contractSizeOf(ex: Exchange, m: Market): string {
  const cs = exact(ex, m.contractSize);
  if (cs === null) throw new MalformedPayloadError(`${ex.id}: market ${m.symbol} has no contractSize`);
  return cs;
}

/** Exchange units → base units. */
export function toBase(ctx: Ctx, m: Market, amount: string): string {
  return amountIsInContracts(ctx.exchange, m) ? mul(amount, contractSizeOf(ctx.ex, m)) : amount;
}

export function isoOf(ms: number | undefined | null, what: string): string {
  if (typeof ms !== "number" || !Number.isFinite(ms)) throw new MalformedPayloadError(`missing timestamp (${what})`);
  return new Date(ms).toISOString();
}

export function isoOrNull(ms: number | undefined | null): string | null {
  return typeof ms === "number" && Number.isFinite(ms) && ms > 0 ? new Date(ms).toISOString() : null;
}

export function required<T>(v: T | null | undefined, what: string): T {
  if (v === null || v === undefined || (typeof v === "string" && v === "")) {
    throw new MalformedPayloadError(`missing ${what}`);
  }
  return v;
}

/** Unified currency code for a raw exchange currency id (ccxt's commonCurrencies applied). */
export function currencyCode(ex: Exchange, raw: unknown): string | null {
  if (typeof raw !== "string" || raw === "") return null;
  return ex.safeCurrencyCode(raw) ?? raw;
}

/** A raw value that is a decimal and not zero → string, else null ("0", "", "0.0" → null). */
export function nonZero(ex: Exchange, v: unknown): string | null {
  const s = exact(ex, v);
  if (s === null) return null;
  return s === "0" ? null : s;
}

/**
 * Call after each ccxt request: throws MalformedPayloadError when the last HTTP body was not
 * valid JSON. ccxt does not always fail on a truncated body — bitget's fetchMyTrades returns []
 * for one, which would otherwise read as "no data" and let the cursor advance.
 * (Uses `ex.last_http_response`: one client per credential, sequential calls.)
 */
export function assertJsonBody(ex: Exchange): void {
  // deno-lint-ignore no-explicit-any
  const body = (ex as any).last_http_response;
  if (typeof body !== "string" || body.trim() === "") return;
  try {
    JSON.parse(body);
  } catch {
    throw new MalformedPayloadError(`${ex.id}: response body is not valid JSON`, body.slice(0, 200));
  }
}
