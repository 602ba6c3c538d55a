// Access tokens with Supabase Auth's claim set (HS256 with the stack's JWT secret, which PostgREST
// and the functions verify), and opaque refresh tokens.
import { randomBytes } from "node:crypto";
import { errors as authErrors } from "jose";
import { jwtVerify, SignJWT, type JWTPayload } from "jose";
import { errors } from "./errors.ts";

export interface AmrEntry { method: string; timestamp: number }

export interface TokenUser {
  id: string;
  email: string | null;
  phone: string | null;
  raw_app_meta_data: Record<string, unknown> | null;
  raw_user_meta_data: Record<string, unknown> | null;
  is_anonymous: boolean;
}

export interface AccessToken { token: string; expiresAt: number }

/** Signs a user's access token for `sessionId`, as Supabase Auth's generateAccessToken does. */
export async function signAccessToken(opts: {
  user: TokenUser; sessionId: string; amr: AmrEntry[]; secret: Uint8Array; issuer: string; expiresIn: number; now?: number;
}): Promise<AccessToken> {
  const iat = opts.now ?? Math.floor(Date.now() / 1000);
  const exp = iat + opts.expiresIn;
  const claims: JWTPayload = {
    iss: opts.issuer,
    sub: opts.user.id,
    aud: "authenticated",
    exp,
    iat,
    email: opts.user.email ?? "",
    phone: opts.user.phone ?? "",
    app_metadata: opts.user.raw_app_meta_data ?? {},
    user_metadata: opts.user.raw_user_meta_data ?? {},
    role: "authenticated",
    aal: "aal1",
    amr: opts.amr,
    session_id: opts.sessionId,
    is_anonymous: opts.user.is_anonymous,
  };
  const token = await new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(opts.secret);
  return { token, expiresAt: exp };
}

/** A new opaque refresh token (the database keeps it; it carries no claims). */
export function newRefreshToken(): string {
  return randomBytes(16).toString("base64url");
}

export interface VerifiedClaims { sub: string; session_id?: string; role?: string }

/** The bearer token of a request, verified; Supabase Auth's 401/403 answers otherwise. */
export async function verifyBearer(req: Request, secret: Uint8Array): Promise<{ token: string; claims: VerifiedClaims }> {
  const m = (req.headers.get("authorization") ?? "").match(/^Bearer\s+(\S+)$/i);
  if (!m) throw errors.noAuthorization();
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(m[1], secret, { algorithms: ["HS256"] }));
  } catch (err) {
    if (err instanceof authErrors.JWTExpired) throw errors.badJwt("token has invalid claims: token is expired");
    throw errors.badJwt("signature is invalid");
  }
  if (typeof payload.sub !== "string" || !payload.sub) throw errors.missingSub();
  return { token: m[1], claims: payload as VerifiedClaims };
}
