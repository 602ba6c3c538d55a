/**
 * Local queue drainer for the exchange sync (on a hosted project pg_cron + pg_net call the
 * `exchange-sync` function instead):
 *
 *   npx tsx scripts/sync-worker.ts [--once] [--max N] [--interval S] [--enqueue]
 *
 *   --once       drain up to --max jobs, then exit (default: keep polling every --interval s)
 *   --max N      jobs per round (default 10)
 *   --interval   seconds between rounds when the queue is empty (default 5)
 *   --enqueue    run private.enqueue_due_syncs() before each round (pg_cron does it every 5 min)
 *
 * Database and keys: SUPABASE_DB_URL and CREDENTIAL_KEYS / CREDENTIAL_ACTIVE_KID from the
 * environment, else from the local stack (`npm run stack -- env --secrets`; STACK_DIR etc. honoured).
 * Talks to the real exchanges. Ctrl-C stops after the current job.
 */
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const num = (name: string, dflt: number) => {
  const i = argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(argv[i + 1]) : dflt;
  if (!Number.isFinite(v) || v <= 0) {
    console.error(`sync-worker: --${name} needs a positive number`);
    process.exit(2);
  }
  return v;
};

function loadStackEnv(): void {
  if (process.env.SUPABASE_DB_URL && process.env.CREDENTIAL_KEYS) return;
  const out = execFileSync("node", [resolve(ROOT, "scripts/stack.mjs"), "env", "--secrets"], { encoding: "utf8" });
  for (const line of out.split("\n")) {
    const i = line.indexOf("=");
    if (i > 0 && process.env[line.slice(0, i)] === undefined) process.env[line.slice(0, i)] = line.slice(i + 1);
  }
}

async function main() {
  const once = flag("once");
  const max = num("max", 10);
  const intervalMs = num("interval", 5) * 1000;
  const enqueue = flag("enqueue");
  loadStackEnv();
  // imported after the environment is set (the pool reads SUPABASE_DB_URL)
  const { closeDb } = await import("../functions/_shared/db.ts");
  const { defaultWorkerId, drainQueue, productionSyncDeps } = await import("../functions/_shared/sync/index.ts");
  const deps = await productionSyncDeps();
  const workerId = `local-${defaultWorkerId()}`;
  let stopping = false;
  process.on("SIGINT", () => {
    if (stopping) process.exit(130);
    stopping = true;
    console.log("sync-worker: stopping after the current job (Ctrl-C again to quit now)");
  });
  console.log(`sync-worker ${workerId}: ${once ? "one round" : `polling every ${intervalMs / 1000} s`}, up to ${max} jobs per round`);
  try {
    while (!stopping) {
      if (enqueue) {
        const [r] = await deps.sql`select private.enqueue_due_syncs() as n`;
        if (r.n > 0) console.log(`sync-worker: enqueued ${r.n} due sync(s)`);
      }
      const jobs = await drainQueue(deps, { workerId, max });
      for (const j of jobs) console.log(`sync-worker: job ${j.jobId} (credential ${j.credentialId}): sync ${j.sync}, job ${j.job}${j.runId ? `, run ${j.runId}` : ""}`);
      if (once) break;
      if (jobs.length < max) await new Promise((r) => setTimeout(r, intervalMs));
    }
  } finally {
    await closeDb();
  }
}

main().catch((e) => {
  console.error(`sync-worker: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
