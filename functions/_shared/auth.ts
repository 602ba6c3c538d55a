/**
 * JWT verification in code (functions must not rely on the gateway alone): HS256 with the
 * project's JWT secret when SUPABASE_JWT_SECRET is set (local stack, legacy hosted secret),
 * otherwise the project's JWKS at <SUPABASE_URL>/auth/v1/.well-known/jwks.json.
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from "jose";
import { env } from "./env.ts";
import { HttpError } from "./http.ts";

export interface Claims extends JWTPayload {
  role?: string;
  email?: string;
  aud?: string | string[];
  session_id?: string;
}

/** A signed-in user: the token's subject and its full claim set (passed on to Postgres as is). */
export interface AuthUser {
  id: string;
  email: string | null;
  claims: Claims;
}

let jwks: ReturnType<typeof createRemoteJWKSet> | null = null;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function verify(token: string): Promise<Claims> {
  const secret = env("SUPABASE_JWT_SECRET");
  try {
    if (secret) {
      const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), { algorithms: ["HS256"] });
      return payload as Claims;
    }
    const base = env("SUPABASE_URL");
    if (!base) throw new Error("configuration: neither SUPABASE_JWT_SECRET nor SUPABASE_URL is set");
    jwks ??= createRemoteJWKSet(new URL("/auth/v1/.well-known/jwks.json", base));
    const { payload } = await jwtVerify(token, jwks);
    return payload as Claims;
  } catch (err) {
    if (err instanceof errors.JWTExpired) {
      throw new HttpError(401, "token_expired", "The access token has expired; refresh the session and retry.");
    }
    if (err instanceof Error && err.message.startsWith("configuration:")) throw err;
    throw new HttpError(401, "invalid_token", "The access token is not valid for this project.");
  }
}

function bearer(req: Request): string {
  const header = req.headers.get("authorization") ?? "";
  const m = header.match(/^Bearer\s+(\S+)$/i);
  if (!m) {
    throw new HttpError(401, "missing_token", "Send the user's access token in the Authorization header: 'Bearer <token>'.");
  }
  return m[1];
}

/** Any valid token of this project (anon key, service key or a user's token). */
export async function requireJwt(req: Request): Promise<Claims> {
  return await verify(bearer(req));
}

/** A signed-in user's token (role `authenticated` with a subject). */
export async function requireUser(req: Request): Promise<AuthUser> {
  const claims = await verify(bearer(req));
  if (claims.role !== "authenticated" || typeof claims.sub !== "string") {
    throw new HttpError(401, "user_token_required", "This endpoint needs a signed-in user's access token, not an API key.");
  }
  // Supabase Auth subjects are UUIDs; anything else is not a user of this project.
  if (!UUID.test(claims.sub)) throw new HttpError(401, "invalid_token", "The access token's subject is not a user of this project.");
  return { id: claims.sub, email: typeof claims.email === "string" ? claims.email : null, claims };
}

/** The service role's key (scheduler, other functions). */
export async function requireServiceRole(req: Request): Promise<Claims> {
  const claims = await verify(bearer(req));
  if (claims.role !== "service_role") {
    throw new HttpError(403, "service_role_required", "This endpoint is for the service role only.");
  }
  return claims;
}
