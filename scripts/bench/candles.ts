/**
 * Benchmark of the daily-candle backfill: S symbols (default 1,000) × D days (default 730, two
 * years) through the real worker path (private.claim_market_series → ccxt binance fetchOHLCV →
 * closedCandles → writePage: candles + market_prices close_1d + the series cursor in one
 * transaction per page), with the exchange answered at the HTTP boundary by a local function
 * (binance /api/v3/klines rows, up to 1,000 a page as binance pages them; synthetic prices).
 * Beside it, in the same run: the write floor — COPY of the same rows into market_candles and
 * market_prices. Then the re-run from the window start (idempotent: 0 rows written).
 *
 *   npm run bench -- candles            (or: npx tsx scripts/bench/candles.ts [--symbols N] [--days N])
 *
 * DB: BENCH_DB_URL, else the local stack (STACK_DB_PORT). Its series, candles and prices
 * (symbols BENCH*) are deleted at the end. Figures are reported, never asserted.
 */
import postgres from "postgres";
import { createExchangeClient } from "../../functions/_shared/exchanges/client.ts";
import { type CandleDeps, DAY_MS, runCandles } from "../../functions/_shared/market/candles.ts";
import { copyRows } from "./lib/db.ts";

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const S = arg("symbols", 1000);
const D = arg("days", 730);
const URL_ = process.env.BENCH_DB_URL ?? `postgresql://postgres:postgres@127.0.0.1:${process.env.STACK_DB_PORT ?? 54322}/postgres`;

const NOW = Date.now();
const TODAY = NOW - (NOW % DAY_MS);
const FROM = TODAY - D * DAY_MS;
const symbols = Array.from({ length: S }, (_, i) => `BENCH${String(i).padStart(4, "0")}/USDT`);
const idOf = (s: string) => s.replace("/", "");

function markets(): Record<string, unknown> {
  const m: Record<string, unknown> = {};
  for (const s of symbols) {
    const [base, quote] = s.split("/");
    m[s] = {
      id: idOf(s), symbol: s, base, quote, baseId: base, quoteId: quote, type: "spot", spot: true, swap: false, future: false,
      option: false, contract: false, linear: null, inverse: null, active: true, precision: { amount: 0.00001, price: 0.01 },
      limits: { amount: {}, price: {}, cost: {} }, info: {},
    };
  }
  return m;
}

/** The close of symbol #k on day t (synthetic, deterministic, 2 decimals). */
function close(k: number, t: number): string {
  return (100 + k + ((t / DAY_MS) % 97) / 4).toFixed(2);
}

let requests = 0;
/** binance GET /api/v3/klines: rows from startTime, at most `limit`, today's (open) candle included. */
function klines(url: string): Response {
  requests++;
  const q = new URL(url).searchParams;
  const k = Number((q.get("symbol") ?? "").slice(5, 9));
  const start = Number(q.get("startTime"));
  const limit = Math.min(Number(q.get("limit") ?? 500), 1000);
  const rows: unknown[] = [];
  for (let t = Math.max(start, FROM); t <= TODAY && rows.length < limit; t += DAY_MS) {
    const c = close(k, t);
    rows.push([t, c, c, c, c, "1000.00000000", t + DAY_MS - 1, "0", 100, "500.00000000", "0", "0"]);
  }
  return new Response(JSON.stringify(rows), { status: 200, headers: { "content-type": "application/json" } });
}

const sql = postgres(URL_, { max: 4, onnotice: () => {}, prepare: false });
const client = createExchangeClient({ exchange: "binance", apiKey: "", secret: "", markets: markets(), enableRateLimit: false });
// deno-lint-ignore no-explicit-any
(client as any).fetchImplementation = async (url: string) => klines(url);
const deps: CandleDeps = { sql, createClient: () => client, now: () => NOW };

async function cleanup(): Promise<void> {
  await sql`delete from public.market_candles where exchange = 'binance' and symbol like 'BENCH%'`;
  await sql`delete from public.market_prices where exchange = 'binance' and symbol like 'BENCH%'`;
  await sql`delete from private.market_series where exchange = 'binance' and symbol like 'BENCH%'`;
}

async function register(): Promise<void> {
  await sql`insert into private.market_series (exchange, symbol, timeframe, backfill_from, next_since, status)
            select 'binance', s, '1d', ${new Date(FROM)}, ${new Date(FROM)}, 'pending' from unnest(${symbols}::text[]) as s`;
}

async function drain(): Promise<{ ms: number; candles: number; series: number }> {
  const t = performance.now();
  let candles = 0;
  let series = 0;
  for (;;) {
    const r = await runCandles(deps, { max: 500, workerId: "bench", budgetMs: 3_600_000 });
    if (!r.length) break;
    series += r.length;
    candles += r.reduce((n, x) => n + x.candles, 0);
    const bad = r.filter((x) => x.status !== "ok");
    if (bad.length) throw new Error(`series failed: ${JSON.stringify(bad[0])}`);
  }
  return { ms: performance.now() - t, candles, series };
}

try {
  await cleanup();
  console.log(`candles: ${S} symbols × ${D} days on binance (1,000 a page), ${new Date(FROM).toISOString().slice(0, 10)} → ${new Date(TODAY - DAY_MS).toISOString().slice(0, 10)}`);
  await register();
  const first = await drain();
  const [{ c, p }] = await sql`select (select count(*)::int from public.market_candles where exchange = 'binance' and symbol like 'BENCH%') as c,
                                      (select count(*)::int from public.market_prices where exchange = 'binance' and symbol like 'BENCH%' and kind = 'close_1d') as p`;
  const rows = c + p;
  console.log(`  worker path: ${first.series} series, ${requests} requests, ${c} candles + ${p} close_1d prices = ${rows} rows in ${(first.ms / 1000).toFixed(2)} s → ${Math.round(rows / (first.ms / 1000)).toLocaleString("en")} rows/s`);

  // Re-run from the window start: same requests, nothing written.
  const before = requests;
  await sql`update private.market_series set next_since = backfill_from where exchange = 'binance' and symbol like 'BENCH%'`;
  const again = await drain();
  console.log(`  re-run (idempotent): ${requests - before} requests, ${again.candles} candles written in ${(again.ms / 1000).toFixed(2)} s`);

  // Write floor: COPY of the same rows (candles, then prices) into the empty tables.
  const stored = await sql`select symbol, open_time, open::text, high::text, low::text, close::text, volume::text
                             from public.market_candles where exchange = 'binance' and symbol like 'BENCH%'`;
  await sql`delete from public.market_candles where exchange = 'binance' and symbol like 'BENCH%'`;
  await sql`delete from public.market_prices where exchange = 'binance' and symbol like 'BENCH%'`;
  const copyCandles = await copyRows(sql, "market_candles", ["exchange", "symbol", "timeframe", "open_time", "open", "high", "low", "close", "volume"],
    stored.map((r) => ["binance", r.symbol, "1d", r.open_time.toISOString(), r.open, r.high, r.low, r.close, r.volume]));
  const copyPrices = await copyRows(sql, "market_prices", ["exchange", "symbol", "kind", "price", "as_of"],
    stored.map((r) => ["binance", r.symbol, "close_1d", r.close, r.open_time.toISOString()]));
  const floor = copyCandles + copyPrices;
  console.log(`  write floor (COPY of the same ${rows} rows): ${(floor / 1000).toFixed(2)} s → ${Math.round(rows / (floor / 1000)).toLocaleString("en")} rows/s`);
  console.log(`  worker path / COPY: ${(floor / first.ms * 100).toFixed(1)} % of the floor's speed (${(first.ms / floor).toFixed(2)}× its time; includes ccxt parsing and ${requests - before} HTTP responses)`);
} finally {
  await cleanup();
  await sql.end({ timeout: 5 });
}
