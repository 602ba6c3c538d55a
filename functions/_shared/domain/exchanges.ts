/**
 * The exchanges, listed once (issue 16). Everything else derives from these constants: the
 * domain type `ExchangeId`, the zod enums of the `api`, `credentials`, `exchange`, `import` and
 * `positions-close` functions, the sync worker's "is this a trading credential" test, ccxt's ids
 * and the accepted spellings (ccxt's `gate` → `gateio`). tests/db/exchange-list.test.ts checks
 * `EXCHANGE_IDS` against the database enum (`enum_range(null::public.exchange_id)`).
 * Depends on zod only (the frontend's `types/` module imports it).
 */
import { z } from "zod";

/** Every value of the database enum `public.exchange_id`, in the enum's order. */
export const EXCHANGE_IDS = ["binance", "bitget", "gateio", "mexc", "alpha_vantage"] as const;
export type DbExchangeId = (typeof EXCHANGE_IDS)[number];

/** The trading exchanges (ccxt, sync, fills, positions): the enum without data providers. */
export const TRADING_EXCHANGES = ["binance", "bitget", "gateio", "mexc"] as const satisfies readonly DbExchangeId[];
/** A trading exchange as the database spells it (`gateio`, not ccxt's `gate`). */
export type ExchangeId = (typeof TRADING_EXCHANGES)[number];

/** ccxt's id for each trading exchange. */
export const CCXT_ID: Record<ExchangeId, string> = { binance: "binance", bitget: "bitget", gateio: "gate", mexc: "mexc" };

/** Other spellings people and libraries use (lower case) → the database id. */
const ALIASES: Record<string, DbExchangeId> = {
  gate: "gateio", "gate.io": "gateio", gate_io: "gateio", alphavantage: "alpha_vantage",
};

/** The database id of `name` — as the database spells it, as ccxt does, or a known alias; case-insensitive. */
export function resolveExchange(name: string): DbExchangeId | undefined {
  const lower = name.toLowerCase();
  return (EXCHANGE_IDS as readonly string[]).includes(lower) ? (lower as DbExchangeId) : ALIASES[lower];
}

/** The trading exchange `name` denotes (see resolveExchange), or undefined. */
export function resolveTradingExchange(name: string): ExchangeId | undefined {
  const id = resolveExchange(name);
  return id !== undefined && isTradingExchange(id) ? id : undefined;
}

/** True when `x` is a trading exchange id exactly as the database spells it. */
export function isTradingExchange(x: unknown): x is ExchangeId {
  return typeof x === "string" && (TRADING_EXCHANGES as readonly string[]).includes(x);
}

/** "binance, bitget, gateio, mexc" — for error messages. */
export const TRADING_EXCHANGE_LIST = TRADING_EXCHANGES.join(", ");

/** zod enum of the trading exchanges, with the message every function answers. */
export const TradingExchange = z.enum(TRADING_EXCHANGES, { error: `exchange must be one of ${TRADING_EXCHANGE_LIST}` });
