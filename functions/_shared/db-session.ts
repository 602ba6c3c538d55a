/**
 * A dedicated database session: ONE connection of its own (a `max: 1` client with the pool's
 * settings, no idle or lifetime limit) for work that must stay on one server session — a
 * session-level advisory lock and the transactions done under it.
 *
 * Why not `pool.reserve()` (nor `pool.begin()` around slow I/O): when the server restarts or the
 * backend is terminated, postgres.js 3.4.9 still sends a reserved handle's (or a `begin` scope's)
 * next statement, e.g. its ROLLBACK, to the closed connection; the write is flushed from a
 * setImmediate on a null socket and throws an uncaught TypeError ("Cannot read properties of null
 * (reading 'write')", connection.js nextWrite) that ends the process (porsager/postgres#1208).
 * Here the loss is observed (the client's `onclose`, or a connection error inside a transaction)
 * and from then on no statement is sent on the session again: each one throws `SessionLost`
 * (nor would the client silently reconnect to a new session that lacks the old one's locks).
 */
import postgres from "postgres";
import type { Sql } from "./db.ts";

/** The session's connection is gone: nothing more can be done on it. */
export class SessionLost extends Error {
  constructor(message = "the database session was lost (database restart or connection failure)", cause?: unknown) {
    super(message);
    this.name = "SessionLost";
    if (cause !== undefined) this.cause = cause;
  }
}

/** postgres.js's own connection error codes, and Node socket errors. */
const CLIENT_CONNECTION_CODES = new Set([
  "CONNECTION_CLOSED", "CONNECTION_DESTROYED", "CONNECTION_ENDED", "CONNECT_TIMEOUT",
  "ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH",
]);

/**
 * The error means the connection itself is gone (not a failed statement): a client/socket code,
 * SQLSTATE class 08 (connection exception) or 57P01–57P03 (shutdown), or a FATAL/PANIC report.
 */
export function isConnectionLoss(e: unknown): boolean {
  if (!e || typeof e !== "object") return false;
  const { code, severity } = e as { code?: unknown; severity?: unknown };
  if (typeof code === "string" && (CLIENT_CONNECTION_CODES.has(code) || code.startsWith("08") || /^57P0[123]$/.test(code))) return true;
  return severity === "FATAL" || severity === "PANIC";
}

export interface DbSession {
  /** Statements on the session; each throws SessionLost once the session is gone. */
  readonly sql: Sql;
  readonly lost: boolean;
  /** Throws SessionLost when the session is gone. */
  assertAlive(): void;
  /** BEGIN … COMMIT; ROLLBACK on a statement error; on a lost session nothing more is sent. */
  tx<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  /** Runs `beforeClose` while the session lives (errors ignored), then closes it. Never throws. */
  close(beforeClose?: (sql: Sql) => Promise<unknown>): Promise<void>;
}

const GUARDED_METHODS = new Set<PropertyKey>(["unsafe", "file", "begin", "reserve", "listen", "notify"]);

/** `sql` whose every statement first calls `check` (tagged calls and the statement methods). */
function guard(sql: Sql, check: () => void): Sql {
  return new Proxy(sql, {
    apply(target, self, args) {
      check();
      return Reflect.apply(target as unknown as (...a: unknown[]) => unknown, self, args);
    },
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (!GUARDED_METHODS.has(prop) || typeof v !== "function") return v;
      return (...args: unknown[]) => {
        check();
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/**
 * Opens a dedicated session with `pool`'s connection settings. `lostError` is what statements
 * throw once it is gone (callers name their consequence, e.g. a lock lost).
 */
export function openSession(pool: Sql, lostError: (cause?: unknown) => SessionLost = (c) => new SessionLost(undefined, c)): DbSession {
  let lost = false;
  const client = postgres({
    ...(pool.options as unknown as Record<string, unknown>),
    shared: undefined, // parsed options carry the pool's shared state: have them parsed afresh
    max: 1,
    // Named prepared statements: a dedicated session is a direct (or session-mode) connection,
    // never behind the transaction pooler, so they are safe here. Without them every statement
    // with parameters costs two round trips (postgres.js describes it first), and a page's
    // statement waits for the client between the two (the sync's load-ahead keeps it busy).
    prepare: true,
    idle_timeout: 0,
    max_lifetime: 0,
    onclose: () => {
      lost = true;
    },
  } as never) as unknown as Sql;
  const assertAlive = () => {
    if (lost) throw lostError();
  };
  const sql = guard(client, assertAlive);
  return {
    sql,
    get lost() {
      return lost;
    },
    assertAlive,
    async tx(fn) {
      assertAlive();
      try {
        // BEGIN goes out with the transaction's first statement (pipelined, one round trip less):
        // statements on the one connection run in order; its failure is seen here at the latest.
        const begun = sql`begin`.execute();
        begun.catch(() => {});
        const out = await fn(sql);
        await begun;
        await sql`commit`;
        return out;
      } catch (e) {
        if (isConnectionLoss(e)) lost = true;
        if (lost) throw e instanceof SessionLost ? e : lostError(e);
        try {
          await sql`rollback`;
        } catch (r) {
          if (isConnectionLoss(r)) lost = true;
        }
        throw e;
      }
    },
    async close(beforeClose) {
      if (beforeClose && !lost) {
        try {
          await beforeClose(sql);
        } catch { /* closing the session below ends what it held */ }
      }
      // a connection that died with a statement in flight never ends by itself (postgres.js keeps
      // that statement as current): destroy it at once
      const timeout = lost ? 0 : 5;
      lost = true;
      try {
        await client.end({ timeout });
      } catch { /* already closed */ }
    },
  };
}
