/**
 * Live reads: one route → the ccxt call(s) → the spec's normalised shapes (`schemas.ts`).
 *
 * Every ccxt call goes through `call()`: `withRetry` with a short budget (an interactive read
 * retries a network blip once; a long Retry-After is answered as 429 at once, not waited out)
 * and `assertJsonBody` (a truncated body is a 502, not "no data"). Amounts come from the raw
 * exchange strings through the shared normalisers (`../exchanges/`), so they are exact.
 */
import type { Exchange, Order as CcxtOrder, Trade, TransferEntry } from "ccxt";
import type { ExchangeId, TransferRow } from "../domain/types.ts";
import {
  assertJsonBody, cmp, createExchangeClient, div, exact, firstExact, isZero, MalformedPayloadError, mul, normalizeBalance, normalizeOrder,
  normalizeTickers, normalizeTrade, normalizeTransfers, sum, tickerSymbolsForAssets, withRetry, type AccountMode,
} from "../exchanges/index.ts";
import { MarketCache, PriceCache, type Markets } from "./cache.ts";
import { HttpError } from "../http.ts";
import { ExchangeCallError } from "./errors.ts";
import { EXCHANGE_NAMES } from "../credentials/verify.ts";
import type {
  AssetsResponse, Balance, NormalizedAccountInfo, NormalizedDeposit, NormalizedTransfer, NormalizedUserAsset,
  NormalizedWithdrawal, Order, TradeFill,
} from "./schemas.ts";
import type { HistoryQuery, TransferQuery } from "./params.ts";

// ── dependencies (tests swap the clock, the sleep and the caches) ──────────────────────────

export interface LiveDeps {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** ccxt's own throttle (per client; default true). */
  enableRateLimit: boolean;
  /** Per-request timeout, ms. */
  timeoutMs: number;
  /** Attempts per call (first included) and the longest wait accepted before answering 429/503. */
  retry: { maxAttempts: number; maxDelayMs: number };
  prices: PriceCache;
  markets: MarketCache;
}

const clock = { now: () => Date.now() };
export const liveDeps: LiveDeps = {
  now: () => clock.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  enableRateLimit: true,
  timeoutMs: 10_000,
  retry: { maxAttempts: 2, maxDelayMs: 1_500 },
  prices: new PriceCache(() => liveDeps.now()),
  markets: new MarketCache(() => liveDeps.now()),
};

/** Overrides parts of the dependencies (tests; the handler's start-up settings). */
export function configureLive(o: Partial<Omit<LiveDeps, "prices" | "markets">>): void {
  if (o.now) clock.now = o.now;
  const { now: _n, ...rest } = o;
  Object.assign(liveDeps, rest);
}

const iso = (ms: number) => new Date(ms).toISOString();

// ── clients ─────────────────────────────────────────────────────────────────────────────────

export interface Secrets {
  apiKey: string;
  secretKey: string | null;
  passphrase: string | null;
}

/** Markets of an exchange (cached 1 h), loaded with a key-less client. */
export async function marketsOf(exchange: ExchangeId): Promise<Markets> {
  return await liveDeps.markets.get(exchange, async () => {
    const pub = publicClientWith(exchange, undefined);
    await call(pub, () => pub.loadMarkets());
    return pub.markets as unknown as Markets;
  });
}

function publicClientWith(exchange: ExchangeId, markets: Markets | undefined): Exchange {
  return createExchangeClient({
    exchange, apiKey: "", secret: "", markets, enableRateLimit: liveDeps.enableRateLimit, timeout: liveDeps.timeoutMs,
  });
}

/** A key-less client with the markets loaded (tickers). */
export async function publicClient(exchange: ExchangeId): Promise<Exchange> {
  return publicClientWith(exchange, await marketsOf(exchange));
}

/** The caller's client: their key, the stored account mode, markets preloaded. */
export async function privateClient(exchange: ExchangeId, secrets: Secrets, accountMode: AccountMode | null): Promise<Exchange> {
  const markets = await marketsOf(exchange);
  return createExchangeClient({
    exchange,
    apiKey: secrets.apiKey,
    secret: secrets.secretKey ?? "",
    ...(secrets.passphrase ? { password: secrets.passphrase } : {}),
    markets,
    enableRateLimit: liveDeps.enableRateLimit,
    timeout: liveDeps.timeoutMs,
    ...(accountMode ? { accountMode } : {}),
    ...(exchange === "binance" ? { options: { warnOnFetchOpenOrdersWithoutSymbol: false } } : {}),
  });
}

/**
 * One ccxt call: short retry budget, then the body must have been JSON. A failure is rethrown as
 * `ExchangeCallError` carrying the client, whose last response headers hold the Retry-After.
 */
export async function call<T>(client: Exchange, fn: () => Promise<T>): Promise<T> {
  try {
    const out = await withRetry(client as never, fn, {
      maxAttempts: liveDeps.retry.maxAttempts,
      maxDelayMs: liveDeps.retry.maxDelayMs,
      sleep: liveDeps.sleep,
      now: liveDeps.now,
    });
    assertJsonBody(client);
    return out;
  } catch (e) {
    throw new ExchangeCallError(e, client);
  }
}

// ── helpers ─────────────────────────────────────────────────────────────────────────────────

type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => v !== null && typeof v === "object" && !Array.isArray(v);
const bool = (v: unknown): boolean | null => (typeof v === "boolean" ? v : v === "true" ? true : v === "false" ? false : null);
const name = (ex: ExchangeId) => EXCHANGE_NAMES[ex];

function bad(message: string): never {
  throw new HttpError(400, "invalid_request", message);
}

/** A ccxt unified symbol, or an exchange market id ("BTCUSDT", "BTC_USDT"), → the unified symbol. */
export function resolveSymbol(client: Exchange, exchange: ExchangeId, raw: string): string | null {
  const markets = (client.markets ?? {}) as Record<string, { id?: string; symbol?: string; spot?: boolean } | undefined>;
  if (markets[raw]) return raw;
  const upper = raw.toUpperCase();
  if (markets[upper]) return upper;
  const byId = Object.values(markets).filter((m) => m?.id !== undefined && String(m.id).toUpperCase() === upper);
  const pick = byId.find((m) => m!.spot) ?? byId[0];
  return pick?.symbol ?? null;
}

function requireSymbol(client: Exchange, exchange: ExchangeId, raw: string | undefined, what: string, required: boolean): string | undefined {
  if (raw === undefined) {
    if (required) bad(`${name(exchange)} needs a symbol for ${what}: add ?symbol=BTC/USDT (a ccxt symbol such as BTC/USDT or BTC/USDT:USDT).`);
    return undefined;
  }
  const s = resolveSymbol(client, exchange, raw);
  if (!s) bad(`${name(exchange)} has no market "${raw.slice(0, 40)}"; use a ccxt symbol such as BTC/USDT or BTC/USDT:USDT.`);
  return s;
}

const toMs = (isoTime: string) => Date.parse(isoTime);

/** Ids newest first: numeric ids by value (as text, no precision loss), others as text. */
function idDesc(a: string | null, b: string | null): number {
  const x = a ?? "", y = b ?? "";
  if (/^\d+$/.test(x) && /^\d+$/.test(y)) return y.length - x.length || (y > x ? 1 : y < x ? -1 : 0);
  return y > x ? 1 : y < x ? -1 : 0;
}

// ── account info ────────────────────────────────────────────────────────────────────────────

const commissionBps = (v: unknown): number | null => {
  const s = typeof v === "number" || typeof v === "string" ? exact({ numberToString: String }, v) : null;
  return s === null ? null : Number(s);
};

function keyPermissionList(perms: Record<string, unknown> | null): string[] {
  if (!perms) return [];
  const out: string[] = [];
  if (perms.read === true) out.push("READ");
  if (perms.spotTrade === true) out.push("SPOT");
  if (perms.futuresTrade === true) out.push("FUTURES");
  if (perms.withdraw === true) out.push("WITHDRAW");
  return out;
}

export async function accountInfo(
  client: Exchange,
  exchange: ExchangeId,
  keyPermissions: Record<string, unknown> | null,
): Promise<NormalizedAccountInfo> {
  const b = await call(client, () => client.fetchBalance());
  const now = liveDeps.now();
  const balances: Balance[] = normalizeBalance(client, b, { accountType: "spot", asOf: iso(now) })
    .map(({ asset, free, locked, total }) => ({ asset, free, locked, total }));
  const info = isDict(b?.info) ? b.info : {};
  if (exchange === "binance" || exchange === "mexc") {
    const rates = isDict(info.commissionRates) ? info.commissionRates : {};
    const maker = commissionBps(info.makerCommission);
    const taker = commissionBps(info.takerCommission);
    const rate = (raw: unknown, bps: number | null) =>
      firstExact(client, raw) ?? (bps === null ? null : div(String(bps), "10000"));
    const updateTime = Number(info.updateTime);
    return {
      exchange,
      makerCommission: maker,
      takerCommission: taker,
      commissionRates: { maker: rate(rates.maker, maker), taker: rate(rates.taker, taker) },
      canTrade: bool(info.canTrade),
      canWithdraw: bool(info.canWithdraw),
      canDeposit: bool(info.canDeposit),
      accountType: typeof info.accountType === "string" ? info.accountType : "SPOT",
      balances,
      permissions: Array.isArray(info.permissions) ? info.permissions.filter((p): p is string => typeof p === "string") : [],
      keyPermissions,
      flagsSource: "exchange_account",
      updateTime: Number.isFinite(updateTime) && updateTime > 0 ? updateTime : null,
      as_of: iso(now),
    };
  }
  // bitget, gate: the spot balance endpoints carry no account flags; the key's permissions
  // (recorded when it was verified) say what this service may do with it.
  const perm = (k: string) => (keyPermissions && typeof keyPermissions[k] === "boolean" ? keyPermissions[k] as boolean : null);
  return {
    exchange,
    makerCommission: null,
    takerCommission: null,
    commissionRates: { maker: null, taker: null },
    canTrade: perm("spotTrade"),
    canWithdraw: perm("withdraw"),
    canDeposit: null,
    accountType: "SPOT",
    balances,
    permissions: keyPermissionList(keyPermissions),
    keyPermissions,
    flagsSource: "key_permissions",
    updateTime: null,
    as_of: iso(now),
  };
}

// ── assets with USD value ───────────────────────────────────────────────────────────────────

interface RawAsset {
  asset: string;
  free: string;
  locked: string;
  freeze: string;
  withdrawing: string;
}

/** Binance `POST sapi/v3/asset/getUserAsset` (the old `/binance/user-assets`): free, locked, freeze, withdrawing. */
async function binanceUserAssets(client: Exchange): Promise<RawAsset[]> {
  // deno-lint-ignore no-explicit-any
  const list = await call(client, () => (client as any).sapiV3PostAssetGetUserAsset({}));
  if (!Array.isArray(list)) throw new MalformedPayloadError("binance: getUserAsset is not a list");
  return list.map((r: Dict) => {
    const code = typeof r.asset === "string" && r.asset !== "" ? client.safeCurrencyCode(r.asset) : null;
    const v = (x: unknown) => exact(client, x) ?? "0";
    if (!code || exact(client, r.free) === null) throw new MalformedPayloadError("binance: getUserAsset row without asset or free");
    return { asset: code, free: v(r.free), locked: v(r.locked), freeze: v(r.freeze), withdrawing: v(r.withdrawing) };
  });
}

async function balanceAssets(client: Exchange, exchange: ExchangeId): Promise<RawAsset[]> {
  const b = await call(client, () => client.fetchBalance());
  const info = b?.info as unknown;
  // ccxt keeps bitget's `data` list (or the whole answer) as `info`
  const bitgetRows = Array.isArray(info) ? info : isDict(info) && Array.isArray(info.data) ? info.data : null;
  if (exchange === "bitget" && bitgetRows && bitgetRows.every((r) => isDict(r) && "available" in r)) {
    // bitget spot assets: available / frozen / locked kept apart (the spec's freeze = bitget frozen)
    return (bitgetRows as Dict[]).map((r) => {
      const code = typeof r.coin === "string" && r.coin !== "" ? client.safeCurrencyCode(r.coin) : null;
      const free = exact(client, r.available);
      if (!code || free === null) throw new MalformedPayloadError("bitget: asset row without coin or available");
      return { asset: code, free, locked: exact(client, r.locked) ?? "0", freeze: exact(client, r.frozen) ?? "0", withdrawing: "0" };
    });
  }
  return normalizeBalance(client, b, { accountType: "spot", asOf: iso(liveDeps.now()), includeZero: true })
    .map((r) => ({ asset: r.asset, free: r.free, locked: r.locked, freeze: "0", withdrawing: "0" }));
}

export interface PriceQuote {
  price: string;
  asOf: string;
  cached: boolean;
}

/**
 * Last prices of `symbols` on `exchange`: fresh cache entries (< 30 s) are used as they are; the
 * rest come from one ticker request and enter the cache. Symbols the exchange returns no price
 * for are absent from the result.
 */
export async function pricesOf(exchange: ExchangeId, symbols: string[]): Promise<Map<string, PriceQuote>> {
  const out = new Map<string, PriceQuote>();
  const missing: string[] = [];
  for (const s of symbols) {
    const hit = liveDeps.prices.get(exchange, s);
    if (hit) out.set(s, { price: hit.price, asOf: hit.asOf, cached: true });
    else missing.push(s);
  }
  if (missing.length === 0) return out;
  const pub = await publicClient(exchange);
  const tickers = await call(pub, () => pub.fetchTickers(missing));
  const rows = normalizeTickers(pub, tickers, iso(liveDeps.now()));
  const wanted = new Set(missing);
  for (const r of rows) {
    if (!wanted.has(r.symbol)) continue;
    const e = liveDeps.prices.set(exchange, r.symbol, r.price, r.as_of);
    out.set(r.symbol, { price: e.price, asOf: e.asOf, cached: false });
  }
  return out;
}

/** Assets valued in USD at par with USDT. */
const USD_PAR = "USDT";

export async function userAssets(
  client: Exchange,
  exchange: ExchangeId,
  translatePriceError: (e: unknown) => Promise<string>,
): Promise<AssetsResponse> {
  const raw = exchange === "binance" ? await binanceUserAssets(client) : await balanceAssets(client, exchange);
  const held = raw
    .map((r) => ({ ...r, total: sum([r.free, r.locked, r.freeze, r.withdrawing]) }))
    .filter((r) => !isZero(r.total));
  const { symbols } = tickerSymbolsForAssets(held.map((r) => r.asset), client.markets as never);
  let prices = new Map<string, PriceQuote>();
  let pricesError: string | null = null;
  if (symbols.length > 0) {
    try {
      prices = await pricesOf(exchange, symbols);
    } catch (e) {
      pricesError = await translatePriceError(e);
    }
  }
  const symbolOf = new Map(symbols.map((s) => [s.split("/")[0], s]));
  const unpriced: string[] = [];
  const assets: NormalizedUserAsset[] = held.map((r) => {
    let price: string | null = null;
    let priceSymbol: string | null = null;
    if (r.asset === USD_PAR) price = "1";
    else {
      const s = symbolOf.get(r.asset);
      const q = s ? prices.get(s) : undefined;
      if (q) {
        price = q.price;
        priceSymbol = s!;
      }
    }
    if (price === null) unpriced.push(r.asset);
    return {
      asset: r.asset, free: r.free, locked: r.locked, freeze: r.freeze, withdrawing: r.withdrawing, total: r.total, exchange,
      usdValue: price === null ? null : mul(r.total, price), pricePerUnit: price, priceSymbol,
    };
  });
  // largest USD value first, unpriced assets last (by name)
  assets.sort((a, b) => compareDesc(a.usdValue, b.usdValue) || a.asset.localeCompare(b.asset));
  return {
    exchange,
    assets,
    total_usd_value: sum(assets.map((a) => a.usdValue ?? "0")),
    unpriced,
    prices_error: pricesError,
    as_of: iso(liveDeps.now()),
  };
}

function compareDesc(a: string | null, b: string | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  return cmp(b, a);
}

// ── orders ──────────────────────────────────────────────────────────────────────────────────

function toOrder(client: Exchange, o: CcxtOrder): Order | null {
  const n = normalizeOrder(client, o);
  if (!n) return null;
  return {
    exchange: n.exchange,
    marketType: n.market_type,
    orderId: n.order_id,
    clientOrderId: n.client_order_id,
    symbol: n.symbol,
    side: n.side,
    type: n.type,
    price: n.price,
    origQty: n.quantity,
    executedQty: n.executed_qty,
    origQuoteQty: n.quote_quantity ?? null,
    cummulativeQuoteQty: n.cost ?? null,
    avgPrice: n.average_price,
    stopPrice: n.stop_price,
    takeProfitPrice: exact(client, o.takeProfitPrice),
    stopLossPrice: exact(client, o.stopLossPrice),
    reduceOnly: n.reduce_only,
    status: n.status as Order["status"],
    time: toMs(n.order_timestamp),
    updateTime: n.filled_timestamp ? toMs(n.filled_timestamp) : null,
  };
}

function toOrders(client: Exchange, list: CcxtOrder[]): { orders: Order[]; skipped: number } {
  if (!Array.isArray(list)) throw new MalformedPayloadError(`${client.id}: orders are not a list`);
  const orders: Order[] = [];
  let skipped = 0;
  for (const o of list) {
    const row = toOrder(client, o);
    if (row) orders.push(row);
    else skipped++;
  }
  orders.sort((a, b) => b.time - a.time || idDesc(a.orderId, b.orderId));
  return { orders, skipped };
}

/** Open orders: `symbol` optional (MEXC requires one). */
export async function openOrders(client: Exchange, exchange: ExchangeId, q: { symbol?: string }) {
  const symbol = requireSymbol(client, exchange, q.symbol, "open orders", exchange === "mexc");
  return toOrders(client, await call(client, () => client.fetchOpenOrders(symbol)));
}

/**
 * Order history, one exchange page, newest first. Binance and MEXC: all orders of one symbol
 * (`fetchOrders`, symbol required); Bitget and Gate: finished orders (`fetchClosedOrders`,
 * symbol optional) — their open orders are at /open-orders.
 */
export async function orderHistory(client: Exchange, exchange: ExchangeId, q: HistoryQuery) {
  const needs = exchange === "binance" || exchange === "mexc";
  const symbol = requireSymbol(client, exchange, q.symbol, "order history", needs);
  const list = needs
    ? await call(client, () => client.fetchOrders(symbol, q.since, q.limit))
    : await call(client, () => client.fetchClosedOrders(symbol, q.since, q.limit));
  return toOrders(client, list);
}

// ── fills ───────────────────────────────────────────────────────────────────────────────────

function toFill(client: Exchange, t: Trade): TradeFill | null {
  const f = normalizeTrade(client, t);
  if (!f) return null;
  return {
    exchange: f.exchange,
    marketType: f.market_type,
    tradeId: f.trade_id,
    orderId: f.order_id,
    symbol: f.symbol,
    side: f.side,
    price: f.price,
    size: f.amount,
    amount: f.cost,
    feeDetail: f.fees[0] ? { feeCoin: f.fees[0].currency, totalFee: f.fees[0].amount } : null,
    fees: f.fees,
    takerOrMaker: f.taker_or_maker,
    realizedPnl: f.exchange_realized_pnl,
    isLiquidation: f.is_liquidation,
    cTime: String(toMs(f.executed_at)),
  };
}

/** Trade fills, one exchange page, newest first (symbol required on Binance, Bitget, MEXC). */
export async function fills(client: Exchange, exchange: ExchangeId, q: HistoryQuery) {
  const symbol = requireSymbol(client, exchange, q.symbol, "trade fills", exchange !== "gateio");
  const list = await call(client, () => client.fetchMyTrades(symbol, q.since, q.limit));
  if (!Array.isArray(list)) throw new MalformedPayloadError(`${client.id}: trades are not a list`);
  const out: TradeFill[] = [];
  let skipped = 0;
  for (const t of list) {
    const row = toFill(client, t);
    if (row) out.push(row);
    else skipped++;
  }
  out.sort((a, b) => Number(b.cTime) - Number(a.cTime) || idDesc(a.tradeId, b.tradeId));
  return { fills: out, skipped };
}

// ── deposits, withdrawals, transfers ────────────────────────────────────────────────────────

function transferStatus(s: string | undefined | null): NormalizedDeposit["status"] {
  switch (s) {
    case "ok":
      return "success";
    case "pending":
      return "pending";
    case "failed":
    case "canceled":
    case "cancelled":
      return "failed";
    default:
      return "unknown";
  }
}

function toDeposit(exchange: ExchangeId, r: TransferRow): NormalizedDeposit {
  return {
    id: r.transfer_id,
    amount: r.amount,
    coin: r.asset,
    network: r.network ?? "",
    status: transferStatus(r.status),
    address: r.address ?? "",
    txId: r.tx_id ?? "",
    timestamp: toMs(r.occurred_at),
    exchange,
  };
}

export async function deposits(client: Exchange, exchange: ExchangeId, q: { coin?: string; since?: number; limit?: number }) {
  const list = await call(client, () => client.fetchDeposits(q.coin, q.since, q.limit));
  return normalizeTransfers(client, list, "deposit").map((r) => toDeposit(exchange, r)).sort((a, b) => b.timestamp - a.timestamp);
}

export async function withdrawals(client: Exchange, exchange: ExchangeId, q: { coin?: string; since?: number; limit?: number }) {
  const list = await call(client, () => client.fetchWithdrawals(q.coin, q.since, q.limit));
  return normalizeTransfers(client, list, "withdrawal").map((r): NormalizedWithdrawal => ({
    ...toDeposit(exchange, r),
    ...(r.fee !== null ? { fee: r.fee, feeCoin: r.fee_currency ?? r.asset } : {}),
  })).sort((a, b) => b.timestamp - a.timestamp);
}

const ACCOUNT_NAMES: Record<"binance" | "bitget" | "mexc", Record<TransferQuery["from"], string | null>> = {
  // binance universal transfer types are FROM_TO: MAIN_UMFUTURE, UMFUTURE_MAIN, MAIN_FUNDING, …
  binance: { spot: "MAIN", futures: "UMFUTURE", funding: "FUNDING" },
  bitget: { spot: "spot", futures: "swap", funding: "funding" },
  mexc: { spot: "SPOT", futures: "FUTURES", funding: null },
};

/**
 * Internal transfers between the user's accounts (one exchange page). Binance: universal
 * transfer history of one direction (`from` → `to`, default spot → futures); Bitget: transfers
 * out of `from` in one coin (`coin` required); MEXC: spot ↔ futures. Gate: not offered (501).
 */
export async function transfers(client: Exchange, exchange: ExchangeId, q: TransferQuery): Promise<NormalizedTransfer[]> {
  if (exchange === "gateio") {
    throw new HttpError(501, "not_supported", "Gate does not offer a history of internal transfers through its API (ccxt has no fetchTransfers for Gate); its account book is not covered here.", { exchange });
  }
  const names = ACCOUNT_NAMES[exchange];
  const from = names[q.from];
  const to = names[q.to];
  if (from === null || to === null) bad(`${name(exchange)} transfers are between spot and futures only (from/to = spot or futures).`);
  let params: Dict;
  if (exchange === "binance") params = { type: `${from}_${to}` };
  else if (exchange === "mexc") params = { fromAccountType: from, toAccountType: to };
  else {
    if (!q.coin) bad("Bitget needs a coin for the transfer history: add ?coin=USDT.");
    params = { fromAccount: from };
  }
  const list = await call(client, () => client.fetchTransfers(q.coin, q.since, q.limit, params));
  if (!Array.isArray(list)) throw new MalformedPayloadError(`${client.id}: transfers are not a list`);
  return (list as TransferEntry[]).map((t) => {
    const info = isDict(t.info) ? t.info : {};
    const id = t.id ?? (info.tranId as string | undefined) ?? (info.transferId as string | undefined);
    const coin = t.currency;
    const amount = firstExact(client, info.amount, info.size, t.amount);
    if (id === undefined || id === null || !coin || amount === null || typeof t.timestamp !== "number") {
      throw new MalformedPayloadError(`${client.id}: transfer without id, coin, amount or time`);
    }
    return {
      id: String(id), coin, amount, fromAccount: t.fromAccount ?? null, toAccount: t.toAccount ?? null,
      status: transferStatus(t.status), timestamp: t.timestamp, exchange,
    };
  }).sort((a, b) => b.timestamp - a.timestamp);
}

// ── tickers ─────────────────────────────────────────────────────────────────────────────────

export async function tickers(exchange: ExchangeId, requested: string[]) {
  const pub = await publicClient(exchange);
  const resolved: string[] = [];
  const unknown: string[] = [];
  for (const raw of requested) {
    const s = resolveSymbol(pub, exchange, raw);
    if (s) resolved.push(s);
    else unknown.push(raw);
  }
  const prices = resolved.length ? await pricesOf(exchange, [...new Set(resolved)]) : new Map<string, PriceQuote>();
  const list = [...new Set(resolved)].flatMap((s) => {
    const p = prices.get(s);
    if (!p) {
      unknown.push(s);
      return [];
    }
    return [{ symbol: s, price: p.price, as_of: p.asOf, cached: p.cached }];
  });
  return { tickers: list, unknown };
}

