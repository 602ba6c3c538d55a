/**
 * The exchange sync of ONE credential (the worker core). See ./README.md for the flow.
 *
 *   const result = await syncCredential(deps, { userId, credentialId, jobId?, workerId? });
 *
 * - A per-credential advisory lock (`pg_try_advisory_lock(private.sync_lock_key(id))`) is held
 *   on a dedicated session (./session.ts) for the whole sync: a second worker on the same account
 *   gets `status: "locked"` at once and touches nothing. Every page transaction runs on that
 *   session too; when it is lost (database restart, connection failure) the lock is gone with it:
 *   the run stops at once (`lock_lost`, status failed, recorded through the pool) and the next
 *   run continues from the cursors.
 * - Snapshots (balances, open positions, open orders, tickers) and histories (transfers, orders,
 *   fills per market type and symbol, funding), each history page in ONE transaction with its
 *   cursor (`sync_cursors`), so a crash between pages loses nothing and repeats nothing.
 * - Errors: exchange calls go through `withRetry` (backoff + jitter, Retry-After); an
 *   authentication error stops the run and marks the credential `invalid` (no retry storm); a
 *   malformed page is rejected (nothing of it written, reason recorded) and ends that one
 *   history chain; one symbol's failure does not stop the others.
 * - Every run writes a `sync_runs` row and `api_credentials.last_sync_status/last_sync_at`;
 *   the new fills' streams go to `onFillsWritten` after the sync.
 * Clock, ccxt client factory, decryption, sleep and randomness are injected (tests: msw).
 */
import type { Sql } from "../db.ts";
import type { ExchangeId, FillRow, FundingRow, MarketType, TransferRow } from "../domain/types.ts";
import { fundingFeeRow } from "../fills/funding.ts";
import { isTradingExchange } from "../domain/exchanges.ts";
import type { CredentialSecrets, StoredCredentialRow } from "../crypto/credential-set.ts";
import {
  type AccountMode,
  assertJsonBody,
  assertNoRowsDropped,
  type CcxtArgs,
  type CcxtExchange,
  classifyError,
  clearLastResponse,
  createExchangeClient,
  type CreateClientOptions,
  type Cursor,
  cursorAfterPage,
  type DataKind,
  detectAccountMode,
  discoverSymbols,
  firstPage,
  historyLimit,
  type HistoryLimit,
  type HistoryRowKind,
  markLiquidations,
  MalformedPayloadError,
  type MarketLike,
  nextPage,
  normalizeBalance,
  normalizeBinanceIncome,
  normalizeFundingHistory,
  normalizeOrders,
  normalizePositions,
  normalizeTickers,
  normalizeTrades,
  normalizeTransfers,
  type PageRequest,
  type PageRow,
  pageRowsOf,
  planWindows,
  requestArgs,
  resumeById,
  type RetryOptions,
  tickerSymbolsForAssets,
  type Window,
  withRetry,
} from "../exchanges/index.ts";
import type { NormalizedOrder } from "../exchanges/normalize/orders.ts";
import { cursorMapKey, type CursorKey, loadCursors, type StoredCursor, upsertRows, writePage } from "./store.ts";
import { insertFills, prepareFills, type PreparedFills } from "../fills/write.ts";
import { loadAhead, type Loaded } from "./load-ahead.ts";
import { scrubMessage } from "./scrub.ts";
import { LockLost, type LockSession, openLockSession } from "./session.ts";

export type SyncStep = "balances" | "positions" | "open_orders" | "transfers" | "orders" | "fills" | "funding" | "tickers";
export const ALL_STEPS: SyncStep[] = ["balances", "positions", "open_orders", "transfers", "orders", "fills", "funding", "tickers"];

export interface SyncOptions {
  /** First sync: how far back (default 365 days, capped by each exchange's lookback). */
  backfillDays?: number;
  /** Later syncs restart this much before the cursor (default 5 min). */
  overlapMs?: number;
  /** Default ["spot", "swap"]. */
  marketTypes?: MarketType[];
  /** What to sync (default all of ALL_STEPS). */
  steps?: SyncStep[];
  /** Accounts whose balances are fetched (default: the market types). */
  balanceAccounts?: MarketType[];
  /** Symbol discovery from balances, transfers, orders, stored data (default true). */
  discover?: boolean;
  /** Symbols to cover beside the discovered ones (added to the credential's sync_symbols). */
  userSymbols?: string[];
  /** Cap on discovered symbols per market type (default 150; user symbols come first). */
  maxSymbols?: number;
  /** Passed to withRetry (default: 5 attempts, waits up to 120 s). */
  retry?: Pick<RetryOptions, "maxAttempts" | "maxDelayMs" | "backoff">;
  /** Ignore stored cursors (re-backfill the window; job kind "full"). */
  full?: boolean;
  /** Stop starting new pages after this many ms (the run is then "partial" and `incomplete`). */
  budgetMs?: number;
  /** How often the job's heartbeat is written (default 15 s, wall clock). */
  heartbeatEveryMs?: number;
}

export interface TouchedStream {
  exchange: ExchangeId;
  market_type: MarketType;
  symbol: string;
}

export interface PageInfo {
  page: number;
  step: SyncStep;
  dataKind: string;
  marketType: MarketType;
  symbol: string;
  rows: number;
}

export interface SyncDeps {
  /** postgres.js pool with the owner's (or service) connection. */
  sql: Sql;
  /** Decrypts the stored ciphertext (server side only). */
  decrypt: (row: StoredCredentialRow) => Promise<CredentialSecrets>;
  /** ccxt client factory (default createExchangeClient). */
  createClient?: (o: CreateClientOptions) => CcxtExchange;
  /** The clock (ms), for windows, snapshot times and durations. Default Date.now. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  rng?: () => number;
  /** Called after the sync with the streams that received new fills (the PnL engine). */
  onFillsWritten?: (userId: string, touched: TouchedStream[]) => Promise<void> | void;
  /** Called after each committed history page; a throw aborts the sync like a crash (tests). */
  afterPage?: (info: PageInfo) => Promise<void> | void;
  /** Ask bitget/gate once for the account mode when none is stored (default true). */
  detectAccountMode?: boolean;
  log?: (line: string) => void;
  options?: SyncOptions;
}

export interface SyncErrorEntry {
  kind: string;
  step: SyncStep | "setup";
  data_kind?: string;
  market_type?: MarketType;
  symbol?: string | null;
  code: string;
  message: string;
}

export type SyncStatus = "succeeded" | "partial" | "failed";

export interface SyncResult {
  status: SyncStatus | "locked" | "skipped";
  runId: string | null;
  counts: Record<string, number>;
  pages: number;
  retries: number;
  errors: SyncErrorEntry[];
  warnings: string[];
  durationMs: number;
  authFailed: boolean;
  /** Retrying cannot help (authentication failed, the stored key cannot be decrypted). */
  fatal: boolean;
  /** The time budget ran out: the job should continue soon. */
  incomplete: boolean;
  touched: TouchedStream[];
  /** For skipped runs: why. */
  reason?: string;
}

export interface SyncTarget {
  userId: string;
  credentialId: string;
  jobId?: string | number | bigint | null;
  workerId?: string;
  /** Overrides options.full. */
  full?: boolean;
}

/** Thrown by the afterPage hook wrapper: propagates out of syncCredential untouched. */
export class SyncAborted extends Error {
  readonly reason: unknown;
  constructor(reason: unknown) {
    super(`sync aborted: ${reason instanceof Error ? reason.message : String(reason)}`);
    this.reason = reason;
    this.name = "SyncAborted";
  }
}

class AuthStop extends Error {
  constructor() {
    super("authentication failed");
  }
}

class BudgetExhausted extends Error {
  constructor() {
    super("time budget exhausted");
  }
}

interface CredentialRow extends StoredCredentialRow {
  id: string;
  is_active: boolean;
  deleted_at: Date | null;
  verification_status: string;
  account_mode: AccountMode | null;
  sync_symbols: string[] | null;
}

const ORDER_UPDATE = [
  "client_order_id", "type", "status", "price", "quantity", "executed_qty", "average_price", "stop_price", "reduce_only",
  "filled_timestamp",
];
const TRANSFER_UPDATE = ["amount", "fee", "fee_currency", "network", "address", "tx_id", "status"];
const TRANSFER_STATUSES = new Set(["ok", "pending", "failed", "canceled"]);
const LOCK_LOST_MESSAGE = "the database session holding the account lock was lost (database restart or connection failure); " +
  "the run stopped, the next one continues from the cursors";

/** What the sync does for one (exchange, data kind): the ccxt method of an order history. */
/**
 * bitget: its order history holds filled and cancelled orders, and ccxt's fetchClosedOrders drops
 * the cancelled ones from each page — a full page then reads as short and ends the window early
 * (orders lost). fetchCanceledAndClosedOrders returns the page whole; cancelled orders are stored
 * with their status, as binance's allOrders brings them too.
 */
function orderHistoryMethod(ex: ExchangeId): "fetchOrders" | "fetchClosedOrders" | "fetchCanceledAndClosedOrders" {
  return ex === "bitget" ? "fetchCanceledAndClosedOrders" : ex === "gateio" ? "fetchClosedOrders" : "fetchOrders";
}

/** Funding history needs a symbol on bitget (ccxt requires it). */
function fundingNeedsSymbol(ex: ExchangeId): boolean {
  return ex === "bitget";
}

class Run {
  readonly counts: Record<string, number> = {};
  readonly errors: SyncErrorEntry[] = [];
  readonly warnings: string[] = [];
  pages = 0;
  retries = 0;
  okSteps = 0;
  failedSteps = 0;
  authFailed = false;
  incomplete = false;
  readonly touched = new Map<string, TouchedStream>();
  readonly balanceAssets = new Set<string>();
  readonly feeCurrencies = new Set<string>();
  readonly transferAssets = new Set<string>();
  readonly orderSymbols = new Set<string>();
  readonly seenSymbols = new Set<string>();
  cursors = new Map<string, StoredCursor>();
  private lastBeat = Date.now();
  readonly started: number;

  readonly db: Sql;
  /** The lock-lost error was recorded (once, at the step where it surfaced). */
  lockLostRecorded = false;

  constructor(
    readonly deps: SyncDeps,
    readonly session: LockSession,
    readonly target: SyncTarget,
    readonly cred: CredentialRow,
    readonly exchange: ExchangeId,
    readonly client: CcxtExchange,
    readonly secrets: CredentialSecrets,
    readonly opts: SyncOptions,
  ) {
    this.db = session.sql;
    this.started = this.now();
  }

  /** One transaction on the lock's session. */
  tx<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    return this.session.tx(fn);
  }

  now(): number {
    return this.deps.now ? this.deps.now() : Date.now();
  }

  add(kind: string, n: number) {
    if (n > 0) this.counts[kind] = (this.counts[kind] ?? 0) + n;
    else this.counts[kind] ??= 0;
  }

  scrub(msg: string): string {
    return scrubMessage(msg, [this.secrets.apiKey, this.secrets.secretKey, this.secrets.passphrase]);
  }

  /** One exchange call with retries, then the JSON body check. */
  async call<T>(fn: () => Promise<T>): Promise<T> {
    this.session.assertHeld(); // no exchange I/O for a run that can no longer write
    if (this.opts.budgetMs !== undefined && Date.now() - this.wallStart > this.opts.budgetMs) throw new BudgetExhausted();
    const r = this.opts.retry ?? {};
    // ccxt fails on a truncated body with a TypeError from its own error handler (binance:
    // "Cannot use 'in' operator…"): report what really happened, the body is not JSON.
    const guarded = async () => {
      try {
        return await fn();
      } catch (e) {
        if (e instanceof TypeError || e instanceof SyntaxError) assertJsonBody(this.client);
        throw e;
      }
    };
    const out = await withRetry(this.client, guarded, {
      maxAttempts: r.maxAttempts,
      maxDelayMs: r.maxDelayMs,
      backoff: r.backoff,
      sleep: this.deps.sleep,
      rng: this.deps.rng,
      now: () => this.now(),
      onRetry: (c, attempt, delay) => {
        this.retries++;
        this.deps.log?.(`exchange-sync: retry ${attempt + 1} after ${c.kind} in ${delay} ms`);
      },
    });
    assertJsonBody(this.client);
    return out;
  }

  readonly wallStart = Date.now();

  async heartbeat(): Promise<void> {
    const every = this.opts.heartbeatEveryMs ?? 15_000;
    if (this.target.jobId == null || Date.now() - this.lastBeat < every) return;
    this.lastBeat = Date.now();
    await this.db`update public.sync_jobs set heartbeat_at = now()
                   where user_id = ${this.target.userId} and id = ${String(this.target.jobId)} and status = 'running'`;
  }

  /** Runs one unit of work; records its failure (scrubbed) and goes on, except auth / abort. */
  async step(step: SyncStep, where: { dataKind?: string; marketType?: MarketType; symbol?: string | null }, fn: () => Promise<void>): Promise<boolean> {
    try {
      await fn();
      this.okSteps++;
      return true;
    } catch (e) {
      if (e instanceof SyncAborted || e instanceof AuthStop) throw e;
      if (e instanceof LockLost) {
        this.recordLockLost(step, where);
        throw e;
      }
      if (e instanceof BudgetExhausted) {
        this.incomplete = true;
        throw e;
      }
      const c = classifyError(e, this.client, this.now());
      this.errors.push({
        kind: c.kind,
        step,
        ...(where.dataKind ? { data_kind: where.dataKind } : {}),
        ...(where.marketType ? { market_type: where.marketType } : {}),
        ...(where.symbol !== undefined ? { symbol: where.symbol } : {}),
        code: c.errorClass,
        message: this.scrub(c.message),
      });
      if (c.kind === "auth") {
        this.authFailed = true;
        throw new AuthStop();
      }
      this.failedSteps++;
      return false;
    }
  }

  recordLockLost(step: SyncStep | "setup", where: { dataKind?: string; marketType?: MarketType; symbol?: string | null } = {}) {
    if (this.lockLostRecorded) return;
    this.lockLostRecorded = true;
    this.errors.push({
      kind: "lock_lost",
      step,
      ...(where.dataKind ? { data_kind: where.dataKind } : {}),
      ...(where.marketType ? { market_type: where.marketType } : {}),
      ...(where.symbol !== undefined ? { symbol: where.symbol } : {}),
      code: "LockLost",
      message: LOCK_LOST_MESSAGE,
    });
  }

  async afterPage(info: PageInfo): Promise<void> {
    this.pages++;
    await this.heartbeat();
    if (!this.deps.afterPage) return;
    try {
      await this.deps.afterPage(info);
    } catch (e) {
      throw new SyncAborted(e);
    }
  }

  owner() {
    return { user_id: this.target.userId, credential_id: this.cred.id, exchange: this.exchange };
  }
}

// ---------------------------------------------------------------------------------------------

export async function syncCredential(deps: SyncDeps, target: SyncTarget): Promise<SyncResult> {
  const now = deps.now ?? Date.now;
  const t0 = now();
  const empty = (status: SyncResult["status"], reason?: string): SyncResult => ({
    status, runId: null, counts: {}, pages: 0, retries: 0, errors: [], warnings: [], durationMs: 0, authFailed: false, fatal: false,
    incomplete: false, touched: [], ...(reason ? { reason } : {}),
  });
  const session = openLockSession(deps.sql);
  try {
    if (!(await session.tryLock(target.credentialId))) return empty("locked", "another worker is syncing this credential");
    // Page statements are short and many: JIT compiling each (their estimated cost passes
    // jit_above_cost) costs more than it saves — measured ×5 slower on the bench.
    await session.sql`select set_config('jit', 'off', false)`;
    const [cred] = await session.sql<CredentialRow[]>`
      select id, user_id, exchange, api_key_ct, secret_key_ct, passphrase_ct, is_active, deleted_at,
             verification_status, account_mode, sync_symbols
        from public.api_credentials where user_id = ${target.userId} and id = ${target.credentialId}`;
    if (!cred) return empty("skipped", "credential not found");
    if (!cred.is_active || cred.deleted_at !== null || !cred.api_key_ct) return empty("skipped", "credential inactive or deleted");
    if (!isTradingExchange(cred.exchange)) return empty("skipped", "not an exchange credential");
    return await runSync(deps, session, target, cred, t0);
  } finally {
    await session.close();
  }
}

async function runSync(deps: SyncDeps, session: LockSession, target: SyncTarget, cred: CredentialRow, t0: number): Promise<SyncResult> {
  const now = deps.now ?? Date.now;
  const db = session.sql;
  const exchange = cred.exchange as ExchangeId;
  const opts: SyncOptions = { ...(deps.options ?? {}), ...(target.full !== undefined ? { full: target.full } : {}) };
  const [runRow] = await db`
    insert into public.sync_runs (user_id, credential_id, job_id, exchange, status, started_at)
    values (${target.userId}, ${cred.id}, ${target.jobId == null ? null : String(target.jobId)}, ${exchange}, 'running',
            ${new Date(t0).toISOString()})
    returning id`;
  const runId = String(runRow.id);
  await db`update public.api_credentials set last_sync_status = 'running' where user_id = ${target.userId} and id = ${cred.id}`;

  let secrets: CredentialSecrets | null = null;
  let run: Run | null = null;
  const setupErrors: SyncErrorEntry[] = [];
  try {
    try {
      secrets = await deps.decrypt(cred);
    } catch (e) {
      setupErrors.push({ kind: "credential", step: "setup", code: e instanceof Error ? e.name : "Error", message: "the stored key cannot be decrypted; save the key again" });
    }
    if (secrets) {
      const factory = deps.createClient ?? createExchangeClient;
      const clientOptions = (mode: AccountMode | undefined): CreateClientOptions => ({
        exchange,
        apiKey: secrets!.apiKey,
        secret: secrets!.secretKey ?? "",
        ...(secrets!.passphrase ? { password: secrets!.passphrase } : {}),
        ...(mode ? { accountMode: mode } : {}),
        ...(exchange === "binance" ? { options: { warnOnFetchOpenOrdersWithoutSymbol: false } } : {}),
      });
      let client = factory(clientOptions(cred.account_mode ?? undefined));
      if (cred.account_mode === null && deps.detectAccountMode !== false && (exchange === "bitget" || exchange === "gateio")) {
        try {
          const mode = await detectAccountMode(client);
          await db`update public.api_credentials set account_mode = ${db.json(mode as never)} where user_id = ${target.userId} and id = ${cred.id}`;
          client = factory(clientOptions(mode));
        } catch { /* keep the classic default; detected next time */ }
      }
      run = new Run(deps, session, target, cred, exchange, client, secrets, opts);
      await runSteps(run);
    }
  } catch (e) {
    if (e instanceof SyncAborted) throw e;
    if (e instanceof BudgetExhausted && run) run.incomplete = true;
    if (!(e instanceof LockLost) && !session.lost && !(e instanceof AuthStop) && !(e instanceof BudgetExhausted)) {
      const c = classifyError(e, run?.client, now());
      setupErrors.push({ kind: c.kind, step: "setup", code: c.errorClass, message: run ? run.scrub(c.message) : scrubMessage(c.message) });
    }
  }

  const lockLost = session.lost;
  if (lockLost) {
    if (run) run.recordLockLost("setup");
    else setupErrors.push({ kind: "lock_lost", step: "setup", code: "LockLost", message: LOCK_LOST_MESSAGE });
  }
  const errors = [...setupErrors, ...(run?.errors ?? [])];
  const authFailed = run?.authFailed ?? false;
  const status: SyncStatus = authFailed || setupErrors.length > 0 || lockLost
    ? "failed"
    : errors.length === 0
    ? (run?.incomplete ? "partial" : "succeeded")
    : (run?.okSteps ?? 0) > 0
    ? "partial"
    : "failed";
  const t1 = now();
  const counts = run?.counts ?? {};
  const result: SyncResult = {
    status,
    runId,
    counts,
    pages: run?.pages ?? 0,
    retries: run?.retries ?? 0,
    errors,
    warnings: run?.warnings ?? [],
    durationMs: Math.max(0, t1 - t0),
    authFailed,
    fatal: authFailed || setupErrors.some((e) => e.kind === "credential"),
    incomplete: run?.incomplete ?? false,
    touched: [...(run?.touched.values() ?? [])],
  };
  let recorded = false;
  if (!lockLost) {
    try {
      await finishRun(db, target, cred.id, runId, result, t0, t1, false);
      recorded = true;
    } catch (e) {
      if (!(e instanceof LockLost)) throw e;
    }
  }
  if (!recorded) {
    // The session is gone: record the run through the pool (the database may be back).
    try {
      await finishRun(deps.sql, target, cred.id, runId, result, t0, t1, true);
    } catch (e) {
      deps.log?.(`exchange-sync: run ${runId} not recorded after the lock was lost (${e instanceof Error ? e.name : typeof e}); the next claim closes it`);
    }
    // The rerun's hook processes whatever this run committed; the database just failed under it.
    return result;
  }
  // Also with no new fills: the hook picks up streams an earlier, interrupted sync left unprocessed.
  if (deps.onFillsWritten && result.status !== "locked" && result.status !== "skipped") {
    try {
      await deps.onFillsWritten(target.userId, result.touched);
    } catch (e) {
      deps.log?.(`exchange-sync: onFillsWritten failed (${e instanceof Error ? e.name : typeof e})`);
    }
  }
  return result;
}

/**
 * The run's row and the credential's last sync status, in one statement. `lockLost`: written
 * without the account lock, so the credential's status is left to a run still going on it.
 */
async function finishRun(
  sql: Sql, target: SyncTarget, credentialId: string, runId: string, r: SyncResult, t0: number, t1: number, lockLost: boolean,
): Promise<void> {
  const errors = [...r.errors, ...r.warnings.map((w) => ({ kind: "warning", message: w }))];
  await sql`
    with run as (
      update public.sync_runs
         set status = ${r.status}, counts = ${sql.json(r.counts)}, pages = ${r.pages}, retries = ${r.retries},
             errors = ${sql.json(errors as never)},
             finished_at = ${new Date(Math.max(t1, t0)).toISOString()}, duration_ms = ${r.durationMs}
       where user_id = ${target.userId} and id = ${runId}
      returning id
    )
    update public.api_credentials
       set last_sync_status = ${r.authFailed ? "auth_failed" : r.status},
           last_sync_at = ${new Date(t1).toISOString()},
           verification_status = case when ${r.authFailed} then 'invalid' else verification_status end
     where user_id = ${target.userId} and id = ${credentialId}
       and (not ${lockLost} or not exists (select 1 from public.sync_runs o
                                            where o.user_id = ${target.userId} and o.credential_id = ${credentialId}
                                              and o.status = 'running' and o.id <> ${runId}))`;
}

async function runSteps(run: Run): Promise<void> {
  const o = run.opts;
  const steps = new Set(o.steps ?? ALL_STEPS);
  const marketTypes = o.marketTypes ?? ["spot", "swap"];
  const client = run.client;
  await run.call(() => client.loadMarkets());
  run.cursors = o.full ? new Map() : await loadCursors(run.db, run.target.userId, run.cred.id);

  if (steps.has("balances")) {
    for (const account of o.balanceAccounts ?? marketTypes) {
      await run.step("balances", { dataKind: "balances", marketType: account }, () => syncBalances(run, account));
    }
  }
  if (steps.has("positions") && marketTypes.includes("swap")) {
    await run.step("positions", { dataKind: "positions", marketType: "swap" }, () => syncPositions(run));
  }
  if (steps.has("open_orders")) {
    for (const mt of marketTypes) await run.step("open_orders", { dataKind: "open_orders", marketType: mt }, () => syncOpenOrders(run, mt));
  }
  if (steps.has("transfers")) {
    for (const kind of ["deposits", "withdrawals"] as const) {
      await run.step("transfers", { dataKind: kind }, () => syncTransfers(run, kind));
    }
  }
  const symbols = new Map<MarketType, string[]>();
  if (steps.has("orders") || steps.has("fills") || steps.has("funding")) {
    for (const mt of marketTypes) symbols.set(mt, await symbolsFor(run, mt));
  }
  for (const [kind, step] of [["orders", "orders"], ["trades", "fills"]] as const) {
    if (!steps.has(step)) continue;
    for (const mt of marketTypes) {
      const limit = historyLimit(run.exchange, kind, mt);
      const list = limit.requiresSymbol ? symbols.get(mt) ?? [] : [undefined];
      for (const symbol of list) {
        await run.step(step, { dataKind: step, marketType: mt, symbol: symbol ?? null }, () =>
          kind === "orders" ? syncOrderHistory(run, mt, symbol, limit) : syncFillHistory(run, mt, symbol, limit));
      }
    }
  }
  if (steps.has("funding") && marketTypes.includes("swap")) {
    const list = fundingNeedsSymbol(run.exchange) ? symbols.get("swap") ?? [] : [undefined];
    for (const symbol of list) {
      await run.step("funding", { dataKind: "funding", marketType: "swap", symbol: symbol ?? null }, () => syncFunding(run, symbol));
    }
  }
  if (steps.has("tickers")) {
    await run.step("tickers", { dataKind: "tickers" }, () => syncTickers(run));
  }
}

// --------------------------------------------------------------------------------------------- snapshots

async function syncBalances(run: Run, account: MarketType): Promise<void> {
  const asOf = new Date(run.now()).toISOString();
  const b = await run.call(() => run.client.fetchBalance(account === "spot" ? {} : { type: account }));
  const rows = normalizeBalance(run.client, b, { accountType: account, asOf });
  for (const r of rows) run.balanceAssets.add(r.asset);
  const owner = run.owner();
  await run.tx(async (tx) => {
    const res = await upsertRows(tx, "balances", rows.map((r) => ({ ...owner, ...r })), { update: ["free", "locked", "total", "as_of", "credential_id"] });
    await tx`delete from public.balances
              where user_id = ${owner.user_id} and exchange = ${owner.exchange} and account_type = ${account}
                and not (asset = any(${tx.array(rows.map((r) => r.asset), 25)}::text[]))`;
    run.add("balances", res.inserted + res.updated);
  });
}

async function syncPositions(run: Run): Promise<void> {
  const asOf = new Date(run.now()).toISOString();
  const list = await run.call(() => run.client.fetchPositions());
  const { rows } = normalizePositions(run.client, list, asOf);
  for (const r of rows) run.seenSymbols.add(r.symbol);
  const owner = run.owner();
  await run.tx(async (tx) => {
    const res = await upsertRows(tx, "exchange_positions", rows.map((r) => ({ ...owner, market_type: "swap", ...r })), {
      update: ["amount", "entry_price", "mark_price", "unrealized_pnl", "leverage", "margin_mode", "liquidation_price", "as_of", "credential_id"],
    });
    await tx`delete from public.exchange_positions as p
              where p.user_id = ${owner.user_id} and p.exchange = ${owner.exchange} and p.market_type = 'swap'
                and not exists (select 1 from jsonb_to_recordset(${tx.json(rows.map((r) => ({ symbol: r.symbol, side: r.side })) as never)}::jsonb)
                                        as k(symbol text, side text)
                                 where k.symbol = p.symbol and k.side = p.side)`;
    run.add("positions", res.inserted + res.updated);
  });
}

function orderColumns(run: Run, o: NormalizedOrder): Record<string, unknown> {
  const owner = run.owner();
  return {
    ...owner,
    market_type: o.market_type,
    symbol: o.symbol,
    order_id: o.order_id,
    client_order_id: o.client_order_id,
    side: o.side,
    type: o.type,
    status: o.status,
    price: o.price,
    quantity: o.quantity,
    executed_qty: o.executed_qty,
    average_price: o.average_price,
    stop_price: o.stop_price,
    reduce_only: o.reduce_only,
    order_timestamp: o.order_timestamp,
    filled_timestamp: o.filled_timestamp,
  };
}

async function writeOrders(tx: Sql, run: Run, rows: NormalizedOrder[]): Promise<void> {
  const res = await upsertRows(tx, "orders", rows.map((o) => orderColumns(run, o)), { update: ORDER_UPDATE });
  run.add("orders", res.inserted);
  if (res.updated) run.add("orders_updated", res.updated);
}

async function syncOpenOrders(run: Run, mt: MarketType): Promise<void> {
  let list;
  try {
    list = await run.call(() => run.client.fetchOpenOrders(undefined, undefined, undefined, { type: mt }));
  } catch (e) {
    // Some exchanges list open orders only per symbol (ccxt ArgumentsRequired / NotSupported):
    // they are then seen through the order history instead.
    const name = e instanceof Error ? e.constructor.name : "";
    if (name === "ArgumentsRequired" || name === "NotSupported") return;
    throw e;
  }
  const { rows } = normalizeOrders(run.client, list);
  for (const r of rows) run.orderSymbols.add(r.symbol);
  const mine = rows.filter((r) => r.market_type === mt);
  await run.tx((tx) => writeOrders(tx, run, mine));
}

async function syncTickers(run: Run): Promise<void> {
  const assets = new Set([...run.balanceAssets, ...run.feeCurrencies]);
  const { symbols } = tickerSymbolsForAssets(assets, run.client.markets as never);
  if (symbols.length === 0) return;
  const asOf = new Date(run.now()).toISOString();
  const tickers = await run.call(() => run.client.fetchTickers(symbols));
  const rows = normalizeTickers(run.client, tickers, asOf);
  await run.tx(async (tx) => {
    const res = await upsertRows(tx, "market_prices", rows.map((r) => ({ ...r })));
    run.add("prices", res.inserted);
  });
}

// --------------------------------------------------------------------------------------------- symbols

async function symbolsFor(run: Run, mt: MarketType): Promise<string[]> {
  const o = run.opts;
  const user = [...(o.userSymbols ?? []), ...(run.cred.sync_symbols ?? [])].filter((s) => {
    const m = run.client.markets?.[s] as MarketLike | undefined;
    return m && ((mt === "spot" && (m.spot || m.type === "spot")) || (mt === "swap" && (m.swap || m.type === "swap")));
  });
  if (o.discover === false) return [...new Set(user)];
  const stored = await run.db`
    select distinct symbol from (
      select symbol from public.fills where user_id = ${run.target.userId} and exchange = ${run.exchange} and market_type = ${mt}
      union all
      select symbol from public.orders where user_id = ${run.target.userId} and exchange = ${run.exchange} and market_type = ${mt}
      union all
      select symbol from public.sync_cursors where user_id = ${run.target.userId} and credential_id = ${run.cred.id}
                                              and market_type = ${mt} and symbol <> ''
    ) s`;
  const found = discoverSymbols({
    markets: (run.client.markets ?? {}) as unknown as Record<string, MarketLike>,
    balanceAssets: [...run.balanceAssets],
    transferAssets: [...run.transferAssets],
    orderSymbols: [...run.orderSymbols],
    seenSymbols: [...run.seenSymbols, ...stored.map((r) => r.symbol as string)],
    userSymbols: user,
    marketTypes: [mt],
    maxSymbols: o.maxSymbols ?? 150,
  });
  return found.map((c) => c.symbol);
}

// --------------------------------------------------------------------------------------------- histories

interface Chain<P> {
  step: SyncStep;
  /** Cursor name in sync_cursors.data_kind. */
  dataKind: string;
  limit: HistoryLimit;
  marketType: MarketType;
  symbol: string | undefined;
  fetch: (a: CcxtArgs) => Promise<unknown[]>;
  /** The ccxt row parser behind `fetch`, to catch rows it dropped (unset: `fetch` returns raw rows). */
  rowKind?: HistoryRowKind;
  /** Id + time of every row `fetch` returned (malformed rows throw). */
  pageRows: (list: unknown[]) => PageRow[];
  /**
   * Raw page → what `write` takes (throws MalformedPayloadError: nothing of the page is written).
   * Runs while the page before is being written: pure client work only.
   */
  normalize: (list: unknown[]) => P;
  write: (tx: Sql, page: P) => Promise<void>;
}

/**
 * One history chain (credential, market type, symbol, data kind): windows from the cursor (or
 * the backfill start), pages inside each window; each page's rows and the cursor after it are
 * committed together. Page k+1 is fetched and normalised while page k is written (loadAhead).
 */
async function runChain<P>(run: Run, c: Chain<P>): Promise<void> {
  const ck: CursorKey = {
    userId: run.target.userId,
    credentialId: run.cred.id,
    marketType: c.marketType,
    symbol: c.symbol ?? "",
    dataKind: c.dataKind,
  };
  const mapKey = cursorMapKey(ck.marketType, ck.dataKind, ck.symbol);
  // `loaded`: the cursor after the last page loaded (pages are loaded one ahead of their write);
  // `run.cursors` only moves once a page is committed.
  let loaded: Cursor | null = run.cursors.get(mapKey) ?? null;
  const market = c.symbol === undefined ? undefined : run.client.markets?.[c.symbol];
  const now = run.now();
  const resume = resumeById(c.limit, loaded, now);
  const plan: Array<{ w: Window; first: PageRequest }> = resume
    ? [{ w: { since: resume.since, until: resume.until, limit: resume.limit }, first: resume }]
    : planWindows({ limit: c.limit, cursor: loaded, now, backfillDays: run.opts.backfillDays, overlapMs: run.opts.overlapMs })
      .map((w) => ({ w, first: firstPage(w) }));
  interface Page {
    payload: P;
    rows: number;
    next: Cursor | null;
    done: boolean;
    warning?: string;
  }
  for (const { w, first } of plan) {
    const load = async (req: PageRequest): Promise<Loaded<PageRequest, Page>> => {
      const a = requestArgs(c.limit, req);
      const list = await run.call(() => {
        clearLastResponse(run.client);
        return c.fetch(a);
      });
      if (!Array.isArray(list)) throw new MalformedPayloadError(`${c.dataKind} page is not an array`);
      if (c.rowKind) assertNoRowsDropped(run.client, list, { kind: c.rowKind, market, usable: (row) => chainAcceptsRow(c, row) });
      let page: PageRow[];
      try {
        page = c.pageRows(list);
      } catch (e) {
        throw new MalformedPayloadError(e instanceof Error ? e.message : String(e));
      }
      const payload = c.normalize(list);
      const n = nextPage(c.limit, req, page);
      const next = cursorAfterPage(c.limit, loaded, w, page, n.done);
      loaded = next;
      return {
        page: { payload, rows: list.length, next, done: n.done, warning: n.done ? undefined : n.warning },
        next: n.done ? null : n.request,
      };
    };
    await loadAhead(first, load, async (p) => {
      await run.tx((tx) =>
        writePage(tx, ck, p.next && { lastTime: p.next.lastTime, lastId: p.next.lastId ?? null }, () => c.write(tx, p.payload))
      );
      if (p.next) run.cursors.set(mapKey, { lastTime: p.next.lastTime, lastId: p.next.lastId ?? null });
      if (p.warning) run.warnings.push(`${c.dataKind} ${c.symbol ?? ""}: ${p.warning}`);
      await run.afterPage({ page: run.pages + 1, step: c.step, dataKind: c.dataKind, marketType: c.marketType, symbol: ck.symbol, rows: p.rows });
    });
  }
}

/** A row the chain can page on (its `pageRows` accepts it). */
function chainAcceptsRow<P>(c: Chain<P>, row: unknown): boolean {
  try {
    c.pageRows([row]);
    return true;
  } catch {
    return false;
  }
}

function typeParams(symbol: string | undefined, mt: MarketType, params: Record<string, unknown>): Record<string, unknown> {
  return symbol === undefined ? { ...params, type: mt } : params;
}

async function syncFillHistory(run: Run, mt: MarketType, symbol: string | undefined, limit: HistoryLimit): Promise<void> {
  // binance futures: liquidations are flagged on orders (clientOrderId "autoclose-…"), synced before
  let liquidationOrders: Array<{ order_id: string; is_liquidation: boolean }> = [];
  if (run.exchange === "binance" && mt === "swap" && symbol) {
    const rows = await run.db`select order_id from public.orders
                               where user_id = ${run.target.userId} and exchange = 'binance' and market_type = 'swap'
                                 and symbol = ${symbol} and client_order_id like 'autoclose-%'`;
    liquidationOrders = rows.map((r) => ({ order_id: r.order_id as string, is_liquidation: true }));
  }
  await runChain<{ rows: FillRow[]; prepared: PreparedFills }>(run, {
    step: "fills",
    dataKind: "fills",
    limit,
    marketType: mt,
    symbol,
    fetch: (a) => run.client.fetchMyTrades(symbol, a.since, a.limit, typeParams(symbol, mt, a.params)),
    rowKind: "trades",
    pageRows: (list) => pageRowsOf(list as never),
    normalize: (list) => {
      const normalized = normalizeTrades(run.client, list as never).rows.filter((r) => r.market_type === mt);
      const rows = liquidationOrders.length ? markLiquidations(normalized, liquidationOrders) : normalized;
      return { rows, prepared: prepareFills(rows) };
    },
    write: async (tx, { rows, prepared }) => {
      const res = await insertFills(tx, { userId: run.target.userId, credentialId: run.cred.id }, prepared);
      run.add("fills", res.fills);
      run.add("fees", res.fees);
      for (const r of rows) for (const f of r.fees) run.feeCurrencies.add(f.currency);
      if (res.fills > 0) {
        for (const r of rows) {
          const key = `${r.market_type}|${r.symbol}`;
          if (!run.touched.has(key)) run.touched.set(key, { exchange: run.exchange, market_type: r.market_type, symbol: r.symbol });
        }
      }
    },
  });
}

async function syncOrderHistory(run: Run, mt: MarketType, symbol: string | undefined, limit: HistoryLimit): Promise<void> {
  const method = orderHistoryMethod(run.exchange);
  await runChain<NormalizedOrder[]>(run, {
    step: "orders",
    dataKind: "orders",
    limit,
    marketType: mt,
    symbol,
    fetch: (a) => run.client[method](symbol, a.since, a.limit, typeParams(symbol, mt, a.params)),
    rowKind: "orders",
    pageRows: (list) => pageRowsOf(list as never),
    normalize: (list) => normalizeOrders(run.client, list as never).rows.filter((r) => r.market_type === mt),
    write: async (tx, rows) => {
      for (const r of rows) run.orderSymbols.add(r.symbol);
      await writeOrders(tx, run, rows);
    },
  });
}

function transferPageRows(list: unknown[]): PageRow[] {
  return (list as Array<Record<string, unknown>>).map((t, i) => {
    const info = (t.info ?? {}) as Record<string, unknown>;
    const id = t.id ?? info.id ?? info.orderId ?? t.txid;
    if (id === undefined || id === null || typeof t.timestamp !== "number") throw new Error(`transfer row ${i} has no id or timestamp`);
    return { id: String(id), time: t.timestamp };
  });
}

async function syncTransfers(run: Run, kind: "deposits" | "withdrawals"): Promise<void> {
  const limit = historyLimit(run.exchange, kind as DataKind);
  const owner = run.owner();
  await runChain<TransferRow[]>(run, {
    step: "transfers",
    dataKind: kind,
    limit,
    marketType: "spot",
    symbol: undefined,
    fetch: (a) => kind === "deposits" ? run.client.fetchDeposits(undefined, a.since, a.limit, a.params) : run.client.fetchWithdrawals(undefined, a.since, a.limit, a.params),
    rowKind: "transfers",
    pageRows: transferPageRows,
    normalize: (list) =>
      normalizeTransfers(run.client, list as never, kind === "deposits" ? "deposit" : "withdrawal")
        .map((r) => (TRANSFER_STATUSES.has(r.status) ? r : { ...r, status: "pending" })),
    write: async (tx, rows) => {
      for (const r of rows) run.transferAssets.add(r.asset);
      const res = await upsertRows(tx, "transfers", rows.map((r) => ({ ...owner, ...r })), { update: TRANSFER_UPDATE });
      run.add("transfers", res.inserted);
      if (res.updated) run.add("transfers_updated", res.updated);
      // a withdrawal fee is charged once the withdrawal went through
      const fees = rows.filter((r) => r.kind === "withdrawal" && r.fee !== null && r.status === "ok").map((r) => ({
        user_id: owner.user_id,
        exchange: owner.exchange,
        fee_amount: r.fee,
        fee_currency: r.fee_currency ?? r.asset,
        fee_type: "WITHDRAWAL",
        transaction_type: "TRANSFER",
        related_order_id: r.transfer_id,
        source_key: `withdrawal:${r.transfer_id}`,
        fee_timestamp: r.occurred_at,
      }));
      const f = await upsertRows(tx, "fees_tracking", fees);
      run.add("fees", f.inserted);
    },
  });
}

async function syncFunding(run: Run, symbol: string | undefined): Promise<void> {
  const limit = historyLimit(run.exchange, "funding", "swap");
  const owner = run.owner();
  const binance = run.exchange === "binance";
  await runChain<FundingRow[]>(run, {
    step: "funding",
    dataKind: "funding",
    limit,
    marketType: "swap",
    symbol,
    fetch: (a) => {
      if (binance) {
        // deno-lint-ignore no-explicit-any
        const raw = run.client as any;
        const p: Record<string, unknown> = { incomeType: "FUNDING_FEE", limit: a.limit };
        if (a.since !== undefined) p.startTime = a.since;
        if (a.params.until !== undefined) p.endTime = a.params.until;
        return raw.fapiPrivateGetIncome(p);
      }
      return run.client.fetchFundingHistory(symbol, a.since, a.limit, typeParams(symbol, "swap", a.params));
    },
    // binance: raw income rows, nothing parsed away
    rowKind: binance ? undefined : "funding",
    pageRows: (list) =>
      binance
        ? (list as Array<Record<string, unknown>>).map((r, i) => {
          const t = Number(r.time);
          if (r.tranId === undefined || !Number.isFinite(t)) throw new Error(`income row ${i} has no tranId or time`);
          return { id: String(r.tranId), time: t };
        })
        : (list as Array<Record<string, unknown>>).map((r, i) => {
          const info = (r.info ?? {}) as Record<string, unknown>;
          if (typeof r.timestamp !== "number") throw new Error(`funding row ${i} has no timestamp`);
          return { id: String(r.id ?? info.id ?? `${String(r.symbol)}:${r.timestamp}`), time: r.timestamp };
        }),
    normalize: (list) => binance ? normalizeBinanceIncome(run.client, list as never) : normalizeFundingHistory(run.client, list as never),
    write: async (tx, rows) => {
      const res = await upsertRows(tx, "funding_payments", rows.map((r) => ({ ...owner, market_type: "swap", ...r })));
      run.add("funding", res.inserted);
      const fees = rows.map((r) => fundingFeeRow(owner, r));
      const f = await upsertRows(tx, "fees_tracking", fees);
      run.add("fees", f.inserted);
    },
  });
}
