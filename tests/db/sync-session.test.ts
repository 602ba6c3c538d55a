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
async function sessionsWithPid(pid: number): Promise<number> {
  const [r] = await db()`select count(*)::int as n from pg_stat_activity where pid = ${pid}`;
  return r.n as number;
}
const settle = () => new Promise((r) => setTimeout(r, 100));

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
    await settle();
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
    let after = false;
    const tx = s.tx(async (t) => {
      await t`select 1`;
      setTimeout(() => void kill(pid), 150);
      await t`select pg_sleep(5)`;
      after = true;
    });
    const err = await tx.then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(LockLost);
    expect(err).toBeInstanceOf(SessionLost);
    expect(isConnectionLoss((err as Error).cause)).toBe(true);
    expect(after).toBe(false);
    await settle();
    expect(await sessionsWithPid(pid)).toBe(0);
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
