/**
 * A sync worker in its own process, for faults that kill or crash a worker: claims one due job
 * with `drainQueue` against the fault account (msw, optionally slow), prints `page <n> …` after
 * each committed history page and `done <json>` at the end. With a pause page it prints
 * `paused <n>` after that page and waits for a line on stdin before going on (the parent
 * restarts the database meanwhile, or SIGKILLs it). With maxJobs > 1 it goes on draining due
 * jobs after the first.
 *
 *   tsx tests/e2e/faults/worker-child.ts <workerId> <delayMs> [pausePage] [maxJobs]
 *
 * Database: SUPABASE_DB_URL from the parent's environment.
 */
import { createInterface } from "node:readline";
import { setupServer } from "msw/node";
import { exchangeHandlers, newControl, OPTIONS } from "./world.ts";
import { makeDeps } from "../../unit/sync/support.ts";
import { closeDb } from "../../../functions/_shared/db.ts";
import { drainQueue, onFillsWritten } from "../../../functions/_shared/sync/index.ts";

const [workerId = "child", delayMs = "0", pause = "0", maxJobs = "1"] = process.argv.slice(2);
const pausePage = Number(pause);
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const server = setupServer(...exchangeHandlers(newControl({ delayMs: Number(delayMs) })));
server.listen({ onUnhandledRequest: "bypass" });
let pausedOnce = false; // only in the first job
const deps = makeDeps("binance", {
  options: OPTIONS,
  onFillsWritten,
  afterPage: async (p) => {
    process.stdout.write(`page ${p.page} ${p.dataKind} ${p.symbol}\n`);
    if (p.page === pausePage && !pausedOnce) {
      pausedOnce = true;
      process.stdout.write(`paused ${p.page}\n`);
      await lines.next();
    }
  },
});
const out = await drainQueue(deps, { workerId, max: Number(maxJobs), staleAfterMs: 600_000 });
process.stdout.write(`done ${JSON.stringify(out)}\n`);
server.close();
await closeDb();
process.exit(0);
