/**
 * Market-data jobs (private.market_jobs; schedules in
 * supabase/migrations/20261207190300_market_tables_jobs.sql): claim the jobs pg_cron requested
 * (or the ones named), run each, record its outcome. A job that throws is recorded as failed and
 * the next one still runs. Definitions of what each job writes: README, "Market data".
 */
import { errorText, type JobOutcome, type MarketJobDeps } from "./context.ts";
import { runFred } from "./fred.ts";
import { runFundFlow } from "./fund-flow.ts";
import { runLongShort } from "./long-short.ts";
import { runOpenInterest } from "./open-interest.ts";

export type { JobOutcome, MarketJobDeps } from "./context.ts";

export type MarketJob = (deps: MarketJobDeps) => Promise<JobOutcome>;

export const MARKET_JOBS: Record<string, MarketJob> = {
  "open-interest": runOpenInterest,
  "long-short": runLongShort,
  fred: runFred,
  "fund-flow": runFundFlow,
};

export interface JobRun extends JobOutcome {
  job: string;
}

/** Runs the requested jobs (or `only`, requested or not); returns one outcome per job run. */
export async function runMarketJobs(deps: MarketJobDeps, only?: string[]): Promise<JobRun[]> {
  const claimed = await deps.sql<{ job: string }[]>`select private.claim_market_jobs(${only ?? null}::text[]) as job`;
  const out: JobRun[] = [];
  for (const { job } of claimed) {
    let outcome: JobOutcome;
    try {
      outcome = await MARKET_JOBS[job](deps);
    } catch (e) {
      outcome = { status: "failed", rows: 0, errors: [errorText(e, deps)] };
    }
    const error = outcome.errors.length ? outcome.errors.join("; ").slice(0, 600) : null;
    await deps.sql`select private.finish_market_job(${job}, ${outcome.status}, ${outcome.rows}, ${error})`;
    if (error) deps.log?.(`market-data ${job}: ${error}`);
    out.push({ job, ...outcome });
  }
  return out;
}

