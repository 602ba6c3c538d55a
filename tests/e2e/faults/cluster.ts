/**
 * "The database restarted": a fast shutdown (pg_ctl -m fast: every session is terminated, open
 * transactions roll back) and a start of this stack's cluster (STACK_DIR / STACK_DB_PORT).
 */
import { isRunning, startCluster, stopCluster } from "../../../scripts/lib/cluster.mjs";

export function restartDatabase(): { downMs: number } {
  const t0 = performance.now();
  stopCluster();
  if (isRunning()) throw new Error("the cluster did not stop");
  startCluster();
  return { downMs: Math.round(performance.now() - t0) };
}
