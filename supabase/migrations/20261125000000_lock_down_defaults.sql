-- Lock down first (basejump's habit): functions the project creates are not executable by
-- PUBLIC, anon or authenticated unless a migration grants them explicitly; internal helpers
-- live in the unexposed schema `private`.

alter default privileges revoke execute on functions from public;
alter default privileges in schema public revoke execute on functions from anon, authenticated;

create schema if not exists private;
comment on schema private is 'Internal helpers, materialized views and security definer functions; not exposed through the API.';
revoke all on schema private from public, anon, authenticated;
grant usage on schema private to service_role;
