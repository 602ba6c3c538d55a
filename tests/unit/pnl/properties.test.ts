/**
 * Property tests of the PnL engine over generated fill sequences (spot and swap, all fee kinds,
 * orders with several fills, funding, prices, flips, oversells, dust, liquidations).
 *
 * 1. Conservation: what the engine realized plus what it still holds equals the cash flow.
 *    For final prices p (per symbol), with P, A the fill price and amount, b a base-currency fee:
 *
 *      cash flow CF(p) =   Σ sells P×A − Σ buys P×A
 *                        − Σ fees valued in quote (quote fees + third-currency fees × their price)
 *                        + Σ funding
 *                        + Σ_symbol p × held,   held = Σ buys (A − b) − Σ sells (A + b)
 *
 *      engine E(p)     =   Σ closing events net_pnl
 *                        + Σ unknown-cost-basis (proceeds − fees)       (oversold spot quantity)
 *                        + Σ open positions [unrealized gross at p − open entry fees + open funding]
 *                          with unrealized gross = p×q − C (LONG), C − p×q (SHORT)
 *                        + Σ unassigned funding                          (funding while flat)
 *                        + Σ_symbol p × (signed written-off dust − unknown-cost-basis quantity)
 *
 *    Unconverted fees are in neither side (not quote cash). E(p) = CF(p) up to the emitted
 *    rounding: each emitted amount is rounded once at 1e-18, so |E − CF| ≤ (number of rounded
 *    terms) × 0.5e-18.
 * 2. Incremental = full rebuild: the same input cut at random times into calls, the state
 *    JSON-round-tripped between calls and each call's fills shuffled, gives the same final row
 *    per close_key and per position_key, and the same final state.
 * 3. Reprocessing adds nothing: applying the same input again emits no event and no position
 *    row, skips every fill, and leaves the state unchanged. (Dedupe is by the per-stream cursor
 *    (executed_at, trade_id) kept in the state, not by close_key.)
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FillRow, FundingRow, PriceRow } from "../../../functions/_shared/domain/types.ts";
import { Decimal } from "../../../functions/_shared/decimal.ts";
import {
  applyFills,
  type ApplyResult,
  type ClosingEvent,
  type CostMethod,
  createState,
  type EngineContext,
  type PnlState,
  type PositionRow,
  streamTotals,
} from "../../../functions/_shared/pnl/index.ts";

const T0 = Date.UTC(2024, 0, 1);
const iso = (min: number) => new Date(T0 + min * 60_000).toISOString();
const SPOT = "BTC/USDT", SWAP = "ETH/USDT:USDT";
const BNB_PRICE = "300";
const MARKETS = { [SPOT]: { amount_step: "0.001" }, [SWAP]: { leverage: 3, margin_mode: "cross" as const } };

interface Case {
  fills: FillRow[];
  funding: FundingRow[];
  prices: PriceRow[]; // drawdown prices of the two symbols (split by time in incremental runs)
  convPrices: PriceRow[]; // BNB/USDT (given to every call)
  final: Record<string, string>;
}

const feeArb = fc.oneof(
  fc.constant({ kind: "none" as const }),
  fc.integer({ min: -50, max: 500 }).map((n) => ({ kind: "quote" as const, v: n })),
  fc.integer({ min: 1, max: 20 }).map((n) => ({ kind: "base" as const, v: n })),
  fc.integer({ min: 1, max: 100 }).map((n) => ({ kind: "bnb" as const, v: n })),
  fc.integer({ min: 1, max: 100 }).map((n) => ({ kind: "xyz" as const, v: n })),
);

const stepArb = fc.record({
  swap: fc.boolean(),
  buy: fc.boolean(),
  cents: fc.integer({ min: 100, max: 20_000 }),
  milli: fc.integer({ min: 1, max: 3_000 }),
  fine: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 999 })),
  fee: feeArb,
  order: fc.constantFrom("a", "b", "c", null),
  dt: fc.constantFrom(0, 1, 1, 2, 5),
  liq: fc.integer({ min: 0, max: 30 }),
  closeAll: fc.integer({ min: 0, max: 4 }),
});

const caseArb: fc.Arbitrary<Case> = fc.record({
  steps: fc.array(stepArb, { minLength: 1, maxLength: 40 }),
  funding: fc.array(fc.record({ at: fc.integer({ min: 0, max: 250 }), v: fc.integer({ min: -300, max: 300 }) }), { maxLength: 8 }),
  prices: fc.array(
    fc.record({ swap: fc.boolean(), at: fc.integer({ min: 0, max: 250 }), cents: fc.integer({ min: 100, max: 20_000 }) }),
    { maxLength: 10 },
  ),
  final: fc.record({ spot: fc.integer({ min: 1, max: 30_000 }), swap: fc.integer({ min: 1, max: 30_000 }) }),
}).map(({ steps, funding, prices, final }) => {
  let min = 0, id = 0;
  const held: Record<string, Decimal> = { [SPOT]: new Decimal(0), [SWAP]: new Decimal(0) }; // ≈, fees ignored
  const fills: FillRow[] = steps.map((s) => {
    min += s.dt;
    const symbol = s.swap ? SWAP : SPOT;
    const [base, quote] = s.swap ? ["ETH", "USDT"] : ["BTC", "USDT"];
    const price = new Decimal(s.cents).div(100);
    // amounts: multiples of 0.001, sometimes with finer digits (→ dust on the 0.001-step market);
    // one step in five closes what is held, rounded down to 0.001 (→ dust when there were finer digits)
    let amount = new Decimal(s.milli).div(1000).plus(new Decimal(s.fine).div(1e7));
    let buy = s.buy;
    if (s.closeAll === 0 && held[symbol].abs().gte("0.001")) {
      amount = held[symbol].abs().toDecimalPlaces(3, Decimal.ROUND_DOWN);
      buy = held[symbol].isNegative();
    }
    held[symbol] = buy ? held[symbol].plus(amount) : held[symbol].minus(amount);
    const fees = [];
    if (s.fee.kind === "quote") fees.push({ currency: "USDT", amount: new Decimal(s.fee.v).div(1000).toFixed() });
    if (s.fee.kind === "base" && !s.swap) fees.push({ currency: base, amount: amount.times(s.fee.v).div(10_000).toFixed() });
    if (s.fee.kind === "bnb") fees.push({ currency: "BNB", amount: new Decimal(s.fee.v).div(100_000).toFixed() });
    if (s.fee.kind === "xyz") fees.push({ currency: "XYZ", amount: new Decimal(s.fee.v).div(1000).toFixed() });
    return {
      exchange: "binance",
      market_type: s.swap ? "swap" : "spot",
      symbol,
      base,
      quote,
      trade_id: String(++id),
      order_id: s.order,
      side: buy ? "buy" : "sell",
      price: price.toFixed(),
      amount: amount.toFixed(),
      cost: price.times(amount).toFixed(),
      fees,
      taker_or_maker: null,
      exchange_realized_pnl: null,
      is_liquidation: s.swap && s.liq === 0,
      executed_at: iso(min),
      source: "api",
    } satisfies FillRow;
  });
  return {
    fills,
    funding: funding.map((f, i) => ({
      exchange: "binance" as const,
      symbol: SWAP,
      funding_id: `f${i}`,
      currency: "USDT",
      amount: new Decimal(f.v).div(100).toFixed(),
      occurred_at: iso(f.at),
    })),
    prices: prices.map((p) => ({
      exchange: "binance" as const,
      symbol: p.swap ? SWAP : SPOT,
      price: new Decimal(p.cents).div(100).toFixed(),
      kind: "last" as const,
      as_of: iso(p.at),
    })),
    convPrices: [{ exchange: "binance", symbol: "BNB/USDT", price: BNB_PRICE, kind: "last", as_of: iso(-1) }],
    final: { [SPOT]: new Decimal(final.spot).div(100).toFixed(), [SWAP]: new Decimal(final.swap).div(100).toFixed() },
  };
});

const ctxOf = (c: Case, prices = c.prices, funding = c.funding): EngineContext => ({
  prices: [...c.convPrices, ...prices],
  funding,
  markets: MARKETS,
});

/** The rows a database would hold after upserting every emission (last one per key wins). */
function finalRows(results: ApplyResult<PnlState>[]) {
  const ev = new Map<string, ClosingEvent>(), pos = new Map<string, PositionRow>();
  for (const r of results) {
    for (const e of r.events) ev.set(e.close_key, e);
    for (const p of r.positions) pos.set(p.position_key, p);
  }
  return {
    events: Object.fromEntries([...ev].sort()),
    positions: Object.fromEntries([...pos].sort()),
    unassigned: results.flatMap((r) => r.unassigned_funding),
    unknown: results.flatMap((r) => r.unknown_cost_basis),
  };
}

function cashFlow(c: Case): Decimal {
  let cf = new Decimal(0);
  const held: Record<string, Decimal> = { [SPOT]: new Decimal(0), [SWAP]: new Decimal(0) };
  for (const f of c.fills) {
    const p = new Decimal(f.price), a = new Decimal(f.amount);
    let b = new Decimal(0);
    for (const fee of f.fees) {
      if (fee.currency === "USDT") cf = cf.minus(fee.amount);
      else if (fee.currency === "BNB") cf = cf.minus(new Decimal(fee.amount).times(BNB_PRICE));
      else if (fee.currency === f.base) b = b.plus(fee.amount);
      // XYZ: no price, not quote cash
    }
    if (f.side === "buy") {
      cf = cf.minus(p.times(a));
      held[f.symbol] = held[f.symbol].plus(a.minus(b));
    } else {
      cf = cf.plus(p.times(a));
      held[f.symbol] = held[f.symbol].minus(a.plus(b));
    }
  }
  for (const f of c.funding) cf = cf.plus(f.amount);
  for (const s of [SPOT, SWAP]) cf = cf.plus(held[s].times(c.final[s]));
  return cf;
}

function engineValue(c: Case, rows: ReturnType<typeof finalRows>, state: PnlState): { value: Decimal; terms: number } {
  let v = new Decimal(0), terms = 0;
  const adj: Record<string, Decimal> = { [SPOT]: new Decimal(0), [SWAP]: new Decimal(0) };
  for (const e of Object.values(rows.events)) {
    v = v.plus(e.net_pnl);
    terms++;
    const dust = new Decimal(e.dust_quantity);
    adj[e.symbol] = adj[e.symbol].plus(e.side === "LONG" ? dust : dust.neg());
  }
  for (const u of rows.unknown) {
    v = v.plus(u.proceeds).minus(u.fees);
    terms += 2;
    adj[u.symbol] = adj[u.symbol].minus(u.quantity);
  }
  for (const u of rows.unassigned) v = v.plus(u.amount);
  for (const s of streamTotals(state)) {
    const o = s.open;
    if (!o) continue;
    const p = new Decimal(c.final[s.symbol]), q = new Decimal(o.quantity), C = new Decimal(o.cost);
    const unreal = o.side === "LONG" ? p.times(q).minus(C) : C.minus(p.times(q));
    v = v.plus(unreal).minus(o.entry_fees).plus(o.funding);
  }
  for (const s of [SPOT, SWAP]) v = v.plus(adj[s].times(c.final[s]));
  return { value: v, terms };
}

const methods: CostMethod[] = ["average", "fifo"];

describe.each(methods)("properties (%s)", (method) => {
  it("realized net + unrealized − open fees + funding = the cash-flow result at p", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const r = applyFills(createState({ method }), c.fills, ctxOf(c));
        const rows = finalRows([r]);
        const { value, terms } = engineValue(c, rows, r.state);
        const diff = value.minus(cashFlow(c)).abs();
        expect(diff.lte(new Decimal(terms + 1).times("0.5e-18")), `diff ${diff.toFixed()}`).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("incremental calls (random time cuts, state JSON round trip, shuffled input) = full rebuild", () => {
    fc.assert(
      fc.property(
        caseArb,
        fc.array(fc.integer({ min: 0, max: 260 }), { maxLength: 5 }),
        fc.integer(),
        (c, cutsRaw, seed) => {
          const full = applyFills(createState({ method }), c.fills, ctxOf(c));
          const cuts = [...new Set(cutsRaw)].sort((a, b) => a - b).map((m) => T0 + m * 60_000);
          const bounds = [-Infinity, ...cuts, Infinity];
          let state: unknown = JSON.parse(JSON.stringify(createState({ method })));
          const results: ApplyResult<PnlState>[] = [];
          let rnd = seed >>> 0;
          const shuffle = <T>(xs: T[]) => {
            for (let i = xs.length - 1; i > 0; i--) {
              rnd = (Math.imul(rnd, 1664525) + 1013904223) >>> 0;
              const j = rnd % (i + 1);
              [xs[i], xs[j]] = [xs[j], xs[i]];
            }
            return xs;
          };
          for (let k = 0; k + 1 < bounds.length; k++) {
            const inRange = (t: string) => Date.parse(t) >= bounds[k] && Date.parse(t) < bounds[k + 1];
            const part = shuffle(c.fills.filter((f) => inRange(f.executed_at)));
            const r = applyFills(
              state as PnlState,
              part,
              ctxOf(c, c.prices.filter((p) => inRange(p.as_of)), c.funding.filter((f) => inRange(f.occurred_at))),
            );
            expect(r.skipped).toEqual([]);
            results.push(r);
            state = JSON.parse(JSON.stringify(r.state));
          }
          expect(finalRows(results)).toEqual(finalRows([full]));
          expect(state).toEqual(JSON.parse(JSON.stringify(full.state)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("reprocessing the same input adds nothing", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const first = applyFills(createState({ method }), c.fills, ctxOf(c));
        const before = JSON.stringify(first.state);
        const again = applyFills(JSON.parse(before), c.fills, ctxOf(c));
        expect(again.events).toEqual([]);
        expect(again.positions).toEqual([]);
        expect(again.unassigned_funding).toEqual([]);
        expect(again.unknown_cost_basis).toEqual([]);
        expect(again.skipped.filter((s) => s.kind === "fill")).toHaveLength(c.fills.length);
        expect(JSON.stringify(again.state)).toBe(before);
      }),
      { numRuns: 200 },
    );
  });
});
