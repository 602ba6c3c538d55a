/**
 * The sync's lock session (functions/_shared/sync/session.ts over ../db-session.ts) when its
 * backend is killed — idle between two transactions, or with a statement in flight inside one:
 * the process survives (postgres.js answered the same with an uncaught TypeError from a reserved
 * connection or a `begin` scope), the session reports LockLost, sends nothing more (no silent
 * reconnect without the lock), and the lock is free for another worker. A failing statement, by
 * contrast, only rolls its transaction back: session and lock stay.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closePools } from "../support/db.ts";
import { exportStackEnv } from "../support/env.ts";
import { closeDb, db } from "../../functions/_shared/db.ts";
import { isConnectionLoss, SessionLost } from "../../functions/_shared/db-session.ts";
import { LockLost, type LockSession, openLockSession } from "../../functions/_shared/sync/session.ts";
import { backendGone, backendWaiting, until } from "../support/wait.ts";

beforeAll(() => {
  exportStackEnv();
});
afterAll(async () => {
  await closeDb();
  await closePools();
});

async function pidOf(s: LockSession): Promise<number> {
  const [r] = await s.sql`select pg_backend_pid() as pid`;
  return r.pid as number;
}
async function kill(pid: number): Promise<void> {
  await db()`select pg_terminate_backend(${pid})`;
}
async function lockIsFree(id: string): Promise<boolean> {
  const other = openLockSession(db());
  try {
    return await other.tryLock(id);
  } finally {
    await other.close();
  }
}

describe("the sync's lock session", () => {
  it("holds the lock against another session; releases it on close", async () => {
    const id = randomUUID();
    const s = openLockSession(db());
    expect(await s.tryLock(id)).toBe(true);
    expect(await lockIsFree(id)).toBe(false);
    await s.close();
    expect(await lockIsFree(id)).toBe(true);
  });

  it("backend killed between transactions: the next statement throws LockLost, nothing is sent, the lock is free", async () => {
    const id = randomUUID();
    const s = openLockSession(db());
    expect(await s.tryLock(id)).toBe(true);
    const pid = await pidOf(s);
    await kill(pid);
    // synchronised on events, not a pause: the backend has ended (gone from pg_stat_activity,
    // its advisory lock released), and the client has seen its connection close (onclose)
    await backendGone(db(), pid);
    await until("the session to observe its connection's end", () => s.lost);
    expect(s.lost).toBe(true);
    expect(() => s.assertHeld()).toThrow(LockLost);
    await expect(s.tx(async (tx) => await tx`select 1`)).rejects.toBeInstanceOf(LockLost);
    expect(() => s.sql`select 1`).toThrow(LockLost);
    expect(() => s.sql.unsafe("select 1")).toThrow(LockLost);
    expect(await lockIsFree(id)).toBe(true);
    await s.close();
  });

  it("backend killed while a statement of a transaction is in flight: the transaction rejects with LockLost, no rollback is sent", async () => {
    const id = randomUUID();
    const s = openLockSession(db());
    expect(await s.tryLock(id)).toBe(true);
    const pid = await pidOf(s);
    // The statement in flight waits on an advisory lock the test holds (no timer decides
    // anything): the kill is sent once pg_stat_activity shows the backend blocked on it, and the
    // test lets the lock go once the backend has ended (observed in pg_stat_activity; its own
    // locks are released before it leaves), so a statement that survived would complete and set
    // `after`.
    const gate = Math.floor(Math.random() * 2 ** 31);
    const holder = await db().reserve();
    await holder`select pg_advisory_lock(${gate})`;
    let after = false;
    let tx: Promise<unknown> | undefined;
    try {
      tx = s.tx(async (t) => {
        await t`select 1`;
        await t`select pg_advisory_lock(${gate})`;
        after = true;
      });
      tx.catch(() => {});
      await backendWaiting(db(), pid, "advisory");
      await kill(pid);
      await backendGone(db(), pid);
    } finally {
      await holder`select pg_advisory_unlock(${gate})`;
      holder.release();
    }
    const err = await tx.then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(LockLost);
    expect(err).toBeInstanceOf(SessionLost);
    expect(isConnectionLoss((err as Error).cause)).toBe(true);
    expect(after).toBe(false);
    expect(await lockIsFree(id)).toBe(true);
    await s.close();
  });

  it("a failing statement rolls its transaction back; session and lock stay", async () => {
    const id = randomUUID();
    const s = openLockSession(db());
    expect(await s.tryLock(id)).toBe(true);
    await expect(s.tx(async (t) => await t`select 1 / 0`)).rejects.toMatchObject({ code: "22012" });
    expect(s.lost).toBe(false);
    const [r] = await s.sql`select 2 as x`;
    expect(r.x).toBe(2);
    expect(await s.tx(async (t) => (await t`select 3 as y`)[0].y)).toBe(3);
    expect(await lockIsFree(id)).toBe(false);
    await s.close();
    expect(await lockIsFree(id)).toBe(true);
  });
});
