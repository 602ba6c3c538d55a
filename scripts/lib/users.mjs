// Local users in auth.users (what Supabase Auth's sign-up would create), for development and tests.
import { dbUrl } from "./cluster.mjs";

export async function ensureUser(email, password = "password") {
  const { default: postgres } = await import("postgres");
  const sql = postgres(dbUrl("supabase_admin"), { max: 1, onnotice: () => {} });
  try {
    await sql`
      insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
                              raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
      values ('00000000-0000-0000-0000-000000000000', extensions.gen_random_uuid(), 'authenticated',
              'authenticated', ${email}, extensions.crypt(${password}, extensions.gen_salt('bf')), now(),
              '{"provider":"email","providers":["email"]}', '{}', now(), now())
      on conflict (email) where is_sso_user = false do nothing`;
    const [row] = await sql`select id, email from auth.users where email = ${email}`;
    return { id: row.id, email: row.email };
  } finally {
    await sql.end();
  }
}
