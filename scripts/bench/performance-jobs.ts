/**
 * Benchmark of the performance layer's jobs (issue 7):
 *   10,000 users, 1,000,000 closed trades in total (generated set-based in SQL), balances on two
 *   exchanges, an open position for one user in five, bench-only prices, and 29 days of earlier
 *   all-exchanges snapshots per user (an equity series for the metrics);
 * then measures
 *   1. the daily snapshot job for all users          private.take_portfolio_snapshots(yesterday)
 *   2. the full metrics recompute                    private.refresh_performance_metrics()
 *      and the hourly job's pass after the daily snapshot (all users, periods since yesterday)
 *   3. the incremental recompute for one user after one close (20 users, p50 / max)
 *   4. the concurrent refresh of user_performance_summary
 *   5. (context) update_unrealized_pnl for all open positions, and a 90-day reconstruction
 * and prints each duration and the per-user cost. Targets: snapshot job ≤ 30 s, incremental
 * ≤ 50 ms per user. Reported, not asserted (shared, noisy machines). Cleans up afterwards (bench
 * users by cascade, bench prices) unless --keep.
 *
 * Usage: npx tsx scripts/bench/performance-jobs.ts [--users N] [--trades N] [--keep]
 * Env:   BENCH_DB_URL (default postgresql://postgres:postgres@127.0.0.1:54322/postgres, or the
 *        port in STACK_DB_PORT)
 */
import postgres from "postgres";

const DEFAULT_URL = `postgresql://postgres:postgres@127.0.0.1:${process.env.STACK_DB_PORT ?? 54322}/postgres`;
const URL_ = process.env.BENCH_DB_URL ?? DEFAULT_URL;
const DOMAIN = "bench-perf.invalid";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const USERS = arg("users", 10_000);
const TRADES = arg("trades", 1_000_000);
const KEEP = process.argv.includes("--keep");
const CHUNK_USERS = 1_000;

// One connection (the bench_users temp table lives on it). The owner may skip the audit trail for
// bulk maintenance (20261125001500_audit_logs): the bench's own load and cleanup are not audited.
const sql = postgres(URL_, {
  max: 1,
  onnotice: () => {},
  prepare: false,
  idle_timeout: 5,
  connection: { statement_timeout: 0, "app.skip_audit": "on" } as Record<string, string | number>,
});

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
async function timed<T>(label: string, fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = process.hrtime.bigint();
  const value = await fn();
  const d = ms(t0);
  console.log(`  ${label.padEnd(58)} ${(d / 1000).toFixed(2).padStart(8)} s`);
  return { ms: d, value };
}

async function cleanup(): Promise<void> {
  // Cascades to balances, positions, trade_history, snapshots, metrics of the bench users.
  await sql`delete from public.audit_logs where user_id in (select id from auth.users where email like ${"%@" + DOMAIN})`;
  await sql`delete from auth.users where email like ${"%@" + DOMAIN}`;
  await sql`delete from public.market_prices where symbol like 'BX%'`;
  await sql`select private.refresh_user_performance_summary()`;
}

async function load(day: string): Promise<void> {
  const tradesPerUser = Math.max(1, Math.floor(TRADES / USERS));
  console.log(`load: ${USERS} users × ${tradesPerUser} closed trades, snapshot day ${day}`);
  await timed("users (auth.users, profiles by trigger)", () => sql`
    insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
                            raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
    select '00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated', 'authenticated',
           'perf-' || g || ${"@" + DOMAIN}, '', now(), '{"provider":"email","providers":["email"]}', '{}', now(), now()
      from generate_series(1, ${USERS}::int) as g`);
  await sql`create temporary table bench_users as
              select row_number() over (order by id)::int as n, id from auth.users where email like ${"%@" + DOMAIN}`;
  const T = `${day}T00:00:00Z`; // start of the snapshot day; its end is T + 1 day
  await timed("prices (bench assets BXA, BXB on binance and gateio)", () => sql`
    insert into public.market_prices (exchange, symbol, kind, price, as_of)
    select e::public.exchange_id, s.symbol, 'last', s.price, ${T}::timestamptz + interval '1 day' - interval '1 minute'
      from unnest(array['binance', 'gateio']) as e
     cross join (values ('BXA/USDT', 50000::numeric), ('BXB/USDT', 3000), ('BXA/USDT:USDT', 50020)) as s (symbol, price)
    union all
    select e::public.exchange_id, s.symbol, 'close_1d', s.price * (1 + 0.01 * sin(d)), ${T}::timestamptz - make_interval(days => d)
      from unnest(array['binance', 'gateio']) as e
     cross join (values ('BXA/USDT', 50000::numeric), ('BXB/USDT', 3000)) as s (symbol, price)
     cross join generate_series(0, 120) as d`);
  await timed("balances (≈ 4.5 per user)", () => sql`
    insert into public.balances (user_id, exchange, account_type, asset, free, locked, total, as_of)
    select u.id, b.exchange::public.exchange_id, b.account, b.asset, b.amount, 0, b.amount,
           ${T}::timestamptz + interval '1 day' - case when u.n % 3 = 0 then interval '-2 minutes' else interval '1 hour' end
      from bench_users as u
     cross join lateral (values ('binance', 'spot', 'USDT', 1000 + u.n % 9000),
                                ('binance', 'spot', 'BXA', (u.n % 100) / 1000.0),
                                ('binance', 'spot', 'BXB', (u.n % 50) / 10.0),
                                ('binance', 'swap', 'USDT', 500 + u.n % 5000),
                                ('gateio', 'spot', 'USDT', 100 + u.n % 700)) as b (exchange, account, asset, amount)
     where b.exchange = 'binance' or u.n % 2 = 0`);
  await timed("open positions (one user in five: swap short)", () => sql`
    insert into public.positions (user_id, exchange, market_type, symbol, side, entry_price, quantity, total_cost, fees_paid, opened_at)
    select u.id, 'binance', 'swap', 'BXA/USDT:USDT', 'SHORT', 51000, 0.01, 510, 0.2, ${T}::timestamptz - interval '3 days'
      from bench_users as u where u.n % 5 = 0`);
  const t0 = process.hrtime.bigint();
  for (let from = 1; from <= USERS; from += CHUNK_USERS) {
    await sql`
      insert into public.trade_history (user_id, exchange, market_type, symbol, side, entry_price, entry_time, entry_quantity,
                                        entry_fees, exit_price, exit_time, exit_quantity, exit_fees, exit_type, gross_pnl,
                                        net_pnl, hold_duration, close_key, stop_loss_price)
      select u.id, x.exchange, 'spot', 'BXA/USDT', 'LONG', 50000, x.exit_time - x.hold, 0.01, 0.5,
             x.exit_price, x.exit_time, 0.01, 0.5, 'MANUAL', (x.exit_price - 50000) * 0.01,
             (x.exit_price - 50000) * 0.01 - 1, x.hold, 'b' || t, case when t % 4 = 0 then 49000 end
        from bench_users as u
       cross join generate_series(1, ${tradesPerUser}::int) as t
       cross join lateral (select case when (u.n + t) % 5 = 0 then 'gateio' else 'binance' end::public.exchange_id as exchange,
                                  50000 + ((u.n * 7 + t * 13) % 2001) - 1000 as exit_price,
                                  ${T}::timestamptz + interval '20 hours' - make_interval(days => (t * 365 / ${tradesPerUser}::int), mins => u.n % 600) as exit_time,
                                  make_interval(mins => 5 + (u.n + t) % 600) as hold) as x
       where u.n between ${from} and ${from + CHUNK_USERS - 1}`;
  }
  const tradeMs = ms(t0);
  console.log(`  ${"closed trades (trade_history)".padEnd(58)} ${(tradeMs / 1000).toFixed(2).padStart(8)} s`);
  await timed("earlier snapshots (29 days × all exchanges)", () => sql`
    insert into public.portfolio_snapshots (user_id, exchange, snapshot_date, total_balance, available_balance, locked_balance, net_flows)
    select u.id, null, ${day}::date - d, 2000 + u.n % 9000 + 10 * sin(u.n + d), 2000 + u.n % 9000 + 10 * sin(u.n + d), 0,
           case when d = 10 and u.n % 7 = 0 then 100 else 0 end
      from bench_users as u cross join generate_series(1, 29) as d`);
  await timed("analyze", () => sql`analyze public.trade_history, public.balances, public.positions, public.portfolio_snapshots, public.market_prices, public.performance_metrics`);
  const [{ c }] = await sql`select count(*)::int as c from public.trade_history as th join bench_users as u on u.id = th.user_id`;
  console.log(`  loaded ${c} closed trades`);
}

async function main(): Promise<void> {
  console.log(`performance-jobs benchmark on ${URL_.replace(/:[^:@/]+@/, ":***@")}`);
  await cleanup();
  const [{ day }] = await sql`select ((now() at time zone 'utc')::date - 1)::text as day`;
  await load(day);

  console.log("measure:");
  const snap = await timed("1. daily snapshot job, all users", () =>
    sql`select private.take_portfolio_snapshots(${day}::date) as n`);
  const snapRows = snap.value[0].n as number;
  const snapAgain = await timed("   same day again (idempotent re-run)", () =>
    sql`select private.take_portfolio_snapshots(${day}::date) as n`);

  const full = await timed("2. full metrics recompute, all users", () => sql`select private.refresh_performance_metrics() as n`);
  const fullRows = full.value[0].n as number;
  // What the hourly job does after the daily snapshot touched every user: one set-based pass
  // over the periods from yesterday on (current day, week, month) plus ALL_TIME.
  const since = await timed("2b. recompute since yesterday, all users (hourly after snapshots)", () =>
    sql`select private.refresh_performance_metrics(null, ${day}::date::timestamptz) as n`);

  // 3. One close for a user, then that user's incremental refresh (20 users).
  const users = await sql`select id from bench_users order by n limit 20 offset 100`;
  const samples: number[] = [];
  for (const u of users) {
    const [{ exit }] = await sql`
      insert into public.trade_history (user_id, exchange, market_type, symbol, side, entry_price, entry_time, entry_quantity,
                                        exit_price, exit_time, exit_quantity, exit_type, gross_pnl, net_pnl, hold_duration, close_key)
      values (${u.id}, 'binance', 'spot', 'BXA/USDT', 'LONG', 50000, ${day}::date + time '10:00', 0.01, 50500,
              ${day}::date + time '12:00', 0.01, 'MANUAL', 5, 4, '2 hours', 'bench-new')
      returning exit_time as exit`;
    const t0 = process.hrtime.bigint();
    await sql`select private.refresh_performance_metrics(${u.id}::uuid, ${exit}::timestamptz)`;
    samples.push(ms(t0));
  }
  samples.sort((a, b) => a - b);
  const p50 = samples[Math.floor(samples.length / 2)];
  console.log(`  ${"3. incremental recompute, one user after one close".padEnd(58)} p50 ${p50.toFixed(1)} ms, max ${samples[samples.length - 1].toFixed(1)} ms (${samples.length} users)`);

  const mv = await timed("4. user_performance_summary refresh (concurrently)", () => sql`select private.refresh_user_performance_summary()`);

  // Reset the bench positions first: the every-minute cron job may already have priced them.
  await sql`update public.positions set unrealized_pnl = 0, unrealized_pnl_percentage = 0
             where user_id in (select id from bench_users) and status = 'OPEN'`;
  const upnl = await timed("5a. update_unrealized_pnl (all open positions)", () => sql`select private.update_unrealized_pnl() as n`);
  const [one] = await sql`select id from bench_users order by n limit 1 offset 3`;
  const rec = await timed("5b. reconstruct 90 days for one user", () =>
    sql`delete from public.portfolio_snapshots where user_id = ${one.id} and snapshot_date > ${day}::date - 90`.then(() =>
      sql`select private.reconstruct_portfolio_history(${one.id}::uuid, ${day}::date - 89, ${day}::date) as n`));

  console.log("results:");
  const per = (d: number) => `${((d / USERS) * 1000).toFixed(1)} µs/user`;
  console.log(`  snapshot job          ${(snap.ms / 1000).toFixed(2)} s for ${USERS} users (${snapRows} rows), ${per(snap.ms)}; re-run ${(snapAgain.ms / 1000).toFixed(2)} s   target ≤ 30 s: ${snap.ms <= 30_000 ? "met" : "MISSED"}`);
  console.log(`  full metrics          ${(full.ms / 1000).toFixed(2)} s (${fullRows} rows), ${per(full.ms)}`);
  console.log(`  since yesterday, all  ${(since.ms / 1000).toFixed(2)} s (${since.value[0].n} rows), ${per(since.ms)}`);
  console.log(`  incremental, 1 user   p50 ${p50.toFixed(1)} ms, max ${samples[samples.length - 1].toFixed(1)} ms   target ≤ 50 ms: ${p50 <= 50 ? "met" : "MISSED"}`);
  console.log(`  MV refresh            ${(mv.ms / 1000).toFixed(2)} s, ${per(mv.ms)}`);
  console.log(`  unrealized PnL        ${(upnl.ms / 1000).toFixed(2)} s (${upnl.value[0].n} positions updated)`);
  console.log(`  reconstruction        ${(rec.ms / 1000).toFixed(2)} s (${rec.value[0].n} rows, 90 days)`);

  if (!KEEP) {
    await timed("cleanup (bench users by cascade, bench prices)", cleanup);
  }
  await sql.end({ timeout: 5 });
}

main().catch(async (err) => {
  console.error(err);
  await sql.end({ timeout: 1 }).catch(() => {});
  process.exit(1);
});
