/**
 * Response bodies of the `api` Edge Function, as zod schemas and TypeScript types: the module a
 * frontend imports (it depends on zod only). Field names follow the spec's "Frontend API
 * Endpoints Needed"; extra fields are additions, never renames.
 *
 * Numbers: every value that is NUMERIC in the database (amounts, prices, quantities, PnL,
 * percentages, ratios, leverage) is a **decimal string** ("43000", "0.5", "-120.25"): plain
 * notation, exact, trailing zeros trimmed. JSON numbers would be parsed into IEEE doubles and
 * lose digits (NUMERIC(38,18) holds 38 significant digits, a double 15–17). Counts and ids are
 * JSON integers. Times are ISO-8601 UTC strings ("2025-12-09T10:30:00.000Z"), days "YYYY-MM-DD".
 * Errors are `{ error: { code, message, details? } }` (ApiError).
 */
import { z } from "zod";
import { TRADING_EXCHANGES } from "../domain/exchanges.ts";

export const EXCHANGES = TRADING_EXCHANGES;
export const Exchange = z.enum(EXCHANGES);
export type Exchange = z.infer<typeof Exchange>;

/** An exact decimal number as text: optional minus, digits, optional fraction; no exponent. */
export const DecimalString = z.string().regex(/^-?\d+(\.\d+)?$/, "expected a decimal string such as \"-12.5\"");
export type DecimalString = z.infer<typeof DecimalString>;

export const IsoDateTime = z.iso.datetime();
export const IsoDate = z.iso.date();

export const MarketType = z.enum(["spot", "swap"]);
export const PositionSide = z.enum(["LONG", "SHORT"]);
export const MarginMode = z.enum(["ISOLATED", "CROSSED"]);
export const EXIT_TYPES = ["TP", "SL", "MANUAL", "LIQUIDATION", "PARTIAL"] as const;
export const ExitType = z.enum(EXIT_TYPES);

/** Query values accepted by GET /trades/history and /portfolio/equity-curve (`period`). */
export const TRADE_PERIODS = ["7d", "30d", "90d", "1y", "all"] as const;
export const TradePeriod = z.enum(TRADE_PERIODS);
export type TradePeriod = z.infer<typeof TradePeriod>;
/** Query values accepted by GET /performance/metrics (`period`). */
export const METRIC_PERIODS = ["daily", "weekly", "monthly", "all_time"] as const;
export const MetricPeriodType = z.enum(["DAILY", "WEEKLY", "MONTHLY", "ALL_TIME"]);

// ── GET /api/positions/open ─────────────────────────────────────────────────────────────────
export const OpenPosition = z.object({
  id: z.number().int(),
  exchange: Exchange,
  market_type: MarketType,
  symbol: z.string(),
  side: PositionSide,
  entry_price: DecimalString,
  quantity: DecimalString,
  /** Latest stored price; null when none is known (then the PnL fields are null too). */
  current_price: DecimalString.nullable(),
  price_as_of: IsoDateTime.nullable(),
  position_value: DecimalString.nullable(),
  unrealized_pnl: DecimalString.nullable(),
  /** unrealized_pnl / total_cost × 100 (not multiplied by leverage). */
  unrealized_pnl_percentage: DecimalString.nullable(),
  leverage: DecimalString,
  margin_mode: MarginMode.nullable(),
  total_cost: DecimalString,
  fees_paid: DecimalString,
  funding: DecimalString,
  stop_loss_price: DecimalString.nullable(),
  take_profit_prices: z.array(z.unknown()).nullable(),
  opened_at: IsoDateTime,
});
export type OpenPosition = z.infer<typeof OpenPosition>;

export const OpenPositionsResponse = z.object({
  positions: z.array(OpenPosition),
  /** Sum over the priced positions. */
  total_unrealized_pnl: DecimalString,
  total_positions: z.number().int(),
  /** Positions without a known price (excluded from total_unrealized_pnl). */
  unpriced_positions: z.number().int(),
});
export type OpenPositionsResponse = z.infer<typeof OpenPositionsResponse>;

// ── GET /api/trades/history ─────────────────────────────────────────────────────────────────
export const Trade = z.object({
  id: z.number().int(),
  position_id: z.number().int().nullable(),
  exchange: Exchange,
  market_type: MarketType,
  symbol: z.string(),
  side: PositionSide,
  entry_price: DecimalString,
  exit_price: DecimalString,
  quantity: DecimalString,
  gross_pnl: DecimalString,
  net_pnl: DecimalString,
  fees: DecimalString,
  funding: DecimalString,
  /** null when the entry cost is unknown (0). */
  pnl_percentage: DecimalString.nullable(),
  roi_percentage: DecimalString.nullable(),
  exit_type: ExitType,
  exit_reason: z.string().nullable(),
  /** "2h 15m", "45s", "3d 4h". */
  hold_duration: z.string(),
  hold_seconds: z.number().int(),
  entry_time: IsoDateTime,
  exit_time: IsoDateTime,
  leverage: DecimalString,
});
export type Trade = z.infer<typeof Trade>;

export const TradeHistoryResponse = z.object({
  trades: z.array(Trade),
  /** Totals of the whole filtered window (every page), not of this page. */
  total_trades: z.number().int(),
  total_pnl: DecimalString,
  total_gross_pnl: DecimalString,
  total_fees: DecimalString,
  winning_trades: z.number().int(),
  losing_trades: z.number().int(),
  breakeven_trades: z.number().int(),
  /** The period asked for, or null when explicit from/to were given. */
  period: TradePeriod.nullable(),
  /** The exit-time window applied: from inclusive, to exclusive (null = open). */
  from: IsoDateTime.nullable(),
  to: IsoDateTime.nullable(),
  limit: z.number().int(),
  /** Pass as `cursor` for the next page; null on the last page. */
  next_cursor: z.string().nullable(),
});
export type TradeHistoryResponse = z.infer<typeof TradeHistoryResponse>;

// ── GET /api/positions/:id ──────────────────────────────────────────────────────────────────
export const PositionDetailResponse = z.object({
  position: OpenPosition.extend({
    status: z.enum(["OPEN", "CLOSED", "LIQUIDATED"]),
    realized_gross_pnl: DecimalString,
    realized_net_pnl: DecimalString,
    closed_at: IsoDateTime.nullable(),
  }),
  /** The position's closing events (partial and full), newest first. */
  closes: z.array(Trade),
});
export type PositionDetailResponse = z.infer<typeof PositionDetailResponse>;

// ── GET /api/performance/metrics ────────────────────────────────────────────────────────────
export const PerformanceMetricsResponse = z.object({
  period: MetricPeriodType,
  /** null = all exchanges together. */
  exchange: Exchange.nullable(),
  period_start: IsoDateTime,
  period_end: IsoDateTime,
  total_trades: z.number().int(),
  winning_trades: z.number().int(),
  losing_trades: z.number().int(),
  breakeven_trades: z.number().int(),
  /** null with no trades. */
  win_rate: DecimalString.nullable(),
  total_net_pnl: DecimalString,
  total_gross_pnl: DecimalString,
  gross_profit: DecimalString,
  gross_loss: DecimalString,
  /** null when there is no loss. */
  profit_factor: DecimalString.nullable(),
  largest_win: DecimalString.nullable(),
  largest_loss: DecimalString.nullable(),
  average_pnl_per_trade: DecimalString.nullable(),
  roi_percentage: DecimalString.nullable(),
  total_fees: DecimalString,
  max_drawdown: DecimalString.nullable(),
  max_drawdown_amount: DecimalString.nullable(),
  sharpe_ratio: DecimalString.nullable(),
  /** Formatted like hold_duration; null with no trades. */
  average_hold_duration: z.string().nullable(),
  /** When the metrics were computed; null when none are stored yet for this period (all zero). */
  calculated_at: IsoDateTime.nullable(),
});
export type PerformanceMetricsResponse = z.infer<typeof PerformanceMetricsResponse>;

// ── GET /api/portfolio/snapshot ─────────────────────────────────────────────────────────────
export const PortfolioSnapshot = z.object({
  /** null = the all-exchanges total. */
  exchange: Exchange.nullable(),
  snapshot_date: IsoDate,
  total_balance: DecimalString,
  available_balance: DecimalString,
  locked_balance: DecimalString,
  total_positions_value: DecimalString,
  unrealized_pnl: DecimalString,
  open_positions_count: z.number().int(),
  total_realized_pnl: DecimalString,
  win_rate: DecimalString.nullable(),
  total_trades_count: z.number().int(),
  winning_trades_count: z.number().int(),
  losing_trades_count: z.number().int(),
  total_fees_paid: DecimalString,
  net_flows: DecimalString,
  unpriced_assets: z.array(z.unknown()),
  is_reconstructed: z.boolean(),
});
export type PortfolioSnapshot = z.infer<typeof PortfolioSnapshot>;

export const PortfolioSnapshotResponse = PortfolioSnapshot.extend({
  /** The latest snapshot of each exchange (the total above sums them). */
  exchanges: z.array(PortfolioSnapshot),
});
export type PortfolioSnapshotResponse = z.infer<typeof PortfolioSnapshotResponse>;

// ── GET /api/portfolio/equity-curve ─────────────────────────────────────────────────────────
export const EquityPoint = z.object({
  date: IsoDate,
  balance: DecimalString,
  realized_pnl: DecimalString,
  unrealized_pnl: DecimalString,
  /** Deposits − withdrawals of the day. */
  net_flows: DecimalString,
  /** Time-weighted return index (flows removed). */
  twr_index: DecimalString.nullable(),
  /** Rebuilt from history rather than snapshotted that day. */
  is_reconstructed: z.boolean(),
});
export type EquityPoint = z.infer<typeof EquityPoint>;

export const EquityCurveResponse = z.object({
  data_points: z.array(EquityPoint),
  initial_balance: DecimalString.nullable(),
  current_balance: DecimalString.nullable(),
  /** Time-weighted return over the window, percent (deposits and withdrawals do not count as gains); null without data. */
  total_return_percentage: DecimalString.nullable(),
  /** Sum of net_flows over the window. */
  net_flows: DecimalString,
  /** Days of the window whose snapshot lists assets without a price (not valued; see unpriced_assets). */
  unpriced_days: z.number().int(),
  /** The assets without a price on those days (sorted). */
  unpriced_assets: z.array(z.string()),
  period: TradePeriod.nullable(),
  from: IsoDate,
  to: IsoDate,
  exchange: Exchange.nullable(),
});
export type EquityCurveResponse = z.infer<typeof EquityCurveResponse>;

// ── Errors ──────────────────────────────────────────────────────────────────────────────────
export const ApiError = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ApiError = z.infer<typeof ApiError>;

/** Path (after /functions/v1/api) → response schema, for clients that validate what they get. */
export const ApiResponses = {
  "/positions/open": OpenPositionsResponse,
  "/positions/:id": PositionDetailResponse,
  "/trades/history": TradeHistoryResponse,
  "/performance/metrics": PerformanceMetricsResponse,
  "/portfolio/snapshot": PortfolioSnapshotResponse,
  "/portfolio/equity-curve": EquityCurveResponse,
} as const;
