/**
 * A scenario that leaves every part of the engine state populated mid-way (FIFO lots, an open
 * closing event, fees in base and in an unpriced currency, funding, a spot stream with unknown
 * cost basis): tests/unit/pnl/state-format.test.ts cuts it in two around a saved state.
 */
import type { EngineContext } from "../../../functions/_shared/pnl/types.ts";
import type { FillRow } from "../../../functions/_shared/domain/types.ts";
import { at, fill, funding, order, resetIds } from "./helpers.ts";

export function stateScenario(): { first: FillRow[]; rest: FillRow[]; ctxFirst: EngineContext; ctxRest: EngineContext; ctxAll: EngineContext } {
  resetIds();
  const S = "BTC/USDT:USDT";
  const E = "ETH/USDT";
  const first = [
    fill({ symbol: S, side: "buy", price: "100", amount: "1", fee: "0.1 USDT", order: "o1", min: 1 }),
    fill({ symbol: S, side: "buy", price: "110", amount: "1", fee: "0.001 BNB", order: "o1b", min: 2 }),
    fill({ symbol: S, side: "sell", price: "120", amount: "0.5", fee: "0.06 USDT", order: "o2", min: 3 }),
    fill({ symbol: S, side: "sell", price: "121", amount: "0.3", fee: "0.03 USDT", order: "o2", min: 4 }),
    fill({ symbol: E, side: "buy", price: "2000", amount: "1", fee: "0.001 ETH", order: "e1", min: 5 }),
    fill({ symbol: E, side: "sell", price: "2100", amount: "1.5", fee: "-0.2 USDT", order: "e2", min: 6 }),
  ];
  const rest = [
    fill({ symbol: S, side: "sell", price: "122", amount: "0.2", fee: "0.02 USDT", order: "o2", min: 7 }),
    fill({ symbol: S, side: "sell", price: "90", amount: "1", fee: "0.09 USDT", order: "o3", min: 8 }),
    fill({ symbol: E, side: "buy", price: "2050", amount: "0.4", fee: "0.8 USDT", order: "e3", min: 9 }),
  ];
  const base: EngineContext = {
    orders: [
      order({ order_id: "o1", side: "buy", order_role: "ENTRY", symbol: S, market_type: "swap" }),
      order({ order_id: "o2", side: "sell", order_role: "TP1", symbol: S, market_type: "swap" }),
    ],
    markets: { [S]: { leverage: "5", margin_mode: "isolated" } },
  };
  // funding as a sync would have it at each call: what had happened by then
  const f1 = funding(S, "-0.5", 3.5), f2 = funding(S, "0.25", 7.5);
  return {
    first, rest,
    ctxFirst: { ...base, funding: [f1] },
    ctxRest: { ...base, funding: [f2] },
    ctxAll: { ...base, funding: [f1, f2] },
  };
}
