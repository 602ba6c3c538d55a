/**
 * Local market-data worker (on a hosted project pg_cron + pg_net call the `market-data` function
 * instead): fetches the due daily-candle series and runs the market-data jobs pg_cron requested.
 *
 *   npm run market-data -- [--once] [--plan] [--jobs open-interest,long-short,fred] [--interval S]
 *
 *   --once       one round, then exit (default: a round every --interval seconds, default 60)
 *   --plan       run private.plan_market_candles() first (pg_cron does it every 15 minutes)
 *   --jobs a,b   run these jobs now (requested or not); default: the ones pg_cron requested
 *
 * Database: SUPABASE_DB_URL, else the local stack (`npm run stack -- env --secrets`; STACK_* honoured).
 * FRED: FRED_API_KEY (and FRED_SERIES) from the environment. Talks to the real exchanges and FRED.
 */
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const value = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};

function loadStackEnv(): void {
  if (process.env.SUPABASE_DB_URL) return;
  const out = execFileSync("node", [resolve(ROOT, "scripts/stack.mjs"), "env", "--secrets"], { encoding: "utf8" });
  for (const line of out.split("\n")) {
    const i = line.indexOf("=");
    if (i > 0 && process.env[line.slice(0, i)] === undefined) process.env[line.slice(0, i)] = line.slice(i + 1);
  }
}

async function main() {
  const intervalMs = Number(value("interval") ?? 60) * 1000;
  if (!Number.isFinite(intervalMs) || intervalMs <= 0) throw new Error("--interval needs a positive number of seconds");
  const only = value("jobs")?.split(",").map((s) => s.trim()).filter(Boolean);
  loadStackEnv();
  const { closeDb, db } = await import("../functions/_shared/db.ts");
  const { env } = await import("../functions/_shared/env.ts");
  const { publicClient, runCandles } = await import("../functions/_shared/market/candles.ts");
  const { MARKET_JOBS, runMarketJobs } = await import("../functions/_shared/market/jobs.ts");
  const unknown = (only ?? []).filter((j) => !MARKET_JOBS[j]);
  if (unknown.length) throw new Error(`unknown job(s) ${unknown.join(", ")}; known: ${Object.keys(MARKET_JOBS).join(", ")}`);
  const sql = db();
  let stopping = false;
  process.on("SIGINT", () => { stopping = true; });
  try {
    do {
      if (flag("plan")) {
        const [r] = await sql`select private.plan_market_candles() as n`;
        console.log(`market-data: ${r.n} candle series due`);
      }
      const series = await runCandles({ sql, createClient: publicClient, now: () => Date.now(), log: (l) => console.log(l) }, { max: 200 });
      const written = series.reduce((n, s) => n + s.candles, 0);
      console.log(`market-data: ${series.length} series, ${written} candles, ${series.filter((s) => s.status === "failed").length} failed`);
      const jobs = await runMarketJobs({ sql, createClient: publicClient, fetch: (u, i) => fetch(u, i), env, now: () => Date.now(), log: (l) => console.log(l) }, only);
      for (const j of jobs) console.log(`market-data: job ${j.job}: ${j.status}, ${j.rows} rows${j.errors.length ? ` (${j.errors.join("; ")})` : ""}`);
      if (flag("once") || only) break;
      await new Promise((r) => setTimeout(r, intervalMs));
    } while (!stopping);
  } finally {
    await closeDb();
  }
}

main().catch((e) => {
  console.error(`market-data: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
