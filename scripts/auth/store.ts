// The Auth stand-in's reads and writes on Supabase Auth's own tables (auth.users, identities,
// sessions, refresh_tokens, mfa_amr_claims), as role supabase_auth_admin like the real server.
import { randomUUID } from "node:crypto";
import type postgres from "postgres";
import { errors } from "./errors.ts";
import { newRefreshToken, type AmrEntry, type TokenUser } from "./tokens.ts";

type Sql = postgres.Sql | postgres.TransactionSql;
const INSTANCE_ID = "00000000-0000-0000-0000-000000000000";

export interface UserRow extends TokenUser {
  aud: string | null;
  role: string | null;
  encrypted_password: string | null;
  email_confirmed_at: Date | null;
  confirmed_at: Date | null;
  last_sign_in_at: Date | null;
  created_at: Date | null;
  updated_at: Date | null;
  banned_until: Date | null;
}

export interface IdentityRow {
  id: string; provider_id: string; user_id: string; identity_data: Record<string, unknown>; provider: string;
  last_sign_in_at: Date | null; created_at: Date | null; updated_at: Date | null; email: string | null;
}

const USER_COLUMNS = `id, aud, role, email, phone, encrypted_password, email_confirmed_at, confirmed_at,
  last_sign_in_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at, banned_until, is_anonymous`;

export async function findUserByEmail(sql: Sql, email: string): Promise<UserRow | undefined> {
  const [u] = await sql.unsafe<UserRow[]>(`select ${USER_COLUMNS} from auth.users
    where email = $1 and is_sso_user = false and deleted_at is null`, [email]);
  return u;
}

export async function findUserById(sql: Sql, id: string, forUpdate = false): Promise<UserRow | undefined> {
  const [u] = await sql.unsafe<UserRow[]>(`select ${USER_COLUMNS} from auth.users
    where id = $1 and deleted_at is null${forUpdate ? " for update" : ""}`, [id]);
  return u;
}

export async function identitiesOf(sql: Sql, userId: string): Promise<IdentityRow[]> {
  return await sql<IdentityRow[]>`select id, provider_id, user_id, identity_data, provider, last_sign_in_at,
    created_at, updated_at, email from auth.identities where user_id = ${userId} order by created_at`;
}

/** Sign-up with email and password: the user (confirmed when confirmations are off) and its identity. */
export async function createUser(sql: Sql, opts: { email: string; passwordHash: string; data: Record<string, unknown>; confirm: boolean }): Promise<UserRow> {
  const id = randomUUID();
  const identityData = { sub: id, email: opts.email, email_verified: opts.confirm, phone_verified: false };
  const userMeta = { ...opts.data, ...identityData };
  const appMeta = { provider: "email", providers: ["email"] };
  const [u] = await sql.unsafe<UserRow[]>(`
    insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
                            raw_app_meta_data, raw_user_meta_data, created_at, updated_at, is_anonymous)
    values ($1, $2, 'authenticated', 'authenticated', $3, $4, case when $5 then now() end,
            $6::jsonb, $7::jsonb, now(), now(), false)
    returning ${USER_COLUMNS}`,
  [INSTANCE_ID, id, opts.email, opts.passwordHash, opts.confirm, appMeta as never, userMeta as never]);
  await sql`insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
            values (${id}, ${id}, ${sql.json(identityData as never)}, 'email', now(), now(), now())`;
  return u;
}

export interface IssuedSession { sessionId: string; refreshToken: string; amr: AmrEntry[] }

/** A new session after a password sign-in: session row, its first refresh token, its amr claim. */
export async function createSession(sql: Sql, user: UserRow, client: { userAgent: string | null; ip: string | null }): Promise<IssuedSession> {
  const sessionId = randomUUID();
  const refreshToken = newRefreshToken();
  await sql`insert into auth.sessions (id, user_id, created_at, updated_at, aal, refreshed_at, user_agent, ip)
            values (${sessionId}, ${user.id}, now(), now(), 'aal1', now() at time zone 'utc', ${client.userAgent}, ${client.ip}::inet)`;
  const [amr] = await sql<{ created_at: Date }[]>`
    insert into auth.mfa_amr_claims (session_id, created_at, updated_at, authentication_method, id)
    values (${sessionId}, now(), now(), 'password', ${randomUUID()}) returning created_at`;
  await sql`insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, parent, session_id)
            values (${INSTANCE_ID}, ${refreshToken}, ${user.id}, false, now(), now(), null, ${sessionId})`;
  await sql`update auth.users set last_sign_in_at = now(), updated_at = now() where id = ${user.id}`;
  await sql`update auth.identities set last_sign_in_at = now(), updated_at = now() where user_id = ${user.id} and provider = 'email'`;
  return { sessionId, refreshToken, amr: [{ method: "password", timestamp: Math.floor(amr.created_at.getTime() / 1000) }] };
}

export async function amrOf(sql: Sql, sessionId: string): Promise<AmrEntry[]> {
  const rows = await sql<{ authentication_method: string; created_at: Date }[]>`
    select authentication_method, created_at from auth.mfa_amr_claims where session_id = ${sessionId} order by created_at desc`;
  return rows.map((r) => ({ method: r.authentication_method, timestamp: Math.floor(r.created_at.getTime() / 1000) }));
}

export async function sessionExists(sql: Sql, sessionId: string): Promise<boolean> {
  const [s] = await sql`select 1 from auth.sessions where id = ${sessionId} and (not_after is null or not_after > now())`;
  return !!s;
}

interface TokenRow { id: string; token: string; user_id: string; revoked: boolean; parent: string | null; session_id: string | null; updated_at: Date }

/**
 * The refresh_token grant, as Supabase Auth runs it (internal/api/token_refresh.go), in one
 * transaction with the token and its session locked:
 * - an unknown token (or one whose session was signed out) → refresh_token_not_found;
 * - a live token → revoked and replaced by a new one, its child (`parent` = the old token);
 * - a revoked token that is the parent of the session's live token (the client lost the answer
 *   of its last refresh) → the live token again, nothing new issued;
 * - any other revoked token within `reuseInterval` seconds of its revocation → rotated as if live;
 * - later → reuse detected: every token of the session is revoked (committed) and
 *   refresh_token_already_used is answered.
 */
export async function refreshGrant(sql: postgres.Sql, presented: string, opts: { rotation: boolean; reuseInterval: number }):
  Promise<{ user: UserRow; sessionId: string; refreshToken: string } | { reused: true }> {
  return await sql.begin(async (tx) => {
    const [t] = await tx<TokenRow[]>`select id, token, user_id, revoked, parent, session_id, updated_at
      from auth.refresh_tokens where token = ${presented} for update`;
    if (!t || !t.session_id) throw errors.refreshTokenNotFound();
    const [session] = await tx`select id from auth.sessions where id = ${t.session_id} and (not_after is null or not_after > now()) for update`;
    const user = await findUserById(tx, t.user_id);
    if (!session || !user) throw errors.refreshTokenNotFound();
    let issued: string | null = null;
    if (t.revoked) {
      const [active] = await tx<TokenRow[]>`select token, parent from auth.refresh_tokens
        where session_id = ${t.session_id} and revoked = false order by id desc limit 1`;
      if (active && active.parent === t.token) {
        issued = active.token;
      } else {
        const [{ reusable }] = await tx<{ reusable: boolean }[]>`
          select now() <= ${t.updated_at}::timestamptz + make_interval(secs => ${opts.reuseInterval}) as reusable`;
        if (!reusable) {
          if (opts.rotation) {
            await tx`update auth.refresh_tokens set revoked = true where session_id = ${t.session_id} and revoked = false`;
          }
          return { reused: true as const };
        }
      }
    }
    if (!issued) {
      issued = newRefreshToken();
      await tx`update auth.refresh_tokens set revoked = true, updated_at = now() where id = ${t.id}`;
      await tx`insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, parent, session_id)
               values (${INSTANCE_ID}, ${issued}, ${t.user_id}, false, now(), now(), ${t.token}, ${t.session_id})`;
    }
    await tx`update auth.sessions set refreshed_at = now() at time zone 'utc', updated_at = now() where id = ${t.session_id}`;
    return { user, sessionId: t.session_id, refreshToken: issued };
  });
}

/** Sign-out: `global` ends every session of the user, `local` this one, `others` all but this one. */
export async function endSessions(sql: Sql, userId: string, sessionId: string | undefined, scope: "global" | "local" | "others"): Promise<void> {
  if (scope === "local") {
    if (sessionId) await sql`delete from auth.sessions where id = ${sessionId}`;
  } else if (scope === "others") {
    await sql`delete from auth.sessions where user_id = ${userId} and id is distinct from ${sessionId ?? null}::uuid`;
  } else {
    await sql`delete from auth.sessions where user_id = ${userId}`;
    await sql`update auth.refresh_tokens set revoked = true, updated_at = now() where user_id = ${userId} and revoked = false`;
  }
}

export async function updateUser(sql: Sql, id: string, patch: { passwordHash?: string; email?: string; data?: Record<string, unknown> }): Promise<UserRow> {
  if (patch.passwordHash !== undefined) {
    await sql`update auth.users set encrypted_password = ${patch.passwordHash}, updated_at = now() where id = ${id}`;
  }
  if (patch.email !== undefined) {
    await sql`update auth.users set email = ${patch.email}, updated_at = now() where id = ${id}`;
    await sql`update auth.identities set identity_data = identity_data || jsonb_build_object('email', ${patch.email}::text), updated_at = now()
              where user_id = ${id} and provider = 'email'`;
  }
  if (patch.data !== undefined) {
    // Keys set to null are removed, others merged (Supabase Auth's UpdateUserMetaData).
    const data = sql.json(patch.data as never);
    await sql`update auth.users
              set raw_user_meta_data = (coalesce(raw_user_meta_data, '{}') || ${data}::jsonb)
                    - array(select key from jsonb_each(${data}::jsonb) where value = 'null'::jsonb),
                  updated_at = now()
              where id = ${id}`;
  }
  return (await findUserById(sql, id))!;
}
