-- The masked credential view shows the symbols the sync covers beside the discovered ones (users
-- set them with PATCH /credentials/:id { syncSymbols }) and the account mode the sync detected.
-- New columns go last: create or replace view may only append.
create or replace view public.api_credentials_masked
with (security_invoker = true)
as
select id, user_id, exchange, label, is_active, kid, key_hint, permissions, verification_status,
       verified_at, last_sync_status, last_sync_at, created_at, updated_at, deleted_at,
       sync_symbols, account_mode
from public.api_credentials;

comment on view public.api_credentials_masked is 'Users'' credentials without ciphertext (security invoker: RLS of api_credentials applies).';

revoke all on table public.api_credentials_masked from anon, authenticated, service_role;
grant select on table public.api_credentials_masked to authenticated, service_role;
