/**
 * fund_flow_analysis / fund_flow_historical from public trades (ccxt fetchTrades; Binance spot
 * aggregate trades) of the spot pairs of the followed contracts, over the last complete hour:
 * each trade's notional = price × amount (quote currency, exact); a taker buy is an inflow, a
 * taker sell an outflow; buckets by notional: small < 10,000, medium < 100,000, large ≥ 100,000.
 * Every bucket is written for every window (0 when no trade fell in it: no trade is a real zero
 * flow); the window's net inflow goes to fund_flow_historical. Rows are upserted per window.
 */
import type { Trade } from "ccxt";
import { Decimal } from "../decimal.ts";
import { decimalText } from "./candles.ts";
import { contracts, errorText, type JobOutcome, type MarketJobDeps } from "./context.ts";
import { symbolId, timeframeId } from "./masters.ts";

const HOUR = 3_600_000;
export const BUCKETS = [
  { name: "small", below: new Decimal(10_000) },
  { name: "medium", below: new Decimal(100_000) },
  { name: "large", below: null },
] as const;
export type Bucket = (typeof BUCKETS)[number]["name"];

export interface FlowTrade {
  side: "buy" | "sell";
  price: string;
  amount: string;
}

export interface Flow {
  inflow: Decimal;
  outflow: Decimal;
}

/** Taker-buy (inflow) and taker-sell (outflow) notional per bucket. */
export function bucketFlows(trades: FlowTrade[]): Record<Bucket, Flow> {
  const out = Object.fromEntries(BUCKETS.map((b) => [b.name, { inflow: new Decimal(0), outflow: new Decimal(0) }])) as Record<Bucket, Flow>;
  for (const t of trades) {
    const notional = new Decimal(t.price).times(t.amount);
    const bucket = BUCKETS.find((b) => b.below === null || notional.lt(b.below))!.name;
    if (t.side === "buy") out[bucket].inflow = out[bucket].inflow.plus(notional);
    else out[bucket].outflow = out[bucket].outflow.plus(notional);
  }
  return out;
}

/** A ccxt trade as exact strings (the exchange's raw p/q when present) with its taker side. */
export function flowTrade(t: Trade): FlowTrade | null {
  if (t.side !== "buy" && t.side !== "sell") return null;
  const info = (t.info ?? {}) as Record<string, unknown>;
  const raw = (k: string, n: number | undefined) => (typeof info[k] === "string" && /^\d+(\.\d+)?$/.test(info[k] as string) ? (info[k] as string) : n === undefined ? null : decimalText(n));
  const price = raw("p", t.price);
  const amount = raw("q", t.amount);
  return price === null || amount === null ? null : { side: t.side, price, amount };
}

/** The window's trades (since ≤ timestamp < until), paged by time as the exchange allows. */
async function windowTrades(deps: MarketJobDeps, symbol: string, since: number, until: number): Promise<Trade[]> {
  const client = deps.createClient("binance");
  const all: Trade[] = [];
  for (let from = since, pages = 0; from < until && pages < 200; pages++) {
    const page = await client.fetchTrades(symbol, from, 1000);
    const inWindow = page.filter((t) => t.timestamp !== undefined && t.timestamp >= from && t.timestamp < until);
    all.push(...inWindow);
    const last = page.at(-1)?.timestamp;
    if (page.length < 1000 || last === undefined || last + 1 <= from) break;
    from = last + 1;
  }
  return all;
}

export async function runFundFlow(deps: MarketJobDeps): Promise<JobOutcome> {
  const now = deps.now();
  const until = now - (now % HOUR);
  const since = until - HOUR;
  let rows = 0;
  const errors: string[] = [];
  for (const contract of contracts(deps)) {
    const symbol = contract.split(":")[0]; // the spot pair
    try {
      const trades = (await windowTrades(deps, symbol, since, until)).map(flowTrade).filter((t): t is FlowTrade => t !== null);
      const flows = bucketFlows(trades);
      const sid = await symbolId(deps.sql, symbol);
      const tid = await timeframeId(deps.sql, "1h");
      const [mt] = await deps.sql`select id from public.market_types where name = 'spot'`;
      if (!mt) throw new Error("market type spot missing (run private.refresh_market_masters())");
      const at = new Date(since).toISOString();
      let net = new Decimal(0);
      for (const b of BUCKETS) {
        const f = flows[b.name];
        net = net.plus(f.inflow).minus(f.outflow);
        const r = await deps.sql`
          insert into public.fund_flow_analysis as a (symbol_id, market_type_id, timeframe_id, order_size, net_inflow, inflow, outflow, period_start)
          values (${sid}, ${mt.id}, ${tid}, ${b.name}, ${f.inflow.minus(f.outflow).toFixed()}, ${f.inflow.toFixed()}, ${f.outflow.toFixed()}, ${at})
          on conflict (symbol_id, market_type_id, timeframe_id, order_size, period_start) do update
             set net_inflow = excluded.net_inflow, inflow = excluded.inflow, outflow = excluded.outflow
           where (a.net_inflow, a.inflow, a.outflow) is distinct from (excluded.net_inflow, excluded.inflow, excluded.outflow)
          returning 1`;
        rows += r.length;
      }
      const r = await deps.sql`
        insert into public.fund_flow_historical as h (symbol_id, market_type_id, timeframe_id, date_time, net_inflow)
        values (${sid}, ${mt.id}, ${tid}, ${at}, ${net.toFixed()})
        on conflict (symbol_id, market_type_id, timeframe_id, date_time) do update set net_inflow = excluded.net_inflow
         where h.net_inflow is distinct from excluded.net_inflow
        returning 1`;
      rows += r.length;
    } catch (e) {
      errors.push(errorText(e, deps, `binance ${symbol}: `));
    }
  }
  return { status: errors.length ? "failed" : "succeeded", rows, errors };
}
