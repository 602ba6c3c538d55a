/**
 * Faults in the derived-data jobs (issue 10, item 3): the daily snapshot job
 * (`private.take_portfolio_snapshots`) and the metrics refresh
 * (`private.refresh_performance_metrics`) cancelled mid-way (statement_timeout,
 * pg_cancel_backend, pg_terminate_backend) then rerun; the PnL engine (`processUser`) interrupted
 * after some streams (an exception, the session killed) then rerun. After each: nothing half
 * written, and the rerun equals an undisturbed run of the same input.
 */
import Decimal from "decimal.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminSql, closePools } from "../support/db.ts";
import postgres from "postgres";
import { dbUrlAs, exportStackEnv } from "../support/env.ts";
import { createUser, type TestUser } from "../support/users.ts";
import { closeDb } from "../../functions/_shared/db.ts";
import { processUser } from "../../functions/_shared/positions/process.ts";
import { runScript } from "./faults/child.ts";
import { diff, rowCount, seededRng, type State, stateOf, summary } from "./faults/world.ts";

const DAY = 86_400_000;
const PNL = ["positions", "trades", "streams", "metrics"];
const STREAMS = [
  // symbols no other fault test uses (market_prices is shared: the engine reads it)
  ["spot", "AVAX/USDT", 30], ["spot", "LINK/USDT", 15], ["swap", "BCH/USDT:USDT", 400], ["swap", "XMR/USDT:USDT", 160],
] as const;
const T0 = Date.UTC(2025, 5, 1); // 2025-06-01, far from other tests' data

/** Seeded fills over 4 streams (2 spot, 2 swap), hourly, scale-ins, partial exits, shorts on swaps. */
function fills(seed: number, n: number) {
  const rng = seededRng(seed);
  const held: Record<string, number> = {};
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const [mt, symbol, p0] = STREAMS[i % STREAMS.length];
    const [base, rest] = symbol.split("/");
    const quote = rest.split(":")[0];
    const price = new Decimal(p0).mul(1 + (rng() - 0.5) * 0.1).toDecimalPlaces(2);
    let side: "buy" | "sell" = rng() < 0.55 ? "buy" : "sell";
    held[symbol] ??= 0;
    if (mt === "spot" && held[symbol] <= 0.01) side = "buy";
    let amount = new Decimal(rng() * 2 + 0.1).toDecimalPlaces(3);
    if (mt === "spot" && side === "sell") amount = Decimal.min(amount, new Decimal(held[symbol]).toDecimalPlaces(3, Decimal.ROUND_DOWN));
    if (amount.lte(0)) continue;
    held[symbol] += (side === "buy" ? 1 : -1) * amount.toNumber();
    const cost = price.mul(amount);
    out.push({
      exchange: "binance", market_type: mt, symbol, base, quote, trade_id: String(7_000_000 + i), order_id: `o-${i}`, side,
      price: price.toString(), amount: amount.toString(), cost: cost.toString(),
      fees: [{ currency: quote, amount: cost.mul("0.001").toDecimalPlaces(8).toString() }],
      taker_or_maker: "taker", exchange_realized_pnl: null, is_liquidation: false,
      executed_at: new Date(T0 + i * 3_600_000).toISOString(), source: "api",
    });
  }
  return out;
}

async function insertFills(user: TestUser, rows: Record<string, unknown>[]) {
  const sql = adminSql();
  for (let i = 0; i < rows.length; i += 500) {
    await sql`insert into public.fills ${sql(rows.slice(i, i + 500).map((f) => ({ ...f, user_id: user.id, fees: sql.json(f.fees as never) })) as never)}`;
  }
}

/** A fault inside the engine's per-stream transaction: a trigger on pnl_stream_state (test-only). */
async function installPnlFault() {
  await adminSql().unsafe(`
    create schema if not exists faults_test;
    create table if not exists faults_test.pnl_fault (user_id uuid, symbol text, action text, primary key (user_id, symbol));
    create or replace function faults_test.pnl_fault() returns trigger language plpgsql security definer set search_path = '' as $$
    declare a text;
    begin
      select f.action into a from faults_test.pnl_fault as f where f.user_id = new.user_id and f.symbol = new.symbol;
      if a = 'raise' then
        raise exception 'injected fault in stream %', new.symbol using errcode = 'P0001';
      elsif a = 'kill' then
        perform pg_catalog.pg_terminate_backend(pg_catalog.pg_backend_pid());
      end if;
      return new;
    end $$;
    drop trigger if exists faults_test_pnl_fault on public.pnl_stream_state;
    create trigger faults_test_pnl_fault before insert or update on public.pnl_stream_state
      for each row execute function faults_test.pnl_fault();`);
}
async function removePnlFault() {
  await adminSql().unsafe(`drop trigger if exists faults_test_pnl_fault on public.pnl_stream_state; drop schema if exists faults_test cascade;`);
}
async function armFault(user: TestUser, symbol: string | null, action: "raise" | "kill" = "raise") {
  await adminSql()`delete from faults_test.pnl_fault where user_id = ${user.id}`;
  if (symbol) await adminSql()`insert into faults_test.pnl_fault values (${user.id}, ${symbol}, ${action})`;
}

const ALL = fills(606, 1200);
let reference: State;

beforeAll(async () => {
  exportStackEnv();
  await installPnlFault();
  const ref = await createUser("fault-pnl-ref");
  await insertFills(ref, ALL);
  await processUser(ref.id);
  reference = await stateOf(ref.id, PNL);
  expect(reference.streams).toHaveLength(4);
  expect(reference.trades.length).toBeGreaterThan(100);
  expect(reference.metrics.length).toBeGreaterThan(10);
}, 180_000);

afterAll(async () => {
  await removePnlFault();
  await closeDb();
  await closePools();
});

describe("6. PnL processing interrupted", () => {
  it("an exception or the session killed in stream k (first run or incremental): committed groups of streams whole, the victim's group and later ones untouched; a rerun is equal", async () => {
    // two streams per transaction here, so a fault leaves committed groups before it
    const GROUP = 2;
    const rng = seededRng(616);
    let injected = 0;
    let compared = 0;
    let processCrashes = 0;
    const cases: Array<{ action: "raise" | "kill"; k: number; incremental: boolean }> = [];
    for (let i = 0; i < 6; i++) cases.push({ action: i % 2 ? "kill" : "raise", k: Math.floor(rng() * STREAMS.length), incremental: i >= 3 });
    for (const c of cases) {
      const u = await createUser(`fault-pnl-${c.action}`);
      // streams are processed in (exchange, market type, symbol) order
      const order = [...STREAMS].map((s) => s[1]).sort((a, b) => {
        const ma = STREAMS.find((s) => s[1] === a)![0], mb = STREAMS.find((s) => s[1] === b)![0];
        return ma === mb ? (a < b ? -1 : 1) : ma < mb ? -1 : 1;
      });
      const victim = order[c.k];
      let before: State = { positions: [], trades: [], streams: [], metrics: [] };
      if (c.incremental) {
        await insertFills(u, ALL.slice(0, 700));
        await processUser(u.id);
        before = await stateOf(u.id, PNL);
        await insertFills(u, ALL.slice(700));
      } else {
        await insertFills(u, ALL);
      }
      await armFault(u, victim, c.action);
      let err: Error | null;
      if (c.action === "raise") {
        err = await processUser(u.id, undefined, { groupSize: GROUP }).then(() => null, (e: Error) => e);
      } else {
        // the session killed: in a process of its own (a pool transaction would end it with
        // postgres.js's uncaught TypeError; processUser runs on dedicated sessions instead)
        const r = await runScript("pnl-child.ts", [u.id, String(GROUP)]);
        const crashed = /TypeError[^\n]*/.exec(r.err)?.[0];
        err = r.out.startsWith("done") ? null : new Error(crashed ? `engine process died: ${crashed}` : r.out.trim() || `exit ${r.code ?? r.signal}`);
        if (crashed) processCrashes++;
        expect(crashed, "the engine process survives its killed session (a clean error, no uncaught TypeError)").toBeUndefined();
        expect(r.out).toMatch(/^error .*(session was lost|terminat)/);
      }
      expect(err, "the fault fired").not.toBeNull();
      injected++;
      await armFault(u, null);
      // groups before the victim's: exactly the reference's rows; the victim's group and after: as before
      const mid = await stateOf(u.id, PNL);
      for (const [i, sym] of order.entries()) {
        const of = (s: State, k: string) => s[k].filter((r) => (r as { symbol: string }).symbol === sym);
        const expected = Math.floor(i / GROUP) < Math.floor(c.k / GROUP) ? reference : before;
        for (const k of ["positions", "trades", "streams"]) {
          expect(diff({ [k]: of(expected, k) }, { [k]: of(mid, k) }), `${c.action} at ${victim}: ${sym} ${k}`).toBeNull();
        }
      }
      // the metrics were not refreshed from the half-processed user: still those of before
      expect(diff({ metrics: before.metrics }, { metrics: mid.metrics }), `${c.action} at ${victim}: metrics`).toBeNull();
      await processUser(u.id);
      const after = await stateOf(u.id, PNL);
      expect(diff(reference, after), `${c.action} at ${victim}${c.incremental ? " (incremental)" : ""}: after the rerun`).toBeNull();
      expect(after).toEqual(reference);
      compared += rowCount(after);
      summary("6 PnL interrupted", `${c.action} in stream ${c.k + 1}/4 (${victim})${c.incremental ? ", incremental" : ""}: ${err!.message.slice(0, 60)} → rerun equal (${rowCount(after)} rows)`);
    }
    summary("6 PnL interrupted", `${injected} faults injected and survived, ${compared} rows compared; ${processCrashes} engine process crash(es) on the killed session (uncaught postgres.js TypeError)`);
  }, 300_000);
});

// --------------------------------------------------------------------------------------------- 5

const D = "2025-06-20"; // a day inside the seeded history (ended long ago)
const SNAP_DROP = ["id", "created_at", "updated_at"];

async function snapshotsOf(users: TestUser[]): Promise<unknown[]> {
  const rows = await adminSql().unsafe(
    `select to_jsonb(s) - $3::text[] as r from public.portfolio_snapshots as s
      where s.user_id = any($1::uuid[]) and s.snapshot_date = $2 order by (to_jsonb(s) - $3::text[])::text`,
    [users.map((u) => u.id), D, SNAP_DROP],
  );
  return rows.map((x) => x.r);
}

/** The job's computation without writing (what an uninterrupted run stores), as rows. */
async function expectedSnapshots(users: TestUser[]): Promise<unknown[]> {
  const rows = await adminSql().unsafe(
    `select to_jsonb(s) as r from (
       select st.user_id, st.exchange, st.snapshot_date, st.total_balance, st.available_balance, st.locked_balance,
              st.total_positions_value, st.unrealized_pnl, st.open_positions_count, st.total_realized_pnl, st.total_trades_count,
              st.winning_trades_count, st.losing_trades_count, st.win_rate, st.total_fees_paid, st.average_trade_pnl,
              st.largest_win, st.largest_loss, st.net_flows, st.unpriced_assets, false as is_reconstructed
         from private.portfolio_state($2::date, $2::date, null, false) as st where st.user_id = any($1::uuid[])) as s
      order by to_jsonb(s)::text`,
    [users.map((u) => u.id), D],
  );
  return rows.map((x) => x.r);
}

type Interrupt = "statement_timeout" | "pg_cancel_backend" | "pg_terminate_backend";

/** Resolves once `cond` holds, asking again every 20 ms (waits for an event; the test's timeout is the only limit). */
async function until(cond: () => Promise<boolean>): Promise<void> {
  while (!(await cond())) await new Promise((r) => setTimeout(r, 20));
}

class ReleaseHold extends Error {}

/**
 * Runs the job `call` on a session of its own and interrupts it mid-way, whatever the machine's
 * speed. A second session first runs `hold` in an open transaction: it takes a lock on rows the
 * job must write (a pending insert or a row lock), so the job, once it reaches them, waits with
 * the rows it wrote before them inside its own transaction, and it cannot finish (and commit)
 * before the interrupt.
 * - pg_cancel_backend / pg_terminate_backend are sent when pg_stat_activity shows the job's
 *   backend blocked by the holder (`pg_blocking_pids`): synchronised on that event, not a delay.
 * - statement_timeout (`timeoutMs`, set local, as a pg_cron job's timeout) fires on the way to
 *   the lock or while waiting on it: either way before the job can finish.
 * The holder rolls back after the job's error. Returns that error (one is always expected).
 */
async function interruptedMidway(call: string, how: Interrupt, hold: (tx: postgres.TransactionSql) => Promise<unknown>, timeoutMs: number): Promise<Error | null> {
  const holder = postgres(dbUrlAs("supabase_admin"), { max: 1, onnotice: () => {}, prepare: false });
  const conn = postgres(dbUrlAs("supabase_admin"), { max: 1, onnotice: () => {}, prepare: false });
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let holding!: (pid: number) => void;
  const held = new Promise<number>((r) => (holding = r));
  const holderDone = holder.begin(async (tx) => {
    await hold(tx);
    const [{ pid }] = await tx`select pg_backend_pid() as pid`;
    holding(pid);
    await released;
    throw new ReleaseHold(); // roll the holder back: it leaves nothing behind
  }).catch((e) => { if (!(e instanceof ReleaseHold)) throw e; });
  try {
    const holderPid = await Promise.race([held, holderDone.then(() => { throw new Error("the holder ended before holding"); })]);
    const [{ pid }] = await conn`select pg_backend_pid() as pid`;
    const p = (how === "statement_timeout"
      ? conn.begin(async (tx) => {
        await tx.unsafe(`set local statement_timeout = ${Math.max(1, Math.round(timeoutMs))}`);
        await tx.unsafe(call);
      })
      : conn.unsafe(call)).then(() => null, (e: Error) => e);
    if (how !== "statement_timeout") {
      await until(async () => (await adminSql()`select ${holderPid}::int = any(pg_blocking_pids(${pid}::int)) as blocked`)[0].blocked);
      if (how === "pg_cancel_backend") await adminSql()`select pg_cancel_backend(${pid}::int)`;
      else await adminSql()`select pg_terminate_backend(${pid}::int)`;
    }
    return await p;
  } finally {
    release();
    await holderDone;
    await holder.end({ timeout: 1 }).catch(() => {});
    await conn.end({ timeout: 1 }).catch(() => {});
  }
}

describe("5. the snapshot job and the metrics refresh interrupted", () => {
  let users: TestUser[] = [];
  let jobMs = 0;

  beforeAll(async () => {
    // 12 users with balances, spot and swap history around D, processed into trades
    for (let i = 0; i < 12; i++) {
      const u = await createUser(`fault-snap-${i}`);
      users.push(u);
      await insertFills(u, fills(700 + i, 600));
      await adminSql()`insert into public.balances (user_id, exchange, account_type, asset, free, locked, total, as_of)
                       values (${u.id}, 'binance', 'spot', 'USDT', ${10_000 + i}, 0, ${10_000 + i}, '2025-06-30T00:00:00Z'),
                              (${u.id}, 'binance', 'spot', 'AVAX', 3, 1, 4, '2025-06-30T00:00:00Z'),
                              (${u.id}, 'binance', 'swap', 'USDT', ${5_000 + i}, 0, ${5_000 + i}, '2025-06-30T00:00:00Z')`;
      await adminSql()`insert into public.transfers (user_id, exchange, kind, transfer_id, asset, amount, fee, fee_currency, status, occurred_at)
                       values (${u.id}, 'binance', 'deposit', ${`fd-${i}`}, 'USDT', 1000, null, null, 'ok', '2025-06-20T10:00:00Z')`;
      await processUser(u.id);
    }
    await adminSql()`insert into public.market_prices (exchange, symbol, kind, price, as_of)
                     values ('binance', 'AVAX/USDT', 'last', 30.5, '2025-06-20T23:00:00Z'),
                            ('binance', 'BCH/USDT:USDT', 'last', 401, '2025-06-20T23:00:00Z'),
                            ('binance', 'XMR/USDT:USDT', 'last', 161, '2025-06-20T23:00:00Z'),
                            ('binance', 'LINK/USDT', 'last', 15.2, '2025-06-20T23:00:00Z')
                     on conflict do nothing`;
    const t0 = performance.now();
    await adminSql()`select private.portfolio_state(${D}::date, ${D}::date, null, false)`;
    jobMs = performance.now() - t0;
  }, 300_000);

  // Root cause of the red CI of issue 15 ("pg_cancel_backend after 771 ms left a half-written
  // day", the rows present being the whole day's): not the job. take_portfolio_snapshots is one
  // INSERT … ON CONFLICT statement in one function call, so one transaction; nothing can commit
  // half of it. The test interrupted after a random delay: on a busy machine an earlier trial
  // (statement_timeout) finished before its interrupt, wrote the whole day and, as planned,
  // ended that kind of interrupt — but the next kind still compared with the day as it was
  // before that finished run, and found the finished run's rows. Each interrupt now lands while
  // the job is provably mid-way (blocked on rows another session holds, seen in
  // pg_stat_activity), so "the day exactly as before" is the property checked, every time.
  it("take_portfolio_snapshots (every user, as pg_cron calls it) cancelled mid-way: nothing half written; the rerun equals an uninterrupted run", async () => {
    const rng = seededRng(505);
    const expected = await expectedSnapshots(users);
    expect(expected.length).toBe(users.length * 2); // binance + all exchanges
    const hows: Interrupt[] = ["statement_timeout", "pg_cancel_backend", "pg_terminate_backend"];
    let injected = 0;
    const lines: string[] = [];
    for (let round = 0; round < 2; round++) {
      // round 0: no snapshot of the day yet; round 1: the day's snapshots exist (from older data)
      if (round === 1) {
        await adminSql()`select private.take_portfolio_snapshots(${D}::date, null)`;
        await adminSql()`insert into public.transfers (user_id, exchange, kind, transfer_id, asset, amount, fee, fee_currency, status, occurred_at)
                         select id, 'binance', 'deposit', 'fd-late', 'USDT', 250, null, null, 'ok', '2025-06-20T12:00:00Z'
                           from unnest(${users.map((u) => u.id)}::uuid[]) as id`;
      }
      const before = await snapshotsOf(users);
      for (const how of hows) {
        for (let i = 0; i < 2; i++) {
          // the job stops at one user's rows, held by another session running the same job for that user
          const k = Math.floor(rng() * users.length);
          const at = Math.max(1, Math.floor(rng() * jobMs * 0.8));
          const err = await interruptedMidway(`select private.take_portfolio_snapshots('${D}'::date, null)`, how,
            (tx) => tx`select private.take_portfolio_snapshots(${D}::date, ${users[k].id}::uuid)`, at);
          expect(err, `${how}: the job cannot finish while user ${k}'s rows are held`).not.toBeNull();
          injected++;
          lines.push(`${how}${how === "statement_timeout" ? `=${at}ms` : ""} held at user ${k}: ${(err as { code?: string }).code ?? err!.message}`);
          // one statement, one transaction: every row it wrote before the wait is gone with it
          expect(await snapshotsOf(users), `${how} (held at user ${k}) left a half-written day`).toEqual(before);
        }
      }
      await adminSql()`select private.take_portfolio_snapshots(${D}::date, null)`;
      const final = await snapshotsOf(users);
      const want = await expectedSnapshots(users);
      expect(final).toEqual(want);
      if (round === 1) expect(final).not.toEqual(expected); // the late deposit is in
    }
    expect(injected).toBe(12);
    summary("5 snapshot job", `${injected} interruptions injected mid-way (job ≈ ${Math.round(jobMs)} ms), each left the day as it was, reruns equal to the uninterrupted computation (${users.length * 2} rows × 2 rounds) — ${lines.join("; ")}`);
  }, 300_000);

  it("refresh_performance_metrics cancelled mid-way: the previous metrics stay whole; the rerun equals an uninterrupted refresh", async () => {
    const rng = seededRng(515);
    const u = users[0];
    // the uninterrupted refresh (the snapshots written above feed the equity metrics)
    const t0 = performance.now();
    await adminSql()`select private.refresh_performance_metrics(${u.id}::uuid, null)`;
    const ms = performance.now() - t0;
    const reference = await stateOf(u.id, ["metrics"]);
    expect(reference.metrics.length).toBeGreaterThan(10);
    await adminSql()`select private.refresh_performance_metrics(${u.id}::uuid, null)`;
    expect(await stateOf(u.id, ["metrics"])).toEqual(reference);
    let injected = 0;
    const lines: string[] = [];
    const metricIds = (await adminSql()`select id from public.performance_metrics where user_id = ${u.id} order by id`).map((r) => r.id as string);
    for (const how of ["statement_timeout", "pg_cancel_backend", "pg_terminate_backend"] as Interrupt[]) {
      for (let i = 0; i < 2; i++) {
        // the refresh deletes the user's rows, then inserts the new ones: it stops at one row locked by another session
        const id = metricIds[Math.floor(rng() * metricIds.length)];
        const at = Math.max(1, Math.floor(rng() * ms * 0.7));
        const err = await interruptedMidway(`select private.refresh_performance_metrics('${u.id}'::uuid, null)`, how,
          (tx) => tx`select 1 from public.performance_metrics where id = ${id} for update`, at);
        expect(err, `${how}: the refresh cannot finish while a metrics row is locked`).not.toBeNull();
        injected++;
        lines.push(`${how}${how === "statement_timeout" ? `=${at}ms` : ""}: ${(err as { code?: string }).code ?? "error"}`);
        expect(await stateOf(u.id, ["metrics"])).toEqual(reference);
      }
    }
    expect(injected).toBe(6);
    await adminSql()`select private.refresh_performance_metrics(${u.id}::uuid, null)`;
    expect(await stateOf(u.id, ["metrics"])).toEqual(reference);
    summary("5 metrics refresh", `${injected} interruptions injected (refresh ≈ ${Math.round(ms)} ms), metrics whole each time, rerun equal (${reference.metrics.length} rows) — ${lines.join("; ")}`);
  }, 120_000);
});
