// The local Auth stand-in: the email-and-password flows of Supabase Auth (GoTrue) that supabase-js
// uses, at /auth/v1, on the real `auth` schema. Hosted projects run Supabase Auth itself; this
// follows its documented behaviour: sign-up (auto-confirmed, as with confirmations off), password
// sign-in, refresh with rotation and reuse detection, get/update user, sign-out, settings.
// Requests reach it through the gateway (apikey checked there); CORS is answered there too.
import bcrypt from "bcryptjs";
import postgres from "postgres";
import { z } from "zod";
import { AuthError, errorResponse, errors } from "./errors.ts";
import {
  amrOf, createSession, createUser, endSessions, findUserByEmail, findUserById, identitiesOf, refreshGrant,
  sessionExists, updateUser, type IdentityRow, type UserRow,
} from "./store.ts";
import { signAccessToken, verifyBearer } from "./tokens.ts";

export interface AuthConfig {
  dbUrl: string;
  jwtSecret: string;
  /** The public URL of the stack (the `iss` claim is `<url>/auth/v1`). */
  apiUrl: string;
  jwtExpiry: number;
  enableSignup: boolean;
  enableConfirmations: boolean;
  enableRefreshTokenRotation: boolean;
  refreshTokenReuseInterval: number;
  minimumPasswordLength: number;
  /** bcrypt cost; Supabase Auth uses 10. */
  bcryptCost?: number;
}

const EMAIL = /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
const Metadata = z.record(z.string(), z.unknown());
const SignUp = z.object({ email: z.string().optional(), password: z.string().optional(), data: Metadata.optional() }).passthrough();
const PasswordGrant = z.object({ email: z.string().optional(), password: z.string().optional() }).passthrough();
const RefreshGrant = z.object({ refresh_token: z.string().optional() }).passthrough();
const UserUpdate = z.object({ email: z.string().optional(), password: z.string().optional(), data: Metadata.optional() }).passthrough();

function iso(d: Date | null): string | undefined { return d ? d.toISOString() : undefined; }

/** A user as Supabase Auth serialises it (models.User). */
function userJson(u: UserRow, identities: IdentityRow[]) {
  return {
    id: u.id,
    aud: u.aud ?? "authenticated",
    role: u.role ?? "authenticated",
    email: u.email ?? "",
    email_confirmed_at: iso(u.email_confirmed_at),
    phone: u.phone ?? "",
    confirmed_at: iso(u.confirmed_at),
    last_sign_in_at: iso(u.last_sign_in_at),
    app_metadata: u.raw_app_meta_data ?? {},
    user_metadata: u.raw_user_meta_data ?? {},
    identities: identities.map((i) => ({
      identity_id: i.id, id: i.provider_id, user_id: i.user_id, identity_data: i.identity_data, provider: i.provider,
      last_sign_in_at: iso(i.last_sign_in_at), created_at: iso(i.created_at), updated_at: iso(i.updated_at), email: i.email ?? undefined,
    })),
    created_at: iso(u.created_at),
    updated_at: iso(u.updated_at),
    is_anonymous: u.is_anonymous,
  };
}

async function readJson(req: Request): Promise<unknown> {
  const text = await req.text();
  if (!text.trim()) return {};
  try { return JSON.parse(text); } catch { throw errors.badJson(); }
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (!r.success) throw errors.validation(`Invalid request body: ${r.error.issues[0]?.path.join(".") || "body"} ${r.error.issues[0]?.message ?? ""}`.trim());
  return r.data;
}

function clientInfo(req: Request) {
  const fwd = req.headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return { userAgent: req.headers.get("user-agent"), ip: fwd && /^[0-9a-fA-F:.]+$/.test(fwd) ? fwd : null };
}

export function createAuthHandler(cfg: AuthConfig) {
  const sql = postgres(cfg.dbUrl, { max: 4, onnotice: () => {}, connection: { application_name: "auth-stand-in" } });
  const secret = new TextEncoder().encode(cfg.jwtSecret);
  const issuer = `${cfg.apiUrl}/auth/v1`;
  const cost = cfg.bcryptCost ?? 10;

  function checkPassword(password: string) {
    if ([...password].length < cfg.minimumPasswordLength) throw errors.weakPassword(cfg.minimumPasswordLength);
  }

  async function sessionResponse(user: UserRow, sessionId: string, refreshToken: string, amr?: Awaited<ReturnType<typeof amrOf>>) {
    const access = await signAccessToken({
      user, sessionId, amr: amr ?? await amrOf(sql, sessionId), secret, issuer, expiresIn: cfg.jwtExpiry,
    });
    return {
      access_token: access.token,
      token_type: "bearer",
      expires_in: cfg.jwtExpiry,
      expires_at: access.expiresAt,
      refresh_token: refreshToken,
      user: userJson(user, await identitiesOf(sql, user.id)),
    };
  }

  /** The caller of /user and /logout: a valid token whose user and session still exist. */
  async function caller(req: Request) {
    const { claims } = await verifyBearer(req, secret);
    const user = await findUserById(sql, claims.sub);
    if (!user) throw errors.userNotFound();
    if (claims.session_id && !(await sessionExists(sql, claims.session_id))) throw errors.sessionNotFound();
    return { user, sessionId: claims.session_id };
  }

  async function signup(req: Request) {
    if (!cfg.enableSignup) throw errors.signupDisabled();
    const body = parse(SignUp, await readJson(req));
    const email = (body.email ?? "").trim().toLowerCase();
    if (!email) throw errors.validation("To signup, please provide your email");
    if (!EMAIL.test(email) || email.length > 255) throw errors.validation("Unable to validate email address: invalid format");
    if (!body.password) throw errors.validation("Signup requires a valid password");
    checkPassword(body.password);
    const existing = await findUserByEmail(sql, email);
    if (existing) throw errors.userAlreadyExists();
    const hash = await bcrypt.hash(body.password, cost);
    const confirm = !cfg.enableConfirmations;
    let user: UserRow;
    try {
      user = await sql.begin((tx) => createUser(tx, { email, passwordHash: hash, data: body.data ?? {}, confirm }));
    } catch (err) {
      if ((err as { code?: string }).code === "23505") throw errors.userAlreadyExists(); // a concurrent sign-up won
      throw err;
    }
    if (!confirm) return Response.json(userJson(user, await identitiesOf(sql, user.id)));
    const s = await sql.begin((tx) => createSession(tx, user, clientInfo(req)));
    return Response.json(await sessionResponse((await findUserById(sql, user.id))!, s.sessionId, s.refreshToken, s.amr));
  }

  async function passwordGrant(req: Request) {
    const body = parse(PasswordGrant, await readJson(req));
    const email = (body.email ?? "").trim().toLowerCase();
    if (!email) throw errors.validation("missing email or phone");
    const password = body.password ?? "";
    const user = await findUserByEmail(sql, email);
    // Unknown user and wrong password get the same answer (no account enumeration).
    if (!user || !user.encrypted_password) throw errors.invalidCredentials();
    if (user.banned_until && user.banned_until > new Date()) throw new AuthError(400, "user_banned", "User is banned");
    if (!(await bcrypt.compare(password, user.encrypted_password))) throw errors.invalidCredentials();
    if (!user.email_confirmed_at) throw new AuthError(400, "email_not_confirmed", "Email not confirmed");
    const s = await sql.begin((tx) => createSession(tx, user, clientInfo(req)));
    return Response.json(await sessionResponse((await findUserById(sql, user.id))!, s.sessionId, s.refreshToken, s.amr));
  }

  async function refreshTokenGrant(req: Request) {
    const body = parse(RefreshGrant, await readJson(req));
    if (!body.refresh_token) throw errors.refreshTokenRequired();
    const r = await refreshGrant(sql, body.refresh_token, {
      rotation: cfg.enableRefreshTokenRotation, reuseInterval: cfg.refreshTokenReuseInterval,
    });
    if ("reused" in r) throw errors.refreshTokenAlreadyUsed();
    return Response.json(await sessionResponse(r.user, r.sessionId, r.refreshToken));
  }

  async function getUser(req: Request) {
    const { user } = await caller(req);
    return Response.json(userJson(user, await identitiesOf(sql, user.id)));
  }

  async function putUser(req: Request) {
    const { user } = await caller(req);
    const body = parse(UserUpdate, await readJson(req));
    const patch: { passwordHash?: string; email?: string; data?: Record<string, unknown> } = {};
    if (body.password !== undefined) {
      checkPassword(body.password);
      if (user.encrypted_password && await bcrypt.compare(body.password, user.encrypted_password)) throw errors.samePassword();
      patch.passwordHash = await bcrypt.hash(body.password, cost);
    }
    if (body.email !== undefined) {
      const email = body.email.trim().toLowerCase();
      if (!EMAIL.test(email) || email.length > 255) throw errors.validation("Unable to validate email address: invalid format");
      if (email !== user.email) {
        const other = await findUserByEmail(sql, email);
        if (other) throw errors.emailExists();
        // With confirmations off (mailer_autoconfirm), the change applies at once.
        patch.email = email;
      }
    }
    if (body.data !== undefined) patch.data = body.data;
    const updated = await sql.begin((tx) => updateUser(tx, user.id, patch));
    return Response.json(userJson(updated, await identitiesOf(sql, user.id)));
  }

  async function logout(req: Request, url: URL) {
    const { user, sessionId } = await caller(req);
    const scope = url.searchParams.get("scope") ?? "global";
    if (scope !== "global" && scope !== "local" && scope !== "others") {
      throw errors.validation("Unsupported logout scope, must be one of global, local or others");
    }
    await sql.begin((tx) => endSessions(tx, user.id, sessionId, scope));
    return new Response(null, { status: 204 });
  }

  function settings() {
    const external: Record<string, boolean> = { email: true, phone: false, anonymous_users: false };
    return Response.json({
      external,
      disable_signup: !cfg.enableSignup,
      mailer_autoconfirm: !cfg.enableConfirmations,
      phone_autoconfirm: false,
      sms_provider: "",
      saml_enabled: false,
    });
  }

  async function route(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const path = url.pathname.replace(/^\/auth\/v1/, "").replace(/\/+$/, "") || "/";
    const method = req.method;
    if (path === "/health" && method === "GET") {
      return Response.json({ version: "local-stand-in", name: "GoTrue", description: "Local stand-in for Supabase Auth (email and password)" });
    }
    if (path === "/settings" && method === "GET") return settings();
    if (path === "/signup") { if (method !== "POST") throw errors.methodNotAllowed(); return await signup(req); }
    if (path === "/token") {
      if (method !== "POST") throw errors.methodNotAllowed();
      const grant = url.searchParams.get("grant_type");
      if (grant === "password") return await passwordGrant(req);
      if (grant === "refresh_token") return await refreshTokenGrant(req);
      throw errors.unsupportedGrant();
    }
    if (path === "/user") {
      if (method === "GET") return await getUser(req);
      if (method === "PUT") return await putUser(req);
      throw errors.methodNotAllowed();
    }
    if (path === "/logout") { if (method !== "POST") throw errors.methodNotAllowed(); return await logout(req, url); }
    throw errors.notFound();
  }

  return {
    async handle(req: Request): Promise<Response> {
      try {
        return await route(req);
      } catch (err) {
        if (err instanceof AuthError) return errorResponse(err, req);
        // Log the kind only: messages may carry user input.
        console.error(`auth: unhandled ${err instanceof Error ? `${err.name}${(err as { code?: string }).code ? ` ${(err as { code?: string }).code}` : ""}` : typeof err}`);
        return errorResponse(errors.unexpected(), req);
      }
    },
    async close() { await sql.end({ timeout: 5 }); },
  };
}
