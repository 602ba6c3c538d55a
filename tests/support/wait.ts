/**
 * Waiting for an event the test can observe (a row, a backend's state in pg_stat_activity, a flag
 * set by a callback) instead of sleeping for a while and hoping it happened.
 *
 * `until` asks `check` again and again until it returns something other than undefined/false;
 * the short pause between two asks only spaces them (nothing depends on its length). The
 * deadline is a safety net, not a speed requirement: it only turns a hang (the event never comes)
 * into a clear failure naming what was awaited, long before the test runner's own timeout
 * would report a bare "timed out".
 */
import { setTimeout as pause } from "node:timers/promises";
import type { Sql } from "./db.ts";

export interface UntilOptions {
  /** Safety deadline (ms) after which a missing event is reported as a failure. Default 90 s. */
  safetyMs?: number;
  /** Pause between two checks (ms). Default 20. */
  everyMs?: number;
}

export async function until<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, o: UntilOptions = {}): Promise<T> {
  const safety = Date.now() + (o.safetyMs ?? 90_000);
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > safety) throw new Error(`waited for ${what}: it never happened (safety deadline of ${o.safetyMs ?? 90_000} ms, a hang)`);
    await pause(o.everyMs ?? 20);
  }
}

/** The backend `pid` has ended (its row left pg_stat_activity; its session locks are released before that). */
export function backendGone(sql: Sql, pid: number): Promise<true> {
  return until(`backend ${pid} to end`, async () => {
    const [r] = await sql`select count(*)::int as n from pg_stat_activity where pid = ${pid}`;
    return r.n === 0 ? true : undefined;
  });
}

/**
 * The backend `pid` is running a statement and waiting on `waitEvent` (pg_stat_activity's
 * wait_event, e.g. 'advisory' for a blocked pg_advisory_lock, 'PgSleep' inside pg_sleep).
 */
export function backendWaiting(sql: Sql, pid: number, waitEvent: string): Promise<true> {
  return until(`backend ${pid} to wait on ${waitEvent}`, async () => {
    const [r] = await sql`select count(*)::int as n from pg_stat_activity where pid = ${pid} and state = 'active' and wait_event = ${waitEvent}`;
    return r.n === 1 ? true : undefined;
  });
}

/**
 * No pg_cron run (of `jobIds`, or of any job) is in progress: every run row of the last hour has
 * reached 'succeeded' or 'failed' (pg_cron 1.4 writes starting, connecting, sending, running on
 * the way) and no pg_cron session is running a statement. Call it after deactivating jobs, so
 * that a run started before is over before the test goes on — whenever that is.
 */
export function cronRunsSettled(sql: Sql, jobIds: number[] | null = null): Promise<true> {
  return until(`pg_cron runs in progress${jobIds ? ` (jobs ${jobIds.join(", ")})` : ""} to finish`, async () => {
    const [{ n }] = await sql`select (select count(*)::int from cron.job_run_details
                                        where status not in ('succeeded', 'failed') and start_time > now() - interval '1 hour'
                                          and (${jobIds}::bigint[] is null or jobid = any(${jobIds}::bigint[])))
                                   + (select count(*)::int from pg_stat_activity
                                       where application_name = 'pg_cron' and backend_type = 'client backend' and state = 'active'
                                         and (${jobIds}::bigint[] is null or query in (select command from cron.job where jobid = any(${jobIds}::bigint[])))) as n`;
    return n === 0 ? true : undefined;
  });
}
