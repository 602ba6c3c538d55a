import type { Exchange } from "ccxt";
import * as X from "../../../functions/_shared/exchanges/index.ts";

export const AS_OF = "2026-01-01T00:00:00.000Z";

export const NORMALIZED_METHODS = [
  "fetchMyTrades",
  "fetchOrders",
  "fetchClosedOrders",
  "fetchOpenOrders",
  "fetchOrder",
  "fetchBalance",
  "fetchDeposits",
  "fetchWithdrawals",
  "fetchTicker",
  "fetchTickers",
  "fetchPositions",
  "fetchFundingHistory",
] as const;

/** Rows a method's ccxt result normalises to (the sync's mapping from call to normaliser). */
// deno-lint-ignore no-explicit-any
export function normalizeFor(method: string, ex: Exchange, result: any): unknown[] {
  switch (method) {
    case "fetchMyTrades":
      return X.normalizeTrades(ex, result).rows;
    case "fetchOrders":
    case "fetchClosedOrders":
    case "fetchOpenOrders":
      return X.normalizeOrders(ex, result).rows;
    case "fetchOrder": {
      const o = X.normalizeOrder(ex, result);
      return o ? [o] : [];
    }
    case "fetchBalance":
      return X.normalizeBalance(ex, result, { accountType: "spot", asOf: AS_OF });
    case "fetchDeposits":
      return X.normalizeTransfers(ex, result, "deposit");
    case "fetchWithdrawals":
      return X.normalizeTransfers(ex, result, "withdrawal");
    case "fetchTicker":
      return [X.normalizeTicker(ex, result, AS_OF)];
    case "fetchTickers":
      return X.normalizeTickers(ex, result, AS_OF);
    case "fetchPositions":
      return X.normalizePositions(ex, result, AS_OF).rows;
    case "fetchFundingHistory":
      return X.normalizeFundingHistory(ex, result);
  }
  throw new Error(`no normaliser for ${method}`);
}

/** Canonical form of a raw exchange decimal string ("0.20000000" → "0.2"). */
export const c = (s: string) => X.canon(s);
