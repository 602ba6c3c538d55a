/**
 * The queue side of the worker: claim due jobs (`private.claim_sync_jobs`: FOR UPDATE SKIP
 * LOCKED, stale claims retaken), run each with `syncCredential`, and settle it:
 *
 * | sync result                         | job                                                   |
 * | ----------------------------------- | ----------------------------------------------------- |
 * | succeeded / partial / skipped       | succeeded                                             |
 * | partial + incomplete (time budget)  | queued again, due in 5 s (continues from the cursors) |
 * | locked (another worker has it)      | queued again in 30 s, the attempt not counted         |
 * | failed, authentication / undecryptable key | failed (no retry: the key must be replaced)    |
 * | failed, other                       | queued again with backoff (1, 4, 9… min) until        |
 * |                                     | max_attempts, then failed                             |
 */
import type { Sql } from "../db.ts";
import { type SyncDeps, type SyncResult, syncCredential } from "./worker.ts";

export interface SyncJob {
  id: string;
  user_id: string;
  credential_id: string;
  kind: string;
  status: string;
  attempts: number;
  max_attempts: number;
  claimed_by: string | null;
}

export interface DrainOptions {
  workerId?: string;
  /** Jobs to process at most (default 5). */
  max?: number;
  /** A running job whose heartbeat is older than this is retaken (default 5 min). */
  staleAfterMs?: number;
  /** Stop claiming new jobs after this many ms (wall clock). */
  deadlineMs?: number;
}

export interface JobOutcome {
  jobId: string;
  credentialId: string;
  userId: string;
  job: "succeeded" | "failed" | "requeued";
  sync: SyncResult["status"] | "error";
  runId: string | null;
}

export function defaultWorkerId(): string {
  return `worker-${crypto.randomUUID().slice(0, 8)}`;
}

function interval(ms: number): string {
  return `${Math.max(0, Math.round(ms))} milliseconds`;
}

export async function claimJobs(sql: Sql, workerId: string, limit = 1, staleAfterMs = 300_000): Promise<SyncJob[]> {
  const rows = await sql`select * from private.claim_sync_jobs(${workerId}, ${limit}, ${interval(staleAfterMs)}::interval)`;
  return rows.map((r) => ({ ...r, id: String(r.id) })) as unknown as SyncJob[];
}

async function settle(sql: Sql, job: SyncJob, workerId: string, outcome: "succeeded" | "failed" | "requeue", o: { delayMs?: number; error?: string; uncount?: boolean } = {}) {
  if (outcome === "requeue") {
    await sql`update public.sync_jobs
                 set status = 'queued', run_after = now() + ${interval(o.delayMs ?? 0)}::interval,
                     claimed_by = null, claimed_at = null, heartbeat_at = null,
                     attempts = case when ${o.uncount ?? false} then greatest(attempts - 1, 0) else attempts end,
                     last_error = coalesce(${o.error ?? null}, last_error)
               where user_id = ${job.user_id} and id = ${job.id} and claimed_by = ${workerId}`;
    return;
  }
  await sql`update public.sync_jobs
               set status = ${outcome}, finished_at = now(), heartbeat_at = now(), last_error = ${o.error ?? null}
             where user_id = ${job.user_id} and id = ${job.id} and claimed_by = ${workerId}`;
}

/** Runs one claimed job and settles it. Errors thrown by the sync (not exchange errors) requeue it. */
export async function runJob(deps: SyncDeps, job: SyncJob, workerId: string): Promise<JobOutcome> {
  const base = { jobId: job.id, credentialId: job.credential_id, userId: job.user_id };
  const sql = deps.sql;
  // a run of this job left 'running' by a worker that died is closed as interrupted
  await sql`update public.sync_runs
               set status = 'failed', finished_at = greatest(now(), started_at),
                   errors = errors || ${sql.json([{ kind: "interrupted", step: "setup", code: "WorkerLost", message: "the worker stopped before the run ended; the next run continues from the cursors" }] as never)}::jsonb
             where user_id = ${job.user_id} and job_id = ${job.id} and status = 'running'`;
  if (job.attempts > job.max_attempts) {
    await settle(sql, job, workerId, "failed", { error: "too many attempts" });
    return { ...base, job: "failed", sync: "error", runId: null };
  }
  let r: SyncResult;
  try {
    r = await syncCredential(deps, { userId: job.user_id, credentialId: job.credential_id, jobId: job.id, workerId, full: job.kind === "full" ? true : undefined });
  } catch (e) {
    const msg = `sync crashed (${e instanceof Error ? e.name : typeof e})`;
    try {
      await settle(sql, job, workerId, "requeue", { delayMs: 60_000, error: msg });
    } catch { /* the stale-claim timeout will retake it */ }
    throw e;
  }
  const out = (j: JobOutcome["job"]): JobOutcome => ({ ...base, job: j, sync: r.status, runId: r.runId });
  if (r.status === "locked") {
    await settle(sql, job, workerId, "requeue", { delayMs: 30_000, uncount: true });
    return out("requeued");
  }
  if (r.incomplete) {
    await settle(sql, job, workerId, "requeue", { delayMs: 5_000, uncount: true });
    return out("requeued");
  }
  if (r.status === "failed") {
    const error = r.errors[0] ? `${r.errors[0].kind}: ${r.errors[0].message}` : "failed";
    if (r.fatal || job.attempts >= job.max_attempts) {
      await settle(sql, job, workerId, "failed", { error });
      return out("failed");
    }
    await settle(sql, job, workerId, "requeue", { delayMs: 60_000 * job.attempts * job.attempts, error });
    return out("requeued");
  }
  await settle(sql, job, workerId, "succeeded");
  return out("succeeded");
}

/** Claims and runs due jobs one at a time, up to `max` (the Edge Function and the local runner). */
export async function drainQueue(deps: SyncDeps, o: DrainOptions = {}): Promise<JobOutcome[]> {
  const workerId = o.workerId ?? defaultWorkerId();
  const max = o.max ?? 5;
  const start = Date.now();
  const done: JobOutcome[] = [];
  while (done.length < max) {
    if (o.deadlineMs !== undefined && Date.now() - start > o.deadlineMs) break;
    const [job] = await claimJobs(deps.sql, workerId, 1, o.staleAfterMs);
    if (!job) break;
    try {
      done.push(await runJob(deps, job, workerId));
    } catch (e) {
      deps.log?.(`exchange-sync: job ${job.id} crashed (${e instanceof Error ? e.name : typeof e})`);
      done.push({ jobId: job.id, credentialId: job.credential_id, userId: job.user_id, job: "requeued", sync: "error", runId: null });
    }
  }
  return done;
}
