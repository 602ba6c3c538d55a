/**
 * Input and output shapes of the PnL engine. Inputs are the shared row shapes of
 * `domain/types.ts`; outputs carry the spec's `positions` / `trade_history` column names plus the
 * engine's own fields. Every amount is a decimal string (money at scale 18, percentages at
 * scale 8, half-even, trailing zeros trimmed).
 */
import type { ExchangeId, FillRow, FundingRow, MarketType, OrderRow, PriceRow } from "../domain/types.ts";

export type { ExchangeId, FillRow, FundingRow, MarketType, OrderRow, PriceRow };

export type CostMethod = "average" | "fifo";
export type PositionSide = "LONG" | "SHORT";
export type PositionStatus = "OPEN" | "CLOSED" | "LIQUIDATED";
export type ExitType = "TP" | "SL" | "MANUAL" | "LIQUIDATION" | "PARTIAL";
export type MarginMode = "isolated" | "cross";

/** Per-symbol facts the engine cannot see in fills. Keys are ccxt symbols ("BTC/USDT:USDT"). */
export interface MarketInfo {
  /** Amount precision step in base units (the dust threshold). Default "0.00000001". */
  amount_step?: string;
  /** Leverage for swaps (spot is always 1). Default 1. */
  leverage?: string | number;
  margin_mode?: MarginMode | null;
}

export interface EngineContext {
  /** Orders of the fills (TP1/TP2/TP3/SL roles → exit type, stop loss and take profits). */
  orders?: OrderRow[];
  /** Prices: third-currency fee conversion (`<CUR>/<quote>`) and max_drawdown (the stream's symbol). */
  prices?: PriceRow[];
  /** Funding payments on swaps (amount > 0 received). */
  funding?: FundingRow[];
  /** Per-symbol market info (amount step, leverage, margin mode). */
  markets?: Record<string, MarketInfo>;
  /** Dust threshold when a symbol has no `amount_step`. Default "0.00000001". */
  default_amount_step?: string;
}

/** A fee kept in its own currency because no `<CUR>/<quote>` price was known. */
export interface UnconvertedFee {
  currency: string;
  amount: string;
}

/** One closing event = one `trade_history` row (upsert by `close_key`). */
export interface ClosingEvent {
  close_key: string;
  position_key: string;
  exchange: ExchangeId;
  market_type: MarketType;
  symbol: string;
  side: PositionSide;
  cost_method: CostMethod;
  entry_order_id: string | null;
  /** Average entry price of the closed quantity = entry cost share / entry_quantity. */
  entry_price: string;
  entry_time: string;
  /** Quantity whose entry cost is closed here = exit_quantity + dust_quantity. */
  entry_quantity: string;
  /** Entry fees pro-rated to the closed quantity (quote). */
  entry_fees: string;
  /** Entry cost of the closed quantity (quote, fees excluded): the denominator of pnl_percentage. */
  entry_cost: string;
  exit_order_id: string | null;
  /** Volume-weighted over the event's fills. */
  exit_price: string;
  exit_time: string;
  exit_quantity: string;
  exit_fees: string;
  exit_type: ExitType;
  exit_reason: string;
  gross_pnl: string;
  /** gross − entry_fees − exit_fees + funding. */
  net_pnl: string;
  /** Funding pro-rated to the closed quantity (> 0 received). */
  funding: string;
  /** net_pnl / entry_cost × 100 (scale 8); null when entry_cost is 0. */
  pnl_percentage: string | null;
  /** pnl_percentage × leverage. */
  roi_percentage: string | null;
  hold_duration_seconds: string;
  /** ISO 8601 duration (Postgres `interval` input), e.g. "P0DT1H30M0S". */
  hold_duration: string;
  stop_loss_price: string | null;
  take_profit_prices: string[] | null;
  /** Worst unrealized gross PnL of the position from prices in [opened_at, exit_time); null if none. */
  max_drawdown: string | null;
  leverage: string;
  margin_mode: MarginMode | null;
  /** Fees that could not be converted to quote (entry share + exit), kept in their currency. */
  fees_unconverted: UnconvertedFee[];
  /** Quantity of a spot sell beyond the known holdings (no cost basis; not in gross/net). */
  unknown_cost_basis_quantity: string;
  /** Proceeds (price × quantity) and fee share of that unmatched quantity. */
  unknown_cost_basis_proceeds: string;
  unknown_cost_basis_fees: string;
  /** Quantity left below the amount step and written off with this close (its cost is in gross). */
  dust_quantity: string;
  /** "fees_unconverted", "unknown_cost_basis", "dust", "rebate", "base_currency_fee", "liquidation". */
  flags: string[];
  first_trade_id: string;
  last_trade_id: string;
  fill_count: number;
}

/** One position (open or closed) = one `positions` row (upsert by `position_key`). */
export interface PositionRow {
  position_key: string;
  exchange: ExchangeId;
  market_type: MarketType;
  symbol: string;
  side: PositionSide;
  cost_method: CostMethod;
  entry_order_id: string | null;
  /** OPEN: average entry of the open quantity (C / q). CLOSED: Σ entry cost / Σ entry quantity. */
  entry_price: string;
  /** Open quantity (0 once closed). */
  quantity: string;
  leverage: string;
  margin_mode: MarginMode | null;
  /** Entry cost of the open quantity (0 once closed). */
  total_cost: string;
  /** Entry fees still carried by the open quantity (quote). */
  open_entry_fees: string;
  /** All fees paid over the life of the position (entry + exit, quote). */
  fees_paid: string;
  /** Funding accrued on the open quantity, not yet realized. */
  open_funding: string;
  stop_loss_price: string | null;
  take_profit_prices: string[] | null;
  status: PositionStatus;
  opened_at: string;
  closed_at: string | null;
  entry_quantity_total: string;
  entry_cost_total: string;
  realized_gross_pnl: string;
  realized_net_pnl: string;
  realized_funding: string;
  closing_events: number;
  fees_unconverted: UnconvertedFee[];
  /** Worst unrealized gross PnL seen so far (null when no price was given). */
  max_drawdown: string | null;
  last_trade_id: string;
}

export interface UnassignedFunding {
  exchange: ExchangeId;
  symbol: string;
  funding_id: string;
  amount: string;
  currency: string;
  occurred_at: string;
}

export interface UnknownCostBasis {
  exchange: ExchangeId;
  market_type: MarketType;
  symbol: string;
  trade_id: string;
  order_id: string | null;
  quantity: string;
  proceeds: string;
  /** Converted fee share of the unmatched quantity (quote). */
  fees: string;
  /** Unconverted fee share of the unmatched quantity. */
  fees_unconverted: UnconvertedFee[];
  executed_at: string;
}

export interface SkippedInput {
  kind: "fill" | "funding";
  id: string;
  reason: string;
}

export interface ApplyResult<S> {
  state: S;
  /** Closing events created or changed by this call (upsert by close_key; last wins). */
  events: ClosingEvent[];
  /** Positions created or changed by this call (upsert by position_key; last wins). */
  positions: PositionRow[];
  unassigned_funding: UnassignedFunding[];
  unknown_cost_basis: UnknownCostBasis[];
  /** Inputs at or before a stream's cursor (already processed, or late: needs a rebuild). */
  skipped: SkippedInput[];
}
