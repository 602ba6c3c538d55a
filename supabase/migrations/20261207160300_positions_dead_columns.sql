-- Dead and drifted schema of the engine's tables (issue 16).
--
-- positions.engine_state, last_fill_id and last_fill_at were never written: the engine's state
-- and cursor live in public.pnl_stream_state (migration 20261125400000), one row per stream. A
-- reader of `positions` found three always-NULL columns that looked authoritative. Dropped.
-- The trade_history.close_key and flags comments described conventions the engine does not use;
-- they now say what functions/_shared/pnl/engine.ts (conventions d and the flag list) writes.

-- The audit triggers of positions named engine_state among the columns left out of audit rows;
-- recreated with the same behaviour without it.
drop trigger if exists audit_positions_inserts on public.positions;
drop trigger if exists audit_positions_updates on public.positions;
drop trigger if exists audit_positions_deletes on public.positions;

alter table public.positions drop column engine_state;
alter table public.positions drop column last_fill_id;
alter table public.positions drop column last_fill_at;

create trigger audit_positions_inserts
  after insert on public.positions referencing new table as new_rows
  for each statement execute function private.write_audit_log_engine_insert('unrealized_pnl,unrealized_pnl_percentage,last_updated', '100');
create trigger audit_positions_updates
  after update on public.positions referencing old table as old_rows new table as new_rows
  for each statement execute function private.write_audit_log('', 'unrealized_pnl,unrealized_pnl_percentage,last_updated');
create trigger audit_positions_deletes
  after delete on public.positions referencing old table as old_rows
  for each statement execute function private.write_audit_log('', 'unrealized_pnl,unrealized_pnl_percentage,last_updated');

comment on column public.trade_history.close_key is 'The engine''s natural key of the closing event within its stream: "<exchange>:<market_type>:<symbol>:<trade_id of the event''s first reducing fill>" (engine convention d). A fill reduces at most once, so the key is unique and independent of batching; re-processing upserts on it and adds nothing.';
comment on column public.trade_history.flags is 'Engine flags of the event, any of: fees_unconverted (a fee without a price at fill time, kept in fees_unconverted), unknown_cost_basis (part of the closed quantity was sold beyond the known holdings), dust (a rest below the market''s amount step written off), rebate (a negative fee), base_currency_fee, liquidation.';
