/**
 * Binance's Transaction History statement (`User_ID,UTC_Time,Account,Operation,Coin,Change,
 * Remark` and today's `User ID,Time,…`) as a ledger. The rules (FORMATS.md, "Ledgers"):
 *
 * - Spot trade legs written at the same second in the same account are one fill: the received
 *   and spent legs give the amount and the cost (summed over the order's partial fills), the fee
 *   legs give the fees. The operation names say which leg is the base: `Transaction Buy` /
 *   `Transaction Spend` (a buy), `Transaction Sold` / `Transaction Revenue` (a sell), and the older
 *   `Buy` / `Sell` (the sign says which leg was received). The price is cost / amount.
 * - `Binance Convert` and `Small Assets Exchange BNB`: one asset out and one in at the same
 *   second become a fill; the quote is the asset `orientPair` ranks as a quote.
 * - `Deposit` / `Withdraw` (and their fiat forms) become transfers; moves between the user's
 *   own accounts (`Transfer Between …`, `transfer_in/out`, …) are not deposits and are skipped.
 * - Futures `Realized Profit and Loss` rows are summed per currency as the exchange's PnL.
 * - Anything that cannot be paired without guessing (a `Transaction Related` leg, two trades of
 *   different pairs in one second, a fee of neither, a funding fee: the statement names no
 *   symbol) is listed in `unpaired` and not imported.
 */
import { Decimal } from "../decimal.ts";
import { allSet, asset, num, text, time } from "./cells.ts";
import type { FillDraft, RowContext } from "./formats.ts";
import {
  abs, emptyLedger, fillFromLegs, isPositive, type LedgerDraft, type LedgerResult, ledgerFill, negate, pushTo, SkipCounter, sum, toUnpaired,
} from "./ledger.ts";

export function binanceStatementRow(timeCol: string) {
  return (ctx: RowContext): LedgerDraft | null => {
    const at = time(ctx, timeCol);
    const account = text(ctx, "Account", true);
    const operation = text(ctx, "Operation", true);
    const coin = asset(ctx, "Coin");
    // Statements opened and saved in a spreadsheet carry exponents ("-3.605E-05"); they are exact.
    const change = num(ctx, "Change", { sign: "any", exponent: true });
    if (!allSet(at, account, operation, coin, change)) return null;
    return {
      ledger: true, line: ctx.line, at: at!, account: account!, operation: operation!, asset: coin!, change: change!,
      ref: text(ctx, "Remark"),
    };
  };
}

/** Trade legs: which family (buy or sell) and which side of the pair each operation is. */
const LEG: Record<string, { family: "buy" | "sell"; role: "base" | "quote" | "sign" }> = {
  "Transaction Buy": { family: "buy", role: "base" },
  "Transaction Spend": { family: "buy", role: "quote" },
  "Buy": { family: "buy", role: "sign" },
  "Transaction Sold": { family: "sell", role: "base" },
  "Transaction Revenue": { family: "sell", role: "quote" },
  "Sell": { family: "sell", role: "sign" },
};
const FEE_OPS = new Set(["Fee", "Transaction Fee"]);
const CONVERT_OPS = new Set(["Binance Convert", "Small Assets Exchange BNB", "Small assets exchange BNB", "Large OTC trading"]);
const DEPOSIT_OPS = new Set(["Deposit", "Fiat Deposit"]);
const WITHDRAW_OPS = new Set(["Withdraw", "Fiat Withdraw", "Fiat Withdrawal"]);
const INTERNAL = /^(Transfer Between\b|transfer_in$|transfer_out$|Main and Funding Account Transfer$|Funding Account Transfer$)/i;
const REALIZED = /^Reali[sz]ed? profit and loss$/i;

const isSpot = (account: string) => /^spot$/i.test(account);
const isFutures = (account: string) => /futures/i.test(account);

export function assembleBinanceStatement(entries: readonly LedgerDraft[]): LedgerResult {
  const out = emptyLedger();
  const skipped = new SkipCounter();
  const trades = new Map<string, LedgerDraft[]>();
  const converts = new Map<string, LedgerDraft[]>();
  const pnl = new Map<string, { amount: Decimal; rows: number }>();
  const unpair = (e: LedgerDraft, reason: string) => out.unpaired.push(toUnpaired(e, reason));

  for (const e of entries) {
    const op = e.operation;
    if (INTERNAL.test(op)) {
      skipped.add(op, "a move between the user's own accounts, not a deposit or withdrawal");
    } else if (isFutures(e.account)) {
      if (REALIZED.test(op)) {
        const p = pnl.get(e.asset) ?? { amount: new Decimal(0), rows: 0 };
        pnl.set(e.asset, { amount: p.amount.plus(e.change), rows: p.rows + 1 });
      } else if (op === "Funding Fee") {
        unpair(e, "a funding fee row of the statement names no symbol, so it cannot be booked to a swap");
      } else if (FEE_OPS.has(op)) {
        skipped.add(`${op} (futures)`, "futures commission: it is in the fees of the futures trade history");
      } else skipped.add(op, "not a trade or transfer");
    } else if (LEG[op] || FEE_OPS.has(op)) {
      if (isSpot(e.account)) pushTo(trades, `${e.at}|${e.account}`, e);
      else unpair(e, `a trade leg in the ${e.account} account (only Spot trades are imported; margin loans are not tracked)`);
    } else if (op === "Transaction Related") {
      unpair(e, "Binance does not say which side of a trade a \"Transaction Related\" leg is");
    } else if (CONVERT_OPS.has(op)) {
      pushTo(converts, `${e.at}|${op.toLowerCase()}`, e);
    } else if (DEPOSIT_OPS.has(op) || WITHDRAW_OPS.has(op)) {
      const deposit = DEPOSIT_OPS.has(op);
      const d = new Decimal(e.change);
      if (deposit ? d.lte(0) : d.gte(0)) {
        unpair(e, `a ${deposit ? "deposit" : "withdrawal"} with a ${d.isZero() ? "zero" : deposit ? "negative" : "positive"} change`);
        continue;
      }
      out.transfers.push({
        line: e.line,
        d: {
          exchange: "binance", kind: deposit ? "deposit" : "withdrawal", transfer_id: null, asset: e.asset,
          amount: d.abs().toFixed(), fee: null, fee_currency: null, network: null, address: null, tx_id: null,
          status: "ok", occurred_at: e.at,
        },
      });
    } else skipped.add(op, "not a trade or transfer");
  }

  for (const legs of trades.values()) {
    const r = tradeFills(legs);
    if (typeof r === "string") for (const e of legs) unpair(e, r);
    else out.fills.push(...r.map((d) => ({ line: legs[0].line, d })));
  }
  for (const rows of converts.values()) {
    const r = convertFill(rows);
    if (typeof r === "string") for (const e of rows) unpair(e, r);
    else out.fills.push({ line: rows[0].line, d: r });
  }
  out.fills.sort((a, b) => a.line - b.line);
  out.unpaired.sort((a, b) => a.line - b.line);
  out.skipped = skipped.list();
  out.exchangePnl = [...pnl].map(([currency, p]) => ({ currency, amount: p.amount.toFixed(), rows: p.rows }));
  return out;
}


interface Family {
  base: Map<string, string[]>;
  quote: Map<string, string[]>;
  fees: Map<string, string[]>;
}

/** The fills of one second's trade legs in one account, or why they cannot be paired. */
function tradeFills(legs: readonly LedgerDraft[]): FillDraft[] | string {
  const fam: Record<"buy" | "sell", Family> = {
    buy: { base: new Map(), quote: new Map(), fees: new Map() },
    sell: { base: new Map(), quote: new Map(), fees: new Map() },
  };
  const fees: LedgerDraft[] = [];
  for (const e of legs) {
    const leg = LEG[e.operation];
    if (!leg) {
      fees.push(e);
      continue;
    }
    const positive = isPositive(e.change);
    let role = leg.role;
    if (role === "sign") role = positive === (leg.family === "buy") ? "base" : "quote";
    const received = (leg.family === "buy") === (role === "base");
    if (received !== positive) return `the ${e.operation} leg of ${e.asset} has the wrong sign`;
    pushTo(fam[leg.family][role], e.asset, abs(e.change));
  }
  const present = (["buy", "sell"] as const).filter((k) => fam[k].base.size || fam[k].quote.size);
  if (!present.length) return "fee rows without the trade they belong to";
  for (const k of present) {
    const f = fam[k];
    if (f.base.size !== 1 || f.quote.size !== 1) {
      return "the trade legs of this second do not name exactly one asset bought and one paid (several trades at once?)";
    }
    if ([...f.base.keys()][0] === [...f.quote.keys()][0]) return "both legs of the trade are in the same asset";
  }
  for (const e of fees) {
    const received = present.filter((k) => [...(k === "buy" ? fam[k].base : fam[k].quote).keys()][0] === e.asset);
    const target = present.length === 1 ? present[0] : received.length === 1 ? received[0] : null;
    if (!target) return "a fee leg that could belong to either of two trades at this second";
    pushTo(fam[target].fees, e.asset, negate(e.change));
  }
  return present.map((k) => {
    const f = fam[k];
    const [[base, amounts]] = [...f.base];
    const [[quote, costs]] = [...f.quote];
    return ledgerFill({ exchange: "binance", at: legs[0].at, side: k, base, quote, amount: sum(amounts), cost: sum(costs), fees: f.fees });
  });
}

/** A convert: exactly one asset out and one in at the same second. */
function convertFill(rows: readonly LedgerDraft[]): FillDraft | string {
  // Binance writes some converts as a move between accounts plus the trade (same coin out of
  // Funding and into Spot at that second, equal amounts): those pairs are moves, not the trade.
  const list = [...rows];
  for (let i = 0; i < list.length; i++) {
    const j = list.findIndex((o, k) => k !== i && o.asset === list[i].asset && o.account !== list[i].account &&
      new Decimal(o.change).plus(list[i].change).isZero());
    if (j >= 0) {
      list.splice(Math.max(i, j), 1);
      list.splice(Math.min(i, j), 1);
      i = -1;
    }
  }
  const out = list.filter((e) => new Decimal(e.change).lt(0));
  const inn = list.filter((e) => new Decimal(e.change).gt(0));
  if (out.length !== 1 || inn.length !== 1) {
    return `a convert of ${out.length} asset(s) into ${inn.length} asset(s) at one second cannot be split into fills without guessing`;
  }
  const [o, i] = [out[0], inn[0]];
  return fillFromLegs(
    { got: new Map([[i.asset, [i.change]]]), gave: new Map([[o.asset, [abs(o.change)]]]) },
    { exchange: "binance", at: o.at, what: "convert" },
  );
}
