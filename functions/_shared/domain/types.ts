/**
 * The domain's shared row shapes: what exchange adapters (ccxt sync), export importers and the
 * PnL engine exchange with each other and with the database. Every amount is a decimal string
 * (exact; never a JS number on an accounting path). Timestamps are ISO-8601 UTC strings.
 */

/** Exchanges as the database enum `exchange_id` spells them, and ccxt's ids: listed once in ./exchanges.ts. */
import type { ExchangeId } from "./exchanges.ts";
export { CCXT_ID, type ExchangeId } from "./exchanges.ts";

/** spot, or USDT-margined perpetual swap. */
export type MarketType = "spot" | "swap";
export type Side = "buy" | "sell";

/** One fee entry of a fill. `amount` > 0 is paid; < 0 is a rebate received. */
export interface FeeEntry {
  currency: string;
  amount: string;
}

/** Where a fill came from. */
export type FillSource = "api" | "import" | "derived_from_order";

/** One execution (trade) as stored in `fills`. */
export interface FillRow {
  exchange: ExchangeId;
  market_type: MarketType;
  /** ccxt unified symbol: "BTC/USDT" (spot) or "BTC/USDT:USDT" (USDT swap). */
  symbol: string;
  base: string;
  quote: string;
  /** Exchange trade id; imports without one get a deterministic synthetic id (see importers). */
  trade_id: string;
  order_id: string | null;
  side: Side;
  /** Quote per one base unit. */
  price: string;
  /** Base units (swap contracts already multiplied by the market's contract size). */
  amount: string;
  /** Quote value, price × amount as the exchange reports it. */
  cost: string;
  fees: FeeEntry[];
  taker_or_maker: "maker" | "taker" | null;
  /** Exchange-reported realized PnL for futures fills (reconciliation only), quote currency. */
  exchange_realized_pnl: string | null;
  /** Futures: the exchange flagged this fill as a liquidation. */
  is_liquidation: boolean;
  executed_at: string;
  source: FillSource;
}

export type OrderRole = "ENTRY" | "TP1" | "TP2" | "TP3" | "SL";

/** One order as stored in `orders` (exchange ids are text). */
export interface OrderRow {
  exchange: ExchangeId;
  market_type: MarketType;
  symbol: string;
  order_id: string;
  client_order_id: string | null;
  side: Side;
  /** ccxt unified type: "limit", "market", "stop_loss_limit", … */
  type: string;
  /** ccxt unified status mapped to the spec: NEW, PARTIALLY_FILLED, FILLED, CANCELED, REJECTED, EXPIRED. */
  status: string;
  price: string | null;
  quantity: string;
  executed_qty: string;
  average_price: string | null;
  stop_price: string | null;
  reduce_only: boolean | null;
  order_role: OrderRole | null;
  order_timestamp: string;
  filled_timestamp: string | null;
}

export interface BalanceRow {
  exchange: ExchangeId;
  /** "spot", "swap", "funding", … as the exchange groups it. */
  account_type: string;
  asset: string;
  free: string;
  locked: string;
  total: string;
  as_of: string;
}

export type TransferKind = "deposit" | "withdrawal" | "internal";

export interface TransferRow {
  exchange: ExchangeId;
  kind: TransferKind;
  /** Exchange id of the deposit / withdrawal / transfer record. */
  transfer_id: string;
  asset: string;
  amount: string;
  fee: string | null;
  fee_currency: string | null;
  network: string | null;
  address: string | null;
  tx_id: string | null;
  /** ok | pending | failed | canceled (ccxt unified). */
  status: string;
  occurred_at: string;
}

/** Funding payments on swaps: amount > 0 received, < 0 paid (quote currency). */
export interface FundingRow {
  exchange: ExchangeId;
  symbol: string;
  funding_id: string;
  currency: string;
  amount: string;
  occurred_at: string;
}

export interface PriceRow {
  exchange: ExchangeId;
  symbol: string;
  price: string;
  /** "last" for tickers, "close_1d" for daily closes. */
  kind: "last" | "close_1d";
  as_of: string;
}

/** An open futures position as the exchange reports it (for reconciliation). */
export interface ExchangePositionRow {
  exchange: ExchangeId;
  symbol: string;
  side: "long" | "short";
  /** Base units. */
  amount: string;
  entry_price: string | null;
  mark_price: string | null;
  unrealized_pnl: string | null;
  leverage: string | null;
  margin_mode: "isolated" | "cross" | null;
  liquidation_price: string | null;
  as_of: string;
}
