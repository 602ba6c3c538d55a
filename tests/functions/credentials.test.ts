/**
 * The `credentials` function end to end: in-process (handler called under Node, exchanges
 * mocked at HTTP with msw) against the real local database, and over HTTP through the local
 * functions server with supabase-js.
 */
import { readFileSync } from "node:fs";
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { adminSql, asUser, closePools } from "../support/db.ts";
import { exportStackEnv, stackEnv } from "../support/env.ts";
import { callFunction, supabaseAs } from "../support/http.ts";
import { createUser, expiredToken, type TestUser } from "../support/users.ts";
import { handwritten, recorded } from "../unit/credentials/fixtures.ts";

// Distinctive secrets: none may ever appear in the database, a response or a log line.
const BINANCE = { apiKey: "BNBtestKEYq7cZ1x9Lr0aT4pW2mN8vK3jH5gF6dS1aQ0wE9rT8yU7iO6pL5kJ4h", secretKey: "BNBtestSECRETx1c2V3b4N5m6Q7w8E9r0T1y2U3i4O5p6A7s8D9f0G1h2J3k4L5z6" };
const BITGET = { apiKey: "bg_testKEY0f1e2d3c4b5a69788796a5b4c3", secretKey: "bgTESTsecret9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0", passphrase: "MyBitgetTestPassphrase77" };
const ALL_SECRETS = [...Object.values(BINANCE), ...Object.values(BITGET)];

const BN = handwritten("binance");
const binanceBalance = recorded("binance", "fetchBalance", "Spot balance");
const server = setupServer();
const logs: string[] = [];

let handler: (req: Request) => Promise<Response>;
let alice: TestUser;
let bob: TestUser;

function binanceOk(restrictions: "readOnly" | "withdrawEnabled" = "readOnly") {
  server.use(
    http.get("https://api.binance.com/api/v3/account", () => HttpResponse.json(binanceBalance)),
    http.get("https://api.binance.com/sapi/v1/account/apiRestrictions", () => HttpResponse.json(BN.apiRestrictions[restrictions])),
  );
}

beforeAll(async () => {
  exportStackEnv();
  // Exchanges are mocked; the local stack (127.0.0.1) is real.
  server.listen({
    onUnhandledRequest: (req, print) => { if (new URL(req.url).hostname !== "127.0.0.1") print.error(); },
  });
  for (const level of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => { logs.push(args.map(String).join(" ")); });
  }
  handler = (await import("../../functions/credentials/handler.ts")).default;
  alice = await createUser("alice");
  bob = await createUser("bob");
});
afterEach(() => server.resetHandlers());
afterAll(async () => {
  server.close();
  vi.restoreAllMocks();
  await closePools();
});

async function call(user: TestUser | string | null, method: string, path = "", body?: unknown, headers: Record<string, string> = {}) {
  const token = typeof user === "string" ? user : user?.token;
  const h: Record<string, string> = { ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  let payload: string | undefined;
  if (body !== undefined) {
    payload = typeof body === "string" ? body : JSON.stringify(body);
    h["content-type"] ??= "application/json";
  }
  const res = await handler(new Request(`http://localhost/functions/v1/credentials${path}`, { method, headers: h, body: payload }));
  const text = await res.text();
  for (const s of ALL_SECRETS) expect(text, "a response contains a secret").not.toContain(s);
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function storedRows(user: TestUser) {
  return await adminSql()`select * from public.api_credentials where user_id = ${user.id}`;
}

describe("save (POST /credentials)", () => {
  it("verifies with the exchange, encrypts, stores, and answers the masked record only", async () => {
    binanceOk();
    const r = await call(alice, "POST", "", { exchange: "binance", ...BINANCE, label: "Main Binance" });
    expect(r.status).toBe(201);
    expect(r.body.credential).toMatchObject({
      exchange: "binance", label: "Main Binance", is_active: true, key_hint: "••••L5kJ4h".slice(0, 4) + BINANCE.apiKey.slice(-4),
      verification_status: "verified",
    });
    expect(r.body.credential.permissions).toMatchObject({ read: true, withdraw: false });
    expect(Object.keys(r.body.credential)).not.toContain("api_key_ct");
    const [row] = await storedRows(alice);
    expect(row.api_key_ct).toMatch(/^v1:local1:/);
    expect(row.secret_key_ct).toMatch(/^v1:local1:/);
    expect(row.kid).toBe("local1");
  });

  it("a second save for the same exchange updates the row (one per user and exchange) → 200", async () => {
    binanceOk();
    const r = await call(alice, "POST", "", { exchange: "binance", ...BINANCE, label: "Renamed" });
    expect(r.status).toBe(200);
    expect(await storedRows(alice)).toHaveLength(1);
  });

  it("no table, no column of the database holds a plaintext key, secret or passphrase", async () => {
    server.use(
      http.get("https://api.bitget.com/api/v2/spot/account/assets", () => HttpResponse.json(recorded("bitget", "fetchBalance", "spot balance"))),
      http.get("https://api.bitget.com/api/v2/spot/account/info", () => HttpResponse.json(handwritten("bitget").accountInfo?.readOnly ?? handwritten("bitget").accountInfo)),
    );
    const saved = await call(alice, "POST", "", { exchange: "bitget", ...BITGET, verify: false });
    expect(saved.status).toBe(201);
    const tables = await adminSql()`
      select format('%I.%I', table_schema, table_name) as t from information_schema.tables
       where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')`;
    for (const { t } of tables) {
      for (const secret of ALL_SECRETS) {
        const [hit] = await adminSql().unsafe(`select count(*)::int as n from ${t} x where x::text like '%' || $1 || '%'`, [secret]);
        expect(hit.n, `${t} contains a secret`).toBe(0);
      }
    }
  });

  it("refuses a key that can withdraw with 422 and how to fix it; nothing stored", async () => {
    binanceOk("withdrawEnabled");
    const r = await call(bob, "POST", "", { exchange: "binance", ...BINANCE });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe("withdraw_enabled");
    expect(r.body.error.message).toMatch(/withdrawal permission/);
    expect(await storedRows(bob)).toHaveLength(0);
  });

  it("an exchange that rejects the key → 422 with the exchange's reason; nothing stored", async () => {
    server.use(http.get("https://api.binance.com/api/v3/account", () =>
      HttpResponse.json({ code: -2015, msg: "Invalid API-key, IP, or permissions for action." }, { status: 401 })));
    const r = await call(bob, "POST", "", { exchange: "binance", ...BINANCE });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe("invalid_key");
    expect(r.body.error.details.exchange_reason).toMatch(/Invalid API-key/);
    expect(await storedRows(bob)).toHaveLength(0);
  });

  it("an unreachable exchange → 503, nothing stored; with verify:false it is stored unverified", async () => {
    server.use(http.get("https://api.binance.com/api/v3/account", () => HttpResponse.error()));
    const r = await call(bob, "POST", "", { exchange: "binance", ...BINANCE });
    expect(r.status).toBe(503);
    expect(r.body.error.code).toBe("exchange_unavailable");
    expect(await storedRows(bob)).toHaveLength(0);
    const unverified = await call(bob, "POST", "", { exchange: "binance", ...BINANCE, verify: false });
    expect(unverified.status).toBe(201);
    expect(unverified.body.credential.verification_status).toBe("unverified");
  });

  it("bad input: unknown field → 400 naming it; missing bitget passphrase → 400; > 16 KB → 413; not JSON → 400", async () => {
    const unknown = await call(alice, "POST", "", { exchange: "binance", ...BINANCE, apiSecret: "x" });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body.error)).toContain("apiSecret");
    const noPass = await call(alice, "POST", "", { exchange: "bitget", apiKey: BITGET.apiKey, secretKey: BITGET.secretKey });
    expect(noPass.status).toBe(400);
    expect(JSON.stringify(noPass.body.error.details)).toContain("passphrase");
    const huge = await call(alice, "POST", "", { exchange: "binance", ...BINANCE, label: "x".repeat(17 * 1024) });
    expect(huge.status).toBe(413);
    const broken = await call(alice, "POST", "", "{not json");
    expect(broken.status).toBe(400);
    expect(broken.body.error.code).toBe("invalid_json");
  });
});

describe("auth", () => {
  it("no token, an invalid token, an expired token, the anon key → 401", async () => {
    expect((await call(null, "GET")).status).toBe(401);
    expect((await call("not.a.jwt", "GET")).status).toBe(401);
    expect((await call(await expiredToken(alice), "GET")).status).toBe(401);
    expect((await call(stackEnv().SUPABASE_ANON_KEY, "GET")).status).toBe(401);
  });
});

describe("a second user", () => {
  it("cannot list, change, verify or delete the first user's credential (404), and nothing changes", async () => {
    const [row] = await adminSql()`select id, label, is_active from public.api_credentials where user_id = ${alice.id} and exchange = 'binance'`;
    const list = await call(bob, "GET");
    expect(list.body.credentials.map((c: { id: string }) => c.id)).not.toContain(row.id);
    expect((await call(bob, "PATCH", `/${row.id}`, { label: "hijacked" })).status).toBe(404);
    expect((await call(bob, "POST", `/${row.id}/verify`)).status).toBe(404);
    expect((await call(bob, "DELETE", `/${row.id}`)).status).toBe(404);
    expect((await call(bob, "DELETE", `/${row.id}?purge=true`)).status).toBe(404);
    const [after] = await adminSql()`select label, is_active, api_key_ct is not null as has_key from public.api_credentials where id = ${row.id}`;
    expect(after).toEqual({ label: row.label, is_active: true, has_key: true });
  });

  it("reads no ciphertext even through the table itself, as PostgREST would", async () => {
    await expect(asUser(alice, (tx) => tx`select api_key_ct from public.api_credentials`)).rejects.toThrow(/permission denied/);
    const own = await asUser(alice, (tx) => tx`select exchange, key_hint from public.api_credentials_masked`);
    expect(own.length).toBeGreaterThan(0);
    expect(await asUser(bob, (tx) => tx`select * from public.api_credentials_masked where user_id = ${alice.id}`)).toHaveLength(0);
  });
});

describe("change, verify, delete", () => {
  let id: string;
  beforeAll(async () => {
    [{ id }] = await adminSql()`select id from public.api_credentials where user_id = ${alice.id} and exchange = 'binance'`;
  });

  it("PATCH changes the label; an empty change is a 400", async () => {
    const r = await call(alice, "PATCH", `/${id}`, { label: "Spot account" });
    expect(r.status).toBe(200);
    expect(r.body.credential.label).toBe("Spot account");
    expect((await call(alice, "PATCH", `/${id}`, {})).status).toBe(400);
    expect((await call(alice, "PATCH", "/not-a-uuid", { label: "x" })).status).toBe(400);
  });

  it("PATCH syncSymbols sets the symbols the sync covers (upper-cased, deduplicated, sorted); [] clears them; bad symbols are a 400 naming the entry", async () => {
    const r = await call(alice, "PATCH", `/${id}`, { syncSymbols: ["eth/usdt", " BTC/USDT:USDT ", "ETH/USDT", "1000PEPE/USDT"] });
    expect(r.status).toBe(200);
    expect(r.body.credential.sync_symbols).toEqual(["1000PEPE/USDT", "BTC/USDT:USDT", "ETH/USDT"]);
    const [row] = await adminSql()`select sync_symbols from public.api_credentials where id = ${id}`;
    expect(row.sync_symbols).toEqual(["1000PEPE/USDT", "BTC/USDT:USDT", "ETH/USDT"]);
    // the worker reads exactly this column
    const listed = await call(alice, "GET", "");
    expect(listed.body.credentials.find((c: { id: string }) => c.id === id).sync_symbols).toEqual(["1000PEPE/USDT", "BTC/USDT:USDT", "ETH/USDT"]);

    const bad = await call(alice, "PATCH", `/${id}`, { sync_symbols: ["BTCUSDT"] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe("sync_symbols.0");
    expect(bad.body.error.details[0].message).toMatch(/not a ccxt symbol: write BASE\/QUOTE/);
    expect((await call(alice, "PATCH", `/${id}`, { syncSymbols: "BTC/USDT" })).status).toBe(400);
    expect((await call(alice, "PATCH", `/${id}`, { syncSymbols: Array.from({ length: 201 }, (_, i) => `C${i}/USDT`) })).status).toBe(400);
    expect((await call(alice, "PATCH", `/${id}`, { syncSymbols: [], sync_symbols: [] })).status).toBe(400);
    expect((await call(bob, "PATCH", `/${id}`, { syncSymbols: ["BTC/USDT"] })).status).toBe(404);

    const cleared = await call(alice, "PATCH", `/${id}`, { syncSymbols: [] });
    expect(cleared.status).toBe(200);
    expect(cleared.body.credential.sync_symbols).toEqual([]);
  });

  it("POST :id/verify re-tests the stored key; a rejected key is marked invalid (422)", async () => {
    binanceOk();
    const ok = await call(alice, "POST", `/${id}/verify`);
    expect(ok.status).toBe(200);
    expect(ok.body.credential.verification_status).toBe("verified");
    server.use(http.get("https://api.binance.com/api/v3/account", () =>
      HttpResponse.json({ code: -2015, msg: "Invalid API-key, IP, or permissions for action." }, { status: 401 })));
    const bad = await call(alice, "POST", `/${id}/verify`);
    expect(bad.status).toBe(422);
    const [row] = await adminSql()`select verification_status from public.api_credentials where id = ${id}`;
    expect(row.verification_status).toBe("invalid");
  });

  it("DELETE deactivates and wipes the ciphertext; purge removes the row", async () => {
    const r = await call(alice, "DELETE", `/${id}`);
    expect(r.status).toBe(200);
    const [row] = await adminSql()`select is_active, api_key_ct, secret_key_ct, deleted_at from public.api_credentials where id = ${id}`;
    expect(row).toMatchObject({ is_active: false, api_key_ct: null, secret_key_ct: null });
    expect(row.deleted_at).not.toBeNull();
    expect((await call(alice, "GET")).body.credentials.map((c: { id: string }) => c.id)).not.toContain(id);
    expect((await call(alice, "PATCH", `/${id}`, { isActive: true })).status).toBe(409);
    expect((await call(alice, "DELETE", `/${id}?purge=true`)).status).toBe(200);
    expect(await adminSql()`select 1 from public.api_credentials where id = ${id}`).toHaveLength(0);
  });

  it("every create, change, verify and delete left an audit row, none with a secret", async () => {
    const rows = await adminSql()`select action, actor_id, old_values, new_values from public.audit_logs
                                   where table_name = 'api_credentials' and user_id = ${alice.id} order by id`;
    expect(rows.map((r) => r.action)).toEqual(expect.arrayContaining(["INSERT", "UPDATE", "DELETE"]));
    expect(rows.length).toBeGreaterThanOrEqual(6);
    expect(rows.every((r) => r.actor_id === alice.id)).toBe(true);
    const text = JSON.stringify(rows);
    for (const s of ALL_SECRETS) expect(text).not.toContain(s);
    expect(text).not.toMatch(/v1:local1:/);
  });

  it("no log line printed during these tests contains a secret", () => {
    const text = logs.join("\n");
    for (const s of ALL_SECRETS) expect(text).not.toContain(s);
  });
});

describe("over HTTP through the local functions server (supabase-js)", () => {
  it("saves without verification and lists the masked record; the server log holds no secret", async () => {
    const carol = await createUser("carol");
    const client = supabaseAs(carol.token);
    const saved = await client.functions.invoke("credentials", { body: { exchange: "mexc", apiKey: "mx0vglHTTPtestKEY1234567890", secretKey: "mexcHTTPtestSECRET0987654321", verify: false } });
    expect(saved.error).toBeNull();
    expect(saved.data.credential).toMatchObject({ exchange: "mexc", verification_status: "unverified", key_hint: "••••7890" });
    const listed = await client.functions.invoke("credentials", { method: "GET" });
    expect(listed.data.credentials).toHaveLength(1);
    const bad = await callFunction("credentials", { token: carol.token, body: { exchange: "kraken", apiKey: "x", secretKey: "y" } });
    expect(bad.status).toBe(400);
    const log = readFileSync(new URL("../../.stack/functions.log", import.meta.url), "utf8");
    expect(log).not.toContain("mexcHTTPtestSECRET0987654321");
    expect(log).not.toContain("mx0vglHTTPtestKEY1234567890");
  });
});
