-- Credentials: users' exchange API keys, encrypted by the credentials Edge Function.
--
-- The table holds only ciphertext (AES-256-GCM envelopes `v1:<kid>:<iv>:<ct+tag>`, sealed in
-- the function, bound to user, exchange and column) plus the metadata the function needs.
-- Users read the metadata only: column privileges keep the *_ct columns out of reach of
-- `authenticated` (select * fails; select the listed columns, or the view
-- api_credentials_masked). Users never write this table directly: every change goes through
-- the credentials function (service role), which validates, verifies with the exchange,
-- encrypts and audits. That includes label and is_active, so that one path validates them
-- (is_active=true on a wiped credential would break the sync).

create table if not exists public.api_credentials (
  id uuid not null default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  exchange public.exchange_id not null,
  label varchar(100),
  is_active boolean not null default true,
  api_key_ct text,
  secret_key_ct text,
  passphrase_ct text,
  kid text,
  key_hint text,
  permissions jsonb,
  verification_status text not null default 'unverified',
  verified_at timestamptz,
  last_sync_status text,
  last_sync_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz,
  constraint api_credentials_pkey primary key (user_id, id),
  constraint api_credentials_user_exchange_key unique (user_id, exchange),
  constraint api_credentials_verification_status_valid check (verification_status in ('unverified', 'verified', 'invalid')),
  constraint api_credentials_last_sync_status_valid check (last_sync_status is null or last_sync_status in ('queued', 'running', 'succeeded', 'partial', 'failed', 'auth_failed')),
  constraint api_credentials_active_has_key check (not is_active or api_key_ct is not null),
  constraint api_credentials_deleted_inactive check (deleted_at is null or not is_active),
  constraint api_credentials_secret_required check (api_key_ct is null or exchange = 'alpha_vantage' or secret_key_ct is not null),
  constraint api_credentials_key_hint_masked check (key_hint is null or char_length(key_hint) <= 12),
  constraint api_credentials_permissions_object check (permissions is null or jsonb_typeof(permissions) = 'object')
);

comment on table public.api_credentials is 'Exchange API keys per user and exchange (one each), encrypted by the credentials Edge Function. Ciphertext columns are not readable by users.';
comment on column public.api_credentials.api_key_ct is 'Ciphertext of the API key (envelope v1:<kid>:<iv>:<ct+tag>); NULL once the credential is deleted (wiped). Never readable by authenticated.';
comment on column public.api_credentials.secret_key_ct is 'Ciphertext of the secret key; NULL for alpha_vantage and wiped rows. Never readable by authenticated.';
comment on column public.api_credentials.passphrase_ct is 'Ciphertext of the passphrase (bitget; gateio/others when set). Never readable by authenticated.';
comment on column public.api_credentials.kid is 'Id of the encryption key the ciphertext is sealed with (key rotation finds rows still on an old kid).';
comment on column public.api_credentials.key_hint is 'Masked API key for display: its last 4 characters, e.g. ••••a1B2. Never more.';
comment on column public.api_credentials.permissions is 'What the exchange reported about the key, e.g. {"read": true, "trade": true, "withdraw": false}; NULL when it does not tell.';
comment on column public.api_credentials.verification_status is 'unverified (stored without a check), verified (a private call succeeded at verified_at), invalid (the exchange rejected the key).';
comment on column public.api_credentials.last_sync_status is 'Outcome of the latest sync of this credential (see sync_runs for detail).';
comment on column public.api_credentials.deleted_at is 'Soft delete: set with is_active=false and the ciphertext wiped.';

create index if not exists api_credentials_exchange_idx on public.api_credentials (exchange) where is_active;
create index if not exists api_credentials_kid_idx on public.api_credentials (kid) where api_key_ct is not null;

revoke all on table public.api_credentials from anon, authenticated, service_role;
grant select (id, user_id, exchange, label, is_active, kid, key_hint, permissions, verification_status,
              verified_at, last_sync_status, last_sync_at, created_at, updated_at, deleted_at)
  on table public.api_credentials to authenticated;
grant select, insert, update, delete on table public.api_credentials to service_role;

alter table public.api_credentials enable row level security;

create policy "Users can read their own credentials metadata"
  on public.api_credentials for select to authenticated
  using (user_id = (select auth.uid()));

create trigger set_api_credentials_updated_at
  before update on public.api_credentials
  for each row execute function private.set_updated_at();

-- What the frontend lists with supabase-js `select('*')`: the readable columns only (the table
-- itself refuses `*` to users because of the column privileges).
create or replace view public.api_credentials_masked
with (security_invoker = true)
as
select id, user_id, exchange, label, is_active, kid, key_hint, permissions, verification_status,
       verified_at, last_sync_status, last_sync_at, created_at, updated_at, deleted_at
from public.api_credentials;

comment on view public.api_credentials_masked is 'Users'' credentials without ciphertext (security invoker: RLS of api_credentials applies).';

revoke all on table public.api_credentials_masked from anon, authenticated, service_role;
grant select on table public.api_credentials_masked to authenticated, service_role;
