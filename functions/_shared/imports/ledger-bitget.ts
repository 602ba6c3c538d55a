/**
 * Bitget's two transaction ledgers (one row per balance change; rules in FORMATS.md, "Ledgers"):
 *
 * - The USDT-M futures ledger (`Order,Date,Coin,Futures,Margin Mode,Type,Amount,Fee,Wallet
 *   balance` on the web; `order,date,coin,futures,type,sum,fee` in a user's published file).
 *   Funding rows (`contract_margin_settle_fee`, also spelled `contract_main_settle_fee`) name
 *   their contract: they become funding payments of that swap, with the row's bill id as
 *   funding id. `close_*` / `burst_close_*` amounts are the exchange's realized price PnL (before
 *   fees): summed per symbol as a cross-check. Open and close fees are the commissions of the
 *   fills export (skipped, counted). Moves between the user's Bitget accounts are skipped; the
 *   rest is skipped or unpaired with its reason. The ledger has no fills.
 * - The spot ledger (`order,Date,Coin,Type,Amount,Fee,Available`, `;`- or `,`-separated): a
 *   trade is a `Buy` row (+, the asset received) and a `Sell` row (−, the asset spent) at the
 *   same second, each with its own fee (negative, in the row's coin). One second's legs become
 *   one fill; which asset is the quote is decided by `orientPair`, never guessed from the words.
 *   Deposits and withdrawals become transfers (the bill id is the transfer id).
 */
import { splitPair } from "../domain/symbols.ts";
import { allSet, asset, num, type NumOpts, text, time } from "./cells.ts";
import { isZero } from "./decimal.ts";
import type { FillDraft, RowContext } from "./formats.ts";
import {
  abs, emptyLedger, fillFromLegs, isPositive, type LedgerDraft, type LedgerResult, negate, PnlBySymbol, pushTo, SkipCounter, sum, toUnpaired,
} from "./ledger.ts";

/** A Bitget ledger row: the common fields, the row's own fee column and (futures) its contract. */
export interface BitgetLedgerDraft extends LedgerDraft {
  /** The Fee cell, signed as written (negative = paid). */
  fee: string;
  /** The Futures cell (`BTCUSDT`), null when empty (transfers) or in the spot ledger. */
  contract: string | null;
}

interface Columns {
  id: string;
  time: string;
  coin: string;
  type: string;
  amount: string;
  fee: string;
  /** futures only */
  contract?: string;
  /** the running balance column (checked to be a number, not read) */
  balance?: string;
}

/**
 * A number with no comma in it. Bitget writes plain decimals in these files; in the 2024
 * semicolon-separated file a comma could only be a spreadsheet's decimal comma (`37,061` would
 * otherwise read as 37061 under the thousands-separator rule), so it is a row error.
 */
function plainNum(ctx: RowContext, col: string, opts: NumOpts): string | null {
  if (ctx.get(col).includes(",")) {
    ctx.bad(col, "a number with a comma: Bitget writes plain decimals (a spreadsheet's re-save with decimal commas?)");
    return null;
  }
  return num(ctx, col, opts);
}

function ledgerRow(cols: Columns, account: "futures" | "spot") {
  return (ctx: RowContext): BitgetLedgerDraft | null => {
    const id = text(ctx, cols.id, true);
    const at = time(ctx, cols.time);
    const coin = asset(ctx, cols.coin);
    const type = text(ctx, cols.type, true);
    const change = plainNum(ctx, cols.amount, { sign: "any" });
    const fee = plainNum(ctx, cols.fee, { sign: "any" });
    if (cols.balance) plainNum(ctx, cols.balance, { sign: "any", optional: true });
    const contract = cols.contract ? text(ctx, cols.contract) : null;
    if (!allSet(id, at, coin, type, change, fee)) return null;
    return {
      ledger: true, line: ctx.line, at: at!, account: contract ? `${account} ${contract}` : account, operation: type!,
      asset: coin!, change: change!, ref: id, fee: fee!, contract,
    };
  };
}

/** The web download's futures ledger (header confirmed). */
export const bitgetFuturesLedgerRow = ledgerRow(
  { id: "Order", time: "Date", coin: "Coin", contract: "Futures", type: "Type", amount: "Amount", fee: "Fee", balance: "Wallet balance" },
  "futures",
);
/** The lower-case `order,date,coin,futures,type,sum,fee` file (real rows; maybe made through the tax API). */
export const bitgetFuturesLedgerShortRow = ledgerRow(
  { id: "order", time: "date", coin: "coin", contract: "futures", type: "type", amount: "sum", fee: "fee" },
  "futures",
);
export const bitgetSpotLedgerRow = ledgerRow(
  { id: "order", time: "Date", coin: "Coin", type: "Type", amount: "Amount", fee: "Fee", balance: "Available" },
  "spot",
);

const FUNDING = /^contract_ma(?:rgin|in)_settle_fee$/;
const OPEN = /^open_(?:long|short)$/;
const CLOSE = /^(?:burst_)?close_(?:long|short)$/;
const FUTURES_INTERNAL = /^trans(?:fer)?_(?:from|to)_/;

/** The ccxt swap symbol of a row's contract, settled in the row's coin; or why there is none. */
function swapSymbol(e: BitgetLedgerDraft): string | { error: string } {
  if (!e.contract) return { error: `a ${e.operation} row that names no contract` };
  const p = splitPair(e.contract);
  if (typeof p === "string") return { error: `the contract ${p}` };
  return `${p.base}/${p.quote}:${e.asset}`;
}

export function assembleBitgetFuturesLedger(entries: readonly LedgerDraft[]): LedgerResult {
  const out = emptyLedger();
  const skipped = new SkipCounter();
  const pnl = new PnlBySymbol();
  const unpair = (e: LedgerDraft, reason: string) => out.unpaired.push(toUnpaired(e, reason));

  for (const e of entries as readonly BitgetLedgerDraft[]) {
    const op = e.operation;
    if (FUNDING.test(op)) {
      const symbol = swapSymbol(e);
      if (typeof symbol !== "string") unpair(e, `${symbol.error}: the funding cannot be booked to a swap`);
      else if (!isZero(e.fee)) unpair(e, "a funding row with a fee: Bitget writes 0 there, so its meaning is unknown");
      else if (isZero(e.change)) skipped.add(op, "a funding settlement of zero");
      else {
        out.funding.push({
          line: e.line,
          d: { exchange: "bitget", symbol, currency: e.asset, amount: e.change, occurred_at: e.at, funding_id: e.ref },
        });
      }
    } else if (OPEN.test(op)) {
      if (!isZero(e.change)) unpair(e, "an opening row with a non-zero amount: Bitget writes 0 there, so its meaning is unknown");
      else skipped.add(op, "the opening commission: it is the fee of the fill in the futures fills export");
    } else if (CLOSE.test(op)) {
      const symbol = swapSymbol(e);
      if (typeof symbol !== "string") {
        unpair(e, `${symbol.error}: its realized PnL cannot be checked per symbol`);
        continue;
      }
      pnl.add(symbol, e.asset, e.change, e.at);
      skipped.add(
        op,
        "the exchange's realized PnL of a close (summed per symbol as a cross-check) and its commission (the fee of the fills export)",
      );
    } else if (FUTURES_INTERNAL.test(op)) {
      skipped.add(op, "a move between the user's own Bitget accounts, not a deposit or withdrawal");
    } else if (op === "bonus_issue") {
      skipped.add(op, "an exchange bonus (trial funds), not a trade, transfer or funding payment");
    } else if (op === "risk_captital_user_transfer") {
      unpair(e, "a liquidation settlement with Bitget's risk fund: whether it belongs to the position's PnL is not documented");
    } else if (isZero(e.change) && isZero(e.fee)) {
      skipped.add(op, "no balance change (a margin or leverage adjustment)");
    } else {
      unpair(e, `the type ${op} is not one this importer knows, so the row is not booked`);
    }
  }
  out.unpaired.sort((a, b) => a.line - b.line);
  out.skipped = skipped.list();
  out.exchangePnl = pnl.list();
  return out;
}

/** Spot ledger trade legs: received (+) or spent (−), and whether the row is a swap (convert) leg. */
const SPOT_LEG: Record<string, { family: "trade" | "swap"; received: boolean }> = {
  "Buy": { family: "trade", received: true },
  "Sell": { family: "trade", received: false },
  "Exchange income": { family: "swap", received: true },
  "Exchange spending": { family: "swap", received: false },
};
const FEE_DEDUCT = "Transaction fee deduct";
const DEPOSITS = new Set(["Deposit"]);
const WITHDRAWALS = new Set(["Ordinary Withdrawal", "Withdrawal", "Withdraw"]);
const SPOT_INTERNAL = /^Transfer (?:in|out)$/i;

export function assembleBitgetSpotLedger(entries: readonly LedgerDraft[]): LedgerResult {
  const out = emptyLedger();
  const skipped = new SkipCounter();
  const groups = new Map<string, BitgetLedgerDraft[]>();
  const feeRows = new Map<string, BitgetLedgerDraft[]>();
  const unpair = (e: LedgerDraft, reason: string) => out.unpaired.push(toUnpaired(e, reason));

  for (const e of entries as readonly BitgetLedgerDraft[]) {
    const op = e.operation;
    const leg = SPOT_LEG[op];
    if (leg) pushTo(groups, `${e.at}|${leg.family}`, e);
    else if (op === FEE_DEDUCT) pushTo(feeRows, e.at, e);
    else if (DEPOSITS.has(op) || WITHDRAWALS.has(op)) {
      const deposit = DEPOSITS.has(op);
      if (isZero(e.change) || isPositive(e.change) !== deposit) {
        unpair(e, `a ${deposit ? "deposit" : "withdrawal"} with a ${isZero(e.change) ? "zero" : deposit ? "negative" : "positive"} amount`);
        continue;
      }
      const fee = isZero(e.fee) ? null : negate(e.fee);
      out.transfers.push({
        line: e.line,
        d: {
          exchange: "bitget", kind: deposit ? "deposit" : "withdrawal", transfer_id: e.ref, asset: e.asset, amount: abs(e.change),
          fee, fee_currency: fee === null ? null : e.asset, network: null, address: null, tx_id: null, status: "ok", occurred_at: e.at,
        },
      });
    } else if (op === "Deposit credited") {
      unpair(e, "no real `Deposit credited` row has been seen: whether it repeats a `Deposit` row is not known");
    } else if (SPOT_INTERNAL.test(op)) {
      skipped.add(op, "a move between the user's own Bitget accounts, not a deposit or withdrawal");
    } else skipped.add(op, "not a trade or transfer (interest, earn products, rewards, …)");
  }

  // `Transaction fee deduct` rows belong to the one trade of their second.
  const seconds = new Map<string, string[]>();
  for (const k of groups.keys()) pushTo(seconds, k.slice(0, k.lastIndexOf("|")), k);
  for (const [at, rows] of feeRows) {
    const keys = seconds.get(at) ?? [];
    if (keys.length === 1) groups.get(keys[0])!.push(...rows);
    else {
      for (const e of rows) unpair(e, keys.length ? "a fee row that could belong to either of two trades at this second" : "a fee row without a trade at its second");
    }
  }
  for (const legs of groups.values()) {
    const r = spotFill(legs);
    if (typeof r === "string") for (const e of legs) unpair(e, r);
    else out.fills.push({ line: legs[0].line, d: r });
  }
  out.fills.sort((a, b) => a.line - b.line);
  out.unpaired.sort((a, b) => a.line - b.line);
  out.skipped = skipped.list();
  return out;
}

/** One second's legs: exactly one asset received and one spent, fees per currency. */
function spotFill(legs: readonly BitgetLedgerDraft[]): FillDraft | string {
  const got = new Map<string, string[]>();
  const gave = new Map<string, string[]>();
  const fees = new Map<string, string[]>();
  for (const e of legs) {
    const leg = SPOT_LEG[e.operation];
    if (!leg) {
      // a `Transaction fee deduct` row: its amount (and any fee cell) is what was paid
      pushTo(fees, e.asset, negate(sum([e.change, e.fee])));
      continue;
    }
    if (isZero(e.change) || isPositive(e.change) !== leg.received) {
      return `a ${e.operation} row of ${e.asset} with a ${isZero(e.change) ? "zero" : leg.received ? "negative" : "positive"} amount`;
    }
    pushTo(leg.received ? got : gave, e.asset, abs(e.change));
    if (!isZero(e.fee)) pushTo(fees, e.asset, negate(e.fee));
  }
  return fillFromLegs({ got, gave, fees }, {
    exchange: "bitget", at: legs[0].at, what: "trade",
    notOne: "the rows of this second do not name exactly one asset received and one spent (several trades at once?)",
  });
}
