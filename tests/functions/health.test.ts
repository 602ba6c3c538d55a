/**
 * The `health` function proves the chain Deno → postgres.js → database, in-process (the handler
 * called directly under Node) and over HTTP through the local functions server and supabase-js.
 */
import { readdirSync } from "node:fs";
import { resolve } from "node:path";
import { FunctionsHttpError } from "@supabase/supabase-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, exportStackEnv, stackEnv } from "../support/env.ts";
import { callFunction, supabaseAs } from "../support/http.ts";
import { createUser, expiredToken, type TestUser } from "../support/users.ts";
import { closeDb } from "../../functions/_shared/db.ts";

const migrations = readdirSync(resolve(ROOT, "supabase/migrations")).filter((f) => f.endsWith(".sql")).length;
let handler: (req: Request) => Promise<Response>;
let user: TestUser;

beforeAll(async () => {
  exportStackEnv();
  handler = (await import("../../functions/health/handler.ts")).default;
  user = await createUser("health");
});
afterAll(closeDb);

const req = (headers: Record<string, string> = {}, method = "GET") =>
  new Request("http://localhost/functions/v1/health", { method, headers });

describe("health, in-process", () => {
  it("answers 200 with the server version and the applied migrations for a valid JWT", async () => {
    const res = await handler(req({ authorization: `Bearer ${stackEnv().SUPABASE_ANON_KEY}` }));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.status).toBe("ok");
    expect(body.database.server_version).toMatch(/^15\./);
    expect(body.database.migrations_applied).toBe(migrations);
    expect(body.database.pg_cron).toBe(true);
  });

  it("answers 401 without a token, with a forged one, and with an expired one", async () => {
    const none = await handler(req());
    expect(none.status).toBe(401);
    expect((await none.json()).error.code).toBe("missing_token");
    const forged = await handler(req({ authorization: "Bearer eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.bad" }));
    expect(forged.status).toBe(401);
    const expired = await handler(req({ authorization: `Bearer ${await expiredToken(user)}` }));
    expect(expired.status).toBe(401);
    expect((await expired.json()).error.code).toBe("token_expired");
  });

  it("answers CORS preflight and refuses other methods", async () => {
    const pre = await handler(req({ origin: "http://localhost:3000" }, "OPTIONS"));
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-headers")).toContain("authorization");
    const post = await handler(req({ authorization: `Bearer ${stackEnv().SUPABASE_ANON_KEY}` }, "POST"));
    expect(post.status).toBe(405);
  });
});

describe("health, over HTTP through the local functions server", () => {
  it("supabase-js functions.invoke gets 200 with a user's token", async () => {
    const { data, error } = await supabaseAs(user.token).functions.invoke("health", { method: "GET" });
    expect(error).toBeNull();
    expect(data.database.migrations_applied).toBe(migrations);
  });

  it("supabase-js gets a 401 FunctionsHttpError with an invalid key", async () => {
    const { data, error } = await supabaseAs(undefined, "not-a-jwt").functions.invoke("health", { method: "GET" });
    expect(data).toBeNull();
    expect(error).toBeInstanceOf(FunctionsHttpError);
    expect((error as FunctionsHttpError).context.status).toBe(401);
  });

  it("the gateway answers 401 without an Authorization header, and 404 for an unknown function", async () => {
    expect((await callFunction("health", { token: null })).status).toBe(401);
    expect((await callFunction("no-such-function", { token: stackEnv().SUPABASE_ANON_KEY })).status).toBe(404);
  });

  it("CORS preflight passes the gateway without a token", async () => {
    const res = await fetch(`${stackEnv().SUPABASE_URL}/functions/v1/health`, {
      method: "OPTIONS",
      headers: { origin: "http://localhost:3000", "access-control-request-method": "POST", "access-control-request-headers": "authorization, x-client-info, apikey, content-type" },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
  });
});
