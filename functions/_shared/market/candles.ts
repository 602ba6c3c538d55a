/**
 * Daily candles for the series users need (private.market_series, see
 * supabase/migrations/20261207190000_market_candles.sql): claim due series, page through ccxt's
 * public fetchOHLCV from each series' cursor, and commit each page's candles, their closes (as
 * market_prices close_1d) and the advanced cursor in one transaction. A crash loses at most the
 * page in flight; a re-run upserts the same rows (nothing doubles, unchanged rows are not
 * rewritten).
 *
 * - Only closed days are stored (a candle whose day has not ended is left for the next run).
 * - A day the exchange has no candle for stays missing: nothing is filled in.
 * - Pages stay within each exchange's limit (PAGE_LIMIT); ccxt's rate limiter spaces the calls.
 * - Failures are recorded on the series (scrubbed reason, attempts, next retry with backoff); a
 *   symbol the exchange does not list is marked unavailable and retried weekly. One failing
 *   series never stops the others.
 *
 * ccxt hands OHLCV values as JS numbers parsed from the exchange's decimal strings; the shortest
 * round-trip text of such a number (String(n)) is the exchange's decimal again for the ≤ 15
 * significant digits exchanges publish, so it is stored as that exact decimal.
 */
import { z } from "zod";
import type { Sql } from "../db.ts";
import { arrayLiteral } from "../db-input.ts";
import type { ExchangeId } from "../domain/types.ts";
import { classifyError, type CcxtExchange, createExchangeClient, withRetry } from "../exchanges/index.ts";
import { scrubMessage } from "../sync/scrub.ts";

export const DAY_MS = 86_400_000;

/** Candles per request: each exchange's documented maximum for daily klines. */
export const PAGE_LIMIT: Record<Exclude<ExchangeId, "alpha_vantage">, number> = {
  binance: 1000, // GET /api/v3/klines, /fapi/v1/klines: limit ≤ 1000 (fapi 1500)
  bitget: 200, // GET /api/v2/spot|mix/market/history-candles: limit ≤ 200
  gateio: 1000, // GET /spot/candlesticks: ≤ 1000 points per request
  mexc: 1000, // GET /api/v3/klines: limit ≤ 1000
};

export interface CandleDeps {
  sql: Sql;
  /** A public (keyless) ccxt client for an exchange; one per exchange per run. */
  createClient: (exchange: ExchangeId) => CcxtExchange;
  now: () => number;
  sleep?: (ms: number) => Promise<void>;
  log?: (line: string) => void;
}

export interface CandleRunOptions {
  /** Series claimed per run (default 50). */
  max?: number;
  workerId?: string;
  /** Pages per series per run (default 20: 20,000 days on binance); the rest waits for the next run. */
  maxPagesPerSeries?: number;
  /** Stop claiming new series after this many ms (default 100 s). */
  budgetMs?: number;
}

export interface SeriesResult {
  exchange: ExchangeId;
  symbol: string;
  status: "ok" | "partial" | "failed" | "unavailable";
  requests: number;
  pages: number;
  candles: number;
  error?: string;
}

interface ClaimedSeries {
  exchange: ExchangeId;
  symbol: string;
  timeframe: string;
  next_since: Date;
  attempts: number;
}

const num = z.number().finite().nonnegative();
/** One ccxt OHLCV row: [timestamp ms, open, high, low, close, volume?]. */
const ohlcvRow = z.tuple([z.number().int(), num, num, num, num]).rest(z.union([num, z.null(), z.undefined()]));

export interface Candle {
  openTime: number;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string | null;
}

/** A ccxt number as the decimal text stored (its shortest round-trip form). */
export function decimalText(n: number): string {
  return String(n);
}

/** A candle that cannot be stored as a UTC day (local-time days, low/high outside open/close). */
export class CandleDataError extends Error {
  constructor(at: number, problem: string) {
    super(`daily candle at ${new Date(at).toISOString()}: ${problem}`);
    this.name = "CandleDataError";
  }
}

/**
 * ccxt OHLCV rows → closed daily candles from `since` on (sorted, one per day start). Rows before
 * `since` or not closed at `now` are left out; a malformed row, or a day not starting at 00:00
 * UTC, throws.
 */
export function closedCandles(rows: unknown, since: number, now: number): Candle[] {
  const parsed = z.array(ohlcvRow).parse(rows);
  const byDay = new Map<number, Candle>();
  for (const r of parsed) {
    const [t, o, h, l, c] = r;
    const v = r[5];
    if (t % DAY_MS !== 0) throw new CandleDataError(t, "does not start a UTC day");
    if (t < since || t + DAY_MS > now) continue;
    if (l > h || l > o || l > c || h < o || h < c) throw new CandleDataError(t, "low/high outside open/close");
    byDay.set(t, { openTime: t, open: decimalText(o), high: decimalText(h), low: decimalText(l), close: decimalText(c), volume: typeof v === "number" ? decimalText(v) : null });
  }
  return [...byDay.values()].sort((a, b) => a.openTime - b.openTime);
}

/** Writes one page: candles, their closes as market_prices close_1d, and the series' cursor, in one transaction. */
export async function writePage(sql: Sql, s: { exchange: string; symbol: string; timeframe: string }, candles: Candle[], nextSince: number, requests: number): Promise<number> {
  const col = <K extends keyof Candle>(k: K) => arrayLiteral(candles.map((c) => (c[k] === null ? null : String(c[k]))));
  const times = arrayLiteral(candles.map((c) => new Date(c.openTime).toISOString()));
  return await sql.begin(async (tx) => {
    const [r] = await tx.unsafe(
      `with input as (
         select t.open_time::timestamptz as open_time, t.open::numeric as open, t.high::numeric as high, t.low::numeric as low,
                t.close::numeric as close, t.volume::numeric as volume
           from unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[]) as t (open_time, open, high, low, close, volume)),
       changed as (
         -- rows not stored yet or stored with other values (a re-run then writes nothing: cheaper
         -- than letting every row reach ON CONFLICT)
         select i.* from input as i
          where not exists (select 1 from public.market_candles as mc
                             where mc.exchange = $1::public.exchange_id and mc.symbol = $2 and mc.timeframe = $3
                               and mc.open_time = i.open_time
                               and (mc.open, mc.high, mc.low, mc.close, mc.volume) is not distinct from (i.open, i.high, i.low, i.close, i.volume))),
       candles as (
         insert into public.market_candles as mc (exchange, symbol, timeframe, open_time, open, high, low, close, volume)
         select $1::public.exchange_id, $2, $3, i.open_time, i.open, i.high, i.low, i.close, i.volume from changed as i
         on conflict (exchange, symbol, timeframe, open_time) do update
            set open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close,
                volume = excluded.volume, fetched_at = now()
          where (mc.open, mc.high, mc.low, mc.close, mc.volume) is distinct from
                (excluded.open, excluded.high, excluded.low, excluded.close, excluded.volume)
         returning 1),
       prices as (
         insert into public.market_prices as mp (exchange, symbol, kind, price, as_of)
         select $1::public.exchange_id, $2, 'close_1d', i.close, i.open_time from input as i
          where not exists (select 1 from public.market_prices as p
                             where p.exchange = $1::public.exchange_id and p.symbol = $2 and p.kind = 'close_1d'
                               and p.as_of = i.open_time and p.price = i.close)
         on conflict (exchange, symbol, kind, as_of) do update set price = excluded.price
          where mp.price is distinct from excluded.price
         returning 1),
       cursor as (
         update private.market_series as ms
            set next_since = greatest(ms.next_since, $10::timestamptz),
                last_candle_at = coalesce((select max(i.open_time) from input as i), ms.last_candle_at),
                candles_written = ms.candles_written + (select count(*) from candles),
                requests = ms.requests + $11::bigint,
                updated_at = now()
          where ms.exchange = $1::public.exchange_id and ms.symbol = $2 and ms.timeframe = $3
         returning 1)
       select (select count(*) from candles)::int as written, (select count(*) from prices)::int as prices,
              (select count(*) from cursor)::int as cursors`,
      [s.exchange, s.symbol, s.timeframe, times, col("open"), col("high"), col("low"), col("close"), col("volume"),
        new Date(nextSince).toISOString(), requests],
    );
    return r.written as number;
  });
}

async function finish(sql: Sql, s: ClaimedSeries, status: "ok" | "failed" | "unavailable", error: string | null, retryInMs: number): Promise<void> {
  await sql`
    update private.market_series
       set status = ${status},
           attempts = case when ${status} = 'ok' then 0 else attempts + 1 end,
           last_error = ${error},
           last_success_at = case when ${status} = 'ok' then now() else last_success_at end,
           next_attempt_at = now() + make_interval(secs => ${retryInMs / 1000}),
           claimed_by = null, claimed_at = null, updated_at = now()
     where exchange = ${s.exchange} and symbol = ${s.symbol} and timeframe = ${s.timeframe}`;
}

/** Backoff of a failed series: 5 min × 2^attempts, at most 6 hours. */
export function failureBackoffMs(attempts: number): number {
  return Math.min(6 * 3600_000, 5 * 60_000 * 2 ** Math.min(attempts, 12));
}

async function fetchSeries(deps: CandleDeps, client: CcxtExchange, s: ClaimedSeries, maxPages: number): Promise<SeriesResult> {
  const limit = PAGE_LIMIT[s.exchange as keyof typeof PAGE_LIMIT];
  const out: SeriesResult = { exchange: s.exchange, symbol: s.symbol, status: "ok", requests: 0, pages: 0, candles: 0 };
  let since = s.next_since.getTime();
  for (;;) {
    const now = deps.now();
    const today = now - (now % DAY_MS);
    if (since >= today) return out; // every closed day fetched
    if (out.pages >= maxPages) {
      out.status = "partial";
      return out;
    }
    const rows = await withRetry(client, () => client.fetchOHLCV(s.symbol, "1d", since, limit), { sleep: deps.sleep, maxAttempts: 3 });
    out.requests++;
    const candles = closedCandles(rows, since, now);
    // Next page: after the last candle received; an empty page (no trading yet, or a gap longer
    // than a page) skips the page's span. Never beyond today's start (today is not closed).
    const last = candles.at(-1)?.openTime;
    const next = Math.min(today, last !== undefined ? last + DAY_MS : since + limit * DAY_MS);
    out.candles += await writePage(deps.sql, s, candles, next, 1);
    out.pages++;
    since = next;
  }
}

/** Claims due series and fetches them; returns one result per series. */
export async function runCandles(deps: CandleDeps, o: CandleRunOptions = {}): Promise<SeriesResult[]> {
  const started = deps.now();
  const worker = o.workerId ?? `candles-${Math.random().toString(36).slice(2, 10)}`;
  const claimed = await deps.sql<ClaimedSeries[]>`
    select exchange, symbol, timeframe, next_since, attempts
      from private.claim_market_series(${worker}, ${o.max ?? 50})`;
  const clients = new Map<ExchangeId, CcxtExchange>();
  const results: SeriesResult[] = [];
  for (const s of claimed) {
    if (deps.now() - started > (o.budgetMs ?? 100_000)) {
      // out of time: give the claim back, due now
      await deps.sql`update private.market_series set claimed_by = null, claimed_at = null
                      where exchange = ${s.exchange} and symbol = ${s.symbol} and timeframe = ${s.timeframe}`;
      continue;
    }
    let client = clients.get(s.exchange);
    if (!client) {
      client = deps.createClient(s.exchange);
      clients.set(s.exchange, client);
    }
    try {
      const r = await fetchSeries(deps, client, s, o.maxPagesPerSeries ?? 20);
      await finish(deps.sql, s, "ok", null, 0);
      results.push(r);
    } catch (e) {
      const c = classifyError(e, client);
      const unavailable = c.errorClass === "BadSymbol";
      const error = scrubMessage(`${c.errorClass}: ${c.message}`, [], 500);
      await finish(deps.sql, s, unavailable ? "unavailable" : "failed", error, unavailable ? 7 * DAY_MS : failureBackoffMs(s.attempts));
      results.push({ exchange: s.exchange, symbol: s.symbol, status: unavailable ? "unavailable" : "failed", requests: 0, pages: 0, candles: 0, error });
      deps.log?.(`candles ${s.exchange} ${s.symbol}: ${error}`);
    }
  }
  return results;
}

/** A keyless ccxt client for public market data (rate limiter on). */
export function publicClient(exchange: ExchangeId): CcxtExchange {
  return createExchangeClient({ exchange, apiKey: "", secret: "", enableRateLimit: true });
}
