/**
 * The queue: claiming (FOR UPDATE SKIP LOCKED, stale claims retaken), settling jobs after a sync,
 * the scheduler's enqueue, and "sync now" (public.request_sync) under RLS with its rate limit.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminSql, asUser, closePools } from "../support/db.ts";
import { holdCron } from "../support/cron.ts";
import { parkOtherJobs } from "../support/queue.ts";
import { exportStackEnv } from "../support/env.ts";
import type { ReplayServer } from "../support/ccxt/replay.ts";
import { binanceMyTrades, binanceMyTradesHandler, errorResponse, type RecordedCall } from "../support/ccxt/synthetic.ts";
import { http } from "msw";
import { closeDb, db } from "../../functions/_shared/db.ts";
import { claimJobs, drainQueue, runJob, type SyncOptions } from "../../functions/_shared/sync/index.ts";
import { makeDeps, newCredential, NOW, startSyncServer } from "../unit/sync/support.ts";

const DAY = 86_400_000;
const ROWS = binanceMyTrades({ count: 2500, start: NOW - 2 * DAY, end: NOW - 1, seed: 21 });
const OPTS: SyncOptions = { steps: ["fills"], marketTypes: ["spot"], discover: false, userSymbols: ["LTC/USDT"], backfillDays: 2 };

let server: ReplayServer;
let resumeCron: () => Promise<void> = async () => {};
beforeAll(async () => {
  exportStackEnv();
  server = startSyncServer();
  // other test files may have left due jobs behind: park them so these tests see only their own;
  // pg_cron's enqueue-due-syncs is held first, or a 5-minute tick inside this file would queue
  // jobs for every due credential of the other files (the scheduling test calls it directly)
  resumeCron = await holdCron(["enqueue-due-syncs"]);
  await parkOtherJobs();
});
afterAll(async () => {
  await resumeCron();
  server.close();
  await closeDb();
  await closePools();
});

async function enqueue(userId: string, credentialId: string, kind = "incremental"): Promise<string> {
  const [j] = await adminSql()`insert into public.sync_jobs (user_id, credential_id, kind) values (${userId}, ${credentialId}, ${kind}) returning id`;
  return String(j.id);
}
/** The database's clock, as text (microseconds kept). */
async function dbClock(): Promise<string> {
  const [{ t }] = await adminSql()`select clock_timestamp()::text as t`;
  return t;
}
/**
 * The job's run_after minus `delay`, checked in SQL to lie between two readings of the database's
 * clock taken before and after the write: the write's now() + exactly `delay`, however long the
 * machine took between the write and this check (no comparison with the test's wall clock).
 */
async function backoff(id: string, delay: string, before: string, after: string) {
  const [r] = await adminSql()`select (run_after - ${delay}::interval) between ${before}::timestamptz and ${after}::timestamptz as exact,
                                      run_after::text, ${before}::text as before, ${after}::text as after
                                 from public.sync_jobs where id = ${id}`;
  return r;
}
async function job(id: string) {
  const [j] = await adminSql()`select status, attempts, claimed_by, run_after, last_error, finished_at from public.sync_jobs where id = ${id}`;
  return j;
}

describe("claiming and running jobs", () => {
  it("two workers draining at once: the job is claimed and synced once", async () => {
    const calls: RecordedCall[] = [];
    server.resetHandlers(binanceMyTradesHandler(ROWS, calls));
    const cred = await newCredential("binance", "q2");
    const id = await enqueue(cred.user.id, cred.credentialId);
    const [a, b] = await Promise.all([
      drainQueue(makeDeps("binance", { options: OPTS }), { workerId: "w-a", max: 5 }),
      drainQueue(makeDeps("binance", { options: OPTS }), { workerId: "w-b", max: 5 }),
    ]);
    const outcomes = [...a, ...b];
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ jobId: id, job: "succeeded", sync: "succeeded" });
    expect(await job(id)).toMatchObject({ status: "succeeded", attempts: 1 });
    const runs = await adminSql()`select job_id::text, status from public.sync_runs where user_id = ${cred.user.id}`;
    expect(runs).toEqual([{ job_id: id, status: "succeeded" }]);
    const [{ n }] = await adminSql()`select count(*)::int as n from public.fills where user_id = ${cred.user.id}`;
    expect(n).toBe(ROWS.length);
    expect(calls.length).toBe(4); // 2 windows; 1000 + 1000 + 500 rows, plus one time-bounded request for the second window
  });

  it("a running job with a stale heartbeat is retaken; a live one is not; the dead run is closed as interrupted", async () => {
    const cred = await newCredential("binance", "stale");
    const live = await enqueue(cred.user.id, cred.credentialId, "incremental");
    const stale = await enqueue(cred.user.id, cred.credentialId, "full");
    await adminSql()`update public.sync_jobs set status = 'running', claimed_by = 'dead', claimed_at = now() - interval '1 hour',
                       heartbeat_at = now() - interval '10 minutes', attempts = 1 where id = ${stale}`;
    await adminSql()`update public.sync_jobs set status = 'running', claimed_by = 'alive', claimed_at = now(), heartbeat_at = now(), attempts = 1
                      where id = ${live}`;
    await adminSql()`insert into public.sync_runs (user_id, credential_id, job_id, exchange, status) values (${cred.user.id}, ${cred.credentialId}, ${stale}, 'binance', 'running')`;
    const claimed = await claimJobs(db(), "w-new", 10, 5 * 60_000);
    const mine = claimed.filter((j) => j.user_id === cred.user.id);
    expect(mine.map((j) => j.id)).toEqual([stale]);
    expect(mine[0]).toMatchObject({ status: "running", claimed_by: "w-new", attempts: 2 });
    server.resetHandlers(binanceMyTradesHandler(ROWS));
    const out = await runJob(makeDeps("binance", { options: OPTS }), mine[0], "w-new");
    expect(out.job).toBe("succeeded");
    const runs = await adminSql()`select status, errors from public.sync_runs where user_id = ${cred.user.id} order by id`;
    expect(runs[0].status).toBe("failed");
    expect(runs[0].errors[0].kind).toBe("interrupted");
    expect(runs[1].status).toBe("succeeded");
  });

  it("a job whose credential another worker holds is put back without counting the attempt", async () => {
    const cred = await newCredential("binance", "held");
    const id = await enqueue(cred.user.id, cred.credentialId);
    const holder = await db().reserve();
    try {
      await holder`select pg_advisory_lock(private.sync_lock_key(${cred.credentialId}::uuid))`;
      const [j] = (await claimJobs(db(), "w-1", 10)).filter((x) => x.id === id);
      const before = await dbClock();
      const out = await runJob(makeDeps("binance", { options: OPTS }), j, "w-1");
      const written = await dbClock();
      expect(out).toMatchObject({ job: "requeued", sync: "locked", runId: null });
      const after = await job(id);
      expect(after).toMatchObject({ status: "queued", attempts: 0, claimed_by: null });
      // put back for 30 s from the moment it was settled (database time)
      expect(await backoff(id, "30 seconds", before, written)).toMatchObject({ exact: true });
    } finally {
      await holder`select pg_advisory_unlock_all()`;
      holder.release();
    }
  });

  it("an authentication failure fails the job for good; a transient failure is retried later", async () => {
    const bad = await newCredential("binance", "authjob");
    const flaky = await newCredential("binance", "flaky");
    const badJob = await enqueue(bad.user.id, bad.credentialId);
    const flakyJob = await enqueue(flaky.user.id, flaky.credentialId);
    const claimed = await claimJobs(db(), "w-2", 10);
    const j1 = claimed.find((x) => x.id === badJob)!;
    const j2 = claimed.find((x) => x.id === flakyJob)!;
    server.resetHandlers(http.all("https://*.binance.com/*", errorResponse("binance", "auth")));
    expect((await runJob(makeDeps("binance", { options: OPTS }), j1, "w-2")).job).toBe("failed");
    expect(await job(badJob)).toMatchObject({ status: "failed" });
    expect((await job(badJob)).last_error).toMatch(/^auth:/);
    server.resetHandlers(http.all("https://*.binance.com/*", errorResponse("binance", "server_500")));
    const before = await dbClock();
    expect((await runJob(makeDeps("binance", { options: OPTS }), j2, "w-2")).job).toBe("requeued");
    const written = await dbClock();
    const f = await job(flakyJob);
    expect(f).toMatchObject({ status: "queued", attempts: 1 });
    // retried one minute (attempts² minutes) after it was settled (database time)
    expect(await backoff(flakyJob, "1 minute", before, written)).toMatchObject({ exact: true });
  });
});

describe("scheduling", () => {
  it("private.enqueue_due_syncs queues active, usable credentials once; pg_cron runs it; no pg_net job locally", async () => {
    const due = await newCredential("gate", "due");
    const invalid = await newCredential("mexc", "inv");
    await adminSql()`update public.api_credentials set verification_status = 'invalid' where id = ${invalid.credentialId}`;
    await adminSql()`select private.enqueue_due_syncs()`;
    await adminSql()`select private.enqueue_due_syncs()`;
    const jobs = await adminSql()`select user_id, kind, status from public.sync_jobs where user_id in (${due.user.id}, ${invalid.user.id})`;
    expect(jobs).toEqual([{ user_id: due.user.id, kind: "incremental", status: "queued" }]);
    const cron = await adminSql()`select jobname, command from cron.job where jobname in ('enqueue-due-syncs', 'exchange-sync-wake')`;
    expect(cron.map((c) => c.jobname)).toEqual(["enqueue-due-syncs"]);
  });
});

describe("sync now (public.request_sync)", () => {
  it("queues the caller's own credential, refuses a stranger's, rate-limits repeats (429 through PostgREST's PT429)", async () => {
    const alice = await newCredential("binance", "alice");
    const bob = await newCredential("bitget", "bob");
    const first = await asUser(alice.user, (tx) => tx`select * from public.request_sync(${alice.credentialId}::uuid)`);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ credential_id: alice.credentialId, status: "queued" });
    const [j] = await adminSql()`select user_id, kind, status from public.sync_jobs where id = ${first[0].job_id}`;
    expect(j).toEqual({ user_id: alice.user.id, kind: "manual", status: "queued" });
    await expect(asUser(alice.user, (tx) => tx`select * from public.request_sync(${bob.credentialId}::uuid)`)).rejects.toMatchObject({ code: "PT404" });
    await expect(asUser(alice.user, (tx) => tx`select * from public.request_sync(${alice.credentialId}::uuid)`))
      .rejects.toMatchObject({ code: "PT429", detail: expect.stringMatching(/^retry_after_seconds=\d+$/) });
    // a user cannot write the queue or call the definer helper with someone else's id
    await expect(asUser(alice.user, (tx) => tx`insert into public.sync_jobs (user_id, credential_id) values (${alice.user.id}, ${alice.credentialId})`))
      .rejects.toThrow(/permission denied/);
  });

  it("as the user (PostgREST's preamble): own runs and jobs readable, others' not; the helper takes no user id", async () => {
    const carol = await newCredential("gate", "carol");
    const dave = await newCredential("gate", "dave");
    await adminSql()`insert into public.sync_runs (user_id, credential_id, exchange, status) values (${dave.user.id}, ${dave.credentialId}, 'gateio', 'succeeded')`;
    await adminSql()`insert into public.sync_runs (user_id, credential_id, exchange, status) values (${carol.user.id}, ${carol.credentialId}, 'gateio', 'partial')`;
    const all = await asUser(carol.user, (tx) => tx`select * from public.request_sync()`);
    expect(all.map((r) => r.credential_id)).toEqual([carol.credentialId]);
    const runs = await asUser(carol.user, (tx) => tx`select user_id, status from public.sync_runs`);
    expect(runs).toEqual([{ user_id: carol.user.id, status: "partial" }]);
    const jobs = await asUser(carol.user, (tx) => tx`select kind, status from public.sync_jobs`);
    expect(jobs).toEqual([{ kind: "manual", status: "queued" }]);
    await expect(asUser(carol.user, (tx) => tx`select private.claim_sync_jobs('me', 10)`)).rejects.toThrow(/permission denied/);
  });
});
