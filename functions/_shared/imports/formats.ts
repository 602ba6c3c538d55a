/**
 * The export formats the importer understands: one entry per exact header. See FORMATS.md for
 * the table of columns, units, date formats, time zones and sign conventions.
 */
import type { ExchangeId, MarketType, Side, TransferKind } from "../domain/types.ts";
import { canonicalDecimal, isNegative, isZero, negate } from "./decimal.ts";
import { toUnified } from "./symbols.ts";

export type ImportKind = "spot-trades" | "futures-trades" | "deposits" | "withdrawals";
export const IMPORT_KINDS: readonly ImportKind[] = ["spot-trades", "futures-trades", "deposits", "withdrawals"];

/** One problem with one cell (or row, or file) of an import. */
export interface ImportIssue {
  /** 1-based line in the file (header = 1); 0 for problems with the file as a whole. */
  line: number;
  column: string | null;
  value: string | null;
  problem: string;
}

/** A fill before its synthetic id is assigned (`trade_id` null when the export has none). */
export interface FillDraft {
  exchange: ExchangeId;
  market_type: MarketType;
  symbol: string;
  base: string;
  quote: string;
  trade_id: string | null;
  order_id: string | null;
  side: Side;
  price: string;
  amount: string;
  cost: string;
  fee_amount: string;
  fee_currency: string;
  taker_or_maker: "maker" | "taker" | null;
  exchange_realized_pnl: string | null;
  executed_at: string;
}

export interface TransferDraft {
  exchange: ExchangeId;
  kind: TransferKind;
  transfer_id: string | null;
  asset: string;
  amount: string;
  fee: string | null;
  fee_currency: string | null;
  network: string | null;
  address: string | null;
  tx_id: string | null;
  status: string;
  occurred_at: string;
}

/** Access to one data row's cells, with error collection. */
export interface RowContext {
  line: number;
  /** Minutes east of UTC for formats whose timestamps carry no zone (option `utcOffset`). */
  utcOffsetMinutes: number;
  get(column: string): string;
  bad(column: string | null, problem: string, value?: string | null): void;
}

export interface ImportFormat {
  id: string;
  exchange: ExchangeId;
  kind: ImportKind;
  label: string;
  header: readonly string[];
  /** "utc": the file's times are UTC; "local": the zone chosen at export (option `utcOffset`). */
  zone: "utc" | "local";
  row(ctx: RowContext): FillDraft | TransferDraft | null;
}

// ---------------------------------------------------------------------------------------------
// Cell readers. Each returns null after recording the problem.

const TIME_RE =
  /^(\d{4}|\d{2})[-/](\d{1,2})[-/](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Parse an export timestamp to ISO-8601 UTC ("2026-05-01T10:00:00.000Z"). */
export function parseTime(text: string, offsetMinutes: number): string | null {
  const t = text.trim();
  if (/^\d{13}$/.test(t)) return new Date(Number(t)).toISOString();
  const m = t.match(TIME_RE);
  if (!m) return null;
  let year = Number(m[1]);
  if (m[1].length === 2) year += 2000;
  const [mo, d, h, mi, s] = [m[2], m[3], m[4], m[5], m[6] ?? "0"].map(Number);
  const ms = m[7] ? Number(m[7].padEnd(3, "0")) : 0;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return null;
  let utc = Date.UTC(year, mo - 1, d, h, mi, s, ms);
  const probe = new Date(Date.UTC(year, mo - 1, d));
  if (probe.getUTCMonth() !== mo - 1) return null; // 31 June and the like
  let off = offsetMinutes;
  if (m[8]) {
    if (m[8] === "Z") off = 0;
    else {
      const z = m[8].replace(":", "");
      off = (z[0] === "-" ? -1 : 1) * (Number(z.slice(1, 3)) * 60 + Number(z.slice(3, 5)));
    }
  }
  utc -= off * 60_000;
  return new Date(utc).toISOString();
}

function time(ctx: RowContext, col: string): string | null {
  const v = ctx.get(col);
  const iso = parseTime(v, ctx.utcOffsetMinutes);
  if (!iso) ctx.bad(col, "not a date-time (expected YYYY-MM-DD HH:MM:SS)");
  return iso;
}

interface NumOpts {
  /** default "positive" */
  sign?: "positive" | "nonnegative" | "any";
  optional?: boolean;
}

function num(ctx: RowContext, col: string, opts: NumOpts = {}): string | null {
  const v = ctx.get(col);
  if (v === "" || v === "--") {
    if (opts.optional) return null;
    ctx.bad(col, "is empty");
    return null;
  }
  const c = canonicalDecimal(v);
  if (c === null) {
    ctx.bad(col, "not a decimal number");
    return null;
  }
  return checkSign(ctx, col, c, opts.sign ?? "positive");
}

function checkSign(ctx: RowContext, col: string, c: string, sign: NumOpts["sign"]): string | null {
  if (sign === "positive" && (isZero(c) || isNegative(c))) {
    ctx.bad(col, "must be greater than zero");
    return null;
  }
  if (sign === "nonnegative" && isNegative(c)) {
    ctx.bad(col, "must not be negative");
    return null;
  }
  return c;
}

/**
 * A number with its unit glued on ("0.00100000BTC", "12.34USDT", "1,234.5USDT"). When `units`
 * is given the unit must be one of them; candidates are tried longest first so assets whose
 * names start with digits ("1INCH", "1000SATS") split correctly.
 */
function unitNum(
  ctx: RowContext,
  col: string,
  units: string[] | null,
  sign: NumOpts["sign"] = "positive",
  /** false: `units` only give splitting precedence; any unit is accepted. */
  strict = true,
): { amount: string; unit: string } | null {
  const v = ctx.get(col);
  if (v === "") {
    ctx.bad(col, "is empty");
    return null;
  }
  const candidates = [...(units ?? [])].sort((a, b) => b.length - a.length);
  for (const u of candidates) {
    if (v.toUpperCase().endsWith(u) && v.length > u.length) {
      const c = canonicalDecimal(v.slice(0, -u.length));
      if (c !== null) {
        const ok = checkSign(ctx, col, c, sign);
        return ok === null ? null : { amount: ok, unit: u };
      }
    }
  }
  const m = v.match(/^(-?[\d,]*\d(?:\.\d+)?)([A-Za-z][A-Za-z0-9]*)$/);
  if (!m) {
    ctx.bad(
      col,
      strict && units ? `expected a number followed by ${units.join(" or ")}` : "expected a number followed by its asset, like 0.001BNB",
    );
    return null;
  }
  const c = canonicalDecimal(m[1]);
  if (c === null) {
    ctx.bad(col, "not a decimal number");
    return null;
  }
  const unit = m[2].toUpperCase();
  if (strict && units && !units.includes(unit)) {
    ctx.bad(col, `unit ${unit} does not match the pair (expected ${units.join(" or ")})`);
    return null;
  }
  const ok = checkSign(ctx, col, c, sign);
  return ok === null ? null : { amount: ok, unit };
}

function wrapUnit(amount: string | null, unit: string): { amount: string; unit: string } | null {
  return amount === null ? null : { amount, unit };
}

function asset(ctx: RowContext, col: string): string | null {
  const v = ctx.get(col).toUpperCase();
  if (!/^[A-Z0-9]{1,20}$/.test(v)) {
    ctx.bad(col, "not an asset symbol");
    return null;
  }
  return v;
}

function text(ctx: RowContext, col: string, required = false): string | null {
  const v = ctx.get(col);
  if (v === "" || v === "--") {
    if (required) ctx.bad(col, "is empty");
    return null;
  }
  return v;
}

function market(ctx: RowContext, col: string, marketType: MarketType, quoteHint?: string | null) {
  const raw = ctx.get(col);
  const u = quoteHint && raw.toUpperCase().endsWith(quoteHint) && raw.length > quoteHint.length
    ? toUnified(`${raw.slice(0, -quoteHint.length)}/${quoteHint}`, marketType)
    : toUnified(raw, marketType);
  if (typeof u === "string") {
    ctx.bad(col, raw === "" ? "is empty" : u);
    return null;
  }
  return u;
}

function side(ctx: RowContext, col: string): Side | null {
  const v = ctx.get(col).toLowerCase();
  if (v === "buy") return "buy";
  if (v === "sell") return "sell";
  ctx.bad(col, "expected BUY or SELL");
  return null;
}

function role(ctx: RowContext, col: string): "maker" | "taker" | null {
  const v = ctx.get(col).toLowerCase();
  if (v === "maker") return "maker";
  if (v === "taker") return "taker";
  if (v === "" || v === "--") return null;
  ctx.bad(col, "expected Maker or Taker");
  return null;
}

/** Map the exchanges' status words to ccxt's ok | pending | failed | canceled. */
export function transferStatus(raw: string): string | null {
  const v = raw.trim().toLowerCase();
  if (/^(completed?|success(ful)?|credited successfully|withdrawal successful|finished|done|ok)$/.test(v)) return "ok";
  if (/(pending|processing|confirming|awaiting|in progress|waiting)/.test(v)) return "pending";
  if (/(cancel)/.test(v)) return "canceled";
  if (/(fail|reject|expired)/.test(v)) return "failed";
  return null;
}

function status(ctx: RowContext, col: string): string | null {
  const s = transferStatus(ctx.get(col));
  if (!s) ctx.bad(col, "unknown status (expected e.g. Completed, Pending, Failed, Cancelled)");
  return s;
}

function feeOf(amount: string, currency: string): { fee_amount: string; fee_currency: string } {
  return { fee_amount: amount, fee_currency: currency };
}

function allSet(...xs: unknown[]): boolean {
  return xs.every((x) => x !== null && x !== undefined);
}

// ---------------------------------------------------------------------------------------------
// Row mappers.

/** Binance spot trade history (units glued to the numbers). */
function binanceSpotGlued(ctx: RowContext): FillDraft | null {
  const at = time(ctx, "Date(UTC)");
  const m = market(ctx, "Pair", "spot");
  const sd = side(ctx, "Side");
  const price = num(ctx, "Price");
  const exe = m ? unitNum(ctx, "Executed", [m.base]) : null;
  const amt = m ? unitNum(ctx, "Amount", [m.quote]) : null;
  const fee = unitNum(ctx, "Fee", m ? ["BNB", m.base, m.quote] : null, "nonnegative", false);
  if (!m || !allSet(at, sd, price, exe, amt, fee)) return null;
  return {
    exchange: "binance", market_type: "spot", symbol: m.symbol, base: m.base, quote: m.quote,
    trade_id: null, order_id: null, side: sd!, price: price!, amount: exe!.amount, cost: amt!.amount,
    ...feeOf(fee!.amount, fee!.unit), taker_or_maker: null, exchange_realized_pnl: null, executed_at: at!,
  };
}

/** Binance spot trade history, older layout with plain numbers and a Fee Coin column. */
function binanceSpotLegacy(ctx: RowContext): FillDraft | null {
  const at = time(ctx, "Date(UTC)");
  const m = market(ctx, "Market", "spot");
  const sd = side(ctx, "Type");
  const price = num(ctx, "Price");
  const amount = num(ctx, "Amount");
  const total = num(ctx, "Total");
  const fee = num(ctx, "Fee", { sign: "nonnegative" });
  const feeCoin = asset(ctx, "Fee Coin");
  if (!m || !allSet(at, sd, price, amount, total, fee, feeCoin)) return null;
  return {
    exchange: "binance", market_type: "spot", symbol: m.symbol, base: m.base, quote: m.quote,
    trade_id: null, order_id: null, side: sd!, price: price!, amount: amount!, cost: total!,
    ...feeOf(fee!, feeCoin!), taker_or_maker: null, exchange_realized_pnl: null, executed_at: at!,
  };
}

function binanceFutures(withIds: boolean) {
  return (ctx: RowContext): FillDraft | null => {
    const at = time(ctx, "Date(UTC)");
    const quoteAsset = asset(ctx, "Quote Asset");
    const m = market(ctx, "Symbol", "swap", quoteAsset);
    const sd = side(ctx, "Side");
    const price = num(ctx, "Price");
    const qty = num(ctx, "Quantity");
    const amount = num(ctx, "Amount");
    const feeCoin = asset(ctx, "Fee Coin");
    // Fee is a plain number in the Fee Coin's unit; "0.0123USDT" (unit glued) is accepted too.
    const fee = feeCoin
      ? canonicalDecimal(ctx.get("Fee")) !== null
        ? wrapUnit(num(ctx, "Fee", { sign: "nonnegative" }), feeCoin)
        : unitNum(ctx, "Fee", [feeCoin], "nonnegative")
      : null;
    const pnl = num(ctx, "Realized Profit", { sign: "any" });
    const orderId = withIds ? text(ctx, "Order ID", true) : null;
    const tradeId = withIds ? text(ctx, "Trade ID", true) : null;
    if (m && quoteAsset && m.quote !== quoteAsset) ctx.bad("Quote Asset", `does not match the symbol's quote ${m.quote}`);
    if (!m || !allSet(at, sd, price, qty, amount, fee, pnl) || (withIds && !allSet(orderId, tradeId))) return null;
    if (m.quote !== quoteAsset) return null;
    return {
      exchange: "binance", market_type: "swap", symbol: m.symbol, base: m.base, quote: m.quote,
      trade_id: tradeId, order_id: orderId, side: sd!, price: price!, amount: qty!, cost: amount!,
      ...feeOf(fee!.amount, fee!.unit), taker_or_maker: null, exchange_realized_pnl: pnl, executed_at: at!,
    };
  };
}

/** Bitget writes fees as negative numbers (deducted); a positive number is a rebate. */
function bitgetFee(ctx: RowContext, col: string): string | null {
  const f = num(ctx, col, { sign: "any" });
  return f === null ? null : negate(f);
}

function bitgetSpot(ctx: RowContext): FillDraft | null {
  const at = time(ctx, "Date");
  const orderId = text(ctx, "Order ID", true);
  const tradeId = text(ctx, "Trade ID", true);
  const m = market(ctx, "Trading pair", "spot");
  const sd = side(ctx, "Direction");
  const price = num(ctx, "Price");
  const amount = num(ctx, "Amount");
  const total = num(ctx, "Total");
  const fee = bitgetFee(ctx, "Fee");
  const feeCoin = asset(ctx, "Fee coin");
  if (!m || !allSet(at, orderId, tradeId, sd, price, amount, total, fee, feeCoin)) return null;
  return {
    exchange: "bitget", market_type: "spot", symbol: m.symbol, base: m.base, quote: m.quote,
    trade_id: tradeId, order_id: orderId, side: sd!, price: price!, amount: amount!, cost: total!,
    ...feeOf(fee!, feeCoin!), taker_or_maker: null, exchange_realized_pnl: null, executed_at: at!,
  };
}

const BITGET_DIRECTIONS: Record<string, Side> = {
  "open long": "buy",
  "close short": "buy",
  "open short": "sell",
  "close long": "sell",
  buy: "buy",
  sell: "sell",
};

function bitgetFutures(ctx: RowContext): FillDraft | null {
  const at = time(ctx, "Date");
  const orderId = text(ctx, "Order ID", true);
  const tradeId = text(ctx, "Trade ID", true);
  const m = market(ctx, "Futures", "swap");
  const dir = ctx.get("Direction").toLowerCase().replace(/\s+/g, " ");
  const sd = BITGET_DIRECTIONS[dir] ?? null;
  if (!sd) ctx.bad("Direction", "expected Open long, Close long, Open short, Close short, Buy or Sell");
  const price = num(ctx, "Price");
  const amount = num(ctx, "Amount");
  const total = num(ctx, "Total");
  const fee = bitgetFee(ctx, "Fee");
  const feeCoin = asset(ctx, "Fee coin");
  const pnl = num(ctx, "Realized P/L", { sign: "any", optional: true });
  if (!m || !allSet(at, orderId, tradeId, sd, price, amount, total, fee, feeCoin)) return null;
  return {
    exchange: "bitget", market_type: "swap", symbol: m.symbol, base: m.base, quote: m.quote,
    trade_id: tradeId, order_id: orderId, side: sd!, price: price!, amount: amount!, cost: total!,
    ...feeOf(fee!, feeCoin!), taker_or_maker: null, exchange_realized_pnl: pnl, executed_at: at!,
  };
}

/** MEXC spot trade history: fee has no unit column; it is in the asset received (base on BUY, quote on SELL). */
function mexcSpot(ctx: RowContext): FillDraft | null {
  const m = market(ctx, "Pairs", "spot");
  const at = time(ctx, "Time");
  const sd = side(ctx, "Side");
  const price = num(ctx, "Filled Price");
  const amount = num(ctx, "Executed Amount");
  const total = num(ctx, "Total");
  const fee = num(ctx, "Fee", { sign: "nonnegative" });
  const tm = role(ctx, "Role");
  if (!m || !allSet(at, sd, price, amount, total, fee)) return null;
  return {
    exchange: "mexc", market_type: "spot", symbol: m.symbol, base: m.base, quote: m.quote,
    trade_id: null, order_id: null, side: sd!, price: price!, amount: amount!, cost: total!,
    ...feeOf(fee!, sd === "buy" ? m.base : m.quote), taker_or_maker: tm, exchange_realized_pnl: null,
    executed_at: at!,
  };
}

function binanceTransfer(kind: TransferKind, dateCol: string, feeCol: string | null) {
  return (ctx: RowContext): TransferDraft | null => {
    const at = time(ctx, dateCol);
    const coin = asset(ctx, "Coin");
    const amount = num(ctx, "Amount");
    const fee = feeCol ? num(ctx, feeCol, { sign: "nonnegative", optional: true }) : null;
    const st = status(ctx, "Status");
    const txid = text(ctx, "TXID");
    if (!allSet(at, coin, amount, st)) return null;
    const network = text(ctx, "Network");
    return {
      exchange: "binance", kind, transfer_id: txid && !/internal/i.test(txid) ? txid : null, asset: coin!,
      amount: amount!, fee: fee, fee_currency: fee !== null ? coin : null, network,
      address: text(ctx, "Address"), tx_id: txid, status: st!, occurred_at: at!,
    };
  };
}

function mexcDeposit(ctx: RowContext): TransferDraft | null {
  const st = status(ctx, "Status");
  const at = time(ctx, "Time");
  const coin = asset(ctx, "Crypto");
  const amount = num(ctx, "Deposit Amount");
  const txid = text(ctx, "TxID");
  if (!allSet(st, at, coin, amount)) return null;
  return {
    exchange: "mexc", kind: "deposit", transfer_id: txid, asset: coin!, amount: amount!, fee: null,
    fee_currency: null, network: text(ctx, "Network"), address: null, tx_id: txid, status: st!, occurred_at: at!,
  };
}

function mexcWithdrawal(ctx: RowContext): TransferDraft | null {
  const st = status(ctx, "Status");
  const at = time(ctx, "Time");
  const coin = asset(ctx, "Crypto");
  const amount = num(ctx, "Request Amount");
  const fee = num(ctx, "Trading Fee", { sign: "nonnegative", optional: true });
  num(ctx, "Settlement Amount", { sign: "nonnegative", optional: true });
  const txid = text(ctx, "TxID");
  if (!allSet(st, at, coin, amount)) return null;
  return {
    exchange: "mexc", kind: "withdrawal", transfer_id: txid, asset: coin!, amount: amount!, fee,
    fee_currency: fee !== null ? coin : null, network: text(ctx, "Network"),
    address: text(ctx, "Withdrawal Address"), tx_id: txid, status: st!, occurred_at: at!,
  };
}

// ---------------------------------------------------------------------------------------------

const h = (s: string): readonly string[] => s.split(",");

export const FORMATS: readonly ImportFormat[] = [
  {
    id: "binance-spot-trades", exchange: "binance", kind: "spot-trades", zone: "utc",
    label: "Binance spot trade history",
    header: h("Date(UTC),Pair,Side,Price,Executed,Amount,Fee"), row: binanceSpotGlued,
  },
  {
    id: "binance-spot-trades-legacy", exchange: "binance", kind: "spot-trades", zone: "utc",
    label: "Binance spot trade history (older layout)",
    header: h("Date(UTC),Market,Type,Price,Amount,Total,Fee,Fee Coin"), row: binanceSpotLegacy,
  },
  {
    id: "binance-futures-trades", exchange: "binance", kind: "futures-trades", zone: "utc",
    label: "Binance USDⓈ-M futures trade history",
    header: h("Date(UTC),Symbol,Side,Price,Quantity,Amount,Fee,Fee Coin,Realized Profit,Quote Asset"),
    row: binanceFutures(false),
  },
  {
    id: "binance-futures-trades-ids", exchange: "binance", kind: "futures-trades", zone: "utc",
    label: "Binance USDⓈ-M futures trade history (with order and trade ids)",
    header: h("Date(UTC),Order ID,Trade ID,Symbol,Side,Price,Quantity,Amount,Fee,Fee Coin,Realized Profit,Quote Asset"),
    row: binanceFutures(true),
  },
  {
    id: "binance-deposits", exchange: "binance", kind: "deposits", zone: "utc",
    label: "Binance deposit history",
    header: h("Date(UTC+0),Coin,Network,Amount,Address,TXID,Status"),
    row: binanceTransfer("deposit", "Date(UTC+0)", null),
  },
  {
    id: "binance-withdrawals", exchange: "binance", kind: "withdrawals", zone: "utc",
    label: "Binance withdrawal history",
    header: h("Date(UTC+0),Coin,Network,Amount,Fee,Address,TXID,Status"),
    row: binanceTransfer("withdrawal", "Date(UTC+0)", "Fee"),
  },
  {
    id: "binance-deposits-legacy", exchange: "binance", kind: "deposits", zone: "utc",
    label: "Binance deposit history (older layout, shared with withdrawals)",
    header: h("Date(UTC),Coin,Network,Amount,TransactionFee,Address,TXID,SourceAddress,PaymentID,Status"),
    row: binanceTransfer("deposit", "Date(UTC)", "TransactionFee"),
  },
  {
    id: "binance-withdrawals-legacy", exchange: "binance", kind: "withdrawals", zone: "utc",
    label: "Binance withdrawal history (older layout, shared with deposits)",
    header: h("Date(UTC),Coin,Network,Amount,TransactionFee,Address,TXID,SourceAddress,PaymentID,Status"),
    row: binanceTransfer("withdrawal", "Date(UTC)", "TransactionFee"),
  },
  {
    id: "bitget-spot-trades", exchange: "bitget", kind: "spot-trades", zone: "local",
    label: "Bitget spot fills",
    header: h("Date,Order ID,Trade ID,Trading pair,Direction,Price,Amount,Total,Fee,Fee coin"), row: bitgetSpot,
  },
  {
    id: "bitget-futures-trades", exchange: "bitget", kind: "futures-trades", zone: "local",
    label: "Bitget USDT-M futures fills",
    header: h("Date,Order ID,Trade ID,Futures,Direction,Price,Amount,Total,Fee,Fee coin,Realized P/L"),
    row: bitgetFutures,
  },
  {
    id: "mexc-spot-trades", exchange: "mexc", kind: "spot-trades", zone: "local",
    label: "MEXC spot trade history",
    header: h("Pairs,Time,Side,Filled Price,Executed Amount,Total,Fee,Role"), row: mexcSpot,
  },
  {
    id: "mexc-deposits", exchange: "mexc", kind: "deposits", zone: "local",
    label: "MEXC deposit history",
    header: h("Status,Time,Crypto,Network,Deposit Amount,TxID,Progress"), row: mexcDeposit,
  },
  {
    id: "mexc-withdrawals", exchange: "mexc", kind: "withdrawals", zone: "local",
    label: "MEXC withdrawal history",
    header: h(
      "Status,Time,Crypto,Network,Request Amount,Withdrawal Address,TxID,Trading Fee,Settlement Amount,Withdrawal Descriptions",
    ),
    row: mexcWithdrawal,
  },
];

export function describeFormats(list: readonly ImportFormat[]): string {
  return list.map((f) => `${f.label} [${f.exchange} ${f.kind}]: ${f.header.join(",")}`).join("; ");
}
