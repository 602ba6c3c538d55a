/**
 * Secrets never leave the envelope (issue 10, item 4).
 *
 * A realistic flow with distinctive secrets for all four exchanges, through the `credentials`
 * function (in-process, exchanges mocked with msw, real database): save with verification, list,
 * re-verify, rotate (new key, secret and passphrase, verified again), relabel, re-verify, a live
 * read through the `exchange` function when it exists (the key is decrypted per request), delete
 * and purge; and one save over HTTP through the real functions server. Then every place a secret
 * could end up is scanned for every api key, secret and passphrase (as sent, and base64-encoded):
 * every console line of the in-process handlers, the stack's functions log and PostgreSQL log
 * (with every statement of the owner role and its parameters logged during the flow),
 * every response body, and every row (all columns as text) of every table of the database.
 * Malformed requests that carry a secret in a wrong field get a 400 that does not echo it.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { adminSql, closePools } from "../support/db.ts";
import { exportStackEnv, ROOT } from "../support/env.ts";
import { callFunction } from "../support/http.ts";
import { createUser, type TestUser } from "../support/users.ts";
import { acceptingExchanges, rejectingExchanges } from "./security/exchanges.ts";

type Exchange = "binance" | "bitget" | "gateio" | "mexc";
interface SecretSet { apiKey: string; secretKey: string; passphrase?: string }

// Distinctive, random per run (so a hit can only come from this run), printable ASCII as real keys are.
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const random = (n: number) => Array.from(crypto.getRandomValues(new Uint8Array(n)), (b) => ALPHABET[b % ALPHABET.length]).join("");
const make = (ex: string, gen: number, passphrase: boolean): SecretSet => ({
  apiKey: `K${ex.slice(0, 2)}${gen}${random(48)}`,
  secretKey: `S${ex.slice(0, 2)}${gen}${random(56)}`,
  ...(passphrase ? { passphrase: `P${gen}${random(22)}` } : {}),
});
const EXCHANGES: Exchange[] = ["binance", "bitget", "gateio", "mexc"];
const FIRST = Object.fromEntries(EXCHANGES.map((e) => [e, make(e, 1, e === "bitget")])) as Record<Exchange, SecretSet>;
const SECOND = Object.fromEntries(EXCHANGES.map((e) => [e, make(e, 2, e === "bitget")])) as Record<Exchange, SecretSet>;
const HTTP_SET: SecretSet = { apiKey: `Kht${random(40)}`, secretKey: `Sht${random(40)}` };
const SECRETS = [...Object.values(FIRST), ...Object.values(SECOND), HTTP_SET].flatMap((s) => [s.apiKey, s.secretKey, ...(s.passphrase ? [s.passphrase] : [])]);
/** Each secret as sent and base64-encoded (standard and url-safe): a log of an encoded header or body is a leak too. */
const NEEDLES = SECRETS.flatMap((s) => [s, Buffer.from(s).toString("base64").replace(/=+$/, ""), Buffer.from(s).toString("base64url")]);

const STACK_DIR = resolve(ROOT, process.env.STACK_DIR ?? ".stack");
const server = setupServer();
const logs: string[] = [];
const bodies: string[] = [];
let credentials: (req: Request) => Promise<Response>;
let user: TestUser;
let pgLogStart = 0;
let fnLogStart = 0;
const ids: Partial<Record<Exchange, string>> = {};

async function call(method: string, path = "", body?: unknown): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { authorization: `Bearer ${user.token}` };
  let payload: string | undefined;
  if (body !== undefined) {
    payload = typeof body === "string" ? body : JSON.stringify(body);
    headers["content-type"] = "application/json";
  }
  const res = await credentials(new Request(`http://localhost/functions/v1/credentials${path}`, { method, headers, body: payload }));
  const text = await res.text();
  bodies.push(text);
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** Any 16 consecutive characters of a secret count (a truncated echo is still an echo). */
const WINDOW = 16;
const WINDOWS = new Map<string, string>();
for (const n of NEEDLES) for (let i = 0; i + WINDOW <= n.length; i++) if (!WINDOWS.has(n.slice(i, i + WINDOW))) WINDOWS.set(n.slice(i, i + WINDOW), n);

/** Every secret (or its base64) of which some 16 consecutive characters occur in `text` (one pass). */
function hits(text: string): string[] {
  const out = new Map<string, string>();
  for (let i = 0; i + WINDOW <= (text?.length ?? 0); i++) {
    const w = text.slice(i, i + WINDOW);
    const n = WINDOWS.get(w);
    if (n && !out.has(n)) out.set(n, SECRETS.includes(n) ? `${n} (at least "${w}")` : `base64 of a secret (${n.slice(0, 12)}…)`);
  }
  return [...out.values()];
}

function fileFrom(path: string, start: number): string {
  return existsSync(path) ? readFileSync(path).subarray(start).toString("utf8") : "";
}

beforeAll(async () => {
  exportStackEnv();
  server.listen({ onUnhandledRequest: "bypass" });
  server.resetHandlers(rejectingExchanges());
  for (const level of ["log", "info", "warn", "error", "debug", "trace"] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      logs.push(args.map((a) => (a instanceof Error ? `${a.name}: ${a.message}\n${a.stack}` : typeof a === "string" ? a : JSON.stringify(a) ?? String(a))).join(" "));
    });
  }
  const pgLog = resolve(STACK_DIR, "postgres.log");
  const fnLog = resolve(STACK_DIR, "functions.log");
  pgLogStart = existsSync(pgLog) ? statSync(pgLog).size : 0;
  fnLogStart = existsSync(fnLog) ? statSync(fnLog).size : 0;
  // Every statement the functions send (as the owner role `postgres`), with its parameters, goes
  // to the PostgreSQL log for this test: a secret passed to the database would show there even if
  // nothing stored it. New connections pick the setting up; the handlers' pool opens after this.
  await adminSql()`alter role postgres set log_statement = 'all'`;
  credentials = (await import("../../functions/credentials/handler.ts")).default;
  user = await createUser("secrets");
});

afterAll(async () => {
  await adminSql()`alter role postgres reset log_statement`;
  server.close();
  vi.restoreAllMocks();
  if (user) await adminSql()`delete from auth.users where id = ${user.id}`;
  const { closeDb } = await import("../../functions/_shared/db.ts");
  await closeDb();
  await closePools();
});

describe("a realistic credential flow with distinctive secrets", () => {
  it("saves and verifies a key for each of the four exchanges", async () => {
    for (const ex of EXCHANGES) {
      server.resetHandlers(...acceptingExchanges(FIRST.gateio.apiKey), rejectingExchanges());
      const r = await call("POST", "", { exchange: ex, ...FIRST[ex], label: `Main ${ex}` });
      expect(r.status, `${ex}: ${JSON.stringify(r.body)}`).toBe(201);
      expect(r.body.credential.verification_status).toBe("verified");
      ids[ex] = r.body.credential.id;
    }
    const list = await call("GET");
    expect(list.body.credentials).toHaveLength(4);
  });

  it("re-verifies, rotates every key (verified again), relabels, re-verifies", async () => {
    for (const ex of EXCHANGES) {
      server.resetHandlers(...acceptingExchanges(FIRST.gateio.apiKey), rejectingExchanges());
      expect((await call("POST", `/${ids[ex]}/verify`)).status).toBe(200);
      server.resetHandlers(...acceptingExchanges(SECOND.gateio.apiKey), rejectingExchanges());
      const rotated = await call("PATCH", `/${ids[ex]}`, { ...SECOND[ex] });
      expect(rotated.status, `${ex}: ${JSON.stringify(rotated.body)}`).toBe(200);
      expect(rotated.body.credential.verification_status).toBe("verified");
      expect((await call("PATCH", `/${ids[ex]}`, { label: `Rotated ${ex}` })).status).toBe(200);
      expect((await call("POST", `/${ids[ex]}/verify`)).status).toBe(200);
    }
  });

  it("a stored key the exchange now rejects is marked invalid (422), without echoing it", async () => {
    server.resetHandlers(rejectingExchanges());
    for (const ex of EXCHANGES) {
      const r = await call("POST", `/${ids[ex]}/verify`);
      expect(r.status).toBe(422);
    }
  });

  it("a live read through the exchange function decrypts the key per request (when the function exists)", async () => {
    const file = resolve(ROOT, "functions/exchange/handler.ts");
    if (!existsSync(file)) return;
    const live = (await import("../../functions/exchange/handler.ts")).default as (req: Request) => Promise<Response>;
    for (const ex of EXCHANGES) {
      server.resetHandlers(...acceptingExchanges(SECOND.gateio.apiKey), rejectingExchanges());
      // Saved again (rotated keys, verified) so that the live read uses a valid stored key.
      await call("PATCH", `/${ids[ex]}`, { ...SECOND[ex] });
      for (const what of ["account-info", "fills?symbol=BTC/USDT"]) {
        const res = await live(new Request(`http://localhost/functions/v1/exchange/${ex}/${what}`, { headers: { authorization: `Bearer ${user.token}` } }));
        bodies.push(await res.text());
        expect(res.status, `exchange/${ex}/${what}`).toBeLessThan(500);
      }
    }
  });

  it("malformed requests carrying a secret in a wrong field: a 400 that does not echo it", async () => {
    const s = FIRST.binance;
    const cases: Array<[string, unknown]> = [
      ["secret as an unknown field", { exchange: "binance", apiKey: s.apiKey, apiSecret: s.secretKey }],
      ["secret in snake_case field", { exchange: "binance", api_key: s.apiKey, secret_key: s.secretKey }],
      ["secret in verify", { exchange: "binance", apiKey: s.apiKey, secretKey: s.secretKey, verify: s.secretKey }],
      ["secret with a space", { exchange: "binance", apiKey: `${s.apiKey} ${s.secretKey}`, secretKey: s.secretKey }],
      ["secret as an array", { exchange: "binance", apiKey: [s.apiKey], secretKey: { value: s.secretKey } }],
      ["passphrase where none belongs", { exchange: "binance", apiKey: s.apiKey, secretKey: s.secretKey, passphrase: FIRST.bitget.passphrase }],
      ["secret too long", { exchange: "binance", apiKey: s.apiKey.repeat(10), secretKey: s.secretKey }],
      ["secret in exchange", { exchange: s.secretKey, apiKey: s.apiKey, secretKey: s.secretKey }],
      ["secret in label (too long)", { exchange: "binance", apiKey: s.apiKey, secretKey: s.secretKey, label: s.secretKey.repeat(4) }],
      ["body is the secret", JSON.stringify(s.secretKey)],
      ["broken JSON around the secret", `{"exchange":"binance","secretKey":"${s.secretKey}"`],
    ];
    const echoed: string[] = [];
    for (const [name, body] of cases) {
      const r = await call("POST", "", body);
      expect(r.status, name).toBe(400);
      const found = hits(JSON.stringify(r.body));
      if (found.length) echoed.push(`${name}: the ${r.status} answer echoes ${found.join(", ")}: ${JSON.stringify(r.body).slice(0, 300)}`);
    }
    for (const [name, body] of [["isActive is a secret", { isActive: s.secretKey }], ["label is an object with the secret", { label: { s: s.secretKey } }], ["unknown field", { secret: s.secretKey }]] as const) {
      const r = await call("PATCH", `/${ids.binance}`, body);
      expect(r.status, name).toBe(400);
      const found = hits(JSON.stringify(r.body));
      if (found.length) echoed.push(`PATCH ${name}: echoes ${found.join(", ")}`);
    }
    expect(echoed).toEqual([]);
  });

  it("one save over HTTP through the real functions server (no verification: no msw there)", async () => {
    const r = await callFunction("credentials", { token: user.token, body: { exchange: "mexc", ...HTTP_SET, verify: false } });
    bodies.push(JSON.stringify(r.body));
    expect(r.status).toBe(200); // upsert of the mexc row
    const bad = await callFunction("credentials", { token: user.token, body: { exchange: "kraken", apiKey: HTTP_SET.apiKey, secretKey: HTTP_SET.secretKey } });
    bodies.push(JSON.stringify(bad.body));
    expect(bad.status).toBe(400);
  });

  it("deletes (wiping the ciphertext) and purges", async () => {
    for (const ex of ["binance", "bitget"] as const) expect((await call("DELETE", `/${ids[ex]}`)).status).toBe(200);
    for (const ex of ["gateio", "binance"] as const) expect((await call("DELETE", `/${ids[ex]}?purge=true`)).status).toBe(200);
  });
});

describe("no secret anywhere", () => {
  it("in any response body", () => {
    expect(bodies.length).toBeGreaterThan(30);
    expect(bodies.flatMap((b) => hits(b))).toEqual([]);
  });

  it("in any console line of the in-process handlers", () => {
    expect(logs.flatMap((l) => hits(l).map((h) => `${h} in: ${l.slice(0, 200)}`))).toEqual([]);
  });

  it("in the functions log and the PostgreSQL log of the stack", () => {
    // Everything written since this file started (the secrets are random per run: nothing older
    // can hold them).
    const fn = fileFrom(resolve(STACK_DIR, "functions.log"), fnLogStart);
    const pg = fileFrom(resolve(STACK_DIR, "postgres.log"), pgLogStart);
    expect(pg, "the PostgreSQL log recorded the functions' statements").toMatch(/api_credentials/);
    expect(hits(fn), "functions.log").toEqual([]);
    expect(hits(pg), "postgres.log").toEqual([]);
  });

  it("in any column of any table of the database", async () => {
    const sql = adminSql();
    const tables = await sql<{ t: string }[]>`
      select format('%I.%I', n.nspname, c.relname) as t from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where c.relkind in ('r', 'p', 'm') and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')`;
    // Windows of 16 characters every 4: any copy of 19 or more consecutive characters is found.
    const probes = [...SECRETS.flatMap((x) => Array.from({ length: Math.floor((x.length - WINDOW) / 4) + 1 }, (_, i) => x.slice(i * 4, i * 4 + WINDOW))),
      ...NEEDLES.filter((n) => !SECRETS.includes(n))];
    const patterns = probes.map((n) => `%${n.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    const found: string[] = [];
    for (const { t } of tables) {
      const rows = await sql.unsafe(`select left(x::text, 200) as row from ${t} x where x::text like any($1::text[]) limit 3`, [patterns]).catch((e) => [{ row: `(unreadable: ${e.message})` }]);
      for (const r of rows) found.push(`${t}: ${r.row}`);
    }
    expect(tables.length).toBeGreaterThan(20);
    expect(found).toEqual([]);
  });
});
