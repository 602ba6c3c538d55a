/**
 * The sync queue as a test file finds it: jobs other files left behind must not be taken by the
 * workers (or the exchange-sync drain) of this one. Queued jobs are parked a day out; jobs left
 * 'running' (no worker of an earlier file is alive: vitest ran it to its end, its child processes
 * exited) are closed as failed — otherwise they turn stale five minutes after their last heartbeat
 * and any drain retakes them, so whether a drain here saw them depended on how long the earlier
 * files took.
 */
import { adminSql } from "./db.ts";

export async function parkOtherJobs(): Promise<void> {
  const sql = adminSql();
  await sql`update public.sync_jobs set run_after = now() + interval '1 day' where status = 'queued'`;
  await sql`update public.sync_jobs set status = 'failed', finished_at = now(),
                   last_error = 'left running by an earlier test file (no worker of it is alive)'
             where status = 'running'`;
}
