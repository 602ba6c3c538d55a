/** Test users: a row in auth.users (what sign-up creates) and that user's access token. */
import { randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import { adminSql } from "./db.ts";
import { stackEnv } from "./env.ts";
import { userClaims as stackUserClaims } from "../../scripts/lib/keys.mjs";

export interface TestUser {
  id: string;
  email: string;
  /** The full claim set a real Supabase access token carries. */
  claims: Record<string, unknown>;
  /** A signed access token (HS256, the local JWT secret). */
  token: string;
}

/** The full claim set a real Supabase access token carries (the stack's own definition). */
export function userClaims(id: string, email: string, expiresInSeconds = 3600): Record<string, unknown> {
  return stackUserClaims({ id, email }, expiresInSeconds);
}

export async function signToken(claims: Record<string, unknown>, secret = stackEnv().SUPABASE_JWT_SECRET): Promise<string> {
  return await new SignJWT(claims as Record<string, unknown>)
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .sign(new TextEncoder().encode(secret));
}

/** Creates a user as Supabase Auth's sign-up would (the profile trigger, if any, fires). */
export async function createUser(label = "user"): Promise<TestUser> {
  const id = randomUUID();
  const email = `${label}-${id.slice(0, 8)}@example.test`;
  await adminSql()`
    insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
                            raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
    values ('00000000-0000-0000-0000-000000000000', ${id}, 'authenticated', 'authenticated', ${email}, '',
            now(), '{"provider":"email","providers":["email"]}', '{}', now(), now())`;
  const claims = userClaims(id, email);
  return { id, email, claims, token: await signToken(claims) };
}

/** A token for the user that expired a minute ago. */
export async function expiredToken(user: TestUser): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return await signToken({ ...user.claims, iat: now - 3700, exp: now - 60 });
}
