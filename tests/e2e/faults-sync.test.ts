/**
 * Faults in the exchange sync (issue 10, item 3): the database restarted between two pages, a
 * worker process killed mid-job (its claim goes stale, another worker finishes it), the exchange
 * timing out / answering 429, 5xx or garbage on a seeded random page, two workers and the user's
 * "sync now" racing on one account. After each: the rerun leaves fills, fees, orders, cursors,
 * positions, trade history, PnL stream state and performance metrics equal to an undisturbed run
 * of the same input (tests/e2e/faults/world.ts) — nothing lost, nothing duplicated, nothing
 * computed from half-written data.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminSql, asUser, closePools } from "../support/db.ts";
import { holdCron } from "../support/cron.ts";
import { parkOtherJobs as parkJobsOfEarlierFiles } from "../support/queue.ts";
import { exportStackEnv } from "../support/env.ts";
import { until } from "../support/wait.ts";
import type { ReplayServer } from "../support/ccxt/replay.ts";
import { closeDb, db } from "../../functions/_shared/db.ts";
import {
  claimJobs, drainQueue, type JobOutcome, onFillsWritten, type PageInfo, runJob, type SyncDeps, syncCredential, type SyncResult,
} from "../../functions/_shared/sync/index.ts";
import { makeDeps, newCredential, startSyncServer, type TestCredential } from "../unit/sync/support.ts";
import { startWorkerChild } from "./faults/child.ts";
import { restartDatabase } from "./faults/cluster.ts";
import {
  diff, exchangeHandlers, type ExchangeControl, FAULT_KINDS, type FaultKind, newControl, OPTIONS, rowCount, seededRng, type State,
  stateOf, summary,
} from "./faults/world.ts";

let server: ReplayServer;
let reference: State;
let referencePages: PageInfo[] = [];

/** Worker dependencies on the fault account: the production PnL hook, a short client timeout. */
function deps(extra: Partial<SyncDeps> = {}): SyncDeps {
  const base = makeDeps("binance", { options: OPTIONS, onFillsWritten, ...extra });
  const create = base.createClient!;
  return {
    ...base,
    createClient: (o) => {
      const c = create(o);
      // The "timeout" fault never answers until the client gives up (world.ts): this timeout is
      // the mechanism under test, not a sync point. 2 s is far above what an answer of the
      // in-process mock takes even on a loaded machine (it was 250 ms, which a busy event loop
      // could exceed on an ordinary answer).
      c.timeout = 2_000;
      return c;
    },
  };
}

function serve(ctl: ExchangeControl): ExchangeControl {
  server.resetHandlers(...exchangeHandlers(ctl));
  return ctl;
}

const run = (d: SyncDeps, c: TestCredential) => syncCredential(d, { userId: c.user.id, credentialId: c.credentialId });

/** Syncs without faults until a run succeeds (at most 3), as the queue's retries would. */
async function rerun(c: TestCredential): Promise<SyncResult[]> {
  serve(newControl());
  const out: SyncResult[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await run(deps(), c);
    out.push(r);
    if (r.status === "succeeded") break;
  }
  return out;
}

/** What a disturbed run left before its rerun: only rows of the undisturbed run, none twice. */
async function expectSubsetOfReference(userId: string) {
  const s = await stateOf(userId, ["fills", "fees", "orders"]);
  for (const k of ["fills", "fees", "orders"]) {
    const ref = new Set(reference[k].map((r) => JSON.stringify(r)));
    const rows = s[k].map((r) => JSON.stringify(r));
    expect(new Set(rows).size, `${k}: duplicates`).toBe(rows.length);
    expect(rows.filter((r) => !ref.has(r)), `${k}: rows the exchange never sent`).toEqual([]);
  }
  return s;
}

const SYNC_TABLES = ["fills", "fees", "orders", "cursors"];
const PNL_TABLES = ["positions", "trades", "streams", "metrics"];
/** Disturbed first runs that reported "succeeded" although data was missing (must stay none). */
const silentIncomplete: string[] = [];

/**
 * The rerun's end state against the undisturbed run: the sync's tables and the PnL tables
 * (positions, trades, stream states, metrics) exactly. (Two bugs were once tolerated here and
 * counted: streams a dead sync never handed to the engine, and metrics left from half-synced
 * trades; both fixed, so any difference now fails.)
 */
async function expectEqualToReference(userId: string, what: string): Promise<State> {
  const s = await stateOf(userId);
  const syncDiff = diff(pick(reference, SYNC_TABLES), pick(s, SYNC_TABLES));
  expect(syncDiff, `${what}: sync tables differ from the undisturbed run`).toBeNull();
  const pnlDiff = diff(pick(reference, PNL_TABLES), pick(s, PNL_TABLES));
  expect(pnlDiff, `${what}: PnL tables differ from the undisturbed run`).toBeNull();
  expect(s).toEqual(reference);
  return s;
}

function pick(s: State, keys: string[]): State {
  return Object.fromEntries(keys.map((k) => [k, s[k] ?? []]));
}

async function parkOtherJobs(keepUserId: string | null = null) {
  // other tests may have left due jobs: park them so the workers here see only their own
  await adminSql()`update public.sync_jobs set run_after = now() + interval '1 day'
                    where status = 'queued' and user_id is distinct from ${keepUserId}::uuid`;
}

let resumeCron: () => Promise<void> = async () => {};
beforeAll(async () => {
  exportStackEnv();
  server = startSyncServer();
  // pg_cron's enqueue-due-syncs held: a 5-minute tick would queue jobs for other files' due
  // credentials, which the workers here (draining the queue) would then take
  resumeCron = await holdCron(["enqueue-due-syncs"]);
  // jobs of earlier files: queued ones parked, running ones closed (they would turn stale while
  // this file runs, and the worker child, which retakes claims older than 10 minutes, take them)
  await parkJobsOfEarlierFiles();
  // The undisturbed run every fault is compared with.
  serve(newControl());
  const cred = await newCredential("binance", "fault-ref");
  const pages: PageInfo[] = [];
  const r = await run(deps({ afterPage: (p) => { pages.push(p); } }), cred);
  expect(r.status, JSON.stringify(r.errors)).toBe("succeeded");
  referencePages = pages;
  reference = await stateOf(cred.user.id);
  expect(reference.fills.length).toBe(2950);
  expect(reference.trades.length).toBeGreaterThan(50);
  expect(reference.metrics.length).toBeGreaterThan(0);
  summary("reference", `${pages.length} history pages, ${rowCount(reference)} rows (${Object.entries(reference).map(([k, v]) => `${k} ${v.length}`).join(", ")})`);
}, 300_000);

afterAll(async () => {
  await resumeCron();
  server?.close();
  await closeDb();
  await closePools();
});

async function enqueue(c: TestCredential): Promise<string> {
  const [j] = await adminSql()`insert into public.sync_jobs (user_id, credential_id, kind) values (${c.user.id}, ${c.credentialId}, 'incremental') returning id`;
  return String(j.id);
}
async function jobRow(id: string) {
  const [j] = await adminSql()`select status, attempts, claimed_by, heartbeat_at, last_error from public.sync_jobs where id = ${id}`;
  return j;
}

/**
 * Another worker finishes a job whose worker died or failed: a queued job is made due, a running
 * one is retaken once its heartbeat is older than `staleMs`; runs until the job has settled
 * (succeeded, or failed for good). Synchronised on the job's row, not on a time budget: the loop
 * ends when the row says so; the safety deadline only turns a job that never settles (a hang)
 * into a clear failure.
 */
async function finishJob(id: string, staleMs: number): Promise<JobOutcome[]> {
  const outcomes: JobOutcome[] = [];
  serve(newControl());
  await until(`job ${id} to settle`, async () => {
    await adminSql()`update public.sync_jobs set run_after = now() where id = ${id} and status = 'queued'`;
    const mine = (await claimJobs(db(), "w-finisher", 10, staleMs)).find((j) => j.id === id);
    if (!mine) {
      const { status } = await jobRow(id);
      return status === "succeeded" || status === "failed";
    }
    const out = await runJob(deps(), mine, "w-finisher");
    outcomes.push(out);
    return out.job === "succeeded" || out.job === "failed";
  }, { safetyMs: 240_000, everyMs: 200 });
  expect((await jobRow(id)).status).toBe("succeeded");
  return outcomes;
}

describe("1. the database restarted between two pages of a sync", () => {
  it("after a committed page or while a page is being fetched: the worker's sync dies, the job is finished by a rerun, equal", async () => {
    const rng = seededRng(101);
    const n = referencePages.length;
    // seeded pages, the last page of the first symbol's fills and the very last page
    const lastLtcFill = referencePages.findLastIndex((p) => p.dataKind === "fills" && p.symbol === "LTC/USDT") + 1;
    const cases = [
      ...[...new Set([1 + Math.floor(rng() * (n - 1)), lastLtcFill, n])].map((k) => ["between pages", k] as const),
      ["while fetching the next page", 1 + Math.floor(rng() * (n - 1))] as const,
    ];
    let compared = 0;
    let crashes = 0;
    for (const [mode, k] of cases) {
      const cred = await newCredential("binance", `fault-restart-${k}`);
      const id = await enqueue(cred);
      const child = mode === "between pages" ? startWorkerChild(`w-restart-${k}`, 0, k) : startWorkerChild(`w-restart-${k}`, 400);
      await child.waitFor(mode === "between pages" ? /^paused / : new RegExp(`^page ${k} `));
      const { downMs } = restartDatabase();
      if (mode === "between pages") child.proc.stdin.write("go\n");
      // the worker's end, whenever it comes (no budget: a slow machine is not a hung worker)
      const exit = await child.exited;
      const clean = child.out.some((l) => l.startsWith("done "));
      if (!clean) crashes++;
      const how = clean ? `failed cleanly (${child.out.find((l) => l.startsWith("done "))!.slice(5, 120)})` : `worker process died (${exit.code ?? exit.signal}: ${/TypeError[^\n]*/.exec(child.err.join(""))?.[0] ?? "?"})`;
      await expectSubsetOfReference(cred.user.id);
      const outcomes = await finishJob(id, 1_000);
      const s = await expectEqualToReference(cred.user.id, `restart ${mode} page ${k}`);
      compared += rowCount(s);
      summary("1 db restart", `${mode} ${k}/${n} (down ${downMs} ms): ${how}; ${outcomes.length} rerun(s) → equal (${rowCount(s)} rows)`);
    }
    summary("1 db restart", `${cases.length} restarts injected, ${cases.length} survived (data equal); ${crashes} worker process crash(es); ${compared} rows compared`);
  }, 300_000);

  // Was a known bug: the sync held its advisory lock on a reserved postgres.js connection, which
  // after the server restarted sent its next statement to the closed socket and threw an uncaught
  // TypeError (postgres/src/connection.js nextWrite) that killed the worker process. Now the lock
  // lives on a dedicated session whose loss stops the run ("lock_lost") without another statement.
  it("a database restart between pages fails the sync cleanly: run recorded failed (lock lost), the worker goes on; the rerun is equal", async () => {
    await parkOtherJobs();
    const cred = await newCredential("binance", "fault-restart-clean");
    const id = await enqueue(cred);
    const other = await newCredential("binance", "fault-restart-next");
    const child = startWorkerChild("w-restart-clean", 0, 2, 2);
    let next: string | null = null;
    try {
      await child.waitFor(/^paused /);
      // a second job, due while the first one runs: the same worker process must take it after
      next = await enqueue(other);
      restartDatabase();
      child.proc.stdin.write("go\n");
      const exit = await child.exited;
      expect(exit.code, child.err.join("").slice(-1500)).toBe(0);
      const done = child.out.find((l) => l.startsWith("done "));
      expect(done, child.err.join("").slice(-1500)).toBeDefined();
      const outcomes = JSON.parse(done!.slice(5)) as JobOutcome[];
      expect(outcomes.find((o) => o.jobId === id)).toMatchObject({ job: "requeued", sync: "failed" });
      expect(outcomes.find((o) => o.jobId === next)).toMatchObject({ job: "succeeded", sync: "succeeded" });
      const [run] = await adminSql()`select status, pages, errors from public.sync_runs where job_id = ${id} order by id`;
      expect(run.status).toBe("failed");
      expect(run.pages).toBe(2);
      expect(run.errors).toHaveLength(1);
      expect(run.errors[0]).toMatchObject({ kind: "lock_lost", code: "LockLost" });
      expect(await jobRow(id)).toMatchObject({ status: "queued", attempts: 1, claimed_by: null });
      await expectSubsetOfReference(cred.user.id);
    } finally {
      if (child.proc.exitCode === null) child.proc.kill("SIGKILL");
      const rerun = await finishJob(id, 1_000);
      expect(rerun.at(-1)).toMatchObject({ job: "succeeded", sync: "succeeded" });
      if (next) await finishJob(next, 1_000);
    }
    await expectEqualToReference(cred.user.id, "restart between pages (worker survived)");
    await expectEqualToReference(other.user.id, "job taken after the restart");
  }, 120_000);
});

describe("2. a worker killed mid-job", () => {
  it("SIGKILL after page k: the claim stays while the heartbeat is fresh, goes stale, another worker finishes; equal", async () => {
    const rng = seededRng(202);
    const n = referencePages.length;
    const ks = [...new Set([1 + Math.floor(rng() * (n - 1)), Math.ceil(n / 2), n - 1])];
    let compared = 0;
    for (const k of ks) {
      const cred = await newCredential("binance", `fault-kill-${k}`);
      const id = await enqueue(cred);
      // the child stops after committing page k and waits on stdin: the kill lands exactly there
      // (it used to be sent on seeing "page k" while the child went on, 150 ms per page, so a
      // slow parent could kill it pages later, or after it had finished)
      const child = startWorkerChild(`w-killed-${k}`, 0, k);
      await child.waitFor(/^paused /);
      child.proc.kill("SIGKILL");
      const exit = await child.exited;
      expect(exit.signal).toBe("SIGKILL");
      expect(await jobRow(id)).toMatchObject({ status: "running", claimed_by: `w-killed-${k}`, attempts: 1 });
      await expectSubsetOfReference(cred.user.id);
      // the heartbeat is fresh by the production threshold (5 minutes): nobody may take the job
      // yet (a 3 s threshold here made the outcome depend on how fast the test got here)
      expect((await claimJobs(db(), "w-early", 10)).find((j) => j.id === id)).toBeUndefined();
      const outcomes = await finishJob(id, 1_500);
      expect(outcomes.at(-1)).toMatchObject({ job: "succeeded", sync: "succeeded" });
      expect(await jobRow(id)).toMatchObject({ status: "succeeded", attempts: 2, claimed_by: "w-finisher" });
      const runs = await adminSql()`select status, errors from public.sync_runs where job_id = ${id} order by id`;
      expect(runs.map((r) => r.status)).toEqual(["failed", "succeeded"]);
      expect(runs[0].errors[0].kind).toBe("interrupted");
      const s = await expectEqualToReference(cred.user.id, `killed after page ${k}`);
      compared += rowCount(s);
      summary("2 worker killed", `SIGKILL after page ${k}/${n}: claim retaken after the stale interval, ${outcomes.length} run(s) → equal (${rowCount(s)} rows)`);
    }
    summary("2 worker killed", `${ks.length} kills injected and survived, ${compared} rows compared`);
  }, 300_000);
});

describe("3. the exchange timing out, answering 429, 5xx or garbage", () => {
  it("on a seeded random history request, once or for longer than the retries: the run survives or fails its chain; a rerun is equal", async () => {
    const rng = seededRng(303);
    const n = referencePages.length;
    let injected = 0;
    let compared = 0;
    const lines: string[] = [];
    for (let i = 0; i < 2 * FAULT_KINDS.length; i++) {
      const kind: FaultKind = FAULT_KINDS[i % FAULT_KINDS.length];
      const at = 1 + Math.floor(rng() * n);
      const times = i < FAULT_KINDS.length ? 1 : 6; // once, then more than the 5 attempts of withRetry
      const cred = await newCredential("binance", `fault-ex-${kind}`);
      const ctl = serve(newControl({ fault: (k) => (k >= at && k < at + times ? kind : null) }));
      const first = await run(deps(), cred);
      expect(ctl.faults.length).toBeGreaterThanOrEqual(1);
      injected += ctl.faults.length;
      const partial = await expectSubsetOfReference(cred.user.id);
      if (first.status === "succeeded" && diff(pick(reference, ["fills", "fees", "orders"]), partial) !== null) {
        silentIncomplete.push(`${kind} ×${times} at request ${at}: run "succeeded" with ${reference.fills.length - partial.fills.length} fills and ${reference.orders.length - partial.orders.length} orders missing`);
      }
      // the next (scheduled) sync; more only while one fails
      const again = await rerun(cred);
      expect(again.at(-1)!.status).toBe("succeeded");
      const what = `${kind} ×${times} at request ${at} (${ctl.faults.map((f) => f.path.split("/").pop()).join(",")})`;
      const s = await expectEqualToReference(cred.user.id, what);
      compared += rowCount(s);
      lines.push(`${kind}×${ctl.faults.length}@${at}: ${first.status}${first.retries ? ` (${first.retries} retries)` : ""}${again.length ? ` + ${again.length} rerun` : ""}`);
    }
    summary("3 exchange faults", `${injected} faulty answers in ${2 * FAULT_KINDS.length} runs, all survived with data equal, ${compared} rows compared — ${lines.join("; ")}`);
    summary("3 exchange faults", `first run reported succeeded while incomplete ${silentIncomplete.length}×: ${silentIncomplete.join("; ") || "none"}`);
    expect(silentIncomplete, "a first run reported succeeded although data was missing").toEqual([]);
  }, 300_000);

  // Was a known bug: ccxt's since-filter dropped rows without id / timestamp on a time-window
  // request (binance myTrades with startTime/endTime), the page read as empty, the window was
  // closed and its fills lost for good (2946 of 2950). Now the response's raw rows are counted
  // against ccxt's: such a page is rejected as malformed, nothing of it written, cursor kept.
  it("garbage rows on time-window pages (from request 5) are rejected with their reason, the cursor kept; the rerun is equal", async () => {
    const cred = await newCredential("binance", "fault-ex-garbage");
    const ctl = serve(newControl({ fault: (k) => (k >= 5 && k < 11 ? "garbage_shape" : null) }));
    const first = await run(deps(), cred);
    // each garbage page ends its history chain: fewer requests reach the fault window than before
    expect(ctl.faults.length).toBeGreaterThanOrEqual(1);
    expect(first.status).toBe("partial");
    const rejected = first.errors.filter((e) => e.kind === "bad_response");
    expect(rejected).toHaveLength(ctl.faults.length);
    for (const e of rejected) {
      expect(e).toMatchObject({ code: "MalformedPayloadError" });
      expect(e.message).toBe("exchange returned 2 rows, 2 could not be parsed (missing id/timestamp)");
    }
    const [row] = await adminSql()`select status, errors from public.sync_runs where id = ${first.runId}`;
    expect(row.status).toBe("partial");
    expect(row.errors.filter((e: { kind: string }) => e.kind === "bad_response")).toEqual(rejected);
    // the garbage came on each fills chain's first request: nothing stored, no cursor moved
    const cursors = await adminSql()`select data_kind, symbol from public.sync_cursors where user_id = ${cred.user.id}`;
    for (const e of rejected) expect(cursors.filter((c) => c.data_kind === e.data_kind && c.symbol === e.symbol)).toEqual([]);
    await expectSubsetOfReference(cred.user.id);
    const again = await rerun(cred);
    expect(again.at(-1)!.status).toBe("succeeded");
    const s = await stateOf(cred.user.id, SYNC_TABLES);
    summary("3 exchange faults", `garbage from request 5: first run ${first.status} (${rejected.length} pages rejected); after a clean rerun ${reference.fills.length - s.fills.length} of ${reference.fills.length} fills missing`);
    expect(diff(pick(reference, SYNC_TABLES), s)).toBeNull();
  }, 120_000);

  // Was a known bug: when a sync stops inside a stream's history (here: the last fills page of
  // ETH/USDT fails 6× with a connection reset), the engine closes a trade on the fills it has
  // (exit on 2026-01-13); the rerun re-emits it under the same close_key with its final exit
  // (2026-01-14), and the metrics were refreshed only from the new exit time, so the 2026-01-13
  // rows kept the half-synced trade. Fixed: the refresh starts at the earlier of the two.
  it("a sync cut inside an exit order (reset ×6 at request 10); after the rerun the metrics equal the undisturbed run", async () => {
    const cred = await newCredential("binance", "fault-ex-stale");
    serve(newControl({ fault: (k) => (k >= 10 && k < 16 ? "reset" : null) }));
    await run(deps(), cred);
    await rerun(cred);
    const s = await stateOf(cred.user.id, PNL_TABLES);
    expect(diff(pick(reference, ["positions", "trades", "streams"]), pick(s, ["positions", "trades", "streams"]))).toBeNull();
    expect(diff(pick(reference, ["metrics"]), pick(s, ["metrics"]))).toBeNull();
  }, 120_000);
});

describe("4. two workers and the user's \"sync now\" racing on one account", () => {
  it("one sync at a time (advisory lock), the result equal to one undisturbed sync, no duplicate rows", async () => {
    const rng = seededRng(404);
    // seeded start order: each racer yields a seeded number of event-loop turns first (no timers;
    // no assertion depends on who gets there first, only on one sync at a time)
    const jitter = async () => {
      for (let i = Math.floor(rng() * 8); i > 0; i--) await new Promise((r) => setImmediate(r));
    };
    let locked = 0;
    let syncs = 0;
    let compared = 0;
    for (let round = 0; round < 3; round++) {
      const cred = await newCredential("binance", `fault-race-${round}`);
      await parkOtherJobs();
      // Two jobs of one account, as two kinds may coexist: the scheduler's and, in round 0, the
      // user's "sync now" queued before the workers start (later rounds: clicked during the race).
      if (round === 0) await asUser(cred.user, (tx) => tx`select * from public.request_sync(${cred.credentialId}::uuid)`);
      await enqueue(cred);
      const sayNow = () => asUser(cred.user, (tx) => tx`select * from public.request_sync(${cred.credentialId}::uuid)`);
      const ctl = serve(newControl({ delayMs: 15 }));
      const pages: string[] = [];
      const worker = (label: string) => async () => {
        await jitter();
        return await drainQueue(deps({ afterPage: () => { pages.push(label); } }), { workerId: `w-${label}-${round}`, max: 3, staleAfterMs: 3_600_000 });
      };
      // a third worker reaching the account without the queue (another function instance)
      const direct = async () => {
        await jitter();
        return await run(deps({ afterPage: () => { pages.push("D"); } }), cred);
      };
      const user = async () => {
        await jitter();
        const out: unknown[] = [];
        if (round > 0) out.push(await sayNow());
        // a second click within the minute is refused (rate limit), never a second concurrent sync
        out.push(await sayNow().catch((e: { code?: string }) => e.code));
        return out;
      };
      const [a, b, d, clicks] = await Promise.all([worker("A")(), worker("B")(), direct(), user()]);
      expect(clicks.at(-1)).toBe("PT429");
      // what the race left queued (a worker told "locked", a late "sync now") runs afterwards
      const later: JobOutcome[] = [];
      for (let i = 0; i < 5; i++) {
        await parkOtherJobs(cred.user.id);
        await adminSql()`update public.sync_jobs set run_after = now() where user_id = ${cred.user.id} and status = 'queued'`;
        const out = await drainQueue(deps({ afterPage: () => { pages.push("C"); } }), { workerId: `w-C-${round}`, max: 5, staleAfterMs: 3_600_000 });
        later.push(...out);
        const [{ n }] = await adminSql()`select count(*)::int as n from public.sync_jobs where user_id = ${cred.user.id} and status in ('queued', 'running')`;
        if (n === 0) break;
      }
      const outcomes = [...a, ...b, ...later].filter((o) => o.userId === cred.user.id);
      const jobs = await adminSql()`select kind, status from public.sync_jobs where user_id = ${cred.user.id} order by id`;
      expect(jobs.map((j) => j.status)).toEqual(jobs.map(() => "succeeded"));
      expect(jobs.length).toBeGreaterThanOrEqual(round === 0 ? 2 : 1);
      const runs = await adminSql()`select status, counts from public.sync_runs where user_id = ${cred.user.id} order by id`;
      // each sync that ran is one uninterrupted block of pages: never two at once on the account
      const blocks = pages.filter((l, i) => i === 0 || pages[i - 1] !== l).length;
      expect(blocks).toBeLessThanOrEqual(runs.length);
      expect(runs.map((r) => r.status)).toEqual(runs.map(() => "succeeded"));
      // the account's rows were written once: by the first sync; every later one found nothing new
      expect(runs.filter((r) => (r.counts.fills ?? 0) > 0)).toHaveLength(1);
      expect(runs[0].counts.fills).toBe(reference.fills.length);
      locked += outcomes.filter((o) => o.sync === "locked").length + (d.status === "locked" ? 1 : 0);
      syncs += runs.length;
      expect(ctl.requests).toBeGreaterThanOrEqual(referencePages.length);
      const s = await expectEqualToReference(cred.user.id, `race round ${round}`);
      compared += rowCount(s);
      summary("4 race", `round ${round}: ${outcomes.length} job runs (${outcomes.map((o) => o.sync).join(", ")}) + direct ${d.status}, ${runs.length} syncs in ${blocks} page block(s), 2nd click ${clicks.at(-1)} → equal (${rowCount(s)} rows)`);
    }
    summary("4 race", `3 races: ${syncs} syncs, ${locked} told "locked", one writer each time, ${compared} rows compared`);
  }, 300_000);
});

describe("the PnL hand-off after a sync died", () => {
  // Was a known bug: only streams that received new fills in THIS run were handed to the engine,
  // so a stream whose last fills page a dead sync had committed was never processed on the
  // rerun. Fixed: after every sync the hook also processes streams with fills the engine has not
  // absorbed.
  it("a sync dying after a stream's last fills page; the rerun leaves positions equal to the undisturbed run", async () => {
    const lastLtcFill = referencePages.findLastIndex((p) => p.dataKind === "fills" && p.symbol === "LTC/USDT") + 1;
    const cred = await newCredential("binance", "fault-pnl-handoff");
    serve(newControl());
    await expect(run(deps({ afterPage: (p) => { if (p.page === lastLtcFill) throw new Error("worker died"); } }), cred)).rejects.toThrow("worker died");
    const again = await rerun(cred);
    expect(again.at(-1)!.status).toBe("succeeded");
    expect(diff(pick(reference, PNL_TABLES), pick(await stateOf(cred.user.id), PNL_TABLES))).toBeNull();
  }, 120_000);

});
