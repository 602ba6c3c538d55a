/**
 * A real pg_cron run of one command: schedules it every minute under a unique name, waits for its
 * first finished run in cron.job_run_details (pg_cron starts it at the next minute boundary;
 * polled, so the test synchronises on the row, not on a clock), unschedules it, and answers the
 * run's status ("succeeded" or "failed"; null when none finished within `maxWaitMs`).
 */
import { ownerSql } from "./db.ts";

export async function runOnceUnderCron(label: string, command: string, maxWaitMs = 90_000): Promise<{ jobid: number; status: string | null }> {
  const sqlo = ownerSql();
  const [{ jobid }] = await sqlo`select cron.schedule(${`test-${label}-${Date.now()}`}, '* * * * *', ${command}) as jobid`;
  try {
    for (const deadline = Date.now() + maxWaitMs; Date.now() < deadline;) {
      const [last] = await sqlo`select status from cron.job_run_details where jobid = ${jobid} order by runid desc limit 1`;
      if (last?.status === "succeeded" || last?.status === "failed") return { jobid: Number(jobid), status: last.status };
      await new Promise((r) => setTimeout(r, 1000));
    }
    return { jobid: Number(jobid), status: null };
  } finally {
    await sqlo`select cron.unschedule(${jobid}::bigint)`;
  }
}
