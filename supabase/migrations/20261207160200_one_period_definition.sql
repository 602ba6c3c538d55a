-- Periods ('7d', '30d', '90d', '1y', 'all'): one definition (issue 16).
--
-- Before: get_trade_history / get_trade_history_summary (private.api_trade_window) read '1y' as
-- interval '1 year' while the api function's equity curve counted 365 days in TypeScript, so
-- the RPC and the function could answer different windows (across a 29 February). Decided: a
-- period is a calendar interval (interval '1 year', '90 days', …) back from the instant asked
-- about; this function is its only definition, the RPCs' window and the api function's equity
-- curve (which starts on the UTC day of that instant) both read it.

/**
 * Start of period p_period ('7d', '30d', '90d', '1y') counted back from p_at: p_at − interval
 * '7 days' | '30 days' | '90 days' | '1 year'. NULL for 'all' (no start). Raises 22023 with the
 * accepted values for anything else. Case-insensitive.
 */
create or replace function private.period_start(p_period text, p_at timestamptz)
returns timestamptz
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
begin
  case lower(p_period)
    when '7d' then return p_at - interval '7 days';
    when '30d' then return p_at - interval '30 days';
    when '90d' then return p_at - interval '90 days';
    when '1y' then return p_at - interval '1 year';
    when 'all' then return null;
    else
      raise exception 'unknown period "%"; accepted values: 7d, 30d, 90d, 1y, all', p_period
        using errcode = '22023';
  end case;
end
$$;

revoke all on function private.period_start(text, timestamptz) from public, anon, authenticated;
grant execute on function private.period_start(text, timestamptz) to authenticated, service_role;

/**
 * The exit-time window of a trade-history query: p_period ('7d', '30d', '90d', '1y', 'all';
 * private.period_start back from now()) or explicit p_from / p_to, never both; nothing given
 * means '30d'. Raises 22023 with the accepted values on bad input. Shared by get_trade_history
 * and get_trade_history_summary.
 */
create or replace function private.api_trade_window(
  p_period text,
  p_from timestamptz,
  p_to timestamptz,
  out window_from timestamptz,
  out window_to timestamptz
)
language plpgsql
stable
set search_path = ''
as $$
begin
  if p_period is not null and (p_from is not null or p_to is not null) then
    raise exception 'give either a period or from/to dates, not both'
      using errcode = '22023';
  end if;
  if p_from is not null or p_to is not null then
    if p_from is not null and p_to is not null and p_from >= p_to then
      raise exception 'from (%) must be before to (%)', p_from, p_to using errcode = '22023';
    end if;
    window_from := p_from;
    window_to := p_to;
    return;
  end if;
  window_to := null;
  window_from := private.period_start(coalesce(p_period, '30d'), now());
end
$$;
