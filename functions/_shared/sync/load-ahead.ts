/**
 * Pages loaded one ahead of their write: while page k is being written (a database transaction),
 * page k+1 is already fetched from the exchange and prepared (parsed, normalised, its statement's
 * parameters built). The exchange's latency, and the client's CPU work, then overlap the
 * database's work instead of adding to it.
 *
 * Order and failure semantics are those of the plain loop (load k, write k, load k+1, …):
 * - loads run one at a time and in order; so do writes;
 * - a failed write ends the run once the load in flight has settled (its page is dropped, never
 *   written);
 * - a failed load ends the run after the write before it has finished (committed or failed).
 */
import { setImmediate } from "node:timers";

/** A loaded page, and the request of the page after it (null: it was the last). */
export interface Loaded<Req, Page> {
  page: Page;
  next: Req | null;
}

/** Lets I/O already queued go out first (the write's statement), then continues. */
const afterQueuedIo = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function loadAhead<Req, Page>(
  first: Req,
  load: (req: Req) => Promise<Loaded<Req, Page>>,
  write: (page: Page) => Promise<void>,
): Promise<void> {
  let current = await load(first);
  for (;;) {
    const writing = write(current.page);
    const nextReq = current.next;
    const ahead = nextReq === null ? null : afterQueuedIo().then(() => load(nextReq));
    ahead?.catch(() => {}); // observed below, after the write
    try {
      await writing;
    } catch (e) {
      if (ahead) await ahead.catch(() => {});
      throw e;
    }
    if (!ahead) return;
    current = await ahead;
  }
}
