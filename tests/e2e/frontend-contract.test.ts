/**
 * The README's "For frontend developers" calls, made as a frontend makes them: supabase-js over
 * HTTP against the stack's one URL — signed in through the Auth stand-in, tables/views/RPCs through
 * the real PostgREST, Edge Functions through the gateway. Alice's account is the shipped sample
 * account imported by the main job (the real import path; tests/fixtures/sample-account); Bob has
 * nothing. Rows are checked against the database and the committed zod schemas; the denials a
 * user must get (accounting writes, ciphertext, other users' rows, anon) are checked too.
 * Not here: the `exchange` function's live reads and saving a key through `credentials` (both call
 * an exchange; tests/functions/ covers them in-process with msw at the exchange boundary).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  EquityCurveResponse, OpenPositionsResponse, PerformanceMetricsResponse, PortfolioSnapshotResponse, TradeHistoryResponse,
} from "../../functions/_shared/types/index.ts";
import { adminSql, closePools, trackMarketPrices } from "../support/db.ts";
import { type Client, generatedRowKeys, newClient, sampleAccountFor, signedUpClient } from "../support/frontend.ts";

let alice: { client: Client; email: string; id: string };
let bob: { client: Client; email: string; id: string };
let credentialId: string;
let cleanPrices: () => Promise<void> = async () => {};

beforeAll(async () => {
  cleanPrices = await trackMarketPrices();
  const a = await signedUpClient("fe-alice", { name: "Alice" });
  const b = await signedUpClient("fe-bob");
  alice = { client: a.client, email: a.email, id: a.session.user.id };
  bob = { client: b.client, email: b.email, id: b.session.user.id };
  sampleAccountFor(alice.email);
  // A stored credential with sync history (saving one needs an exchange: see the header).
  const sql = adminSql();
  const [cred] = await sql`
    insert into public.api_credentials (user_id, exchange, label, api_key_ct, secret_key_ct, kid, key_hint)
    values (${alice.id}, 'binance', 'main', 'v1:local1:aa:bb', 'v1:local1:cc:dd', 'local1', '••••ab12') returning id::text`;
  credentialId = cred.id;
  await sql`insert into public.sync_runs (user_id, credential_id, exchange, status, started_at, finished_at)
            values (${alice.id}, ${cred.id}, 'binance', 'succeeded', now() - interval '1 hour', now() - interval '59 minutes')`;
}, 180_000);
afterAll(async () => { await cleanPrices(); await closePools(); });

async function dbCount(table: string, userId: string, where = "true"): Promise<number> {
  const [r] = await adminSql().unsafe(`select count(*)::int as n from public.${table} where user_id = $1 and ${where}`, [userId]);
  return r.n;
}

function ok<T>(r: { data: T; error: unknown }): NonNullable<T> {
  expect(r.error).toBeNull();
  expect(r.data).not.toBeNull();
  return r.data as NonNullable<T>;
}

describe("auth → rest: the Supabase-client surface (views and RPCs under RLS)", () => {
  it("fills, orders, transfers, fees and balances: the caller's rows, as many as the database holds", async () => {
    const s = alice.client;
    const fills = await s.from("fills").select("*", { count: "exact", head: true });
    expect(fills.error).toBeNull();
    expect(fills.count).toBe(82);
    const newest = ok(await s.from("fills").select().order("executed_at", { ascending: false }).limit(5));
    expect(newest.map((f) => f.executed_at)).toEqual([...newest.map((f) => f.executed_at)].sort().reverse());
    expect(newest.every((f) => f.user_id === alice.id)).toBe(true);

    const orders = ok(await s.from("orders").select().order("order_timestamp", { ascending: false }).range(0, 99));
    expect(orders.length).toBe(Math.min(100, await dbCount("orders", alice.id)));
    expect(orders.length).toBeGreaterThan(0);
    const open = ok(await s.from("orders").select().in("status", ["NEW", "PARTIALLY_FILLED"]));
    expect(open.length).toBe(await dbCount("orders", alice.id, "status in ('NEW', 'PARTIALLY_FILLED')"));

    for (const kind of ["deposit", "withdrawal", "internal"] as const) {
      const rows = ok(await s.from("transfers").select("asset, amount::text, network, address, tx_id, status, occurred_at, fee, fee_currency").eq("kind", kind));
      expect(rows.length).toBe(await dbCount("transfers", alice.id, `kind = '${kind}'`));
      for (const r of rows) expect(r.amount).toMatch(/^-?\d+(\.\d+)?$/);
    }
    expect((await s.from("transfers").select().eq("kind", "deposit")).data!.length).toBeGreaterThan(0);

    const fees = await s.from("fees_tracking").select("*", { count: "exact", head: true });
    expect(fees.count).toBe(await dbCount("fees_tracking", alice.id));
    const balances = ok(await s.from("balances").select("exchange, account_type, asset, free::text, locked::text, as_of"));
    expect(balances.length).toBe(await dbCount("balances", alice.id));
    const prices = ok(await s.from("market_prices").select("symbol, price::text, as_of").eq("kind", "last").limit(5));
    expect(Array.isArray(prices)).toBe(true);
  });

  it("positions and closed trades: views with PnL computed at read time", async () => {
    const s = alice.client;
    const open = ok(await s.from("open_positions").select());
    expect(open.length).toBe(4);
    const all = ok(await s.from("positions_with_pnl").select("id, status"));
    expect(all.length).toBe(await dbCount("positions", alice.id));
    const closed = ok(await s.from("closed_trades").select("id, net_pnl::text, exit_type").order("exit_time", { ascending: false }));
    expect(closed.length).toBe(29);
    const snapshots = ok(await s.from("latest_portfolio_snapshots").select("id"));
    const mine = await adminSql()`select id::text from public.portfolio_snapshots where user_id = ${alice.id}`;
    expect(snapshots.every((r) => mine.some((m) => m.id === String(r.id)))).toBe(true);
  });

  it("rows have exactly the columns of the committed generated types (Database)", async () => {
    const s = alice.client;
    const relations = ["open_positions", "positions_with_pnl", "closed_trades", "latest_portfolio_snapshots", "credential_sync_status",
      "api_credentials_masked", "fills", "orders", "transfers", "fees_tracking", "performance_metrics", "profiles"] as const;
    for (const name of relations) {
      // (A union of table and view names fits neither of from()'s overloads: one name at a time.)
      const rows = ok(await s.from(name as "fills").select().limit(1)) as Record<string, unknown>[];
      expect(rows.length, name).toBe(1);
      expect(Object.keys(rows[0]).sort(), name).toEqual(generatedRowKeys(name));
    }
    const page = ok(await s.rpc("get_trade_history", { p_period: "all", p_limit: 1 })) as Record<string, unknown>[];
    expect(Object.keys(page[0]).sort()).toEqual(generatedRowKeys("closed_trades"));
  });

  it("trade history pages by cursor, every trade once, and the summary totals the database's", async () => {
    const s = alice.client;
    const seen: number[] = [];
    let cursor: { p_cursor_exit_time?: string; p_cursor_id?: number } = {};
    for (;;) {
      const page = ok(await s.rpc("get_trade_history", { p_period: "all", p_limit: 10, ...cursor }));
      seen.push(...page.map((t) => t.id!));
      if (page.length < 10) break;
      const last = page[page.length - 1];
      cursor = { p_cursor_exit_time: last.exit_time!, p_cursor_id: last.id! };
    }
    expect(seen.length).toBe(29);
    expect(new Set(seen).size).toBe(29);
    const [summary] = ok(await s.rpc("get_trade_history_summary", { p_period: "all" })) as unknown as Record<string, unknown>[];
    const [db] = await adminSql()`select count(*)::int as n, sum(net_pnl)::text as net from public.trade_history where user_id = ${alice.id}`;
    expect(Number(summary.total_trades)).toBe(db.n);
    expect(String(summary.total_pnl)).toBe(String(Number(db.net))); // PostgREST renders NUMERIC as a JSON number
    const bySymbol = ok(await s.rpc("get_trade_history_summary", { p_period: "all", p_symbol: "BTC/USDT" })) as unknown as Record<string, unknown>[];
    expect(Number(bySymbol[0].total_trades)).toBe(await dbCount("trade_history", alice.id, "symbol = 'BTC/USDT'"));

    const bad = await s.rpc("get_trade_history", { p_period: "fortnight" });
    expect(bad.status).toBe(400);
    expect(bad.error?.code).toBe("22023");
  });

  it("metrics, equity curve and the lifetime summary", async () => {
    const s = alice.client;
    const metrics = ok(await s.rpc("get_performance_metrics", { p_period: "all_time" })) as unknown as Record<string, unknown>[];
    expect(metrics.length).toBeGreaterThan(0);
    expect(Number(metrics[0].total_trades)).toBe(29);
    const monthly = ok(await s.rpc("get_performance_metrics", { p_period: "monthly", p_limit: 12 })) as unknown as unknown[];
    expect(monthly.length).toBeGreaterThan(0);
    const curve = ok(await s.rpc("equity_curve", { p_from: "2026-05-01", p_to: "2026-10-31" })) as unknown as unknown[];
    expect(curve.length).toBeGreaterThan(100);
    const lifetime = await s.rpc("get_user_performance_summary");
    expect(lifetime.error).toBeNull();
  });

  it("credentials: masked, with their sync status; \"sync now\" queues a job the status shows", async () => {
    const s = alice.client;
    const status = ok(await s.from("credential_sync_status").select());
    expect(status).toHaveLength(1);
    expect(status[0]).toMatchObject({ credential_id: credentialId, key_hint: "••••ab12", last_run_status: "succeeded" });
    expect(Object.keys(status[0]).some((k) => k.endsWith("_ct"))).toBe(false);
    const masked = ok(await s.from("api_credentials_masked").select());
    expect(masked.map((m) => String(m.id))).toEqual([credentialId]);
    expect(masked[0]).not.toHaveProperty("api_key_ct");

    const queued = await s.rpc("request_sync", { p_credential_id: credentialId as never });
    expect(queued.error).toBeNull();
    const after = ok(await s.from("credential_sync_status").select("pending_job_status, pending_job_kind"));
    expect(after[0].pending_job_status).toBe("queued");
  });
});

describe("auth → functions: the api and credentials functions with the session's token", () => {
  it("the api function's five endpoints answer their committed schemas", async () => {
    const f = alice.client.functions;
    const open = OpenPositionsResponse.parse(ok(await f.invoke("api/positions/open", { method: "GET" })));
    expect(open.total_positions).toBe(4);
    const history = TradeHistoryResponse.parse(ok(await f.invoke("api/trades/history?period=all", { method: "GET" })));
    expect(history.total_trades).toBe(29);
    expect(history.total_pnl).toBe((await adminSql()`select trim_scale(sum(net_pnl))::text as t from public.trade_history where user_id = ${alice.id}`)[0].t);
    PerformanceMetricsResponse.parse(ok(await f.invoke("api/performance/metrics?period=monthly", { method: "GET" })));
    const curve = EquityCurveResponse.parse(ok(await f.invoke("api/portfolio/equity-curve?period=all", { method: "GET" })));
    expect(curve.data_points.length).toBeGreaterThan(100);
    const snap = await f.invoke("api/portfolio/snapshot", { method: "GET" });
    if (snap.error) expect((snap.error as { context: Response }).context.status).toBe(404);
    else PortfolioSnapshotResponse.parse(snap.data);
  });

  it("credentials: list masked, rename, then delete", async () => {
    const f = alice.client.functions;
    const list = ok(await f.invoke("credentials", { method: "GET" })) as { credentials?: unknown[] } | unknown[];
    expect(JSON.stringify(list)).toContain("••••ab12");
    expect(JSON.stringify(list)).not.toContain("v1:local1");
    const renamed = await f.invoke(`credentials/${credentialId}`, { method: "PATCH", body: { label: "renamed" } });
    expect(renamed.error).toBeNull();
    expect(ok(await alice.client.from("api_credentials_masked").select("label"))[0].label).toBe("renamed");
    // Bob cannot touch it: not his (404), and the row is unchanged.
    const theft = await bob.client.functions.invoke(`credentials/${credentialId}`, { method: "PATCH", body: { label: "mine" } });
    expect((theft.error as { context: Response }).context.status).toBe(404);
    expect((await alice.client.functions.invoke(`credentials/${credentialId}`, { method: "DELETE" })).error).toBeNull();
  });
});

describe("the denials a user must get", () => {
  it("accounting tables are read-only to users; ciphertext columns are unreadable", async () => {
    const s = alice.client;
    const forged = await s.from("trade_history").insert({ user_id: alice.id, exchange: "binance", market_type: "spot", symbol: "BTC/USDT", side: "LONG",
      entry_price: 1, entry_time: new Date().toISOString(), entry_quantity: 1, exit_price: 2, exit_time: new Date().toISOString(),
      exit_quantity: 1, gross_pnl: 1000000, net_pnl: 1000000, close_key: "forged" } as never);
    expect(forged.error?.code).toBe("42501");
    const edit = await s.from("fills").update({ price: 1 } as never).eq("user_id", alice.id);
    expect(edit.error?.code).toBe("42501");
    const ct = await s.from("api_credentials").select("api_key_ct");
    expect(ct.error?.code).toBe("42501");
    expect(await dbCount("trade_history", alice.id, "close_key = 'forged'")).toBe(0);
  });

  it("another user sees none of Alice's rows", async () => {
    const s = bob.client;
    expect((await s.from("fills").select("*", { count: "exact", head: true })).count).toBe(0);
    expect(ok(await s.from("open_positions").select())).toEqual([]);
    expect(ok(await s.from("credential_sync_status").select())).toEqual([]);
    expect(ok(await s.rpc("get_trade_history", { p_period: "all" }))).toEqual([]);
    const [aliceTrade] = await adminSql()`select id from public.trade_history where user_id = ${alice.id} limit 1`;
    expect(ok(await s.from("closed_trades").select("id").eq("id", aliceTrade.id))).toEqual([]);
  });

  it("anon (no session) reads nothing and cannot call the api function", async () => {
    const anon = newClient();
    const pos = await anon.from("open_positions").select();
    expect(pos.error?.code).toBe("42501");
    expect(pos.status).toBe(401);
    const fills = await anon.from("fills").select();
    expect(fills.data ?? []).toEqual([]);
    const api = await anon.functions.invoke("api/positions/open", { method: "GET" });
    expect((api.error as { context: Response }).context.status).toBe(401);
  });
});
