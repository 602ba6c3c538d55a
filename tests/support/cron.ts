/**
 * Holding pg_cron jobs still while a test works on what they write. The local stack runs the
 * project's real schedules (enqueue-due-syncs every 5 minutes queues a job for every due
 * credential that any test file created; update-unrealized-pnl every minute …): a test that drains
 * the queue or compares rows must not depend on whether a tick happens to fall inside it.
 */
import { adminSql, ownerSql } from "./db.ts";
import { cronRunsSettled, until } from "./wait.ts";

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

/**
 * A real pg_cron run of one command: schedules it every minute under a unique name, waits for its
 * first finished run in cron.job_run_details (pg_cron starts it at the next minute boundary; the
 * test synchronises on that row, not on a clock), unschedules it, and answers the run's status
 * ("succeeded" or "failed"). The 600 s safety deadline only names a hang (no run ever finishing).
 */
export async function runOnceUnderCron(label: string, command: string): Promise<{ jobid: number; status: string }> {
  const sqlo = ownerSql();
  const [{ jobid }] = await sqlo`select cron.schedule(${`test-${label}-${Date.now()}`}, '* * * * *', ${command}) as jobid`;
  try {
    const status = await until(`a finished pg_cron run of ${label}`, async () => {
      const [last] = await sqlo`select status from cron.job_run_details where jobid = ${jobid} order by runid desc limit 1`;
      return last?.status === "succeeded" || last?.status === "failed" ? (last.status as string) : undefined;
    }, { safetyMs: 600_000, everyMs: 500 });
    return { jobid: Number(jobid), status };
  } finally {
    await sqlo`select cron.unschedule(${jobid}::bigint)`;
  }
}
