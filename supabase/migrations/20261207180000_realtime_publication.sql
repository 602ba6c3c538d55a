-- Realtime: the tables a frontend watches join the `supabase_realtime` publication, so
-- `supabase.channel(…).on("postgres_changes", { table, filter: "user_id=eq.<uid>" }, …)` receives
-- their changes. Hosted projects have the publication (empty); a plain PostgreSQL (the local
-- stack) gets it here, owned by `postgres` as on the platform.
--
-- Watched, and why:
--   orders         open orders fill or cancel as syncs run (the open-orders and history pages);
--   positions      opened, scaled, closed by the engine; unrealized PnL moves with prices;
--   trade_history  a new closing event (the trade list and the totals above it);
--   balances       a sync's fresh balances (the balances page);
--   sync_jobs      "sync now" queued → running → done (the button's state);
--   sync_runs      each run's outcome, counts and errors (the credential's sync status).
-- Not watched: fills (bulk inserts, thousands per sync; the frontend shows their result,
-- trade_history), audit_logs, market data and market_prices (shared rows written every minute:
-- every signed-in client would receive every price), the rest (daily or rarer: read on load).
--
-- Replica identity: the default (the primary key) is enough and is kept. Every one of these
-- tables has the primary key (user_id, id), so the old record of an UPDATE or DELETE carries
-- user_id and id — what a user_id filter and a client-side cache need — while FULL would log
-- whole old rows in the WAL for every engine and sync write (trade_history and positions are
-- written in bulk). Realtime applies RLS to each subscriber before sending a change (a user
-- receives only rows their SELECT policies let them read); the old record of a DELETE is not
-- RLS-checked, which is why it carries only the key.

do $$
begin
  if not exists (select 1 from pg_publication where pubname = 'supabase_realtime') then
    create publication supabase_realtime;
  end if;
end
$$;

do $$
declare
  t text;
begin
  foreach t in array array['orders', 'positions', 'trade_history', 'balances', 'sync_jobs', 'sync_runs'] loop
    if not exists (
      select 1 from pg_publication_tables
       where pubname = 'supabase_realtime' and schemaname = 'public' and tablename = t
    ) then
      execute format('alter publication supabase_realtime add table public.%I', t);
    end if;
  end loop;
end
$$;
