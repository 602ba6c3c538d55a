/**
 * long_short_exchanges / long_short_overall: the share of accounts holding longs vs shorts on
 * the followed perpetual contracts, per exchange, hourly (timeframe 1h, the last 25 hours).
 * - Binance: ccxt fetchLongShortRatioHistory (global long/short account ratio r).
 * - Gate: contract_stats `lsr_account` (long/short position-user ratio r).
 * long_percent = 100 × r / (1 + r), short_percent = 100 − long_percent (2 decimals, half-even);
 * bias: bullish when long_percent ≥ 55, bearish when ≤ 45, neutral otherwise.
 * long_short_overall at a time = the mean of the exchanges' long_percent at that time (equal
 * weights, 2 decimals half-even), short = 100 − long. Rows are upserted per source time.
 */
import { Decimal } from "../decimal.ts";
import { decimalText } from "./candles.ts";
import { contracts, errorText, type JobOutcome, type MarketJobDeps } from "./context.ts";
import { symbolId, timeframeId } from "./masters.ts";
import { gateStats } from "./open-interest.ts";

export const TIMEFRAME = "1h";

export interface Ratio {
  exchange: string;
  at: number;
  ratio: string;
}

export interface Split {
  long: string;
  short: string;
  bias: "bullish" | "bearish" | "neutral";
}

/** r (longs / shorts) → percents and bias (rules above). */
export function split(ratio: string): Split {
  const r = new Decimal(ratio);
  if (r.isNegative()) throw new Error(`negative long/short ratio ${ratio}`);
  const long = r.times(100).div(r.plus(1)).toDecimalPlaces(2);
  const bias = long.gte(55) ? "bullish" : long.lte(45) ? "bearish" : "neutral";
  return { long: long.toFixed(2), short: new Decimal(100).minus(long).toFixed(2), bias };
}

async function store(deps: MarketJobDeps, symbol: string, ratios: Ratio[]): Promise<number> {
  if (!ratios.length) return 0;
  const sid = await symbolId(deps.sql, symbol);
  const tid = await timeframeId(deps.sql, TIMEFRAME);
  let rows = 0;
  for (const x of ratios) {
    const s = split(x.ratio);
    const r = await deps.sql`
      insert into public.long_short_exchanges as l (symbol_id, timeframe_id, exchange, bias, long_percent, short_percent, last_updated)
      values (${sid}, ${tid}, ${x.exchange}, ${s.bias}, ${s.long}, ${s.short}, ${new Date(x.at).toISOString()})
      on conflict (symbol_id, timeframe_id, exchange, last_updated) do update
         set bias = excluded.bias, long_percent = excluded.long_percent, short_percent = excluded.short_percent
       where (l.bias, l.long_percent, l.short_percent) is distinct from (excluded.bias, excluded.long_percent, excluded.short_percent)
      returning 1`;
    rows += r.length;
  }
  // Overall: mean over the exchanges at each time just written (rounded half-even in TS below).
  const times = [...new Set(ratios.map((x) => new Date(x.at).toISOString()))];
  const perTime = await deps.sql<{ at: Date; longs: string[] }[]>`
    select last_updated as at, array_agg(long_percent::text order by exchange) as longs
      from public.long_short_exchanges
     where symbol_id = ${sid} and timeframe_id = ${tid} and last_updated = any(${times}::timestamptz[])
     group by last_updated`;
  for (const t of perTime) {
    const mean = t.longs.reduce((a, v) => a.plus(v), new Decimal(0)).div(t.longs.length).toDecimalPlaces(2);
    const r = await deps.sql`
      insert into public.long_short_overall as o (symbol_id, timeframe_id, long_percent, short_percent, last_updated)
      values (${sid}, ${tid}, ${mean.toFixed(2)}, ${new Decimal(100).minus(mean).toFixed(2)}, ${t.at})
      on conflict (symbol_id, timeframe_id, last_updated) do update
         set long_percent = excluded.long_percent, short_percent = excluded.short_percent
       where (o.long_percent, o.short_percent) is distinct from (excluded.long_percent, excluded.short_percent)
      returning 1`;
    rows += r.length;
  }
  return rows;
}

export async function runLongShort(deps: MarketJobDeps): Promise<JobOutcome> {
  let rows = 0;
  const errors: string[] = [];
  for (const symbol of contracts(deps)) {
    const ratios: Ratio[] = [];
    try {
      const client = deps.createClient("binance");
      const hist = await client.fetchLongShortRatioHistory(symbol, TIMEFRAME, undefined, 25);
      for (const h of hist) {
        const raw = (h.info as Record<string, unknown> | undefined)?.longShortRatio;
        const ratio = typeof raw === "string" && /^\d+(\.\d+)?$/.test(raw) ? raw : h.longShortRatio === undefined ? null : decimalText(h.longShortRatio);
        if (ratio !== null && h.timestamp !== undefined) ratios.push({ exchange: "binance", at: h.timestamp, ratio });
      }
    } catch (e) {
      errors.push(errorText(e, deps, `binance ${symbol}: `));
    }
    try {
      for (const s of await gateStats(deps, symbol)) {
        if (s.lsr_account !== undefined) ratios.push({ exchange: "gateio", at: s.time * 1000, ratio: s.lsr_account });
      }
    } catch (e) {
      errors.push(errorText(e, deps, `gateio ${symbol}: `));
    }
    rows += await store(deps, symbol, ratios);
  }
  return { status: errors.length ? "failed" : "succeeded", rows, errors };
}
