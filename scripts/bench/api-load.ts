// Load benchmark of the frontend's two read paths (issues 8 and 18): N concurrent users (default
// 50), each with M closed trades (default 10,000, generated set-based in SQL) plus open
// positions, monthly metrics and a year of daily snapshots, read the same five things for S
// seconds (default 60) per path, one path after the other on the same data in the same run:
//   functions — the `api` Edge Function's five spec endpoints (supabase.functions.invoke);
//   rest      — the equivalent views and RPCs through PostgREST (supabase.from / .rpc), the
//               trade history being a page plus its totals (two calls, sent together).
// Both go through the stack's gateway with supabase-js; a third phase, functions-direct, sends the
// functions' reads to the functions server behind the gateway (API port + 10) to show what the
// gateway's hop costs. Prints requests/s, p50/p95/p99 overall
// and per read, and errors (any error or network failure; must be 0: the exit code is 1 otherwise).
//
// Usage: npx tsx scripts/bench/api-load.ts [--seconds 60] [--users 50] [--trades 10000] [--path all|functions|rest|functions-direct] [--keep] [--reuse]
//   --keep   leave the bench users and their rows in place afterwards
//   --reuse  run on the rows a --keep run left (no generation)
// Env: BENCH_API_URL (default http://127.0.0.1:$STACK_API_PORT, the stack's gateway),
//      BENCH_DB_URL (default postgresql://postgres:postgres@127.0.0.1:$STACK_DB_PORT/postgres),
//      BENCH_JWT_SECRET (default: the local stack's, from `node scripts/stack.mjs env --secrets`,
//      which follows STACK_DIR for a second stack).
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import { SignJWT } from "jose";
import postgres from "postgres";
import ws from "ws";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const API_URL = (process.env.BENCH_API_URL ?? `http://127.0.0.1:${process.env.STACK_API_PORT ?? 54321}`).replace(/\/+$/, "");
const DB_URL = process.env.BENCH_DB_URL ?? `postgresql://postgres:postgres@127.0.0.1:${process.env.STACK_DB_PORT ?? 54322}/postgres`;
const DOMAIN = "bench-api.invalid";
const ENDPOINTS = [
  "/positions/open",
  "/trades/history?period=30d",
  "/performance/metrics?period=monthly",
  "/portfolio/snapshot",
  "/portfolio/equity-curve?period=90d",
] as const;

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} needs a positive number`);
  return v;
}
const SECONDS = flag("seconds", 60);
const USERS = Math.floor(flag("users", 50));
const TRADES = Math.floor(flag("trades", 10_000));
const KEEP = process.argv.includes("--keep");
const PATHS = ["functions", "rest", "functions-direct"] as const;
type Path = typeof PATHS[number];
const PATH_ARG = process.argv.includes("--path") ? process.argv[process.argv.indexOf("--path") + 1] : "all";
if (PATH_ARG !== "all" && !PATHS.includes(PATH_ARG as Path)) throw new Error(`--path is all or one of ${PATHS.join(", ")}`);
/** The functions server behind the gateway (scripts/lib/paths.mjs: FUNCTIONS_PORT = API_PORT + 10). */
const FUNCTIONS_DIRECT_URL = process.env.BENCH_FUNCTIONS_URL ?? `http://127.0.0.1:${Number(new URL(API_URL).port) + 10}`;
const REUSE = process.argv.includes("--reuse");
const log = (m: string) => process.stderr.write(`bench:api-load: ${m}\n`);

function stackVar(name: string, override?: string): string {
  if (override) return override;
  const out = execFileSync("node", ["scripts/stack.mjs", "env", "--secrets"], { cwd: ROOT, encoding: "utf8" });
  const line = out.split("\n").find((l) => l.startsWith(`${name}=`));
  if (!line) throw new Error(`no ${name} from the stack`);
  return line.slice(name.length + 1);
}
const jwtSecret = () => stackVar("SUPABASE_JWT_SECRET", process.env.BENCH_JWT_SECRET);

/** One read of the frontend: its name per path, and the call (throws on any error). */
interface Read { name: string; run: (c: SupabaseClient) => Promise<unknown> }
const check = async <T extends { error: unknown }>(p: PromiseLike<T>): Promise<T> => {
  const r = await p;
  if (r.error) throw new Error(String((r.error as { message?: string }).message ?? r.error));
  return r;
};
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const FUNCTION_READS: Read[] = ENDPOINTS.map((e) => ({ name: `api${e}`, run: (c) => check(c.functions.invoke(`api${e}`, { method: "GET" })) }));
const READS: Record<Path, Read[]> = {
  functions: FUNCTION_READS,
  "functions-direct": FUNCTION_READS,
  rest: [
    { name: "open_positions", run: (c) => check(c.from("open_positions").select("id, exchange, symbol, side, entry_price::text, quantity::text, current_price::text, unrealized_pnl::text, unrealized_pnl_percentage::text, opened_at")) },
    { name: "rpc get_trade_history + _summary (30d)", run: (c) => Promise.all([
      check(c.rpc("get_trade_history", { p_period: "30d", p_limit: 50 }).select("id, exchange, symbol, side, exit_type, quantity::text, net_pnl::text, exit_time")),
      check(c.rpc("get_trade_history_summary", { p_period: "30d" })),
    ]) },
    { name: "rpc get_performance_metrics (monthly)", run: (c) => check(c.rpc("get_performance_metrics", { p_period: "monthly", p_limit: 1 })) },
    { name: "latest_portfolio_snapshots", run: (c) => check(c.from("latest_portfolio_snapshots").select()) },
    { name: "rpc equity_curve (90 days)", run: (c) => check(c.rpc("equity_curve", { p_from: day(-90), p_to: day(0) })) },
  ],
};

function clientFor(anonKey: string, tok: string, url = API_URL): SupabaseClient {
  return createClient(url, anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: ws as never },
    global: { headers: { Authorization: `Bearer ${tok}` } },
  });
}

async function token(secret: string, id: string, email: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return await new SignJWT({
    sub: id, email, role: "authenticated", aud: "authenticated", aal: "aal1", session_id: crypto.randomUUID(),
    app_metadata: { provider: "email", providers: ["email"] }, user_metadata: {}, is_anonymous: false,
  }).setProtectedHeader({ alg: "HS256", typ: "JWT" }).setIssuedAt(now).setExpirationTime(now + 3600 + SECONDS)
    .sign(new TextEncoder().encode(secret));
}

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

async function cleanup(sql: postgres.Sql): Promise<void> {
  const t0 = process.hrtime.bigint();
  await sql.begin(async (tx) => {
    await tx`set local app.skip_audit = 'on'`;
    await tx`delete from auth.users where email like ${"%@" + DOMAIN}`;
  });
  await sql`delete from public.market_prices where symbol like 'BENCHAPI%'`;
  log(`cleanup: ${(ms(t0) / 1000).toFixed(1)} s`);
}

/** Bench users and their rows, set-based (one statement per table). */
async function generate(sql: postgres.Sql): Promise<void> {
  const t0 = process.hrtime.bigint();
  await sql.begin(async (tx) => {
    await tx`set local app.skip_audit = 'on'`;
    await tx`
      insert into auth.users (id, email, aud, role, instance_id, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
      select gen_random_uuid(), 'user' || g || '@' || ${DOMAIN}, 'authenticated', 'authenticated',
             '00000000-0000-0000-0000-000000000000', '{"provider":"email","providers":["email"]}', '{}', now(), now()
        from generate_series(1, ${USERS}) as g`;
    // Closed trades: exit times spread over the last 365 days, four exchanges, eight symbols.
    await tx`
      insert into public.trade_history (user_id, exchange, market_type, symbol, side, entry_price, entry_time, entry_quantity,
        entry_fees, exit_price, exit_time, exit_quantity, exit_fees, exit_type, gross_pnl, net_pnl, pnl_percentage,
        roi_percentage, hold_duration, close_key)
      select u.id, (array['binance','bitget','gateio','mexc']::public.exchange_id[])[1 + g % 4], 'spot',
             'BENCHAPI' || (g % 8) || '/USDT', 'LONG', t.entry, t.exit_time - t.hold, t.qty, 0.1, t.exit_price, t.exit_time,
             t.qty, 0.1, (array['TP','SL','MANUAL','PARTIAL'])[1 + g % 4],
             round((t.exit_price - t.entry) * t.qty, 18), round((t.exit_price - t.entry) * t.qty - 0.2, 18),
             round(((t.exit_price - t.entry) * t.qty - 0.2) / (t.entry * t.qty) * 100, 8),
             round(((t.exit_price - t.entry) * t.qty - 0.2) / (t.entry * t.qty) * 100, 8), t.hold, 'bench:' || g
        from auth.users as u
        cross join generate_series(1, ${TRADES}) as g
        cross join lateral (select round((100 + random() * 1000)::numeric, 8) as entry,
                                   round((100 + random() * 1000)::numeric, 8) as exit_price,
                                   round((0.01 + random())::numeric, 8) as qty,
                                   now() - random() * interval '365 days' as exit_time,
                                   random() * interval '3 days' as hold
                             where g > 0) as t
       where u.email like ${"%@" + DOMAIN}`;
    // Five open positions each, priced.
    await tx`
      insert into public.positions (user_id, exchange, market_type, symbol, side, entry_price, quantity, total_cost, status, opened_at)
      select u.id, 'binance', 'spot', 'BENCHAPI' || g || '/USDT', 'LONG', 500, 1, 500, 'OPEN', now() - (g || ' hours')::interval
        from auth.users as u cross join generate_series(0, 4) as g
       where u.email like ${"%@" + DOMAIN}`;
    await tx`
      insert into public.market_prices (exchange, symbol, kind, price, as_of)
      select 'binance', 'BENCHAPI' || g || '/USDT', 'last', 500 + g * 10, now() from generate_series(0, 7) as g
      on conflict do nothing`;
    // Twelve months of metrics (all exchanges) and a year of daily snapshots (total + binance).
    await tx`
      insert into public.performance_metrics (user_id, exchange, period_start, period_end, period_type, total_trades,
        winning_trades, losing_trades, total_net_pnl, win_rate, profit_factor)
      select u.id, null, date_trunc('month', now(), 'UTC') - (m || ' months')::interval,
             date_trunc('month', now(), 'UTC') - ((m - 1) || ' months')::interval - interval '1 second', 'MONTHLY', 800, 500, 300,
             1234.56, 62.5, 1.8
        from auth.users as u cross join generate_series(0, 11) as m
       where u.email like ${"%@" + DOMAIN}`;
    await tx`
      insert into public.portfolio_snapshots (user_id, exchange, total_balance, available_balance, locked_balance,
        unrealized_pnl, total_realized_pnl, snapshot_date)
      select u.id, e.exchange, 10000 + d * 3, 9000, 1000 + d * 3, 50, d * 3, current_date - d
        from auth.users as u cross join generate_series(0, 364) as d
        cross join (values (null::public.exchange_id), ('binance'::public.exchange_id)) as e (exchange)
       where u.email like ${"%@" + DOMAIN}`;
  });
  await sql`analyze public.trade_history`;
  await sql`analyze public.positions`;
  await sql`analyze public.portfolio_snapshots`;
  await sql`analyze public.performance_metrics`;
  log(`generated ${USERS} users × ${TRADES} trades in ${(ms(t0) / 1000).toFixed(1)} s`);
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const fmt = (x: number) => (Number.isNaN(x) ? "-" : x.toFixed(1));

/** S seconds of every user reading in a loop through one path; prints and returns its figures. */
async function phase(path: string, url: string, reads: Read[], clients: SupabaseClient[]) {
  // Warm-up: one round per read (cold start of the function, plan and schema caches).
  for (const r of reads) await r.run(clients[0]);
  const samples = new Map<string, number[]>(reads.map((r) => [r.name, []]));
  const errors: string[] = [];
  let errorCount = 0;
  const deadline = Date.now() + SECONDS * 1000;
  const t0 = process.hrtime.bigint();
  await Promise.all(clients.map(async (client, u) => {
    let i = u; // users start on different reads
    while (Date.now() < deadline) {
      const r = reads[i++ % reads.length];
      const s = process.hrtime.bigint();
      try {
        await r.run(client);
        samples.get(r.name)!.push(ms(s));
      } catch (err) {
        errorCount++;
        if (errors.length < 5) errors.push(`${r.name} → ${(err as Error).message.slice(0, 200)}`);
      }
    }
  }));
  const elapsed = ms(t0) / 1000;
  const all = [...samples.values()].flat().sort((a, b) => a - b);
  const total = all.length + errorCount;
  console.log(`api-load [${path}]: ${clients.length} concurrent users × ${TRADES} trades each, ${elapsed.toFixed(1)} s against ${url}`);
  console.log(`  requests: ${total} (${(total / elapsed).toFixed(1)} req/s), errors: ${errorCount}`);
  console.log(`  latency ms (all): p50 ${fmt(pct(all, 50))}  p95 ${fmt(pct(all, 95))}  p99 ${fmt(pct(all, 99))}  max ${fmt(all[all.length - 1] ?? NaN)}`);
  for (const [e, xs] of samples) {
    xs.sort((a, b) => a - b);
    console.log(`  ${e.padEnd(40)} n=${String(xs.length).padStart(6)}  p50 ${fmt(pct(xs, 50)).padStart(7)}  p95 ${fmt(pct(xs, 95)).padStart(7)}  p99 ${fmt(pct(xs, 99)).padStart(7)}`);
  }
  for (const m of errors) console.log(`  error: ${m}`);
  return { rate: total / elapsed, p50: pct(all, 50), p99: pct(all, 99), errors: errorCount };
}

async function main(): Promise<void> {
  const sql = postgres(DB_URL, { max: 2, onnotice: () => {}, idle_timeout: 5 });
  try {
    let users = REUSE ? await sql`select id::text, email from auth.users where email like ${"%@" + DOMAIN} order by email` : [];
    if (users.length === 0) {
      await cleanup(sql);
      await generate(sql);
      users = await sql`select id::text, email from auth.users where email like ${"%@" + DOMAIN} order by email`;
    } else {
      log(`reusing ${users.length} bench users`);
    }
    const secret = jwtSecret();
    const tokens = await Promise.all(users.map((u) => token(secret, u.id, u.email)));

    const anonKey = stackVar("SUPABASE_ANON_KEY", process.env.BENCH_ANON_KEY);
    let errorCount = 0;
    const paths: readonly Path[] = PATH_ARG === "all" ? PATHS : [PATH_ARG as Path];
    const summary: string[] = [];
    for (const path of paths) {
      const url = path === "functions-direct" ? FUNCTIONS_DIRECT_URL : API_URL;
      const clients = tokens.map((t) => clientFor(anonKey, t, url));
      const r = await phase(path, url, READS[path], clients);
      errorCount += r.errors;
      summary.push(`  ${path.padEnd(16)} ${r.rate.toFixed(1).padStart(7)} req/s  p50 ${fmt(r.p50).padStart(6)} ms  p99 ${fmt(r.p99).padStart(6)} ms  errors ${r.errors}`);
    }
    if (paths.length > 1) console.log(`api-load: the same reads, same data, same run:\n${summary.join("\n")}`);
    if (!KEEP) await cleanup(sql);
    process.exitCode = errorCount > 0 ? 1 : 0;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

await main();
