/**
 * The sync's session: a dedicated connection (../db-session.ts) that holds the per-credential
 * advisory lock and runs every page transaction of one sync. A session-level advisory lock dies
 * with its session, so once the session is lost every statement (and, through the worker, every
 * exchange call) throws `LockLost`: the run stops instead of writing without the lock.
 */
import type { Sql } from "../db.ts";
import { type DbSession, openSession, SessionLost } from "../db-session.ts";

export class LockLost extends SessionLost {
  constructor(cause?: unknown) {
    super("the database session holding the account lock was lost (database restart or connection failure)", cause);
    this.name = "LockLost";
  }
}

export interface LockSession extends DbSession {
  /** `pg_try_advisory_lock(private.sync_lock_key(credentialId))` on this session. */
  tryLock(credentialId: string): Promise<boolean>;
  /** Throws LockLost when the session (and so the lock) is gone. */
  assertHeld(): void;
  /** Releases the lock (when still held) and closes the session. Never throws. */
  close(): Promise<void>;
}

export function openLockSession(pool: Sql): LockSession {
  const s = openSession(pool, (cause) => new LockLost(cause));
  let lockedId: string | null = null;
  return {
    get sql() {
      return s.sql;
    },
    get lost() {
      return s.lost;
    },
    assertAlive: s.assertAlive,
    assertHeld: s.assertAlive,
    tx: s.tx,
    async tryLock(credentialId) {
      const [r] = await s.sql`select pg_try_advisory_lock(private.sync_lock_key(${credentialId}::uuid)) as ok`;
      if (r.ok === true) lockedId = credentialId;
      return r.ok === true;
    },
    async close() {
      const id = lockedId;
      lockedId = null;
      await s.close(id === null ? undefined : (sql) => sql`select pg_advisory_unlock(private.sync_lock_key(${id}::uuid))`);
    },
  };
}
