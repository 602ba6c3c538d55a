/**
 * fredindicators: FRED `series/observations` (https://fred.stlouisfed.org/docs/api/fred/series_observations.html)
 * for the series in FRED_SERIES (default GDP, CPIAUCSL, UNRATE, FEDFUNDS, DGS10, M2SL), one row
 * per series and observation date, value as FRED publishes it (its unit). Each run asks only for
 * observations from the latest stored date on (re-runs upsert the same rows). FRED marks a
 * missing observation with "." — skipped, never stored as a number. The API key is the function
 * secret FRED_API_KEY; without it the job does nothing and records "not configured". The key
 * never reaches a log, an error text or the database.
 */
import { z } from "zod";
import { errorText, type JobOutcome, type MarketJobDeps } from "./context.ts";

export const FRED_URL = "https://api.stlouisfed.org/fred/series/observations";
const DEFAULT_SERIES = "GDP,CPIAUCSL,UNRATE,FEDFUNDS,DGS10,M2SL";

const observations = z.object({
  observations: z.array(z.object({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), value: z.string() }).passthrough()),
}).passthrough();

export function fredSeries(deps: Pick<MarketJobDeps, "env">): string[] {
  return (deps.env("FRED_SERIES") ?? DEFAULT_SERIES).split(",").map((s) => s.trim().toUpperCase()).filter((s) => /^[A-Z0-9_]{1,40}$/.test(s));
}

export async function runFred(deps: MarketJobDeps): Promise<JobOutcome> {
  const key = deps.env("FRED_API_KEY");
  if (!key) return { status: "not_configured", rows: 0, errors: ["not configured: the FRED_API_KEY secret is not set"] };
  let rows = 0;
  const errors: string[] = [];
  for (const series of fredSeries(deps)) {
    try {
      const [last] = await deps.sql`select max(observation_date)::text as d from public.fredindicators where name = ${series}`;
      const url = new URL(FRED_URL);
      url.searchParams.set("series_id", series);
      url.searchParams.set("api_key", key);
      url.searchParams.set("file_type", "json");
      if (last?.d) url.searchParams.set("observation_start", last.d);
      const res = await deps.fetch(url, { signal: AbortSignal.timeout(20_000) });
      if (!res.ok) throw new Error(`FRED answered ${res.status}`);
      const body = observations.parse(await res.json());
      const valid = body.observations.filter((o) => /^-?\d+(\.\d+)?$/.test(o.value));
      if (!valid.length) continue;
      const r = await deps.sql`
        insert into public.fredindicators as f (name, value, observation_date)
        select ${series}, v.value::numeric, v.d::date
          from unnest(${valid.map((o) => o.value)}::text[], ${valid.map((o) => o.date)}::text[]) as v (value, d)
        on conflict (name, observation_date) do update set value = excluded.value
         where f.value is distinct from excluded.value
        returning 1`;
      rows += r.length;
    } catch (e) {
      errors.push(errorText(e, deps, `${series}: `));
    }
  }
  return { status: errors.length ? "failed" : "succeeded", rows, errors };
}
