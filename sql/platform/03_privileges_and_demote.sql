-- Local platform layer, part 3: default privileges on `public` as on the platform, then demote
-- `postgres` so migrations run with the rights they have on a hosted project.
-- Local only; idempotent.

\set ON_ERROR_STOP on

-- Everything `postgres` creates in public is granted to the API roles; RLS is the row guard.
alter default privileges for role postgres in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges for role postgres in schema public grant all on functions to anon, authenticated, service_role;
alter default privileges for role postgres in schema public grant all on sequences to anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema public grant all on functions to anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema public grant all on sequences to anon, authenticated, service_role;

grant all on schema public to postgres;
grant usage on schema public to anon, authenticated, service_role;

-- The platform's `postgres` is not a superuser.
alter role postgres nosuperuser createdb createrole login replication bypassrls;
