// The local JWT secret (created once, kept in .stack/) and the anon / service_role keys minted
// from it, as `supabase start` prints them; plus user access tokens.
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { API_PORT, KEYS_FILE } from "./paths.mjs";

const TEN_YEARS = 10 * 365 * 24 * 3600;

async function sign(claims, secret, expiresInSeconds) {
  const { SignJWT } = await import("jose");
  const now = Math.floor(Date.now() / 1000);
  return await new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt(now)
    .setExpirationTime(now + expiresInSeconds)
    .sign(new TextEncoder().encode(secret));
}

export async function ensureKeys() {
  if (existsSync(KEYS_FILE)) {
    const keys = JSON.parse(readFileSync(KEYS_FILE, "utf8"));
    if (keys.credentialKeys) return keys;
    return saveKeys({ ...keys, ...newCredentialKeyring() });
  }
  const jwtSecret = randomBytes(32).toString("base64url");
  const keys = {
    jwtSecret,
    anonKey: await sign({ iss: "supabase", ref: "local", role: "anon" }, jwtSecret, TEN_YEARS),
    serviceRoleKey: await sign({ iss: "supabase", ref: "local", role: "service_role" }, jwtSecret, TEN_YEARS),
    ...newCredentialKeyring(),
  };
  return saveKeys(keys);
}

/** A local envelope-encryption keyring for exchange credentials (CREDENTIAL_KEYS). */
function newCredentialKeyring() {
  return { credentialKeys: { local1: randomBytes(32).toString("base64") }, credentialActiveKid: "local1" };
}

function saveKeys(keys) {
  writeFileSync(KEYS_FILE, JSON.stringify(keys, null, 2), { mode: 0o600 });
  return keys;
}

/** The claim set a real Supabase access token carries (as the local Auth stand-in issues it). */
export function userClaims({ id, email }, expiresInSeconds = 3600) {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: `http://127.0.0.1:${API_PORT}/auth/v1`,
    sub: id,
    aud: "authenticated",
    exp: now + expiresInSeconds,
    iat: now,
    email,
    phone: "",
    app_metadata: { provider: "email", providers: ["email"] },
    user_metadata: {},
    role: "authenticated",
    aal: "aal1",
    amr: [{ method: "password", timestamp: now }],
    session_id: randomUUID(),
    is_anonymous: false,
  };
}

export async function mintUserToken(user, jwtSecret, expiresInSeconds = 3600) {
  const { exp: _e, iat: _i, ...claims } = userClaims(user, expiresInSeconds);
  return await sign(claims, jwtSecret, expiresInSeconds);
}
