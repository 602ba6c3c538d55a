/**
 * The input fuzzer of the Edge Functions (issue 10, item 2), shared by the test
 * (tests/e2e/security-fuzz.test.ts) and the benchmark (scripts/bench/fuzz.ts).
 *
 * Every input is derived from a seeded PRNG (prng.ts): `inputFor(seed, fn, route, i)` always
 * builds the same request, so a failure prints its seed and index and reproduces exactly.
 * An input is a method, a path (the route's, with its id swapped for the caller's, another
 * user's, or junk; or an unknown path), query parameters, headers (token variants, content
 * types) and a body (the route's valid fields, then fields dropped, added, retyped, replaced by
 * huge, unicode, nested, SQL/JSON-injection values or another user's ids; or no JSON at all).
 */
import { readdirSync, existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { SignJWT } from "jose";
import { int, pick, prng } from "./prng.ts";
import { DEFAULT_ROUTES, ROUTES, type RouteSpec } from "./routes.ts";

export interface FuzzContext {
  jwtSecret: string;
  anonKey: string;
  serviceKey: string;
  own: { user: string; token: string; expiredToken: string; cred: string; position: string };
  victim: { user: string; token?: never; cred: string; position: string; trade: string; email: string };
  csvSamples: string[];
}

export interface FuzzInput {
  fn: string;
  route: string; // "METHOD path" of the route spec (the endpoint)
  method: string;
  path: string; // after /functions/v1/<fn>
  headers: Record<string, string>;
  body: string | Uint8Array | FormData | null;
  note: string; // what kind of input this is (for failure messages)
}

/** Every function folder with a handler.ts, sorted. */
export function discoverFunctions(root: string): string[] {
  return readdirSync(resolve(root, "functions"), { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith("_") && existsSync(resolve(root, "functions", d.name, "handler.ts")))
    .map((d) => d.name)
    .sort();
}

export function routesOf(fn: string): { routes: RouteSpec[]; listed: boolean } {
  return ROUTES[fn] ? { routes: ROUTES[fn], listed: true } : { routes: DEFAULT_ROUTES, listed: false };
}

/** The endpoints fuzzed for a function: its routes plus one "unknown path" endpoint. */
export function endpointsOf(fn: string): Array<{ key: string; route: RouteSpec | null }> {
  return [...routesOf(fn).routes.map((r) => ({ key: `${r.method} ${r.path}`, route: r })), { key: "ANY <unknown path>", route: null }];
}

// ---------------------------------------------------------------------------------------------
// Hostile values

const SQLI = [
  "' OR '1'='1", "'; drop table public.fills; --", "1; select pg_sleep(10)--", "\" OR \"\"=\"", "') or true--",
  "1 union select null, current_user--", "$$; select 1; $$", "\\'; copy (select 1) to program 'id'; --", "%' and 1=1 and '%'='",
];
const JSONI = [
  "{\"$ne\": null}", "\"}, \"role\": \"service_role", "{\"__proto__\": {\"admin\": true}}", "[]", "null", "{}",
  "\\u0000", "\"\\ud800\"", "{\"constructor\": {\"prototype\": {\"x\": 1}}}",
];
const UNICODE = [
  "Ω≈ç√∫˜µ≤≥÷", "𝕿𝖍𝖊 𝖖𝖚𝖎𝖈𝖐", "😀🚀💥", "\u202Eevil", "zero\u200Bwidth", "\u0000nul", "\uFEFFbom", "ﷺ", "é", "\u{10FFFF}",
  "\ud800", "\udfff", "ℌ𝔢𝔩𝔩𝔬", "👨‍👩‍👧‍👦", "\r\n\t", "ＢＴＣ／ＵＳＤＴ",
];
const MISC = ["", " ", "null", "undefined", "NaN", "Infinity", "-0", "true", "0x10", "1e309", "../../etc/passwd", "%00", "${jndi:ldap://x/a}", "<script>alert(1)</script>", "{{7*7}}", "=cmd|' /C calc'!A0", "C:\\Windows", "a/b/../../c"];
const NUMBERS = [0, -1, 1, 1.5, -0.0001, 2 ** 31, 2 ** 53 + 1, -(2 ** 63), 2 ** 64, 1e308, -1e308, 5e-324, 9223372036854775807, 123456789012345678901234567890];

function hugeString(rand: () => number): string {
  return pick(rand, ["a", "é", "😀", "'", "\\", "0"]).repeat(pick(rand, [256, 1000, 4096, 20_000, 70_000]));
}

function deepNest(rand: () => number): unknown {
  const depth = pick(rand, [10, 100, 1000, 3000]);
  let v: unknown = "x";
  for (let i = 0; i < depth; i++) v = rand() < 0.5 ? [v] : { a: v };
  return v;
}

function resolvePlaceholders(v: unknown, ctx: FuzzContext): unknown {
  if (typeof v === "string") {
    const map: Record<string, string> = {
      $OWN_CRED: ctx.own.cred, $VICTIM_CRED: ctx.victim.cred, $OWN_USER: ctx.own.user, $VICTIM_USER: ctx.victim.user,
      $OWN_POSITION: ctx.own.position, $VICTIM_POSITION: ctx.victim.position, $VICTIM_TRADE: ctx.victim.trade,
    };
    if (v in map) return /POSITION|TRADE/.test(v) && /^\d+$/.test(map[v]) ? Number(map[v]) : map[v];
    return v;
  }
  if (Array.isArray(v)) return v.map((x) => resolvePlaceholders(x, ctx));
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolvePlaceholders(x, ctx)]));
  return v;
}

/** Another user's ids, in every shape an id can take. */
function victimIds(ctx: FuzzContext): unknown[] {
  return [ctx.victim.cred, ctx.victim.user, ctx.victim.position, Number(ctx.victim.position), ctx.victim.trade, ctx.victim.email];
}

function hostileValue(rand: () => number, ctx: FuzzContext): unknown {
  switch (int(rand, 0, 11)) {
    case 0: return pick(rand, SQLI);
    case 1: return pick(rand, JSONI);
    case 2: return pick(rand, UNICODE);
    case 3: return pick(rand, MISC);
    case 4: return pick(rand, NUMBERS);
    case 5: return hugeString(rand);
    case 6: return deepNest(rand);
    case 7: return pick(rand, victimIds(ctx));
    case 8: return pick(rand, [true, false, null, [], {}, [1, "a", null], { nested: { x: 1 } }]);
    case 9: return crypto.randomUUID === undefined ? "00000000-0000-0000-0000-000000000000" : pick(rand, ["00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff", "not-a-uuid", ctx.own.cred.toUpperCase(), `${ctx.victim.cred}'--`]);
    case 10: return -int(rand, 0, 1_000_000);
    default: return `${pick(rand, SQLI)}${pick(rand, UNICODE)}`;
  }
}

function hostileString(rand: () => number, ctx: FuzzContext): string {
  const v = hostileValue(rand, ctx);
  return typeof v === "string" ? v : JSON.stringify(v) ?? "";
}

// ---------------------------------------------------------------------------------------------
// Tokens

async function sign(claims: Record<string, unknown>, secret: string, alg = "HS256"): Promise<string> {
  return await new SignJWT(claims).setProtectedHeader({ alg, typ: "JWT" }).sign(new TextEncoder().encode(secret));
}

const b64 = (s: string) => Buffer.from(s).toString("base64url");

async function tokenVariant(rand: () => number, ctx: FuzzContext, route: RouteSpec | null, fn: string): Promise<{ header: string | null; kind: string }> {
  const now = Math.floor(Date.now() / 1000);
  const victimClaims = { sub: ctx.victim.user, role: "authenticated", aud: "authenticated", email: ctx.victim.email, iat: now, exp: now + 3600 };
  const r = rand();
  const serviceOk = route?.auth.includes("service") ?? false;
  if (r < 0.62) return { header: `Bearer ${ctx.own.token}`, kind: "own user token" };
  if (r < 0.66 && serviceOk) return { header: `Bearer ${ctx.serviceKey}`, kind: "service key" };
  switch (int(rand, 0, 15)) {
    case 0: return { header: null, kind: "no token" };
    case 1: return { header: `Bearer ${ctx.own.expiredToken}`, kind: "expired token" };
    case 2: return { header: `Bearer ${await sign(victimClaims, "not-the-project-secret-0123456789abcdef")}`, kind: "forged token (wrong secret) for another user" };
    case 3: return { header: `Bearer ${b64(JSON.stringify({ alg: "none", typ: "JWT" }))}.${b64(JSON.stringify(victimClaims))}.`, kind: "alg=none token for another user" };
    case 4: return { header: `Bearer ${ctx.anonKey}`, kind: "anon key" };
    case 5: return { header: `Bearer ${ctx.own.token.slice(0, -3)}abc`, kind: "tampered signature" };
    case 6: {
      const [h, , s] = ctx.own.token.split(".");
      return { header: `Bearer ${h}.${b64(JSON.stringify(victimClaims))}.${s}`, kind: "own signature, another user's claims" };
    }
    case 7: return { header: pick(rand, ["Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "bearer  x.y.z", `Token ${ctx.own.token}`, "Bearer a.b", "Bearer ....", `Bearer ${hugeString(rand).replace(/[^\x21-\x7e]/g, "a")}`]), kind: "malformed authorization header" };
    case 8: return { header: `Bearer ${await sign({ ...victimClaims, role: "service_role" }, "wrong-secret-wrong-secret-wrong-secret")}`, kind: "forged service_role token" };
    case 9: return { header: `Bearer ${await sign({ ...victimClaims, sub: ctx.own.user, role: "authenticated", exp: now - 1 }, ctx.jwtSecret)}`, kind: "just-expired token" };
    case 10: return { header: `Bearer ${await sign({ role: "authenticated", aud: "authenticated", exp: now + 600 }, ctx.jwtSecret)}`, kind: "token without sub" };
    case 11: {
      // Signed with the project's secret, so the subject must never be a real other user (that
      // would be that user's own valid token, not an attack).
      let sub = hostileString(rand, ctx).slice(0, 200);
      if (victimIds(ctx).some((v) => sub.includes(String(v)))) sub = "not-a-user";
      return { header: `Bearer ${await sign({ sub, role: "authenticated", aud: "authenticated", exp: now + 600 }, ctx.jwtSecret)}`, kind: "token (project-signed) whose sub is not a uuid" };
    }
    case 12: return { header: `Bearer ${await sign({ sub: ctx.own.user, role: pick(rand, ["supabase_admin", "postgres", "service_role\u0000", "", "anon"]), aud: "authenticated", exp: now + 600 }, ctx.jwtSecret)}`, kind: "token with another role" };
    case 13: return { header: `Bearer ${ctx.own.token}`, kind: `own user token (${fn})` };
    case 14: return { header: `Bearer ${await sign({ sub: ctx.own.user, role: "authenticated", aud: "authenticated", nbf: now + 3600, exp: now + 7200 }, ctx.jwtSecret)}`, kind: "token not yet valid" };
    default: {
      // A deleted account whose access token has not expired yet (tokens live an hour).
      const hex = Array.from({ length: 32 }, () => "0123456789abcdef"[Math.floor(rand() * 16)]).join("");
      const ghost = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20)}`;
      return { header: `Bearer ${await sign({ ...victimClaims, sub: ghost, email: "deleted@example.test" }, ctx.jwtSecret)}`, kind: "valid token of a deleted user" };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Bodies

function validBody(rand: () => number, route: RouteSpec, ctx: FuzzContext): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [k, values] of Object.entries(route.fields ?? {})) if (rand() < 0.6) body[k] = resolvePlaceholders(pick(rand, values), ctx);
  return body;
}

function mutateBody(rand: () => number, body: Record<string, unknown>, route: RouteSpec, ctx: FuzzContext): { value: unknown; note: string } {
  const fields = Object.keys(route.fields ?? {});
  const steps = int(rand, 1, 3);
  const notes: string[] = [];
  const b: Record<string, unknown> = { ...body };
  for (let i = 0; i < steps; i++) {
    switch (int(rand, 0, 6)) {
      case 0: if (fields.length) { const f = pick(rand, fields); delete b[f]; notes.push(`missing ${f}`); } break;
      case 1: { const k = pick(rand, ["extra", "role", "user_id", "__proto__", "constructor", "api_key", "apiSecret", "id", hostileString(rand, ctx).slice(0, 50)]); b[k] = hostileValue(rand, ctx); notes.push(`extra field ${k.slice(0, 20)}`); break; }
      case 2: case 3: case 4: if (fields.length) { const f = pick(rand, fields); b[f] = hostileValue(rand, ctx); notes.push(`${f} = hostile`); } break;
      case 5: if (fields.length) { const f = pick(rand, fields); b[f] = pick(rand, victimIds(ctx)); notes.push(`${f} = another user's id`); } break;
      default: { const f = fields.length ? pick(rand, fields) : "x"; b[f] = pick(rand, [[], {}, null, true, 0, "", [b[f]]]); notes.push(`${f} retyped`); }
    }
  }
  return { value: b, note: notes.join(", ") };
}

function wholeBodyJunk(rand: () => number, ctx: FuzzContext): { text: string; note: string } {
  switch (int(rand, 0, 9)) {
    case 0: return { text: "{not json", note: "broken JSON" };
    case 1: return { text: JSON.stringify(pick(rand, [[], null, 1, "str", true, [{}]])), note: "JSON that is not an object" };
    case 2: return { text: JSON.stringify(deepNest(rand)), note: "deeply nested JSON" };
    case 3: return { text: JSON.stringify({ a: hugeString(rand) }), note: "huge JSON" };
    case 4: return { text: "", note: "empty body" };
    case 5: return { text: "\u0000\u0001\u0002\uFFFD", note: "binary junk" };
    case 6: return { text: `{"a":1,"a":2,"__proto__":{"polluted":true}}`, note: "duplicate keys and __proto__" };
    case 7: return { text: hostileString(rand, ctx), note: "hostile string as body" };
    case 8: return { text: "[" .repeat(50_000), note: "unterminated deep array" };
    default: return { text: `{"x": ${"1".repeat(400)}}`, note: "400-digit number" };
  }
}

function csvBody(rand: () => number, ctx: FuzzContext): { text: string; note: string } {
  const sample = pick(rand, ctx.csvSamples);
  const lines = sample.split("\n");
  switch (int(rand, 0, 7)) {
    case 0: return { text: sample, note: "valid export" };
    case 1: { const i = int(rand, 1, Math.max(1, lines.length - 1)); lines[i] = hostileString(rand, ctx); return { text: lines.join("\n"), note: "hostile row" }; }
    case 2: { const i = int(rand, 1, Math.max(1, lines.length - 1)); const cells = (lines[i] ?? "").split(","); cells[int(rand, 0, cells.length - 1)] = hostileString(rand, ctx).replaceAll(",", ";"); lines[i] = cells.join(","); return { text: lines.join("\n"), note: "hostile cell" }; }
    case 3: return { text: lines[0], note: "header only" };
    case 4: return { text: `${lines[0]}\n${Array.from({ length: int(rand, 10, 2000) }, () => lines[int(rand, 1, Math.max(1, lines.length - 1))] ?? "").join("\n")}`, note: "many rows" };
    case 5: return { text: lines.map((l) => l.split(",").reverse().join(",")).join("\n"), note: "columns shuffled" };
    case 6: return { text: `${lines[0]}\n${lines.slice(1).map((l) => l.replace(/\d/g, () => String(int(rand, 0, 9)))).join("\n")}`, note: "digits scrambled" };
    default: return { text: hostileString(rand, ctx), note: "not a CSV" };
  }
}

// ---------------------------------------------------------------------------------------------
// The input

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
const CONTENT_TYPES = ["text/plain", "application/x-www-form-urlencoded", "application/xml", "application/json; charset=utf-16", "application/jsonx", "", "multipart/form-data; boundary=x", "*/*"];

/** Percent-encodes anything, lone surrogates included (as the invalid UTF-8 bytes a client could send). */
function enc(s: string): string {
  let out = "";
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    out += c >= 0xd800 && c <= 0xdfff ? "%ED%A0%80" : encodeURIComponent(ch);
  }
  return out;
}

function unknownPath(rand: () => number, ctx: FuzzContext): string {
  return pick(rand, [
    "/does-not-exist", "/..", "/../credentials", "/%2e%2e/%2e%2e/etc/passwd", "/admin", "/" + enc(pick(rand, SQLI)),
    "/" + enc(pick(rand, UNICODE)), "/positions/open/extra", `/${ctx.victim.cred}/${ctx.victim.cred}/verify/x`, "//", "/a".repeat(200),
    "/" + enc(hugeString(rand).slice(0, 4000)), "/%00", "/rpc/request_sync", "/.env", "/trades/history/../../../x",
  ]);
}

function routePath(rand: () => number, route: RouteSpec, ctx: FuzzContext): { path: string; note: string } {
  if (!route.path.includes(":id")) return { path: route.path === "/" ? pick(rand, ["", "/", "//"]) : route.path, note: "" };
  const r = rand();
  let id: string;
  let note: string;
  if (route.id === "exchange" && r < 0.6) { id = pick(rand, ["binance", "bitget", "gateio", "gate", "mexc", "BINANCE", "kraken"]); note = "exchange"; }
  else if (r < 0.35) { id = route.id === "position" ? ctx.own.position : ctx.own.cred; note = "own id"; }
  else if (r < 0.6) { id = route.id === "position" ? ctx.victim.position : ctx.victim.cred; note = "another user's id"; }
  else { id = enc(hostileString(rand, ctx).slice(0, 3000)); note = "hostile id"; }
  return { path: route.path.replace(":id", id), note };
}

function queryString(rand: () => number, route: RouteSpec | null, ctx: FuzzContext): { qs: string; note: string } {
  const params = new URLSearchParams();
  const notes: string[] = [];
  for (const [k, values] of Object.entries(route?.query ?? {})) {
    if (rand() < 0.5) params.append(k, String(resolvePlaceholders(pick(rand, values), ctx)));
  }
  if (rand() < 0.5) {
    const keys = [...Object.keys(route?.query ?? {}), "select", "user_id", "or", "order", "limit", "offset", "__proto__"];
    const k = pick(rand, keys);
    params.set(k, rand() < 0.3 ? String(pick(rand, victimIds(ctx))) : hostileString(rand, ctx).slice(0, 5000));
    notes.push(`query ${k} hostile`);
  }
  if (rand() < 0.1) { const k = pick(rand, Object.keys(route?.query ?? { x: 1 })); params.append(k, "a"); params.append(k, "b"); notes.push(`query ${k} twice`); }
  const qs = params.toString();
  return { qs: qs ? `?${qs}` : "", note: notes.join(", ") };
}

/** Builds input number `i` of one endpoint, deterministically from (seed, fn, endpoint, i). */
export async function inputFor(seed: number, ctx: FuzzContext, fn: string, endpoint: { key: string; route: RouteSpec | null }, i: number): Promise<FuzzInput> {
  let h = seed >>> 0;
  for (const ch of `${fn} ${endpoint.key} ${i}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  const rand = prng(h);
  const route = endpoint.route;
  const notes: string[] = [];
  const token = await tokenVariant(rand, ctx, route, fn);
  notes.push(token.kind);
  const headers: Record<string, string> = {};
  if (token.header !== null) headers.authorization = token.header;
  if (rand() < 0.3) headers.apikey = pick(rand, [ctx.anonKey, ctx.serviceKey, "junk"]);

  let method = route?.method ?? pick(rand, METHODS);
  if (route && rand() < 0.1) { method = pick(rand, METHODS); notes.push(`method ${method}`); }
  let path: string;
  if (!route) { path = unknownPath(rand, ctx); notes.push(`unknown path ${path.slice(0, 60)}`); }
  else { const p = routePath(rand, route, ctx); path = p.path; if (p.note) notes.push(p.note); }
  const q = queryString(rand, route, ctx);
  if (q.note) notes.push(q.note);
  path += q.qs;

  let body: FuzzInput["body"] = null;
  const kind = route?.body ?? (method === "GET" ? "none" : "json");
  const sendsBody = method !== "GET" && method !== "HEAD" && method !== "OPTIONS";
  if (sendsBody && kind === "csv") {
    const c = csvBody(rand, ctx);
    notes.push(c.note);
    const ct = rand();
    if (ct < 0.1) {
      const form = new FormData();
      form.set(pick(rand, ["file", "file", "upload"]), new Blob([c.text], { type: "text/csv" }), "export.csv");
      body = form;
      notes.push("multipart");
    } else {
      body = c.text;
      headers["content-type"] = ct < 0.7 ? "text/csv" : pick(rand, [...CONTENT_TYPES, "application/json", "application/octet-stream"]);
    }
  } else if (sendsBody && (kind === "json" || kind === "optional-json" || rand() < 0.3)) {
    const r = rand();
    let text: string;
    if (r < 0.7 && route) {
      const valid = validBody(rand, route, ctx);
      const serviceCall = token.kind === "service key" && route.serviceActsOnAllUsers;
      if (rand() < 0.3 && !serviceCall) { text = JSON.stringify(valid); notes.push("valid-looking body"); }
      else {
        const m = mutateBody(rand, valid, route, ctx);
        if (serviceCall) (m.value as Record<string, unknown>)["__fuzz_extra"] = 1; // never a valid cross-user job
        text = JSON.stringify(m.value);
        notes.push(m.note || "mutated body");
      }
    } else {
      const j = wholeBodyJunk(rand, ctx);
      text = j.text;
      notes.push(j.note);
      if (token.kind === "service key" && route?.serviceActsOnAllUsers && /^\s*(\{\s*\}|\{"max"|null|$)/.test(text)) text = "{\"__fuzz_extra\":1}";
    }
    body = text;
    headers["content-type"] = rand() < 0.85 ? "application/json" : pick(rand, CONTENT_TYPES);
    if (headers["content-type"] !== "application/json") notes.push(`content-type ${JSON.stringify(headers["content-type"])}`);
  }
  if (token.kind === "service key" && route?.serviceActsOnAllUsers && sendsBody) {
    // A body the function would ignore (no content type) or an empty one would make a valid
    // cross-user job: always a JSON body with an unknown field instead.
    if (body === null || typeof body !== "string" || !/__fuzz_extra/.test(body)) body = "{\"__fuzz_extra\":1}";
    headers["content-type"] = "application/json";
  }
  return { fn, route: endpoint.key, method, path, headers, body, note: notes.join("; ") };
}

// ---------------------------------------------------------------------------------------------
// Checking an answer

const TRACE_RE = /(\n\s*at |\bat [\w$.<>\[\] ]+ \(|file:\/\/|\/work\/|node_modules|\/functions\/_shared|\.ts:\d+:\d+|\.m?js:\d+:\d+|Deno\.|TypeError|ReferenceError|SyntaxError: Unexpected|PostgresError)/;

/** What is wrong with an answer, or null. */
export function problemWith(status: number, contentType: string | null, text: string, method: string): string | null {
  if (status >= 500) return `status ${status}`;
  if (method === "OPTIONS" && status === 204 && text === "") return null;
  if (method === "HEAD") return null;
  if (!(contentType ?? "").includes("application/json")) return `content-type ${contentType} (not JSON)`;
  let parsed: unknown;
  try { parsed = JSON.parse(text); } catch { return "body is not JSON"; }
  if (status >= 400) {
    const e = (parsed as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    const gateway = parsed && typeof (parsed as { code?: unknown }).code === "number" && typeof (parsed as { message?: unknown }).message === "string";
    if (!gateway && (!e || typeof e.code !== "string" || typeof e.message !== "string")) return "a 4xx without { error: { code, message } }";
  } else if (status < 200 || status >= 300) {
    return `status ${status}`;
  }
  const m = TRACE_RE.exec(text);
  if (m) return `body looks like a stack trace or leaks a path (${JSON.stringify(m[0])})`;
  return null;
}

export function describeInput(inp: FuzzInput): string {
  const body = inp.body === null ? "" : typeof inp.body === "string" ? inp.body : inp.body instanceof FormData ? "<multipart>" : "<bytes>";
  const shown = body.length > 400 ? `${body.slice(0, 400)}…(${body.length} chars)` : body;
  const auth = inp.headers.authorization ? `${inp.headers.authorization.slice(0, 40)}…` : "none";
  return `${inp.method} /functions/v1/${inp.fn}${inp.path.length > 300 ? inp.path.slice(0, 300) + "…" : inp.path} [${inp.note}] auth=${auth} content-type=${inp.headers["content-type"] ?? "none"} body=${JSON.stringify(shown)}`;
}

/** The route's example request (a valid one for the caller) with the given Authorization header. */
export function exampleInput(ctx: FuzzContext, fn: string, route: RouteSpec, authorization: string, csvDir: string): FuzzInput | null {
  if (!route.example) return null;
  const id = route.id === "exchange" ? "binance" : route.id === "position" ? ctx.own.position : ctx.own.cred;
  const headers: Record<string, string> = { authorization };
  let body: string | null = null;
  if (route.example.csv) {
    body = readFileSync(resolve(csvDir, route.example.csv), "utf8");
    headers["content-type"] = "text/csv";
  } else if (route.example.body !== undefined) {
    body = JSON.stringify(route.example.body);
    headers["content-type"] = "application/json";
  }
  return { fn, route: `${route.method} ${route.path}`, method: route.method, path: route.path.replace(":id", id).replace(/^\/$/, "") + (route.example.query ?? ""), headers, body, note: "the route's example request" };
}

/**
 * The same input made safe to send to the real functions server, where msw cannot answer for the
 * exchanges: null when a valid request would reach an exchange; `verify: false` forced in bodies.
 */
export function httpSafe(inp: FuzzInput, route: RouteSpec | null): FuzzInput | null {
  const calls = route ? route.callsExchanges : "always";
  if (calls === "always") return null;
  if (calls === "when-verify" && typeof inp.body === "string") {
    try {
      const v = JSON.parse(inp.body);
      if (v && typeof v === "object" && !Array.isArray(v)) return { ...inp, body: JSON.stringify({ ...v, verify: false }), note: `${inp.note}; verify:false over HTTP` };
    } catch { /* not JSON: refused before any exchange call */ }
  }
  return inp;
}

export function toRequest(base: string, inp: FuzzInput): Request {
  const init: RequestInit = { method: inp.method, headers: inp.headers };
  if (inp.body !== null) init.body = inp.body as BodyInit;
  return new Request(`${base}/functions/v1/${inp.fn}${inp.path}`, init);
}
