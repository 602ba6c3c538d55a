/**
 * Holding pg_cron jobs still while a test works on what they write. The local stack runs the
 * project's real schedules (enqueue-due-syncs every 5 minutes queues a job for every due
 * credential that any test file created; update-unrealized-pnl every minute …): a test that drains
 * the queue or compares rows must not depend on whether a tick happens to fall inside it.
 */
import { adminSql } from "./db.ts";
import { cronRunsSettled } from "./wait.ts";

/**
 * Deactivates the named jobs (all active jobs when `names` is omitted), then waits until no run of
 * theirs is in progress (cronRunsSettled: an event, not a pause). Returns the function that
 * reactivates exactly the jobs it deactivated.
 */
export async function holdCron(names?: string[]): Promise<() => Promise<void>> {
  const sql = adminSql();
  const jobs = await sql<{ jobid: number }[]>`select jobid::int as jobid from cron.job
                                                where active and (${names ?? null}::text[] is null or jobname = any(${names ?? null}::text[]))`;
  const ids = jobs.map((j) => j.jobid);
  if (ids.length) await sql`update cron.job set active = false where jobid = any(${ids}::bigint[])`;
  await cronRunsSettled(sql, names ? ids : null);
  return async () => {
    if (ids.length) await sql`update cron.job set active = true where jobid = any(${ids}::bigint[])`;
  };
}
