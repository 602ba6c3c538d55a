/**
 * The PnL engine in its own process (the "session killed mid-stream" fault, which postgres.js
 * may answer with an uncaught TypeError that ends the process): `processUser(userId)`, then
 * prints `done <streams>` or `error <message>`.
 *
 *   node --import tsx tests/e2e/faults/pnl-child.ts <userId> [groupSize]
 */
import { closeDb } from "../../../functions/_shared/db.ts";
import { processUser } from "../../../functions/_shared/positions/process.ts";

const [userId, groupSize] = process.argv.slice(2);
try {
  const r = await processUser(userId, undefined, { groupSize: groupSize ? Number(groupSize) : undefined });
  process.stdout.write(`done ${r.length}\n`);
} catch (e) {
  process.stdout.write(`error ${e instanceof Error ? e.message : String(e)}\n`);
}
await closeDb().catch(() => {});
process.exit(0);
