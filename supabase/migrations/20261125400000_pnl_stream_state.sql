-- PnL engine bookkeeping: the engine's state per stream (user, exchange, market type, symbol),
-- so processing is incremental (only fills after the last processed one), and the engine's
-- natural key on positions, so re-processing updates the same rows instead of adding new ones.

create table if not exists public.pnl_stream_state (
  user_id uuid not null references auth.users (id) on delete cascade,
  exchange public.exchange_id not null,
  market_type public.market_type not null,
  symbol text not null,
  cost_method text not null,
  state jsonb not null,
  fills_processed bigint not null default 0,
  last_fill_at timestamptz,
  last_trade_id text,
  rebuilds integer not null default 0,
  updated_at timestamptz not null default now(),
  constraint pnl_stream_state_pkey primary key (user_id, exchange, market_type, symbol),
  constraint pnl_stream_state_cost_method_valid check (cost_method in ('average', 'fifo')),
  constraint pnl_stream_state_state_object check (jsonb_typeof(state) = 'object'),
  constraint pnl_stream_state_fills_processed_non_negative check (fills_processed >= 0)
);

comment on table public.pnl_stream_state is 'The PnL engine''s serialised state per stream (open position, FIFO lots, unrounded totals, cursors). Written by the service role only.';
comment on column public.pnl_stream_state.state is 'JSON of the engine''s stream state (functions/_shared/pnl/engine.ts StateJson.streams entry).';
comment on column public.pnl_stream_state.fills_processed is 'How many fills of the stream the state has absorbed; a different count of fills in the table means late data, and the stream is rebuilt.';
comment on column public.pnl_stream_state.rebuilds is 'How many times the stream was recomputed from its first fill (late fills, cost method change, requested rebuild).';

revoke all on table public.pnl_stream_state from anon, authenticated, service_role;
grant select on table public.pnl_stream_state to authenticated;
grant select, insert, update, delete on table public.pnl_stream_state to service_role;

alter table public.pnl_stream_state enable row level security;

create policy "Users can read the state of their own PnL streams"
  on public.pnl_stream_state for select to authenticated
  using (user_id = (select auth.uid()));

create trigger set_pnl_stream_state_updated_at
  before update on public.pnl_stream_state
  for each row execute function private.set_updated_at();

-- The engine's key of a position: "<exchange>:<market_type>:<symbol>:<trade id of the opening fill>".
alter table public.positions add column if not exists position_key text;
comment on column public.positions.position_key is 'The PnL engine''s natural key of the position: <exchange>:<market_type>:<symbol>:<trade id of its opening fill>.';
alter table public.positions drop constraint if exists positions_position_key_key;
alter table public.positions add constraint positions_position_key_key unique (user_id, exchange, market_type, symbol, position_key);
alter table public.positions add column if not exists cost_method text not null default 'average';
alter table public.positions drop constraint if exists positions_cost_method_valid;
alter table public.positions add constraint positions_cost_method_valid check (cost_method in ('average', 'fifo'));

-- The same key on trade history rows, so the engine's writes link position_id with one join.
alter table public.trade_history add column if not exists position_key text;
comment on column public.trade_history.position_key is 'The PnL engine''s key of the position this closing event belongs to (positions.position_key).';
