-- Identity: one profile per auth.users row, created by a trigger on signup.
--
-- Supabase Auth owns identity. Where the spec's `users` and `refreshtokens` columns went:
--   users.id                      → auth.users.id = profiles.user_id
--   users.email                   → auth.users.email (auth.email() in SQL; not copied)
--   users.password                → auth.users.encrypted_password (bcrypt, managed by Auth)
--   users.is_verified             → auth.users.email_confirmed_at is not null
--   users.password_updated_at     → Auth (password changes are Auth events; not stored here)
--   users.secret_token(_created_at) → auth.users.recovery_token / confirmation_token (+ *_sent_at)
--   users.name, date_of_birth, is_deleted, created_at, updated_at → public.profiles
--   refreshtokens (whole table)   → auth.sessions + auth.refresh_tokens (rotation, revocation)
-- The profile keeps only what Auth does not: name, date of birth, soft delete, and the user's
-- PnL settings.

create table if not exists public.profiles (
  user_id uuid primary key references auth.users (id) on delete cascade,
  name text not null default '',
  date_of_birth date,
  pnl_cost_method text not null default 'average',
  is_deleted boolean not null default false,
  deleted_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint profiles_name_length check (char_length(name) <= 200),
  constraint profiles_pnl_cost_method_valid check (pnl_cost_method in ('average', 'fifo')),
  constraint profiles_deleted_consistent check (is_deleted = (deleted_at is not null))
);

comment on table public.profiles is 'One row per auth.users row (created by trigger on signup). Email, password and tokens live in Supabase Auth.';
comment on column public.profiles.date_of_birth is 'A date (the spec''s TIMESTAMP carried a meaningless time of day).';
comment on column public.profiles.pnl_cost_method is 'Cost method of the PnL engine for this user: average (the spec''s) or fifo.';
comment on column public.profiles.is_deleted is 'Soft delete (spec). Set by the service role; deleted_at records when.';

revoke all on table public.profiles from anon, authenticated, service_role;
grant select on table public.profiles to authenticated;
grant update (name, date_of_birth, pnl_cost_method) on table public.profiles to authenticated;
grant select, insert, update, delete on table public.profiles to service_role;

alter table public.profiles enable row level security;

create policy "Users can read their own profile"
  on public.profiles for select to authenticated
  using (user_id = (select auth.uid()));

create policy "Users can update their own profile"
  on public.profiles for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

create trigger set_profiles_updated_at
  before update on public.profiles
  for each row execute function private.set_updated_at();

/** Trigger: keeps profiles.deleted_at in step with the soft-delete flag is_deleted. */
create or replace function private.stamp_profile_soft_delete()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.is_deleted and (tg_op = 'INSERT' or not old.is_deleted) then
    new.deleted_at := coalesce(new.deleted_at, now());
  elsif not new.is_deleted then
    new.deleted_at := null;
  end if;
  return new;
end
$$;

revoke all on function private.stamp_profile_soft_delete() from public, anon, authenticated;

create trigger stamp_profiles_soft_delete
  before insert or update of is_deleted on public.profiles
  for each row execute function private.stamp_profile_soft_delete();

/**
 * Trigger on auth.users: creates the user's profile at signup, with the name the signup form
 * put in user metadata (name or full_name) when there is one.
 */
create or replace function private.create_profile_for_new_user()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.profiles (user_id, name)
  values (
    new.id,
    left(coalesce(new.raw_user_meta_data ->> 'name', new.raw_user_meta_data ->> 'full_name', ''), 200)
  )
  on conflict (user_id) do nothing;
  return new;
end
$$;

revoke all on function private.create_profile_for_new_user() from public, anon, authenticated;

drop trigger if exists create_profile_on_signup on auth.users;
create trigger create_profile_on_signup
  after insert on auth.users
  for each row execute function private.create_profile_for_new_user();
