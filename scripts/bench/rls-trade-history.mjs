#!/usr/bin/env node
// Benchmark: does Row Level Security cost anything on trade_history?
//
// Loads ≥ 1,000,000 trade_history rows over 1,000 dedicated bench users (insert … select
// generate_series, in chunks), ANALYZEs, then measures a user's "last 30 days, newest first,
// 100 rows" query
//   - through RLS, exactly as PostgREST runs it: connected as `authenticator`, in a transaction,
//     role `authenticated` and the full JWT claim set set transaction-locally, then the query
//     with no user filter (the policy `user_id = (select auth.uid())` does the filtering);
//   - as the table owner (postgres: BYPASSRLS, the "superuser" of a Supabase project) with an
//     explicit `user_id = $1` filter, also in a transaction on its own connection, so that the
//     client-side path is the same and the difference is what RLS costs;
// interleaved over ~200 iterations across random users (each user's pages warmed by one untimed
// query first, then the two paths in alternating order), and prints p50 / p95 of both and the
// ratio. Targets: ratio ≤ 1.2, RLS p50 < 5 ms. Cleans up after itself (the bench users and,
// by cascade, their rows).
//
// Usage: node scripts/bench/rls-trade-history.mjs [--rows N] [--users N] [--iterations N] [--keep] [--reuse]
//        (--keep leaves the bench rows in place; --reuse measures on the rows a --keep run left)
// Env:   BENCH_DB_URL (default the local stack on STACK_DB_PORT or 54322), BENCH_AUTHENTICATOR_URL (default: the
//        same URL with user `authenticator`; falls back to the owner connection + SET ROLE).
import postgres from "postgres";
import { pathToFileURL } from "node:url";

// The default stack (port 54322), or the one STACK_DB_PORT names (as `npm run bench` runs it).
const DEFAULT_URL = `postgresql://postgres:postgres@127.0.0.1:${process.env.STACK_DB_PORT ?? 54322}/postgres`;
const BENCH_EMAIL_DOMAIN = "bench-rls.invalid";
const CHUNK = 100_000;

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

function summarise(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return { p50: percentile(s, 50), p95: percentile(s, 95), mean, min: s[0], max: s[s.length - 1], n: s.length };
}

function authenticatorUrl(url) {
  if (process.env.BENCH_AUTHENTICATOR_URL) return process.env.BENCH_AUTHENTICATOR_URL;
  const u = new URL(url);
  u.username = "authenticator";
  return u.toString();
}

const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

const QUERY_COLUMNS = `id, exchange, market_type, symbol, side, entry_price, exit_price, exit_quantity, net_pnl,
  pnl_percentage, exit_type, hold_duration, entry_time, exit_time`;

/**
 * Runs the benchmark and returns its figures:
 * { rows, users, iterations, loadMs, rowsPerSecond, rls: {p50,p95,…}, direct: {…}, ratioP50, ratioP95, rlsTxn: {…},
 *   rowsPerQuery, authenticatorPath }
 */
export async function benchRlsTradeHistory({
  rows = 1_000_000,
  users = 1000,
  iterations = 200,
  keep = false,
  reuse = false,
  url = process.env.BENCH_DB_URL ?? DEFAULT_URL,
  log = (msg) => process.stderr.write(`bench:rls-trade-history: ${msg}\n`),
} = {}) {
  const owner = postgres(url, { max: 2, onnotice: () => {}, idle_timeout: 5 });
  let auth = null;
  let ownerTx = null;
  let authenticatorPath = "authenticator";
  const userIds = [];
  try {
    const existing = reuse
      ? await owner`select id, email from auth.users where email like ${"%@" + BENCH_EMAIL_DOMAIN}`
      : [];
    // Leftovers of an interrupted run.
    if (existing.length === 0) await cleanup(owner, log);

    let loadMs = 0;
    if (existing.length > 0) {
      // --reuse: the rows of a --keep run are still there.
      for (const r of existing) userIds.push({ id: r.id, email: r.email });
      rows = Number((await owner`select count(*) as n from public.trade_history
                                  where user_id in (select id from auth.users where email like ${"%@" + BENCH_EMAIL_DOMAIN})`)[0].n);
      users = existing.length;
      log(`reusing ${rows} rows of ${users} bench users`);
    } else {
    // 1. Dedicated bench users (their profiles come from the signup trigger).
    const t0 = process.hrtime.bigint();
    const created = await owner.begin(async (tx) => {
      await tx`set local app.skip_audit = 'on'`;
      return await tx`
      insert into auth.users (id, email, aud, role, instance_id, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
      select gen_random_uuid(), 'user' || g || '@' || ${BENCH_EMAIL_DOMAIN}, 'authenticated', 'authenticated',
             '00000000-0000-0000-0000-000000000000', '{"provider":"email","providers":["email"]}', '{}', now(), now()
        from generate_series(1, ${users}::int) as g
      returning id, email`;
    });
    for (const r of created) userIds.push({ id: r.id, email: r.email });

    // 2. Rows: spread evenly over the users, exit times over the last 365 days, in chunks.
    //    The audit trail is skipped for this bulk load by the table owner (app.skip_audit).
    const symbols = ["BTC/USDT", "ETH/USDT", "SOL/USDT", "BNB/USDT", "XRP/USDT", "DOGE/USDT", "ADA/USDT", "AVAX/USDT"];
    for (let start = 0; start < rows; start += CHUNK) {
      const n = Math.min(CHUNK, rows - start);
      await owner.begin(async (tx) => {
        await tx`set local app.skip_audit = 'on'`;
        await tx`
          with u as (
            select id, row_number() over (order by id) - 1 as k
              from auth.users where email like ${"%@" + BENCH_EMAIL_DOMAIN}
          ), g as (
            select s, (s % ${users}::int) as k, random() as r1, random() as r2, random() as r3
              from generate_series(${start + 1}::bigint, ${start + n}::bigint) as s
          ), t as (
            select u.id as user_id, g.s,
                   (array['binance','bitget','gateio','mexc'])[1 + (g.s % 4)]::public.exchange_id as exchange,
                   (${symbols}::text[])[1 + (g.s / 4 % ${symbols.length})] as symbol,
                   now() - (g.r1 * interval '365 days') as exit_time,
                   round((100 + g.r2 * 1000)::numeric, 8) as entry_price,
                   round((100 + g.r3 * 1000)::numeric, 8) as exit_price,
                   round((0.01 + g.r2)::numeric, 8) as qty,
                   (g.r3 * interval '3 days') as hold
              from g join u on u.k = g.k
          )
          insert into public.trade_history (
            user_id, exchange, market_type, symbol, side, entry_price, entry_time, entry_quantity, entry_fees,
            exit_price, exit_time, exit_quantity, exit_fees, exit_type, gross_pnl, net_pnl, pnl_percentage,
            roi_percentage, hold_duration, close_key)
          select user_id, exchange, 'spot', symbol, 'LONG', entry_price, exit_time - hold, qty, 0.1,
                 exit_price, exit_time, qty, 0.1,
                 (array['TP','SL','MANUAL','PARTIAL'])[1 + (s % 4)],
                 (exit_price - entry_price) * qty, (exit_price - entry_price) * qty - 0.2,
                 round(((exit_price - entry_price) * qty - 0.2) / (entry_price * qty) * 100, 8),
                 round(((exit_price - entry_price) * qty - 0.2) / (entry_price * qty) * 100, 8),
                 hold, 'bench:' || s
            from t`;
      });
      log(`loaded ${start + n} / ${rows} rows`);
    }
    await owner`analyze public.trade_history`;
    loadMs = ms(t0);
    log(`load + analyze: ${(loadMs / 1000).toFixed(1)} s (${Math.round(rows / (loadMs / 1000))} rows/s)`);
    }

    // 3. The authenticator connection (PostgREST's), or the owner + SET ROLE when it cannot log in.
    try {
      auth = postgres(authenticatorUrl(url), { max: 1, onnotice: () => {}, idle_timeout: 5 });
      await auth`select 1`;
    } catch (e) {
      log(`cannot connect as authenticator (${e.message}); using the owner connection with SET ROLE authenticated`);
      await auth?.end({ timeout: 1 }).catch(() => {});
      auth = postgres(url, { max: 1, onnotice: () => {}, idle_timeout: 5 });
      authenticatorPath = "owner + set role";
    }

    const rlsQuery = (tx) => tx`
      select ${tx.unsafe(QUERY_COLUMNS)} from public.trade_history
       where exit_time >= now() - interval '30 days'
       order by exit_time desc, id desc
       limit 100`;
    const directQuery = (u, sql = owner) => sql`
      select ${sql.unsafe(QUERY_COLUMNS)} from public.trade_history
       where user_id = ${u.id} and exit_time >= now() - interval '30 days'
       order by exit_time desc, id desc
       limit 100`;
    // The owner path runs the same way on the client side (its own connection, in a
    // transaction), so that the two figures differ by what RLS costs and nothing else.
    ownerTx = postgres(url, { max: 1, onnotice: () => {}, idle_timeout: 5 });

    const rlsSamples = [];
    const rlsTxnSamples = [];
    const directSamples = [];
    let rowsSeen = 0;
    let mismatches = 0;
    const warmup = Math.min(20, iterations);
    for (let i = 0; i < warmup + iterations; i++) {
      const u = userIds[Math.floor(Math.random() * userIds.length)];
      const claims = JSON.stringify({
        sub: u.id, role: "authenticated", aud: "authenticated", email: u.email,
        exp: Math.floor(Date.now() / 1000) + 3600, iat: Math.floor(Date.now() / 1000),
        aal: "aal1", session_id: crypto.randomUUID(), is_anonymous: false,
      });
      // RLS path, as PostgREST: one transaction, one preamble statement, the query, commit.
      const viaRls = async () => {
        let rows;
        let qMs;
        const tTxn = process.hrtime.bigint();
        await auth.begin(async (tx) => {
          await tx`select set_config('search_path', '"public", "extensions"', true),
                          set_config('role', 'authenticated', true),
                          set_config('request.jwt.claims', ${claims}, true),
                          set_config('request.method', 'GET', true),
                          set_config('request.path', '/trade_history', true),
                          set_config('statement_timeout', '8s', true)`;
          const tq = process.hrtime.bigint();
          rows = await rlsQuery(tx);
          qMs = ms(tq);
        });
        return { rows, qMs, txnMs: ms(tTxn) };
      };
      // Owner path with an explicit filter.
      const viaOwner = async () => {
        let rows;
        let qMs;
        await ownerTx.begin(async (tx) => {
          await tx`select set_config('search_path', '"public", "extensions"', true),
                          set_config('statement_timeout', '8s', true)`;
          const td = process.hrtime.bigint();
          rows = await directQuery(u, tx);
          qMs = ms(td);
        });
        return { rows, qMs };
      };
      // Warm the user's pages (untimed), then alternate which path runs first, so that
      // neither is favoured by the cache: the figures compare the query work, not disk reads.
      await directQuery(u);
      let r;
      let d;
      if (i % 2 === 0) {
        r = await viaRls();
        d = await viaOwner();
      } else {
        d = await viaOwner();
        r = await viaRls();
      }
      const rlsRows = r.rows;
      const directRows = d.rows;
      const qMs = r.qMs;
      const txnMs = r.txnMs;
      const dMs = d.qMs;
      if (i >= warmup) {
        rlsSamples.push(qMs);
        rlsTxnSamples.push(txnMs);
        directSamples.push(dMs);
        rowsSeen += rlsRows.length;
        if (rlsRows.length !== directRows.length || (rlsRows[0]?.id ?? null) !== (directRows[0]?.id ?? null)) mismatches++;
      }
    }
    if (mismatches > 0) throw new Error(`RLS and direct queries disagreed on ${mismatches} iterations`);

    const rls = summarise(rlsSamples);
    const direct = summarise(directSamples);
    const result = {
      rows, users, iterations, loadMs, rowsPerSecond: loadMs > 0 ? Math.round(rows / (loadMs / 1000)) : null,
      rls, direct, rlsTxn: summarise(rlsTxnSamples),
      ratioP50: rls.p50 / direct.p50, ratioP95: rls.p95 / direct.p95,
      rowsPerQuery: rowsSeen / iterations, authenticatorPath,
    };

    // The plan the RLS query gets, for the record.
    await auth.begin(async (tx) => {
      const u = userIds[0];
      await tx`select set_config('role', 'authenticated', true),
                      set_config('request.jwt.claims', ${JSON.stringify({ sub: u.id, role: "authenticated" })}, true)`;
      const plan = await tx.unsafe(`explain (analyze, buffers, costs off, timing off, summary off)
        select ${QUERY_COLUMNS} from public.trade_history
         where exit_time >= now() - interval '30 days' order by exit_time desc, id desc limit 100`);
      result.rlsPlan = plan.map((r) => r["QUERY PLAN"]).join("\n");
    });
    return result;
  } finally {
    if (!keep) await cleanup(owner, log).catch((e) => log(`cleanup failed: ${e.message}`));
    await auth?.end({ timeout: 5 }).catch(() => {});
    await ownerTx?.end({ timeout: 5 }).catch(() => {});
    await owner.end({ timeout: 5 });
  }
}

/** Deletes the bench users; their trade_history rows and profiles go by cascade (audit skipped). */
async function cleanup(sql, log) {
  const t0 = process.hrtime.bigint();
  const n = await sql.begin(async (tx) => {
    await tx`set local app.skip_audit = 'on'`;
    await tx`delete from public.trade_history
              where user_id in (select id from auth.users where email like ${"%@" + BENCH_EMAIL_DOMAIN})`;
    const del = await tx`delete from auth.users where email like ${"%@" + BENCH_EMAIL_DOMAIN} returning id`;
    if (del.length > 0) {
      await tx`delete from public.audit_logs where user_id = any(${del.map((r) => r.id)}::uuid[])`;
    }
    return del.length;
  });
  if (n > 0) log(`cleaned up ${n} bench users and their rows in ${(ms(t0) / 1000).toFixed(1)} s`);
}

function parseArgs(argv) {
  const opts = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--keep") opts.keep = true;
    else if (a === "--reuse") opts.reuse = true;
    else if (a === "--rows") opts.rows = Number(argv[++i]);
    else if (a === "--users") opts.users = Number(argv[++i]);
    else if (a === "--iterations") opts.iterations = Number(argv[++i]);
    else throw new Error(`unknown argument ${a}`);
  }
  return opts;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const f = (x) => x.toFixed(3);
  try {
    const r = await benchRlsTradeHistory(parseArgs(process.argv.slice(2)));
    console.log(`trade_history RLS benchmark: ${r.rows} rows over ${r.users} users, ${r.iterations} iterations (${r.rowsPerQuery.toFixed(1)} rows per query)`);
    console.log(r.loadMs > 0
      ? `  load + analyze              ${(r.loadMs / 1000).toFixed(1)} s (${r.rowsPerSecond} rows/s)`
      : `  load                        reused the rows of a --keep run`);
    console.log(`  through RLS (authenticated) p50 ${f(r.rls.p50)} ms  p95 ${f(r.rls.p95)} ms  (via ${r.authenticatorPath})`);
    console.log(`  owner, explicit user_id     p50 ${f(r.direct.p50)} ms  p95 ${f(r.direct.p95)} ms`);
    console.log(`  ratio RLS / direct          p50 ${r.ratioP50.toFixed(2)}  p95 ${r.ratioP95.toFixed(2)}  (target ≤ 1.2)`);
    console.log(`  whole PostgREST-like transaction (begin, preamble, query, commit) p50 ${f(r.rlsTxn.p50)} ms  p95 ${f(r.rlsTxn.p95)} ms`);
    console.log(`  targets: ratio ≤ 1.2 ${r.ratioP50 <= 1.2 ? "met" : "NOT met"}; RLS p50 < 5 ms ${r.rls.p50 < 5 ? "met" : "NOT met"}`);
    console.log(`  plan through RLS:\n${r.rlsPlan.replace(/^/gm, "    ")}`);
  } catch (e) {
    console.error(`bench:rls-trade-history failed: ${e.message}`);
    process.exitCode = 1;
  }
}
