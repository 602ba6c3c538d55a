/**
 * The local Auth stand-in (scripts/auth/) through supabase-js's own auth client over HTTP, as a
 * frontend uses it: sign-up (auto-confirmed), password sign-in, get/update user, refresh with
 * rotation and reuse detection, sign-out scopes, and Supabase Auth's errors (status, code,
 * message). The database is only read to check what Supabase Auth would have stored (bcrypt hash,
 * identity, session, token chain), and written once to age tokens past the reuse interval instead
 * of waiting for it.
 */
import { AuthApiError, AuthSessionMissingError, AuthWeakPasswordError } from "@supabase/supabase-js";
import { decodeJwt, jwtVerify, SignJWT } from "jose";
import { afterAll, describe, expect, it } from "vitest";
import { adminSql, closePools } from "../support/db.ts";
import { stackEnv } from "../support/env.ts";
import { newClient, PASSWORD, signedUpClient, uniqueEmail } from "../support/frontend.ts";

afterAll(closePools);

const CLAIMS = ["aal", "amr", "app_metadata", "aud", "email", "exp", "iat", "is_anonymous", "iss", "phone", "role", "session_id", "sub", "user_metadata"];

function expectAuthError(error: unknown, status: number, code: string, message: string | RegExp) {
  expect(error).toBeInstanceOf(AuthApiError);
  const e = error as AuthApiError;
  expect({ status: e.status, code: e.code }).toEqual({ status, code });
  if (typeof message === "string") expect(e.message).toBe(message);
  else expect(e.message).toMatch(message);
}

describe("sign-up", () => {
  it("auto-confirms, answers a session with Supabase Auth's claim set, stores a bcrypt hash, an identity and a profile", async () => {
    const { client, email, session } = await signedUpClient("auth-signup", { name: "Ada" });
    expect(session.token_type).toBe("bearer");
    expect(session.expires_in).toBe(3600);
    expect(session.user.email).toBe(email);
    expect(session.user.email_confirmed_at).toBeTruthy();
    expect(session.user.app_metadata).toEqual({ provider: "email", providers: ["email"] });
    expect(session.user.user_metadata).toMatchObject({ name: "Ada", email, email_verified: true });
    expect(session.user.identities?.map((i) => i.provider)).toEqual(["email"]);

    const claims = decodeJwt(session.access_token);
    expect(Object.keys(claims).sort()).toEqual(CLAIMS);
    expect(claims).toMatchObject({
      sub: session.user.id, aud: "authenticated", role: "authenticated", email, aal: "aal1", is_anonymous: false,
      iss: `${stackEnv().SUPABASE_URL}/auth/v1`,
    });
    expect(claims.exp! - claims.iat!).toBe(3600);
    expect((claims.amr as { method: string }[]).map((a) => a.method)).toEqual(["password"]);
    await jwtVerify(session.access_token, new TextEncoder().encode(stackEnv().SUPABASE_JWT_SECRET));

    const sql = adminSql();
    const [u] = await sql`select encrypted_password, email_confirmed_at from auth.users where id = ${session.user.id}`;
    expect(u.encrypted_password).toMatch(/^\$2[ab]\$10\$.{53}$/);
    expect(u.encrypted_password).not.toContain(PASSWORD);
    const [s] = await sql`select id::text, aal::text from auth.sessions where user_id = ${session.user.id}`;
    expect(s).toEqual({ id: claims.session_id, aal: "aal1" });
    const tokens = await sql`select token, revoked, parent from auth.refresh_tokens where session_id = ${s.id}`;
    expect(tokens).toEqual([{ token: session.refresh_token, revoked: false, parent: null }]);

    // The profile made by the sign-up trigger, read back through PostgREST with the new session.
    const { data: profile, error } = await client.from("profiles").select("name").single();
    expect(error).toBeNull();
    expect(profile).toEqual({ name: "Ada" });
  });

  it("refuses a taken email, a short password and a malformed email, as Supabase Auth does", async () => {
    const { email } = await signedUpClient("auth-dup");
    const c = newClient();
    expectAuthError((await c.auth.signUp({ email, password: PASSWORD })).error, 422, "user_already_exists", "User already registered");
    const weak = (await c.auth.signUp({ email: uniqueEmail("auth-weak"), password: "12345" })).error;
    expect(weak).toBeInstanceOf(AuthWeakPasswordError);
    expect(weak).toMatchObject({ status: 422, code: "weak_password", reasons: ["length"], message: "Password should be at least 6 characters." });
    expectAuthError((await c.auth.signUp({ email: "not-an-email", password: PASSWORD })).error, 400, "validation_failed", "Unable to validate email address: invalid format");
  });
});

describe("password sign-in", () => {
  it("signs in with the right password; a wrong password and an unknown user get the same answer", async () => {
    const { email } = await signedUpClient("auth-signin");
    const c = newClient();
    const ok = await c.auth.signInWithPassword({ email: email.toUpperCase(), password: PASSWORD });
    expect(ok.error).toBeNull();
    expect(ok.data.user?.email).toBe(email);
    const wrong = await c.auth.signInWithPassword({ email, password: "wrong-password" });
    expectAuthError(wrong.error, 400, "invalid_credentials", "Invalid login credentials");
    const unknown = await c.auth.signInWithPassword({ email: uniqueEmail("nobody"), password: PASSWORD });
    expectAuthError(unknown.error, 400, "invalid_credentials", "Invalid login credentials");
  });

  it("a wrong API key stops at the gateway (401), as Kong's key-auth does", async () => {
    const c = newClient("not-a-key");
    const r = await c.auth.signInWithPassword({ email: uniqueEmail("x"), password: PASSWORD });
    expect(r.error?.status).toBe(401);
    expect(r.error?.message).toBe("Invalid API key");
  });
});

describe("the signed-in user", () => {
  it("getUser answers the user; an expired or foreign-signed token is refused with bad_jwt", async () => {
    const { client, session } = await signedUpClient("auth-getuser");
    const me = await client.auth.getUser();
    expect(me.error).toBeNull();
    expect(me.data.user?.id).toBe(session.user.id);

    const claims = decodeJwt(session.access_token);
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({ ...claims, iat: now - 7200, exp: now - 60 })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(new TextEncoder().encode(stackEnv().SUPABASE_JWT_SECRET));
    expectAuthError((await client.auth.getUser(expired)).error, 403, "bad_jwt", /token is expired/);
    const forged = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(new TextEncoder().encode("another-secret-another-secret-123456"));
    expectAuthError((await client.auth.getUser(forged)).error, 403, "bad_jwt", /unable to parse or verify signature/);
  });

  it("updateUser merges metadata, refuses the same or a weak password, and a new password signs in", async () => {
    const { client, email } = await signedUpClient("auth-update", { name: "Before" });
    const meta = await client.auth.updateUser({ data: { name: "After", theme: "dark" } });
    expect(meta.error).toBeNull();
    expect(meta.data.user?.user_metadata).toMatchObject({ name: "After", theme: "dark" });
    const dropped = await client.auth.updateUser({ data: { theme: null } });
    expect(dropped.data.user?.user_metadata).not.toHaveProperty("theme");

    expectAuthError((await client.auth.updateUser({ password: PASSWORD })).error, 422, "same_password",
      "New password should be different from the old password.");
    expect((await client.auth.updateUser({ password: "abc" })).error).toBeInstanceOf(AuthWeakPasswordError);
    expect((await client.auth.updateUser({ password: "a-new-password-7" })).error).toBeNull();

    const c = newClient();
    expectAuthError((await c.auth.signInWithPassword({ email, password: PASSWORD })).error, 400, "invalid_credentials", "Invalid login credentials");
    expect((await c.auth.signInWithPassword({ email, password: "a-new-password-7" })).error).toBeNull();

    // With confirmations off an email change applies at once; a taken address is refused.
    const { email: taken } = await signedUpClient("auth-taken");
    expectAuthError((await client.auth.updateUser({ email: taken })).error, 422, "email_exists",
      "A user with this email address has already been registered");
    const moved = uniqueEmail("auth-moved");
    expect((await client.auth.updateUser({ email: moved })).data.user?.email).toBe(moved);
    expect((await newClient().auth.signInWithPassword({ email: moved, password: "a-new-password-7" })).error).toBeNull();
  });
});

describe("refresh tokens: rotation and reuse detection", () => {
  it("a refresh rotates the token; the previous one again (a lost answer) gives back the live one, not a new one", async () => {
    const { client, session } = await signedUpClient("auth-rotate");
    const a = session.refresh_token;
    const r1 = await client.auth.refreshSession({ refresh_token: a });
    expect(r1.error).toBeNull();
    const b = r1.data.session!.refresh_token;
    expect(b).not.toBe(a);
    expect(decodeJwt(r1.data.session!.access_token).session_id).toBe(decodeJwt(session.access_token).session_id);
    // amr keeps the sign-in's method and time through refreshes.
    expect(decodeJwt(r1.data.session!.access_token).amr).toEqual(decodeJwt(session.access_token).amr);

    const again = await newClient().auth.refreshSession({ refresh_token: a });
    expect(again.error).toBeNull();
    expect(again.data.session!.refresh_token).toBe(b);
    const rows = await adminSql()`select token, revoked, parent from auth.refresh_tokens
      where session_id = ${decodeJwt(session.access_token).session_id as string} order by id`;
    expect(rows).toEqual([{ token: a, revoked: true, parent: null }, { token: b, revoked: false, parent: a }]);
  });

  it("reusing an older token after the reuse interval revokes the whole session family", async () => {
    const { client, session } = await signedUpClient("auth-reuse");
    const sessionId = decodeJwt(session.access_token).session_id as string;
    const a = session.refresh_token;
    const b = (await client.auth.refreshSession({ refresh_token: a })).data.session!.refresh_token;
    const c = (await client.auth.refreshSession({ refresh_token: b })).data.session!.refresh_token;
    // Time passes: the tokens' last change moves an hour back (beyond the 10 s reuse interval).
    await adminSql()`update auth.refresh_tokens set updated_at = updated_at - interval '1 hour' where session_id = ${sessionId}`;

    const thief = await newClient().auth.refreshSession({ refresh_token: a });
    expectAuthError(thief.error, 400, "refresh_token_already_used", "Invalid Refresh Token: Already Used");
    const owner = await newClient().auth.refreshSession({ refresh_token: c });
    expectAuthError(owner.error, 400, "refresh_token_already_used", "Invalid Refresh Token: Already Used");
    const live = await adminSql()`select count(*)::int as n from auth.refresh_tokens where session_id = ${sessionId} and not revoked`;
    expect(live[0].n).toBe(0);
    expectAuthError((await newClient().auth.refreshSession({ refresh_token: "no-such-token" })).error, 400,
      "refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found");
  });
});

describe("sign-out", () => {
  it("global sign-out ends every session: the old access token's session is gone, its refresh token unknown", async () => {
    const { client, email, session } = await signedUpClient("auth-signout");
    const other = newClient();
    const second = (await other.auth.signInWithPassword({ email, password: PASSWORD })).data.session!;
    expect((await client.auth.signOut()).error).toBeNull();
    expect((await client.auth.getUser(session.access_token)).error).toBeInstanceOf(AuthSessionMissingError);
    expect((await other.auth.getUser(second.access_token)).error).toBeInstanceOf(AuthSessionMissingError);
    expectAuthError((await newClient().auth.refreshSession({ refresh_token: second.refresh_token })).error, 400,
      "refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found");
  });

  it("local sign-out ends this session only; others ends all but this one", async () => {
    const { client, email, session } = await signedUpClient("auth-scopes");
    const b = newClient();
    const c = newClient();
    const sb = (await b.auth.signInWithPassword({ email, password: PASSWORD })).data.session!;
    const sc = (await c.auth.signInWithPassword({ email, password: PASSWORD })).data.session!;
    expect((await client.auth.signOut({ scope: "local" })).error).toBeNull();
    // (A rejected token makes supabase-js drop its stored session: check each token on a fresh client.)
    expect((await newClient().auth.getUser(session.access_token)).error).toBeInstanceOf(AuthSessionMissingError);
    expect((await b.auth.getUser()).data.user?.email).toBe(email);
    expect((await b.auth.signOut({ scope: "others" })).error).toBeNull();
    expect((await newClient().auth.getUser(sc.access_token)).error).toBeInstanceOf(AuthSessionMissingError);
    expect((await newClient().auth.getUser(sb.access_token)).data.user?.email).toBe(email);
  });
});
