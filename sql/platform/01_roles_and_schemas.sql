-- Local platform layer, part 1: the roles and schemas a hosted Supabase database has.
-- Applied by `npm run stack` to the project-local cluster only, as the bootstrap superuser
-- `supabase_admin`. NEVER run this against a hosted project: Supabase already provides it.
-- Idempotent: safe to apply twice.

\set ON_ERROR_STOP on

do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'postgres') then
    create role postgres login createrole createdb replication bypassrls password 'postgres';
  end if;
  if not exists (select 1 from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit password 'postgres';
  end if;
  if not exists (select 1 from pg_roles where rolname = 'supabase_auth_admin') then
    create role supabase_auth_admin login noinherit createrole password 'postgres';
  end if;
end
$$;

grant anon, authenticated, service_role to authenticator;
grant anon, authenticated, service_role to postgres;
alter role supabase_admin password 'postgres';

-- Role settings as on the platform (PostgREST applies statement_timeout per request itself).
alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';

-- PostgREST's exposed schemas. The Splinter advisors read this setting in their own session:
-- without it their exposure lints silently return nothing, so set it for the database too.
alter role authenticator set pgrst.db_schemas = 'public,graphql_public';
alter database postgres set pgrst.db_schemas = 'public,graphql_public';

grant create, connect, temporary on database postgres to postgres;

create schema if not exists extensions authorization postgres;
create schema if not exists auth authorization supabase_auth_admin;
alter schema auth owner to supabase_auth_admin;
create schema if not exists storage authorization supabase_admin;
create schema if not exists realtime authorization supabase_admin;
create schema if not exists vault authorization supabase_admin;
create schema if not exists graphql_public authorization supabase_admin;

alter schema public owner to postgres;

grant usage on schema public, extensions, graphql_public to anon, authenticated, service_role;
grant usage on schema auth to anon, authenticated, service_role, postgres;
grant all on schema extensions to postgres with grant option;

-- Extensions Supabase installs in `extensions`, and pg_cron in pg_catalog.
create extension if not exists pgcrypto with schema extensions;
create extension if not exists "uuid-ossp" with schema extensions;
create extension if not exists pg_stat_statements with schema extensions;
create extension if not exists pg_cron with schema pg_catalog;
-- pgTAP for the database tests (`supabase test db` installs it the same way).
create extension if not exists pgtap with schema extensions;

grant usage on schema cron to postgres;
grant all privileges on all tables in schema cron to postgres;
grant all privileges on all sequences in schema cron to postgres;
grant execute on all functions in schema cron to postgres;
