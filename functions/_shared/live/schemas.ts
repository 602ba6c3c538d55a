/**
 * Response bodies of the `exchange` function (live exchange reads), as zod schemas and types —
 * importable by a frontend (depends on zod only). Names follow the spec's frontend section
 * (`NormalizedAccountInfo`, `NormalizedUserAsset`, `Order`, `TradeHistory`, `NormalizedDeposit`,
 * `NormalizedWithdrawal`); fields beyond the spec's are additions, never renames.
 *
 * Differences from the spec's TypeScript, on purpose:
 * - **Amounts and prices are exact decimal strings** ("0.919741", no exponent, trailing zeros
 *   trimmed) — also `usdValue` / `pricePerUnit`, which the spec typed as numbers: a JSON number
 *   would round them. Counts, booleans and millisecond timestamps stay JSON numbers.
 * - **Ids are strings** (`orderId`, `tradeId`): bitget/mexc ids have 18–19 digits, more than a
 *   JavaScript number holds exactly.
 * - **Symbols are ccxt unified symbols** ("BTC/USDT", swaps "BTC/USDT:USDT") on every exchange.
 * - `exchange` is any of the four exchanges (`gateio`, not ccxt's `gate`).
 * - Flags the exchange does not report are `null` (unknown), never a guessed `false`.
 * - Fees are positive when paid, negative for a rebate (bitget's own `totalFee` is the opposite).
 */
import { z } from "zod";
import { TRADING_EXCHANGES } from "../domain/exchanges.ts";

export const LiveExchange = z.enum(TRADING_EXCHANGES);
export type LiveExchange = z.infer<typeof LiveExchange>;
export const Decimal = z.string().regex(/^-?\d+(\.\d+)?$/, "expected a decimal string such as \"12.5\"");
const Iso = z.iso.datetime();

export const Balance = z.object({ asset: z.string(), free: Decimal, locked: Decimal, total: Decimal });
export type Balance = z.infer<typeof Balance>;

export const KeyPermissions = z.looseObject({
  read: z.boolean().nullable().optional(),
  spotTrade: z.boolean().nullable().optional(),
  futuresTrade: z.boolean().nullable().optional(),
  withdraw: z.boolean().nullable().optional(),
  ipRestricted: z.boolean().nullable().optional(),
});

/** GET /exchange/:exchange/account-info */
export const NormalizedAccountInfo = z.object({
  exchange: LiveExchange,
  /** Binance's unit: basis points (10 = 0.10 %); null when the exchange does not tell. */
  makerCommission: z.number().nullable(),
  takerCommission: z.number().nullable(),
  /** The same as fractions ("0.001" = 0.1 %). */
  commissionRates: z.object({ maker: Decimal.nullable(), taker: Decimal.nullable() }),
  canTrade: z.boolean().nullable(),
  canWithdraw: z.boolean().nullable(),
  canDeposit: z.boolean().nullable(),
  accountType: z.string(),
  /** Non-zero balances of the spot account. */
  balances: z.array(Balance),
  /** binance/mexc: the account's permissions as the exchange lists them ("SPOT", …); bitget/gate: from the key's permissions. */
  permissions: z.array(z.string()),
  /** What the key may do, as recorded when it was verified (credentials function); null = never verified. */
  keyPermissions: KeyPermissions.nullable(),
  /** Where canTrade/canWithdraw/canDeposit come from. */
  flagsSource: z.enum(["exchange_account", "key_permissions"]),
  updateTime: z.number().nullable(),
  as_of: Iso,
});
export type NormalizedAccountInfo = z.infer<typeof NormalizedAccountInfo>;

/** One asset of GET /exchange/:exchange/assets */
export const NormalizedUserAsset = z.object({
  asset: z.string(),
  free: Decimal,
  locked: Decimal,
  /** Frozen by the exchange (binance `freeze`, bitget `frozen`); "0" where not reported separately. */
  freeze: Decimal,
  /** Pending withdrawal (binance); "0" where not reported separately. */
  withdrawing: Decimal,
  /** free + locked + freeze + withdrawing. */
  total: Decimal,
  exchange: LiveExchange,
  /** total × pricePerUnit; null when no USD price is known for the asset. */
  usdValue: Decimal.nullable(),
  /** Last price in USD (USDT, or USDC, as USD; USDT itself is 1). */
  pricePerUnit: Decimal.nullable(),
  /** The market the price came from ("LTC/USDT"); null for USDT and unpriced assets. */
  priceSymbol: z.string().nullable(),
});
export type NormalizedUserAsset = z.infer<typeof NormalizedUserAsset>;

export const AssetsResponse = z.object({
  exchange: LiveExchange,
  assets: z.array(NormalizedUserAsset),
  /** Sum of the known usdValue. */
  total_usd_value: Decimal,
  /** Assets without a USD price (no market, or the ticker request failed). */
  unpriced: z.array(z.string()),
  /** Set when prices could not be fetched (the balances are still live). */
  prices_error: z.string().nullable(),
  as_of: Iso,
});
export type AssetsResponse = z.infer<typeof AssetsResponse>;

/** An order (spec `Order`; open orders and order history). */
export const Order = z.object({
  exchange: LiveExchange,
  marketType: z.enum(["spot", "swap"]),
  orderId: z.string(),
  clientOrderId: z.string().nullable(),
  symbol: z.string(),
  side: z.enum(["buy", "sell"]),
  type: z.string(),
  /** null for market orders. */
  price: Decimal.nullable(),
  /** Base quantity ordered (quote-sized market buys: the executed base quantity). */
  origQty: Decimal,
  executedQty: Decimal,
  /** Quote size of market buys sized in quote (bitget/gate/mexc). */
  origQuoteQty: Decimal.nullable(),
  /** Quote value executed. */
  cummulativeQuoteQty: Decimal.nullable(),
  avgPrice: Decimal.nullable(),
  stopPrice: Decimal.nullable(),
  takeProfitPrice: Decimal.nullable(),
  stopLossPrice: Decimal.nullable(),
  reduceOnly: z.boolean().nullable(),
  /** NEW, PARTIALLY_FILLED, FILLED, CANCELED, REJECTED, EXPIRED. */
  status: z.enum(["NEW", "PARTIALLY_FILLED", "FILLED", "CANCELED", "REJECTED", "EXPIRED"]),
  /** Creation time, ms. */
  time: z.number(),
  /** Last fill time of a filled order, ms. */
  updateTime: z.number().nullable(),
});
export type Order = z.infer<typeof Order>;

export const OrdersResponse = z.object({
  exchange: LiveExchange,
  orders: z.array(Order),
  /** Orders of markets this service does not cover (dated futures, options, coin-margined). */
  skipped: z.number().int(),
  as_of: Iso,
});

/** A trade fill (spec `TradeHistory`). */
export const TradeFill = z.object({
  exchange: LiveExchange,
  marketType: z.enum(["spot", "swap"]),
  tradeId: z.string(),
  orderId: z.string().nullable(),
  symbol: z.string(),
  side: z.enum(["buy", "sell"]),
  price: Decimal,
  /** Base quantity (swap contracts × contract size on gate/mexc). */
  size: Decimal,
  /** Quote value (price × size as the exchange reports it). */
  amount: Decimal,
  /** The first fee (positive = paid); `fees` has all of them. */
  feeDetail: z.object({ feeCoin: z.string(), totalFee: Decimal }).nullable(),
  fees: z.array(z.object({ currency: z.string(), amount: Decimal })),
  takerOrMaker: z.enum(["maker", "taker"]).nullable(),
  realizedPnl: Decimal.nullable(),
  isLiquidation: z.boolean(),
  /** Execution time, ms, as a string (spec). */
  cTime: z.string().regex(/^\d+$/),
});
export type TradeFill = z.infer<typeof TradeFill>;

export const FillsResponse = z.object({ exchange: LiveExchange, fills: z.array(TradeFill), skipped: z.number().int(), as_of: Iso });

export const TransferStatus = z.enum(["pending", "success", "failed", "unknown"]);

export const NormalizedDeposit = z.object({
  id: z.string(),
  amount: Decimal,
  coin: z.string(),
  /** ccxt's unified network code ("TRC20") or the exchange's chain name; "" when not reported. */
  network: z.string(),
  status: TransferStatus,
  address: z.string(),
  txId: z.string(),
  timestamp: z.number(),
  exchange: LiveExchange,
});
export type NormalizedDeposit = z.infer<typeof NormalizedDeposit>;

export const NormalizedWithdrawal = NormalizedDeposit.extend({
  /** Fee paid on top (same coin unless feeCoin says otherwise). */
  fee: Decimal.optional(),
  feeCoin: z.string().optional(),
});
export type NormalizedWithdrawal = z.infer<typeof NormalizedWithdrawal>;

export const DepositsResponse = z.object({ exchange: LiveExchange, deposits: z.array(NormalizedDeposit), as_of: Iso });
export const WithdrawalsResponse = z.object({ exchange: LiveExchange, withdrawals: z.array(NormalizedWithdrawal), as_of: Iso });

/** An internal transfer between the user's own accounts. */
export const NormalizedTransfer = z.object({
  id: z.string(),
  coin: z.string(),
  amount: Decimal,
  fromAccount: z.string().nullable(),
  toAccount: z.string().nullable(),
  status: TransferStatus,
  timestamp: z.number(),
  exchange: LiveExchange,
});
export type NormalizedTransfer = z.infer<typeof NormalizedTransfer>;
export const TransfersResponse = z.object({ exchange: LiveExchange, transfers: z.array(NormalizedTransfer), as_of: Iso });

export const LiveTicker = z.object({
  symbol: z.string(),
  /** Last price, exact. */
  price: Decimal,
  /** The exchange's ticker time (or fetch time when it gives none). */
  as_of: Iso,
  /** Served from the 30-second price cache. */
  cached: z.boolean(),
});
export const TickersResponse = z.object({
  exchange: LiveExchange,
  tickers: z.array(LiveTicker),
  /** Requested symbols the exchange has no market (or no price) for. */
  unknown: z.array(z.string()),
  as_of: Iso,
});
