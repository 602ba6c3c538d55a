// Local users in auth.users (what Supabase Auth's sign-up would create: the user, confirmed, with
// a bcrypt password hash and its email identity), for development and tests.
import { dbUrl } from "./cluster.mjs";

/** The demo user of `npm start` signs in with this password (local stack only; printed by npm start). */
export const DEMO_EMAIL = "demo@example.com";
export const DEMO_PASSWORD = "demo-password";

export async function ensureUser(email, password = DEMO_PASSWORD) {
  const { default: postgres } = await import("postgres");
  const { default: bcrypt } = await import("bcryptjs");
  const sql = postgres(dbUrl("supabase_admin"), { max: 1, onnotice: () => {} });
  try {
    const hash = await bcrypt.hash(password, 10);
    await sql`
      insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
                              raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
      values ('00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated',
              'authenticated', ${email}, ${hash}, now(),
              '{"provider":"email","providers":["email"]}', '{}', now(), now())
      on conflict (email) where is_sso_user = false do nothing`;
    const [row] = await sql`select id, email from auth.users where email = ${email}`;
    await sql`
      insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
      values (${row.id}, ${row.id}, jsonb_build_object('sub', ${row.id}::text, 'email', ${email}::text, 'email_verified', true,
              'phone_verified', false), 'email', now(), now(), now())
      on conflict (provider_id, provider) do nothing`;
    return { id: row.id, email: row.email };
  } finally {
    await sql.end();
  }
}
