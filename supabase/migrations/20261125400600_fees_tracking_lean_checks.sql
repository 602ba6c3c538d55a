-- fees_tracking rows of fills: one foreign-key check and one index entry less per row.
--
-- The sync writes one fees_tracking row per fill and fee currency, in the same statement as the
-- fill. Each such row was checked twice for its user: once by fees_tracking_user_id_fkey
-- (user_id → auth.users) and once, implied, by fees_tracking_fill_fkey ((user_id, fill_id) →
-- the user's own fill, whose user_id is itself checked against auth.users). Each check is an
-- index probe plus a KEY SHARE row lock, ≈ 5 µs; over the sync's write path that was ≈ 11 % of
-- the database's time (scripts/bench/sync-upsert.ts).
--
-- The user's foreign key now applies to the rows that have no fill (funding, withdrawal and
-- conversion fees) through a generated column that is NULL when the row has a fill (MATCH SIMPLE:
-- a NULL key is not checked). Integrity is unchanged:
--   * every row's user exists: directly (no fill) or through its fill (same user_id);
--   * deleting a user still removes every fee row: those of fills with the fills
--     (fills_user_id_fkey → fees_tracking_fill_fkey, both ON DELETE CASCADE), the others through
--     this key (ON DELETE CASCADE);
--   * a fill is never unset by a referential action (its key cascades), and a row whose fill_id
--     were set to NULL by hand gets its user checked at that moment (the column is recomputed).
alter table public.fees_tracking
  add column if not exists user_id_without_fill uuid generated always as (case when fill_id is null then user_id end) stored;

comment on column public.fees_tracking.user_id_without_fill is
  'Internal: user_id for fees without a fill (funding, withdrawal, conversion), NULL for trading fees of a fill. Carries the foreign key to auth.users for the rows that have no fill; rows of a fill reach their user through fees_tracking_fill_fkey.';

alter table public.fees_tracking drop constraint if exists fees_tracking_user_id_fkey;
alter table public.fees_tracking
  add constraint fees_tracking_user_id_fkey foreign key (user_id_without_fill) references auth.users (id) on delete cascade;
comment on constraint fees_tracking_user_id_fkey on public.fees_tracking is
  'The user of a fee without a fill; fees of a fill are tied to their user through fees_tracking_fill_fkey (see migration 20261125400600).';

-- the referencing side's index, for the cascade when a user is deleted (rows without a fill only)
create index if not exists fees_tracking_user_without_fill_idx
  on public.fees_tracking (user_id_without_fill) where user_id_without_fill is not null;

-- order_ref is NULL for most fee rows (a fill's fee row does not carry it): index only the rows
-- that have one; ON DELETE SET NULL from orders looks rows up by (user_id, order_ref = …), which
-- implies order_ref IS NOT NULL, so this partial index serves it.
drop index if exists public.fees_tracking_user_order_idx;
create index if not exists fees_tracking_user_order_idx
  on public.fees_tracking (user_id, order_ref) where order_ref is not null;
