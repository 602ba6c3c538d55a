/**
 * The performance layer's pg_cron jobs: the schedules exist, the snapshot job really runs under
 * pg_cron once, and each job function does its work when called directly.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminSql, asService, closePools, ownerSql, trackMarketPrices } from "../support/db.ts";
import { createUser, type TestUser } from "../support/users.ts";
import { cronRunsSettled, until } from "../support/wait.ts";

// market_prices is shared: remove what this file writes (tracked before its own set-up runs).
let cleanPrices: () => Promise<void> = async () => {};
beforeAll(async () => { cleanPrices = await trackMarketPrices(); });


const sql = () => adminSql();
const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/**
 * Pauses named cron jobs for the duration of a test (so they do not race the direct calls): once
 * deactivated, a run of theirs already in progress is waited for (its run row final, no pg_cron
 * session running its command), however long that takes.
 */
async function paused<T>(names: string[], fn: () => Promise<T>): Promise<T> {
  const rows = await ownerSql()`select jobid::int as jobid from cron.job where jobname = any(${names}) and active`;
  for (const r of rows) await ownerSql()`select cron.alter_job(${r.jobid}::bigint, active := false)`;
  try {
    await cronRunsSettled(adminSql(), rows.map((r) => r.jobid as number));
    return await fn();
  } finally {
    for (const r of rows) await ownerSql()`select cron.alter_job(${r.jobid}::bigint, active := true)`;
  }
}

afterAll(closePools);

describe("schedules", () => {
  it("are named, one per job function, as in the migration", async () => {
    const rows = await ownerSql()`select jobname, schedule, command from cron.job
                                  where jobname in ('enqueue-due-syncs', 'update-unrealized-pnl', 'take-portfolio-snapshots',
                                                    'refresh-performance-metrics', 'prune-job-history') order by jobname`;
    expect(rows.map((r) => [r.jobname, r.schedule, r.command])).toEqual([
      ["enqueue-due-syncs", "*/5 * * * *", "select private.enqueue_due_syncs()"],
      ["prune-job-history", "30 3 * * *", "select private.prune_job_history()"],
      ["refresh-performance-metrics", "15 * * * *", "select private.run_hourly_performance_refresh()"],
      ["take-portfolio-snapshots", "5 0 * * *", "select private.take_portfolio_snapshots()"],
      ["update-unrealized-pnl", "* * * * *", "select private.update_unrealized_pnl()"],
    ]);
  });
});

describe("one definition per job (issue 16)", () => {
  it("enqueue_due_syncs exists once, as invoker, with the auth_failed rule, scheduled by one job", async () => {
    const fns = await ownerSql()`select p.prosecdef, pg_get_functiondef(p.oid) as def from pg_proc as p
                                 join pg_namespace as n on n.oid = p.pronamespace
                                where n.nspname = 'private' and p.proname = 'enqueue_due_syncs'`;
    expect(fns).toHaveLength(1);
    expect(fns[0].prosecdef).toBe(false);
    expect(fns[0].def).toContain("auth_failed");
    const jobs = await ownerSql()`select jobname from cron.job where command ilike '%enqueue_due_syncs%'`;
    expect(jobs.map((j) => j.jobname)).toEqual(["enqueue-due-syncs"]);
  });
});

describe("the snapshot job under pg_cron", () => {
  let carol: TestUser;
  beforeAll(async () => {
    carol = await createUser("cron-carol");
    await sql()`insert into public.balances (user_id, exchange, account_type, asset, free, locked, total, as_of)
                values (${carol.id}, 'bitget', 'spot', 'USDT', 123, 0, 123, '2026-11-10T12:00:00Z')`;
  });

  it("runs once from a `* * * * *` schedule, succeeds and writes the row; the health view shows the run", async () => {
    const sqlo = ownerSql();
    const name = `test-take-snapshots-${Date.now()}`;
    const command = `select private.take_portfolio_snapshots('2026-11-10'::date, '${carol.id}'::uuid)`;
    const [{ jobid }] = await sqlo`select cron.schedule(${name}, '* * * * *', ${command}) as jobid`;
    try {
      // Synchronised on the run's row reaching a final status, whenever pg_cron gets to it (the next
      // minute boundary, then however long the run takes): no assertion depends on how fast. The
      // safety deadline only turns a run that never comes into a clear failure.
      const status = await until(`a final run of cron job ${jobid}`, async () => {
        const rows = await sqlo`select status from cron.job_run_details where jobid = ${jobid} order by runid desc limit 1`;
        const s = rows[0]?.status as string | undefined;
        return s === "succeeded" || s === "failed" ? s : undefined;
      }, { safetyMs: 180_000, everyMs: 1000 });
      expect(status).toBe("succeeded");
      const rows = await sql()`select exchange, total_balance, is_reconstructed from public.portfolio_snapshots
                               where user_id = ${carol.id} and snapshot_date = '2026-11-10' order by exchange nulls last`;
      expect(rows.map((r) => [r.exchange, n(r.total_balance), r.is_reconstructed])).toEqual([["bitget", 123, false], [null, 123, false]]);

      const [health] = await asService((tx) => tx`select * from private.cron_job_health where jobid = ${jobid}`);
      expect(health).toMatchObject({ jobname: name, schedule: "* * * * *", last_status: "succeeded" });
      expect(health.last_duration).not.toBeNull();
      expect(Number(health.runs_last_24h)).toBeGreaterThanOrEqual(1);
    } finally {
      await sqlo`select cron.unschedule(${jobid}::bigint)`;
    }
  }, 240_000);

  it("the health view is for the service role only", async () => {
    const rows = await asService((tx) => tx`select jobname from private.cron_job_health where jobname = 'take-portfolio-snapshots'`);
    expect(rows).toHaveLength(1);
    const [grants] = await sql()`select has_table_privilege('authenticated', 'private.cron_job_health', 'select') as a,
                                        has_table_privilege('anon', 'private.cron_job_health', 'select') as b`;
    expect(grants).toEqual({ a: false, b: false });
  });
});

describe("update_unrealized_pnl", () => {
  it("applies the spec formulas at the latest price and writes only changed rows", async () => {
    const dave = await createUser("cron-dave");
    await sql()`insert into public.market_prices (exchange, symbol, kind, price, as_of) values
                  ('binance', 'SOL/USDT', 'last', 150, now() - interval '2 hours'),
                  ('binance', 'SOL/USDT', 'last', 160, now() - interval '1 minute'),
                  ('binance', 'AVAX/USDT:USDT', 'last', 31, now() - interval '1 minute')`;
    await sql()`insert into public.positions (user_id, exchange, market_type, symbol, side, entry_price, quantity, total_cost, status, closed_at) values
                  (${dave.id}, 'binance', 'spot', 'SOL/USDT', 'LONG', 140, 3, 420, 'OPEN', null),
                  (${dave.id}, 'binance', 'swap', 'AVAX/USDT:USDT', 'SHORT', 30, 10, 300, 'OPEN', null),
                  (${dave.id}, 'binance', 'swap', 'NOPRICE/USDT:USDT', 'LONG', 1, 1, 1, 'OPEN', null),
                  (${dave.id}, 'gateio', 'spot', 'SOL/USDT', 'LONG', 100, 0, 0, 'CLOSED', now())`;
    await paused(["update-unrealized-pnl"], async () => {
      const [{ n: first }] = await asService((tx) => tx`select private.update_unrealized_pnl() as n`);
      expect(first).toBeGreaterThanOrEqual(2);
      const rows = await sql()`select symbol, status, unrealized_pnl, unrealized_pnl_percentage from public.positions
                               where user_id = ${dave.id} order by symbol, status`;
      expect(rows.map((r) => [r.symbol, r.status, n(r.unrealized_pnl), n(r.unrealized_pnl_percentage)])).toEqual([
        ["AVAX/USDT:USDT", "OPEN", -10, -3.33333333], // SHORT (30 − 31) × 10; −10 / 300 × 100
        ["NOPRICE/USDT:USDT", "OPEN", null, null], // no price: unpriced (NULL, as open_positions shows it), never 0
        ["SOL/USDT", "CLOSED", null, null], // closed: untouched (no default value)
        ["SOL/USDT", "OPEN", 60, 14.28571429], // LONG (160 − 140) × 3; 60 / 420 × 100
      ]);
      const [{ n: second }] = await asService((tx) => tx`select private.update_unrealized_pnl() as n`);
      expect(second).toBe(0); // nothing changed
    });
  });
});

describe("enqueue_due_syncs", () => {
  it("queues one job per due credential, never two pending for the same credential", async () => {
    const erin = await createUser("cron-erin");
    await sql()`insert into public.api_credentials (user_id, exchange, is_active, api_key_ct, secret_key_ct, last_sync_at, verification_status, deleted_at) values
                  (${erin.id}, 'binance', true, 'v1:k:a:b', 'v1:k:a:c', now() - interval '2 hours', 'verified', null),
                  (${erin.id}, 'bitget', true, 'v1:k:a:b', 'v1:k:a:c', now() - interval '10 minutes', 'verified', null),
                  (${erin.id}, 'gateio', false, null, null, null, 'unverified', now()),
                  (${erin.id}, 'mexc', true, 'v1:k:a:b', 'v1:k:a:c', null, 'invalid', null)`;
    await paused(["enqueue-due-syncs"], async () => {
      const jobs = () => sql()`select c.exchange, j.status, j.kind from public.sync_jobs as j
                               join public.api_credentials as c on c.user_id = j.user_id and c.id = j.credential_id
                               where j.user_id = ${erin.id} order by j.id`;
      const [{ n: queued }] = await asService((tx) => tx`select private.enqueue_due_syncs() as n`);
      expect(queued).toBeGreaterThanOrEqual(1);
      // binance only: bitget synced 10 minutes ago, gateio deleted, mexc's key rejected.
      expect((await jobs()).map((j) => [j.exchange, j.status, j.kind])).toEqual([["binance", "queued", "incremental"]]);
      await asService((tx) => tx`select private.enqueue_due_syncs()`);
      expect(await jobs()).toHaveLength(1); // still queued: not enqueued twice

      // The worker finishes it; a job created less than an hour ago still counts as the last run.
      await sql()`update public.sync_jobs set status = 'succeeded', finished_at = now() where user_id = ${erin.id}`;
      await asService((tx) => tx`select private.enqueue_due_syncs()`);
      expect(await jobs()).toHaveLength(1);
      // An hour later it is due again.
      await sql()`update public.sync_jobs set created_at = now() - interval '2 hours' where user_id = ${erin.id}`;
      await asService((tx) => tx`select private.enqueue_due_syncs()`);
      expect((await jobs()).map((j) => j.status)).toEqual(["succeeded", "queued"]);
    });
  });
});

describe("prune_job_history and the hourly refresh", () => {
  it("deletes cron run details older than 7 days and sync runs older than 90 days", async () => {
    const frank = await createUser("cron-frank");
    await sql()`insert into public.sync_runs (user_id, exchange, status, started_at, finished_at) values
                  (${frank.id}, 'binance', 'succeeded', now() - interval '100 days', now() - interval '100 days'),
                  (${frank.id}, 'binance', 'succeeded', now() - interval '10 days', now() - interval '10 days')`;
    const [{ jobid }] = await ownerSql()`select jobid from cron.job where jobname = 'prune-job-history'`;
    await ownerSql()`insert into cron.job_run_details (jobid, runid, database, username, command, status, start_time, end_time) values
                       (${jobid}, nextval('cron.runid_seq'), 'postgres', 'postgres', 'old', 'succeeded', now() - interval '8 days', now() - interval '8 days'),
                       (${jobid}, nextval('cron.runid_seq'), 'postgres', 'postgres', 'recent', 'succeeded', now() - interval '1 day', now() - interval '1 day')`;
    const [{ n: deleted }] = await asService((tx) => tx`select private.prune_job_history() as n`);
    expect(deleted).toBeGreaterThanOrEqual(2);
    const runs = await sql()`select started_at > now() - interval '20 days' as recent from public.sync_runs where user_id = ${frank.id}`;
    expect(runs.map((r) => r.recent)).toEqual([true]);
    const details = await ownerSql()`select command from cron.job_run_details where jobid = ${jobid} order by runid`;
    expect(details.map((d) => d.command)).toEqual(["recent"]);
  });

  it("the hourly refresh computes metrics of users with new closes, refreshes the summary and moves its watermark", async () => {
    const gina = await createUser("cron-gina");
    await sql()`insert into public.trade_history (user_id, exchange, market_type, symbol, side, entry_price, entry_time, entry_quantity,
                  exit_price, exit_time, exit_quantity, exit_type, gross_pnl, net_pnl, hold_duration, close_key)
                values (${gina.id}, 'binance', 'spot', 'X/USDT', 'LONG', 10, '2026-11-01T00:00:00Z', 1, 12, '2026-11-01T01:00:00Z', 1,
                        'MANUAL', 2, 2, '1 hour', 'g1')`;
    await paused(["refresh-performance-metrics"], async () => {
      const [{ t: before }] = await sql()`select clock_timestamp()::text as t`;
      const [{ n: rows }] = await asService((tx) => tx`select private.run_hourly_performance_refresh() as n`);
      const [{ t: after }] = await sql()`select clock_timestamp()::text as t`;
      expect(rows).toBeGreaterThanOrEqual(8); // 4 period types × (binance, all) for gina
      const [m] = await sql()`select total_trades, total_net_pnl from public.performance_metrics
                              where user_id = ${gina.id} and period_type = 'ALL_TIME' and exchange is null`;
      expect([m.total_trades, n(m.total_net_pnl)]).toEqual([1, 2]);
      const [summary] = await sql()`select total_trades from private.user_performance_summary where user_id = ${gina.id}`;
      expect(Number(summary.total_trades)).toBe(1);
      // the watermark moved to this call's start: between two readings of the database clock taken
      // around it (not "within the last minute", which a slow machine could exceed)
      const [wm] = await sql()`select watermark between ${before}::timestamptz and ${after}::timestamptz as fresh from private.job_watermarks
                               where job_name = 'refresh-performance-metrics'`;
      expect(wm.fresh).toBe(true);
      // Nothing new: nothing recomputed.
      const [{ n: again }] = await asService((tx) => tx`select private.run_hourly_performance_refresh() as n`);
      expect(again).toBeGreaterThanOrEqual(0);
      const [{ c }] = await sql()`select count(*)::int as c from public.performance_metrics where user_id = ${gina.id}`;
      expect(c).toBe(8);
    });
  });
});

// Registered last, so it runs before the file's other after-hooks close the pools.
afterAll(async () => { await cleanPrices(); });
