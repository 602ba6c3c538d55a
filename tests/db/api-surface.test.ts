/**
 * The frontend's Supabase-client surface (migrations 2026112520xxxx): security-invoker views and
 * invoker RPCs, exercised exactly as PostgREST runs a request (asUser: authenticator, role
 * authenticated, full JWT claims), with two users holding data: each sees only their own rows;
 * anon sees nothing; bad RPC input is a 22023 error (PostgREST → 400) with the accepted values.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminSql, asAnon, asUser, closePools, trackMarketPrices } from "../support/db.ts";
import { createUser, type TestUser } from "../support/users.ts";

// market_prices is shared: remove what this file writes (tracked before its own set-up runs).
let cleanPrices: () => Promise<void> = async () => {};
beforeAll(async () => { cleanPrices = await trackMarketPrices(); });


const VIEWS = ["positions_with_pnl", "open_positions", "closed_trades", "latest_portfolio_snapshots", "credential_sync_status"];
const RPCS = ["get_trade_history", "get_trade_history_summary", "get_performance_metrics"];

let alice: TestUser;
let bob: TestUser;
const tag = randomUUID().slice(0, 6).toUpperCase();
const SYM = `D${tag}/USDT`;
const owned = new Map<string, { positions: string[]; trades: string[]; credential: string }>();

async function seed(user: TestUser, n: number, price: number) {
  const sql = adminSql();
  const positions = await sql`
    insert into public.positions (user_id, exchange, market_type, symbol, side, entry_price, quantity, total_cost, status, opened_at, closed_at)
    values (${user.id}, 'binance', 'spot', ${SYM}, 'LONG', 100, 2, 200, 'OPEN', now() - interval '1 day', null),
           (${user.id}, 'mexc', 'spot', ${SYM}, 'LONG', 100, 0, 0, 'CLOSED', now() - interval '5 days', now() - interval '4 days')
    returning id::text`;
  const trades = await sql`
    insert into public.trade_history (user_id, exchange, market_type, symbol, side, entry_price, entry_time, entry_quantity,
      exit_price, exit_time, exit_quantity, exit_type, gross_pnl, net_pnl, hold_duration, close_key)
    select ${user.id}, 'binance', 'spot', ${SYM}, 'LONG', 100, now() - ((g - 0.5) || ' days')::interval - interval '1 hour', 1,
           101, now() - ((g - 0.5) || ' days')::interval, 1, case when g % 2 = 0 then 'TP' else 'SL' end, 1, 0.9, interval '1 hour', 'c' || g
      from generate_series(1, ${n}) as g
    returning id::text`;
  await sql`insert into public.market_prices (exchange, symbol, kind, price, as_of)
            values ('binance', ${SYM}, 'last', ${price}, now() - (${price} || ' seconds')::interval) on conflict do nothing`;
  await sql`
    insert into public.performance_metrics (user_id, exchange, period_start, period_end, period_type, total_trades, winning_trades, losing_trades)
    values (${user.id}, null, date_trunc('day', now()), date_trunc('day', now()) + interval '1 day' - interval '1 second', 'DAILY', ${n}, ${n}, 0),
           (${user.id}, null, date_trunc('day', now()) - interval '1 day', date_trunc('day', now()) - interval '1 second', 'DAILY', 1, 1, 0),
           (${user.id}, null, date_trunc('day', now()) + interval '1 day', date_trunc('day', now()) + interval '2 days', 'DAILY', 0, 0, 0)`;
  await sql`
    insert into public.portfolio_snapshots (user_id, exchange, total_balance, available_balance, locked_balance, snapshot_date)
    values (${user.id}, null, ${n * 100}, 0, 0, current_date), (${user.id}, null, 1, 0, 0, current_date - 3),
           (${user.id}, 'binance', ${n * 100}, 0, 0, current_date - 1), (${user.id}, 'binance', 2, 0, 0, current_date - 2)`;
  const [cred] = await sql`
    insert into public.api_credentials (user_id, exchange, label, api_key_ct, secret_key_ct, kid, key_hint)
    values (${user.id}, 'binance', 'main', 'v1:local1:aa:bb', 'v1:local1:cc:dd', 'local1', '••••ab12') returning id::text`;
  await sql`
    insert into public.sync_runs (user_id, credential_id, exchange, status, started_at, finished_at)
    values (${user.id}, ${cred.id}, 'binance', 'failed', now() - interval '2 hours', now() - interval '2 hours'),
           (${user.id}, ${cred.id}, 'binance', 'succeeded', now() - interval '1 hour', now() - interval '59 minutes')`;
  await sql`insert into public.sync_jobs (user_id, credential_id, kind, status) values (${user.id}, ${cred.id}, 'manual', 'queued')`;
  owned.set(user.id, { positions: positions.map((r) => r.id), trades: trades.map((r) => r.id), credential: cred.id });
}

beforeAll(async () => {
  [alice, bob] = await Promise.all([createUser("api-db-alice"), createUser("api-db-bob")]);
  await seed(alice, 12, 110);
  await seed(bob, 5, 120);
});
afterAll(closePools);

describe("each view and RPC returns only the caller's rows", () => {
  for (const who of ["alice", "bob"] as const) {
    it(`${who}: views`, async () => {
      const user = who === "alice" ? alice : bob;
      const mine = owned.get(user.id)!;
      await asUser(user, async (tx) => {
        const all = await tx`select id::text from public.positions_with_pnl`;
        expect(all.map((r) => r.id).sort()).toEqual([...mine.positions].sort());
        const open = await tx`select id::text, current_price::text, unrealized_pnl::text from public.open_positions`;
        expect(open).toHaveLength(1);
        expect(open[0].id).toBe(mine.positions[0]);
        // The latest price of the symbol (110, stored 110 s ago, is newer than 120, 120 s ago): (110 − 100) × 2.
        expect(open[0]).toMatchObject({ current_price: "110.000000000000000000", unrealized_pnl: "20.000000000000000000" });
        const trades = await tx`select id::text from public.closed_trades`;
        expect(trades.map((r) => r.id).sort()).toEqual([...mine.trades].sort());
        const snaps = await tx`select exchange::text, snapshot_date::text, total_balance::text from public.latest_portfolio_snapshots order by exchange nulls first`;
        expect(snaps.map((s) => [s.exchange, s.total_balance])).toEqual([
          [null, `${mine.trades.length * 100}.000000000000000000`],
          ["binance", `${mine.trades.length * 100}.000000000000000000`],
        ]);
        const creds = await tx`select * from public.credential_sync_status`;
        expect(creds).toHaveLength(1);
        expect(creds[0]).toMatchObject({ credential_id: mine.credential, last_run_status: "succeeded", pending_job_status: "queued", pending_job_kind: "manual", key_hint: "••••ab12" });
        expect(Object.keys(creds[0]).filter((k) => k.endsWith("_ct") || k === "kid")).toEqual([]);
      });
    });

    it(`${who}: RPCs`, async () => {
      const user = who === "alice" ? alice : bob;
      const mine = owned.get(user.id)!;
      await asUser(user, async (tx) => {
        const page = await tx`select id::text from public.get_trade_history(p_period => 'all', p_limit => 1000)`;
        expect(page.map((r) => r.id).sort()).toEqual([...mine.trades].sort());
        const [sum] = await tx`select total_trades::int, trim_scale(total_pnl)::text as total_pnl, winning_trades::int from public.get_trade_history_summary(p_period => 'all')`;
        expect(sum).toEqual({ total_trades: mine.trades.length, total_pnl: String((9 * mine.trades.length) / 10), winning_trades: mine.trades.length });
        const metrics = await tx`select total_trades from public.get_performance_metrics('daily', null, 5)`;
        // Today's and yesterday's rows; tomorrow's (a future period) is skipped; latest first.
        expect(metrics.map((m) => m.total_trades)).toEqual([mine.trades.length, 1]);
        const summary = await tx`select * from public.get_user_performance_summary()`;
        expect(summary.length).toBeLessThanOrEqual(1);
      });
    });
  }

  it("anon can read none of them (no grant)", async () => {
    for (const v of VIEWS) {
      await expect(asAnon((tx) => tx.unsafe(`select 1 from public.${v}`)), v).rejects.toMatchObject({ code: "42501" });
    }
    for (const f of RPCS) {
      await expect(asAnon((tx) => tx.unsafe(`select * from public.${f}()`)), f).rejects.toMatchObject({ code: "42501" });
    }
  });
});

describe("get_trade_history: window, filters, keyset pagination", () => {
  it("periods and explicit bounds", async () => {
    await asUser(alice, async (tx) => {
      const count = async (q: PromiseLike<readonly unknown[]>) => (await q).length;
      expect(await count(tx`select 1 from public.get_trade_history(p_period => '7d', p_limit => 1000)`)).toBe(7);
      expect(await count(tx`select 1 from public.get_trade_history(p_limit => 1000)`)).toBe(12); // default 30d
      expect(await count(tx`select 1 from public.get_trade_history(p_from => now() - interval '3 days 1 minute', p_to => now() - interval '1 day 1 minute')`)).toBe(2);
      expect(await count(tx`select 1 from public.get_trade_history(p_period => 'all', p_exit_type => 'tp')`)).toBe(6);
      expect(await count(tx`select 1 from public.get_trade_history(p_period => 'all', p_exchange => 'bitget')`)).toBe(0);
      expect(await count(tx`select 1 from public.get_trade_history(p_period => 'all', p_symbol => ${SYM})`)).toBe(12);
    });
  });

  it("the cursor (exit_time, id) of the last row gives the next page, without overlap", async () => {
    await asUser(alice, async (tx) => {
      const first = await tx`select id, exit_time from public.get_trade_history(p_period => 'all', p_limit => 5)`;
      const last = first[first.length - 1];
      const next = await tx`select id, exit_time from public.get_trade_history(p_period => 'all', p_limit => 5,
                              p_cursor_exit_time => ${last.exit_time}::timestamptz, p_cursor_id => ${last.id}::bigint)`;
      expect(next).toHaveLength(5);
      expect(next[0].exit_time.getTime()).toBeLessThan(last.exit_time.getTime());
      expect(next.some((r) => first.some((f) => f.id === r.id))).toBe(false);
    });
  });

  it("bad input raises 22023 with a message (PostgREST answers 400)", async () => {
    const bad: [string, RegExp][] = [
      ["select * from public.get_trade_history(p_period => '5d')", /unknown period "5d"; accepted values: 7d, 30d, 90d, 1y, all/],
      ["select * from public.get_trade_history(p_limit => 0)", /limit must be between 1 and 1000/],
      ["select * from public.get_trade_history(p_limit => 100000)", /limit must be between 1 and 1000/],
      ["select * from public.get_trade_history(p_cursor_id => 5)", /cursor needs both/],
      ["select * from public.get_trade_history(p_exit_type => 'STOP')", /unknown exit_type/],
      ["select * from public.get_trade_history(p_period => '7d', p_from => now())", /either a period or from\/to/],
      ["select * from public.get_trade_history_summary(p_from => now(), p_to => now() - interval '1 day')", /must be before/],
      ["select * from public.get_performance_metrics('yearly')", /accepted values: daily, weekly, monthly, all_time/],
      ["select * from public.get_performance_metrics('daily', null, 0)", /limit must be between 1 and 400/],
    ];
    for (const [q, msg] of bad) {
      await expect(asUser(alice, (tx) => tx.unsafe(q)), q).rejects.toMatchObject({ code: "22023", message: expect.stringMatching(msg) });
    }
  });
});

describe("definitions: invoker views and functions, grants to authenticated only", () => {
  it("views are security_invoker; RPCs are invoker with a fixed search_path", async () => {
    const views = await adminSql()`
      select c.relname, coalesce(c.reloptions, '{}') as opts from pg_class c
       where c.relnamespace = 'public'::regnamespace and c.relname = any(${VIEWS})`;
    expect(views).toHaveLength(VIEWS.length);
    for (const v of views) expect(v.opts, v.relname).toContain("security_invoker=true");
    const fns = await adminSql()`
      select p.proname, p.prosecdef, coalesce(p.proconfig, '{}') as config from pg_proc p
       where p.pronamespace = 'public'::regnamespace and p.proname = any(${RPCS})`;
    expect(fns).toHaveLength(RPCS.length);
    for (const f of fns) {
      expect(f.prosecdef, f.proname).toBe(false);
      expect(f.config, f.proname).toContain('search_path=""');
    }
  });

  it("only authenticated may select the views and execute the RPCs", async () => {
    const grants = await adminSql()`
      select table_name, grantee, privilege_type from information_schema.role_table_grants
       where table_schema = 'public' and table_name = any(${VIEWS}) and grantee in ('anon', 'authenticated', 'service_role', 'PUBLIC')`;
    expect(new Set(grants.map((g) => `${g.grantee}:${g.privilege_type}`))).toEqual(new Set(["authenticated:SELECT"]));
    const exec = await adminSql()`
      select p.proname, r.rolname, has_function_privilege(r.oid, p.oid, 'execute') as can
        from pg_proc p cross join pg_roles r
       where p.pronamespace = 'public'::regnamespace and p.proname = any(${RPCS}) and r.rolname in ('anon', 'authenticated')`;
    for (const e of exec) expect(e.can, `${e.rolname} on ${e.proname}`).toBe(e.rolname === "authenticated");
  });
});

// Registered last, so it runs before the file's other after-hooks close the pools.
afterAll(async () => { await cleanPrices(); });
