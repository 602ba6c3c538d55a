/**
 * Gate.io's ledgers (FORMATS.md, "Ledgers: Gate.io"): the spot account's "Billing details" and
 * the futures account's book. One row per balance change; the rows of one order share its id.
 *
 * Billing details (`no,time,action_desc,action_data,…`):
 * - Trades: the rows of one order id (`action_data`) are one fill: `Order Filled` (the asset
 *   received, one row per fill), `Order Placed` (the asset spent, one row per fill), `Trading
 *   Fees` (negative, in the asset received or GT/POINT). The file's row order within a second
 *   is not reliable (its running balances show it), so an order's fills are not told apart: the
 *   order is one fill of its summed amounts, at its last row's time. Older files write
 *   `Order Fullfilled` (sic), `Trade Fee`; the Japanese interface its own words (table below).
 * - Deposits / withdrawals: transfers whose id is Gate's record id (`gate:<action_data>`), the id
 *   the deposit and withdrawal downloads carry too, so a movement in both files is stored once.
 * - Dust swaps: several small balances into one asset at once are unpaired (which part came
 *   from which coin is unknown); a swap of exactly one coin into one is a fill.
 * - Moves between the user's own accounts (spot ↔ perpetuals, isolated margin, sub-accounts)
 *   are skipped, and so is everything that is not a trade or a transfer (rewards, interest, …).
 *
 * Futures book (`No,Time,Contacts,Action Type,Change,Balance,Remarks`): funding rows become
 * funding payments of the contract in `Contacts`; realized-PnL rows are the exchange's PnL per
 * contract (a cross-check); trading fees are the commissions of the futures fills (skipped);
 * transfers and trial funds are skipped. An action type not in the table is unpaired (listed),
 * never guessed.
 */
import { Decimal } from "../decimal.ts";
import type { FillDraft, RowContext } from "./formats.ts";
import {
  abs, emptyLedger, fillFromLegs, type LedgerDraft, type LedgerResult, PnlBySymbol, pushTo, SkipCounter, toUnpaired,
} from "./ledger.ts";
import { allSet, asset, num, text, time, unitNum } from "./cells.ts";
import { toUnified } from "./symbols.ts";

type BillingRole = "spent" | "received" | "fee" | "cancel" | "deposit" | "withdrawal" | "dust" | "internal";

/** Billing `action_desc` words (English today, English before 2022, Japanese) → their role. */
const BILLING: Record<string, BillingRole> = {
  "Order Placed": "spent", "注文しました": "spent",
  "Order Filled": "received", "Order Fullfilled": "received", "約定済み": "received",
  "Trading Fees": "fee", "Trade Fee": "fee", "取引手数料": "fee",
  "Order Cancelled": "cancel",
  "Deposits": "deposit", "Deposit": "deposit", "入金": "deposit",
  "Withdrawals": "withdrawal", "Withdraw": "withdrawal", "出金": "withdrawal",
  "Dust Swap-Small Balances Deducted": "dust", "ダストスワップ-少額残高の控除": "dust",
  "Dust Swap-GT Added": "dust", "ダストスワップ-GTを追加": "dust",
  "Small Balance Convert - USDT Added": "dust", "少額残高交換 - USDT追加": "dust",
  "Perps- Transferred In": "internal", "Perps- Transferred Out": "internal", "スポットからの振込": "internal",
  "Isolated Margin - Transfer In": "internal", "Isolated Margin - Transfer Out": "internal",
  "分離マージン‐入金": "internal", "分離マージン-出金": "internal", "Subaccount Transfer": "internal",
};

type FuturesRole = "funding" | "pnl" | "fee" | "transfer";

/** Futures book `Action Type` words seen in real files (Japanese interface) → their role. */
const FUTURES: Record<string, FuturesRole> = {
  "資金調達": "funding", // funding
  "利益&損失": "pnl", // profit & loss
  "取引手数料": "fee", // trading fee
  "入出金": "transfer", // transfer in / out
  "先物トライアル資金の入出金": "transfer", // futures trial funds in / out
  "先物トライアル資金のクレジット": "transfer", // futures trial funds credit
};

// ---------------------------------------------------------------------------------------------
// Row mappers

/** English billing details: the asset in `type`, plain signed numbers. */
export function gateBillingRow(ctx: RowContext): LedgerDraft | null {
  const at = time(ctx, "time");
  const op = text(ctx, "action_desc", true);
  const ref = text(ctx, "action_data");
  const coin = asset(ctx, "type");
  const change = num(ctx, "change_amount", { sign: "any" });
  if (!allSet(at, op, coin, change)) return null;
  return { ledger: true, line: ctx.line, at: at!, account: "spot", operation: op!, asset: coin!, change: change!, ref };
}

/** Japanese billing details: the asset after each number (`-0.02989800 MPC`). */
export function gateBillingRowUnits(ctx: RowContext): LedgerDraft | null {
  const at = time(ctx, "time");
  const op = text(ctx, "action_desc", true);
  const ref = text(ctx, "action_data");
  const change = unitNum(ctx, "change_amount", null, "any");
  if (!allSet(at, op, change)) return null;
  return {
    ledger: true, line: ctx.line, at: at!, account: "spot", operation: op!, asset: change!.unit, change: change!.amount, ref,
  };
}

/** Futures book: the contract (or `-`, a transfer id, …) in `Contacts` (sic), `Change` with its unit. */
export function gateFuturesRow(ctx: RowContext): LedgerDraft | null {
  const at = time(ctx, "Time");
  const op = text(ctx, "Action Type", true);
  const contract = text(ctx, "Contacts");
  const change = unitNum(ctx, "Change", null, "any");
  unitNum(ctx, "Balance", null, "any");
  if (!allSet(at, op, change)) return null;
  return {
    ledger: true, line: ctx.line, at: at!, account: "futures", operation: op!, asset: change!.unit, change: change!.amount,
    ref: contract,
  };
}

// ---------------------------------------------------------------------------------------------
// Billing details

export function assembleGateBilling(entries: readonly LedgerDraft[]): LedgerResult {
  const out = emptyLedger();
  const skipped = new SkipCounter();
  const orders = new Map<string, LedgerDraft[]>();
  const dust = new Map<string, LedgerDraft[]>();
  const unpair = (e: LedgerDraft, reason: string) => out.unpaired.push(toUnpaired(e, reason));

  for (const e of entries) {
    const role = BILLING[e.operation];
    if (!role) {
      skipped.add(e.operation, "not a trade or transfer");
    } else if (role === "internal") {
      skipped.add(e.operation, "a move between the user's own accounts, not a deposit or withdrawal");
    } else if (role === "deposit" || role === "withdrawal") {
      const d = new Decimal(e.change);
      if (role === "deposit" ? d.lte(0) : d.gte(0)) {
        unpair(e, `a ${role} with a ${d.isZero() ? "zero" : d.isNeg() ? "negative" : "positive"} change`);
        continue;
      }
      out.transfers.push({
        line: e.line,
        d: {
          exchange: "gateio", kind: role, transfer_id: e.ref ? `gate:${e.ref}` : null, asset: e.asset,
          amount: d.abs().toFixed(), fee: null, fee_currency: null, network: null, address: null, tx_id: null,
          status: "ok", occurred_at: e.at,
        },
      });
    } else if (!e.ref) {
      unpair(e, "a trade or dust-swap row without its order id (action_data)");
    } else if (role === "dust") {
      pushTo(dust, e.ref, e);
    } else {
      pushTo(orders, e.ref, e);
    }
  }

  for (const [ref, legs] of orders) {
    const r = orderFill(ref, legs);
    if (typeof r === "string") for (const e of legs) unpair(e, r);
    else out.fills.push({ line: Math.min(...legs.map((e) => e.line)), d: r });
  }
  for (const legs of dust.values()) {
    const r = dustFill(legs);
    if (typeof r === "string") for (const e of legs) unpair(e, r);
    else out.fills.push({ line: Math.min(...legs.map((e) => e.line)), d: r });
  }
  out.fills.sort((a, b) => a.line - b.line);
  out.unpaired.sort((a, b) => a.line - b.line);
  out.skipped = skipped.list();
  return out;
}

/** One order's rows → one fill (amounts summed, at its last row's time), or why not. */
function orderFill(ref: string, legs: readonly LedgerDraft[]): FillDraft | string {
  const received = new Map<string, string[]>();
  const spent = new Map<string, string[]>();
  const fees = new Map<string, string[]>();
  for (const e of legs) {
    const role = BILLING[e.operation];
    const positive = new Decimal(e.change).gt(0);
    if (role === "cancel") {
      if (new Decimal(e.change).isZero()) continue;
      return "an order with a cancellation row that changes a balance: its filled part cannot be told from the file";
    }
    if (role === "received" && !positive) return `the ${e.operation} row of ${e.asset} is not positive`;
    if (role === "spent" && positive) return `the ${e.operation} row of ${e.asset} is not negative`;
    if (role === "fee") pushTo(fees, e.asset, new Decimal(e.change).neg().toFixed()); // paid > 0, rebate < 0
    else pushTo(role === "received" ? received : spent, e.asset, abs(e.change));
  }
  if (!received.size && !spent.size) return "fee rows of an order whose trade rows are not in this file";
  return fillFromLegs({ got: received, gave: spent, fees }, {
    exchange: "gateio", at: lastTime(legs), what: "order", orderId: ref,
    notOne: `order ${ref} does not show exactly one asset received and one spent (its other rows may be outside the file's date range)`,
  });
}

/** A dust swap: exactly one coin out and one in becomes a fill; several coins into one cannot be split. */
function dustFill(legs: readonly LedgerDraft[]): FillDraft | string {
  const got = new Map<string, string[]>();
  const gave = new Map<string, string[]>();
  for (const e of legs) {
    if (new Decimal(e.change).gt(0)) pushTo(got, e.asset, e.change);
    else if (new Decimal(e.change).lt(0)) pushTo(gave, e.asset, abs(e.change));
  }
  return fillFromLegs({ got, gave }, {
    exchange: "gateio", at: lastTime(legs), what: "swap", orderId: legs[0].ref,
    notOne: `a dust swap of ${gave.size} asset(s) into ${got.size} asset(s): which part came from which coin is unknown`,
  });
}

/** The time of the last of these rows (an order's or a swap's rows can span seconds). */
function lastTime(legs: readonly LedgerDraft[]): string {
  return legs.reduce((m, e) => (e.at > m ? e.at : m), legs[0].at);
}

// ---------------------------------------------------------------------------------------------
// Futures book

export function assembleGateFutures(entries: readonly LedgerDraft[]): LedgerResult {
  const out = emptyLedger();
  const skipped = new SkipCounter();
  const pnl = new PnlBySymbol();
  for (const e of entries) {
    const role = FUTURES[e.operation];
    if (!role) {
      out.unpaired.push(toUnpaired(e, `a futures action type this importer does not know ("${e.operation}"): not guessed`));
      continue;
    }
    if (role === "transfer") {
      skipped.add(e.operation, "a move between the user's own accounts or trial funds, not a deposit or withdrawal");
      continue;
    }
    if (role === "fee") {
      skipped.add(e.operation, "futures commission: it belongs to the futures fills");
      continue;
    }
    const contract = e.ref ? toUnified(e.ref, "swap") : null;
    if (!contract || typeof contract === "string") {
      out.unpaired.push(toUnpaired(e, `the row names no contract (Contacts "${e.ref ?? ""}")`));
      continue;
    }
    if (role === "funding") {
      out.funding.push({
        line: e.line,
        d: { exchange: "gateio", symbol: contract.symbol, currency: e.asset, amount: e.change, occurred_at: e.at, funding_id: null },
      });
      continue;
    }
    pnl.add(contract.symbol, e.asset, e.change, e.at);
  }
  out.skipped = skipped.list();
  out.exchangePnl = pnl.list();
  return out;
}

