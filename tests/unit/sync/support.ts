/**
 * Test support for the exchange sync (used by tests/db/sync-*.test.ts and
 * tests/functions/exchange-sync*.test.ts): worker dependencies with ccxt clients on the recorded
 * fixtures (msw), a fixed clock, no real waits, and credentials inserted for test users.
 */
import type { HttpHandler } from "msw";
import { afterAll, beforeAll } from "vitest";
import { setupServer } from "msw/node";
import { adminSql, closePools } from "../../support/db.ts";
import { exportStackEnv } from "../../support/env.ts";
import { createUser, type TestUser } from "../../support/users.ts";
import {
  caseHandlers,
  type FixtureExchange,
  getCase,
  OUR_ID,
  type RecordedRequest,
  replayClient,
  type ReplayServer,
  startReplayServer,
} from "../../support/ccxt/replay.ts";
import { closeDb, db } from "../../../functions/_shared/db.ts";
import type { SyncDeps, SyncOptions, SyncStep } from "../../../functions/_shared/sync/index.ts";

/** Distinctive secrets: none may appear in sync_runs, a response or a log line. */
export const SECRETS = {
  apiKey: "SYNCtestKEY7q9Zx1Lr0aT4pW2mN8vK3jH5gF6dS1",
  secretKey: "SYNCtestSECRET1c2V3b4N5m6Q7w8E9r0T1y2U3i4O5p6",
  passphrase: "SyncTestPassphrase42",
};

export const NOW = Date.UTC(2026, 0, 15, 0, 0, 0, 0);

export interface TestDeps extends SyncDeps {
  sleeps: number[];
}

export function makeDeps(ex: FixtureExchange, o: Partial<SyncDeps> & { options?: SyncOptions } = {}): TestDeps {
  const sleeps: number[] = [];
  return {
    sql: db(),
    decrypt: async () => ({ ...SECRETS }),
    createClient: (c) =>
      replayClient(ex, { apiKey: c.apiKey, secret: c.secret, password: c.password, accountMode: c.accountMode, options: c.options }),
    now: () => NOW,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    rng: () => 0.5,
    detectAccountMode: false,
    ...o,
    sleeps,
  };
}

export interface TestCredential {
  user: TestUser;
  credentialId: string;
}

/** A user with one active, verified credential for `ex` (ciphertext placeholders: decrypt is injected). */
export async function newCredential(ex: FixtureExchange, label = "sync", extra: { syncSymbols?: string[] } = {}): Promise<TestCredential> {
  const user = await createUser(label);
  const [row] = await adminSql()`
    insert into public.api_credentials (user_id, exchange, label, api_key_ct, secret_key_ct, passphrase_ct, kid, key_hint,
                                        verification_status, sync_symbols)
    values (${user.id}, ${OUR_ID[ex]}, ${label}, 'v1:test:ct', 'v1:test:ct', 'v1:test:ct', 'test', '••••test',
            'verified', ${extra.syncSymbols ?? []})
    returning id`;
  return { user, credentialId: row.id as string };
}

/** msw handlers for fixture cases ([method, description]) plus `extra` ones (first match wins). */
export function serveCases(server: ReplayServer, ex: FixtureExchange, cases: Array<[string, string]>, extra: HttpHandler[] = []): RecordedRequest[] {
  const requests: RecordedRequest[] = [];
  server.resetHandlers(...extra, ...cases.flatMap(([m, d]) => caseHandlers(ex, getCase(ex, m, d), requests)));
  return requests;
}

/** msw server: any unhandled exchange request fails; the local stack (127.0.0.1) is let through. */
export function startSyncServer(): ReplayServer {
  const server = setupServer();
  server.listen({ onUnhandledRequest: (req, print) => { if (new URL(req.url).hostname !== "127.0.0.1") print.error(); } });
  return server;
}

/** Every request msw sees from now on (method + URL). */
export function recordAll(server: ReplayServer): { urls: string[]; stop: () => void } {
  const urls: string[] = [];
  const listener = ({ request }: { request: Request }) => {
    const u = new URL(request.url);
    if (u.hostname !== "127.0.0.1") urls.push(`${request.method} ${u.host}${u.pathname}`);
  };
  server.events.on("request:start", listener);
  return { urls, stop: () => server.events.removeListener("request:start", listener) };
}

export async function tableCounts(userId: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of ["fills", "orders", "balances", "transfers", "funding_payments", "fees_tracking", "exchange_positions", "sync_cursors"]) {
    const [r] = await adminSql().unsafe(`select count(*)::int as n from public.${t} where user_id = $1`, [userId]);
    out[t] = r.n;
  }
  return out;
}

/**
 * A database test file's exchange mock: before its tests, the local stack's environment and a
 * replay server (handed to `use`); after them, the server, the functions' pool and the test pools
 * closed. Call at the top level of the file.
 */
export function useReplayServer(use: (server: ReplayServer) => void): void {
  let server: ReplayServer | undefined;
  beforeAll(() => {
    exportStackEnv();
    server = startReplayServer();
    use(server);
  });
  afterAll(async () => {
    server?.close();
    await closeDb();
    await closePools();
  });
}

/** Sync options for one history step of spot LTC/USDT alone, 3 days back, no symbol discovery. */
export function ltcSpotOnly(step: SyncStep): SyncOptions {
  return { steps: [step], marketTypes: ["spot"], discover: false, userSymbols: ["LTC/USDT"], backfillDays: 3 };
}
