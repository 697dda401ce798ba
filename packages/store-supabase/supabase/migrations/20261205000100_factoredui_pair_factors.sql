-- FactoredUI store: current factors stored one row per (user, path), a column per factor
-- (issue #18).
--
-- The first refresh of 1M realistic events spent two thirds of its time writing 1.6M rows of
-- (user_id, path, factor, value, as_of) and building two indexes over them (the (path, factor)
-- sort alone took 2–3.5 s: 550 distinct keys over 1.6M rows, every comparison a full compare
-- of two long paths). The same values are 155,614 rows of one pair each: a tenth of the rows,
-- of the index entries and of the WAL, and the table 38 MB instead of 180 MB+. So:
--
--   * factoredui.pair_factors holds the values, one row per pair with a column per factor
--     (null where the factor is undefined for the pair, e.g. completion_rate without an
--     impression), its own as_of, indexes on (user_id, path) and (path);
--   * factoredui.factors is now a view of the same rows and columns as the table it replaces
--     (user_id, path, factor, value, as_of): every reader (get_factors, aggregates, statistics,
--     targeting, export) reads it unchanged; RLS applies through it (security_invoker), and
--     INSTEAD OF triggers write through it with the old table's constraints (a factor of the
--     catalog, a finite value, one value per (user, path, factor)), so erasure, the 0.5.1
--     upgrade and direct service writes keep working;
--   * refresh_factors computes one row per pair and writes only the pairs that changed; the
--     first refresh inserts them in key order into the indexed table (no index rebuild, so the
--     owner-rights loader of 20261204000100 is gone);
--   * change notifications and the Realtime publication move to the new table (the topic
--     `factors` is unchanged).

-- ---------------------------------------------------------------------------------------------
-- The table and its data.
-- ---------------------------------------------------------------------------------------------
-- A finite number. (The old table's CHECK, `value = value`, let NaN through: PostgreSQL orders
-- NaN equal to itself.) Every statement of this file can run again (migrations.test.ts).
do $$
begin
  if to_regtype('factoredui.factor_value') is null then
    create domain factoredui.factor_value as double precision
      check (value not in ('NaN', 'Infinity', '-Infinity'));
  end if;
end $$;

create table if not exists factoredui.pair_factors (
  user_id text not null,
  path text not null,
  as_of timestamptz not null,
  completion_rate factoredui.factor_value,
  component_depth factoredui.factor_value,
  dead_click_count factoredui.factor_value,
  drop_off_rate factoredui.factor_value,
  error_rate factoredui.factor_value,
  form_field_count factoredui.factor_value,
  hesitation_ms factoredui.factor_value,
  rage_click_count factoredui.factor_value,
  retry_count factoredui.factor_value,
  scroll_reversal_count factoredui.factor_value,
  sibling_count factoredui.factor_value,
  primary key (user_id, path)
) with (fillfactor = 80);
-- Room on each page for the new version of an updated pair: a refresh updates pairs in place,
-- and with free space on the page PostgreSQL does so without touching the indexes (HOT).
create index if not exists pair_factors_path_idx on factoredui.pair_factors (path);

-- The values of the old table, a pair per row, then the table goes (once: afterwards the name
-- is the view's). The refresh state stays valid: the same values.
do $$
begin
  if (select c.relkind from pg_class c where c.oid = to_regclass('factoredui.factors')) = 'r' then
    insert into factoredui.pair_factors (user_id, path, as_of, completion_rate, component_depth,
      dead_click_count, drop_off_rate, error_rate, form_field_count, hesitation_ms, rage_click_count,
      retry_count, scroll_reversal_count, sibling_count)
    select f.user_id, f.path, max(f.as_of),
      max(f.value) filter (where f.factor = 'completion_rate'),
      max(f.value) filter (where f.factor = 'component_depth'),
      max(f.value) filter (where f.factor = 'dead_click_count'),
      max(f.value) filter (where f.factor = 'drop_off_rate'),
      max(f.value) filter (where f.factor = 'error_rate'),
      max(f.value) filter (where f.factor = 'form_field_count'),
      max(f.value) filter (where f.factor = 'hesitation_ms'),
      max(f.value) filter (where f.factor = 'rage_click_count'),
      max(f.value) filter (where f.factor = 'retry_count'),
      max(f.value) filter (where f.factor = 'scroll_reversal_count'),
      max(f.value) filter (where f.factor = 'sibling_count')
    from factoredui.factors f
    where f.value not in ('NaN', 'Infinity', '-Infinity')
    group by f.user_id, f.path
    order by f.user_id, f.path;
    drop table factoredui.factors;
  end if;
end $$;
drop function if exists factoredui.load_factors_into_empty(timestamptz, double precision);

alter table factoredui.pair_factors enable row level security;
drop policy if exists pair_factors_own_select on factoredui.pair_factors;
create policy pair_factors_own_select on factoredui.pair_factors for select to authenticated
  using (user_id = (select factoredui.uid()));
revoke all on factoredui.pair_factors from public, anon, authenticated;
grant select on factoredui.pair_factors to authenticated;
grant select, insert, update, delete on factoredui.pair_factors to service_role;

-- ---------------------------------------------------------------------------------------------
-- The view: the rows of the old table. Filters on user_id and path reach the table's indexes.
-- ---------------------------------------------------------------------------------------------
create or replace view factoredui.factors with (security_invoker = true) as
select p.user_id, p.path, v.factor, v.value, p.as_of
from factoredui.pair_factors p
cross join lateral unnest(
  '{completion_rate,component_depth,dead_click_count,drop_off_rate,error_rate,form_field_count,hesitation_ms,rage_click_count,retry_count,scroll_reversal_count,sibling_count}'::text[],
  array[p.completion_rate, p.component_depth, p.dead_click_count, p.drop_off_rate, p.error_rate,
    p.form_field_count, p.hesitation_ms, p.rage_click_count, p.retry_count, p.scroll_reversal_count,
    p.sibling_count]::double precision[]) as v (factor, value)
where v.value is not null;
comment on view factoredui.factors is
  'Current factor values, one row per (user, path, factor): a view of factoredui.pair_factors (one row per pair). Writable by the service role through INSTEAD OF triggers.';

revoke all on factoredui.factors from public, anon, authenticated;
grant select on factoredui.factors to authenticated;
grant select, insert, update, delete on factoredui.factors to service_role;

-- Writes through the view, with the old table's constraints: the factor is a column (else
-- 23514, as its CHECK), the value not null (23502) and finite (23514, the domain), one value per
-- (user, path, factor) (23505 on insert). A pair whose last value is deleted is deleted. Runs as
-- the writer: only the owner and the service role may write the view and the table.
create or replace function factoredui.write_factor_value() returns trigger
language plpgsql set search_path = '' as $$
declare
  v_rows integer;
begin
  if tg_op in ('INSERT', 'UPDATE') then
    if new.user_id is null or new.path is null or new.factor is null or new.value is null or new.as_of is null then
      raise exception using errcode = '23502',
        message = 'factoredui.factors: user_id, path, factor, value and as_of are required.';
    end if;
    if not (new.factor = any ('{completion_rate,component_depth,dead_click_count,drop_off_rate,error_rate,form_field_count,hesitation_ms,rage_click_count,retry_count,scroll_reversal_count,sibling_count}'::text[])) then
      raise exception using errcode = '23514',
        message = format('factoredui.factors: "%s" is not a factor of factoredui.factor_catalog.', new.factor);
    end if;
  end if;
  if tg_op = 'UPDATE' and new.user_id = old.user_id and new.path = old.path and new.factor = old.factor then
    execute format('update factoredui.pair_factors p set %1$I = $3, as_of = $4 where p.user_id = $1 and p.path = $2',
      new.factor) using new.user_id, new.path, new.value, new.as_of;
    return new;
  end if;
  if tg_op in ('UPDATE', 'DELETE') then
    execute format('update factoredui.pair_factors p set %1$I = null where p.user_id = $1 and p.path = $2 and p.%1$I is not null',
      old.factor) using old.user_id, old.path;
    get diagnostics v_rows = row_count;
    if v_rows = 0 then
      return null;
    end if;
    delete from factoredui.pair_factors p
    where p.user_id = old.user_id and p.path = old.path
      and num_nonnulls(p.completion_rate, p.component_depth, p.dead_click_count, p.drop_off_rate, p.error_rate,
        p.form_field_count, p.hesitation_ms, p.rage_click_count, p.retry_count, p.scroll_reversal_count,
        p.sibling_count) = 0;
    if tg_op = 'DELETE' then
      return old;
    end if;
  end if;
  execute format('insert into factoredui.pair_factors as p (user_id, path, as_of, %1$I) values ($1, $2, $4, $3)
      on conflict (user_id, path) do update set %1$I = excluded.%1$I, as_of = excluded.as_of where p.%1$I is null',
    new.factor) using new.user_id, new.path, new.value, new.as_of;
  get diagnostics v_rows = row_count;
  if v_rows = 0 then
    raise exception using errcode = '23505',
      message = 'duplicate key value violates unique constraint "factors_pkey"',
      detail = format('Key (user_id, path, factor)=(%s, %s, %s) already exists.', new.user_id, new.path, new.factor);
  end if;
  return new;
end $$;
revoke all on function factoredui.write_factor_value() from public, anon, authenticated;

drop trigger if exists factors_write on factoredui.factors;
create trigger factors_write instead of insert or update or delete on factoredui.factors
  for each row execute function factoredui.write_factor_value();

-- ---------------------------------------------------------------------------------------------
-- Refresh state and notifications: as for the old table (20261128000100, 20260101000600).
-- ---------------------------------------------------------------------------------------------
create or replace function factoredui.forget_factor_refresh() returns trigger
language plpgsql set search_path = '' as $$
begin
  if tg_table_name = 'pair_factors' and tg_op = 'TRUNCATE' then
    delete from factoredui.factor_refresh;
  elsif tg_table_name = 'events' or coalesce(current_setting('factoredui.refreshing', true), '') <> 'on' then
    update factoredui.factor_refresh set exact = false where exact;
  end if;
  return null;
end $$;
revoke all on function factoredui.forget_factor_refresh() from public, anon, authenticated;

drop trigger if exists pair_factors_forget_refresh on factoredui.pair_factors;
create trigger pair_factors_forget_refresh after insert or update or delete on factoredui.pair_factors
  for each statement execute function factoredui.forget_factor_refresh();
drop trigger if exists pair_factors_truncate_refresh on factoredui.pair_factors;
create trigger pair_factors_truncate_refresh after truncate on factoredui.pair_factors
  for each statement execute function factoredui.forget_factor_refresh();
drop trigger if exists pair_factors_notify on factoredui.pair_factors;
create trigger pair_factors_notify after insert or update or delete on factoredui.pair_factors
  for each statement execute function factoredui.notify_change('factors');

do $$
begin
  if exists (select 1 from pg_publication where pubname = 'supabase_realtime')
     and not exists (select 1 from pg_publication_tables where pubname = 'supabase_realtime'
                     and schemaname = 'factoredui' and tablename = 'pair_factors') then
    alter publication supabase_realtime add table factoredui.pair_factors;
  end if;
end $$;

-- ---------------------------------------------------------------------------------------------
-- The factor query's last step: the columns of one pair from its statistics (factor_pairs_sql's
-- columns), the formulas of DESIGN §5 in one place; the values (one row each) unnest them.
-- ---------------------------------------------------------------------------------------------
create or replace function factoredui.factor_columns_sql(pairs text) returns text
language sql immutable parallel safe set search_path = '' as $$
  select format($q$
  select p.user_id, p.path,
    case when p.impression_sessions > 0
      then p.completed_sessions::double precision / p.impression_sessions::double precision end as completion_rate,
    case when p.depth_n > 0 then p.depth_sum / p.depth_n::double precision end as component_depth,
    p.dead::double precision as dead_click_count,
    1 - p.navigation_sessions::double precision / p.sessions::double precision as drop_off_rate,
    p.errors::double precision / p.events::double precision as error_rate,
    case when p.fields_n > 0 then p.fields_sum / p.fields_n::double precision end as form_field_count,
    case when p.hesitation_n > 0
      then p.hesitation_total::double precision / p.hesitation_n::double precision end as hesitation_ms,
    p.rage::double precision as rage_click_count,
    greatest(0, p.clicks - p.click_sessions)::double precision as retry_count,
    p.reversals::double precision as scroll_reversal_count,
    case when p.sibling_n > 0 then p.sibling_sum / p.sibling_n::double precision end as sibling_count
  from %1$s p
  $q$, pairs)
$$;

create or replace function factoredui.factor_expand_sql(pairs text) returns text
language sql immutable parallel safe set search_path = '' as $$
  select format($q$
  select v.user_id, v.path, v.factor, v.value
  from (
    -- Two arrays unnested side by side in the projection (a LATERAL list costs a rescan per pair).
    select c.user_id, c.path,
      unnest('{completion_rate,component_depth,dead_click_count,drop_off_rate,error_rate,form_field_count,hesitation_ms,rage_click_count,retry_count,scroll_reversal_count,sibling_count}'::text[]) as factor,
      unnest(array[c.completion_rate, c.component_depth, c.dead_click_count, c.drop_off_rate, c.error_rate,
        c.form_field_count, c.hesitation_ms, c.rage_click_count, c.retry_count, c.scroll_reversal_count,
        c.sibling_count]) as value
    from (%1$s) c
  ) v
  where v.value is not null
  $q$, factoredui.factor_columns_sql(pairs))
$$;
revoke all on function factoredui.factor_columns_sql(text) from public;
grant execute on function factoredui.factor_columns_sql(text) to anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- refresh_factors: the same signature, result and incremental rules as 20261204000100, one row
-- per pair.
-- ---------------------------------------------------------------------------------------------
create or replace function factoredui.refresh_factors(as_of timestamptz, window_ms double precision default 604800000)
returns jsonb language plpgsql volatile set search_path = '' set work_mem = '64MB' as $$
declare
  v_as_of timestamptz := date_trunc('milliseconds', refresh_factors.as_of);
  v_state factoredui.factor_refresh;
  v_incremental boolean;
  v_affected text[];
  v_pairs integer;
  v_users integer;
  v_values integer;
  v_users_before integer;
begin
  perform factoredui.require_service('recomputeFactors');
  if v_as_of is null then raise exception using errcode = '22023', message = 'asOf is required.'; end if;
  perform factoredui.check_window(window_ms);
  -- One refresh at a time; readers keep seeing the previous values until commit.
  lock table factoredui.pair_factors in share row exclusive mode;
  perform set_config('factoredui.refreshing', 'on', true);
  select * into v_state from factoredui.factor_refresh;
  v_incremental := found and v_state.exact and v_state.window_ms = refresh_factors.window_ms
    and v_as_of >= v_state.as_of;

  create temp table factoredui_refresh_pairs (user_id text, path text) on commit drop;
  if v_incremental then
    -- Consume the dirty pairs this snapshot sees (later commits keep theirs for next time).
    with consumed as (delete from factoredui.factor_dirty returning user_id, path)
    insert into pg_temp.factoredui_refresh_pairs select distinct c.user_id, c.path from consumed c;
    -- Pairs with events entering or leaving the window as it moves from the last as_of.
    insert into pg_temp.factoredui_refresh_pairs
    select distinct e.user_id, e.path from factoredui.events e
    where (e.created_at > v_state.as_of - v_state.window_ms * interval '1 millisecond'
           and e.created_at <= v_as_of - refresh_factors.window_ms * interval '1 millisecond')
       or (e.created_at > v_state.as_of and e.created_at <= v_as_of)
    except select p.user_id, p.path from pg_temp.factoredui_refresh_pairs p;
    analyze pg_temp.factoredui_refresh_pairs;
    select count(*) into v_pairs from (select distinct p.user_id, p.path from pg_temp.factoredui_refresh_pairs p) d;
    -- Recomputing a large share of the pairs costs more than one full pass.
    v_incremental := v_pairs * 40 <= v_state."values";
  else
    -- A full refresh recomputes every pair: the dirty pairs this snapshot sees are consumed.
    delete from factoredui.factor_dirty;
  end if;

  if v_incremental then
    -- The affected users as an array: the lookups below use the (user_id, ...) indexes.
    v_affected := array(select distinct p.user_id from pg_temp.factoredui_refresh_pairs p);
    create temp table factoredui_refresh_events on commit drop as
    select e.* from factoredui.events e
    where e.user_id = any (v_affected)
      and e.created_at > v_as_of - refresh_factors.window_ms * interval '1 millisecond' and e.created_at <= v_as_of
      and (e.user_id, e.path) in (select p.user_id, p.path from pg_temp.factoredui_refresh_pairs p);
    analyze pg_temp.factoredui_refresh_events;
    execute format('create temp table factoredui_refresh_next on commit drop as %s',
      factoredui.factor_columns_sql('(' || factoredui.factor_pairs_sql('pg_temp.factoredui_refresh_events') || ')'))
      using v_as_of, refresh_factors.window_ms;
    drop table pg_temp.factoredui_refresh_events;
    select count(*) into v_users_before from unnest(v_affected) u(user_id)
    where exists (select 1 from factoredui.pair_factors f where f.user_id = u.user_id);
    -- The current rows of those pairs (a view: read once, by the join below).
    create temp view factoredui_refresh_current as
    select f.ctid as row_id, f.* from factoredui.pair_factors f
    where (f.user_id, f.path) in (select p.user_id, p.path from pg_temp.factoredui_refresh_pairs p);
  else
    -- CREATE TABLE AS runs the query with parallel workers (an INSERT ... SELECT never does).
    execute format('create temp table factoredui_refresh_next on commit drop as %s',
      factoredui.factor_columns_sql('(' || factoredui.factor_pairs_sql('factoredui.events') || ')'))
      using v_as_of, refresh_factors.window_ms;
    select count(distinct n.user_id), coalesce(sum(num_nonnulls(n.completion_rate, n.component_depth,
        n.dead_click_count, n.drop_off_rate, n.error_rate, n.form_field_count, n.hesitation_ms,
        n.rage_click_count, n.retry_count, n.scroll_reversal_count, n.sibling_count)), 0), count(*)
      into v_users, v_values, v_pairs
    from pg_temp.factoredui_refresh_next n;
    create temp view factoredui_refresh_current as
    select f.ctid as row_id, f.* from factoredui.pair_factors f;
  end if;

  -- The pairs that changed (read before any write below: the view sees the rows as they were):
  -- gone, new, or with a value that differs (or written for a later
  -- as_of, when a refresh goes back in time). Unchanged pairs are not written at all.
  create temp table factoredui_refresh_changes on commit drop as
  select coalesce(n.user_id, f.user_id) as user_id, coalesce(n.path, f.path) as path,
    n.completion_rate, n.component_depth, n.dead_click_count, n.drop_off_rate, n.error_rate,
    n.form_field_count, n.hesitation_ms, n.rage_click_count, n.retry_count, n.scroll_reversal_count,
    n.sibling_count, n.user_id is null as gone, f.user_id is null as added, f.row_id,
    num_nonnulls(n.completion_rate, n.component_depth, n.dead_click_count, n.drop_off_rate, n.error_rate,
      n.form_field_count, n.hesitation_ms, n.rage_click_count, n.retry_count, n.scroll_reversal_count,
      n.sibling_count)
    - num_nonnulls(f.completion_rate, f.component_depth, f.dead_click_count, f.drop_off_rate, f.error_rate,
      f.form_field_count, f.hesitation_ms, f.rage_click_count, f.retry_count, f.scroll_reversal_count,
      f.sibling_count) as value_change
  from pg_temp.factoredui_refresh_next n
  full join pg_temp.factoredui_refresh_current f on f.user_id = n.user_id and f.path = n.path
  where f.user_id is null or n.user_id is null or f.as_of > v_as_of
    or (n.completion_rate, n.component_depth, n.dead_click_count, n.drop_off_rate, n.error_rate,
        n.form_field_count, n.hesitation_ms, n.rage_click_count, n.retry_count, n.scroll_reversal_count,
        n.sibling_count)
       is distinct from
       (f.completion_rate, f.component_depth, f.dead_click_count, f.drop_off_rate, f.error_rate,
        f.form_field_count, f.hesitation_ms, f.rage_click_count, f.retry_count, f.scroll_reversal_count,
        f.sibling_count);

  -- Apply: delete the pairs that left, update those that differ (in place: no indexed column
  -- changes), insert the new ones in key order. Existing rows are found by the ctid read above:
  -- nobody else writes them meanwhile (the lock), and deleting or updating a row never moves
  -- another.
  delete from factoredui.pair_factors f using pg_temp.factoredui_refresh_changes c
  where c.gone and f.ctid = c.row_id;
  update factoredui.pair_factors f set as_of = v_as_of, completion_rate = c.completion_rate,
    component_depth = c.component_depth, dead_click_count = c.dead_click_count, drop_off_rate = c.drop_off_rate,
    error_rate = c.error_rate, form_field_count = c.form_field_count, hesitation_ms = c.hesitation_ms,
    rage_click_count = c.rage_click_count, retry_count = c.retry_count,
    scroll_reversal_count = c.scroll_reversal_count, sibling_count = c.sibling_count
  from pg_temp.factoredui_refresh_changes c
  where not c.gone and not c.added and f.ctid = c.row_id;
  insert into factoredui.pair_factors (user_id, path, as_of, completion_rate, component_depth,
    dead_click_count, drop_off_rate, error_rate, form_field_count, hesitation_ms, rage_click_count,
    retry_count, scroll_reversal_count, sibling_count)
  select c.user_id, c.path, v_as_of, c.completion_rate, c.component_depth, c.dead_click_count,
    c.drop_off_rate, c.error_rate, c.form_field_count, c.hesitation_ms, c.rage_click_count, c.retry_count,
    c.scroll_reversal_count, c.sibling_count
  from pg_temp.factoredui_refresh_changes c
  where c.added
  order by c.user_id, c.path;

  if v_incremental then
    v_values := v_state."values" + (select coalesce(sum(c.value_change), 0) from pg_temp.factoredui_refresh_changes c);
    select v_state.users - v_users_before + count(*) into v_users from unnest(v_affected) u(user_id)
    where exists (select 1 from factoredui.pair_factors f where f.user_id = u.user_id);
  end if;

  insert into factoredui.factor_refresh (id, as_of, window_ms, exact, users, "values", mode, pairs, refreshed_at)
  values (true, v_as_of, refresh_factors.window_ms, true, v_users, v_values,
          case when v_incremental then 'incremental' else 'full' end, v_pairs, now())
  on conflict (id) do update set as_of = excluded.as_of, window_ms = excluded.window_ms, exact = true,
    users = excluded.users, "values" = excluded."values", mode = excluded.mode, pairs = excluded.pairs,
    refreshed_at = excluded.refreshed_at;
  drop view pg_temp.factoredui_refresh_current;
  drop table pg_temp.factoredui_refresh_pairs, pg_temp.factoredui_refresh_next,
    pg_temp.factoredui_refresh_changes;
  perform set_config('factoredui.refreshing', '', true);
  return jsonb_build_object('users', v_users, 'values', v_values);
end $$;

-- ---------------------------------------------------------------------------------------------
-- Aggregates in a fixed order. avg and stddev_samp of doubles depend, in their last bits, on the
-- order rows arrive in, which is the plan's: a hash aggregation reads them in scan order, a sort
-- reorders the rows of a group arbitrarily. Through the view the live and the released
-- aggregates got different plans and differed in the last digit of a stddev (the conformance
-- suite's "released = live" check failed in some runs on PostgreSQL 15). Both now fold the values
-- in user order: the same numbers from any plan. As 20261128000100 otherwise.
-- ---------------------------------------------------------------------------------------------
create or replace function factoredui.live_component_aggregates(query jsonb default '{}') returns jsonb
language plpgsql stable set search_path = '' as $$
declare
  v_path text := factoredui.arg_path(query);
  v_factors text[] := factoredui.arg_factors(query);
  v_refreshed timestamptz := (select r.as_of from factoredui.factor_refresh r);
  v_result jsonb;
begin
  select coalesce(jsonb_agg(jsonb_build_object(
      'path', a.path, 'factor', a.factor, 'userCount', a.user_count, 'mean', a.mean, 'median', a.median,
      'p95', a.p95, 'min', a.min, 'max', a.max, 'stddev', a.stddev, 'asOf', factoredui.iso(greatest(a.as_of, v_refreshed)))
    order by a.path collate "C", a.ordinal), '[]')
  into v_result
  from (
    select f.path, f.factor, c.ordinal,
      count(distinct f.user_id) as user_count,
      avg(f.value order by f.user_id) as mean,
      percentile_cont(0.5) within group (order by f.value) as median,
      percentile_cont(0.95) within group (order by f.value) as p95,
      min(f.value) as min, max(f.value) as max,
      stddev_samp(f.value order by f.user_id) as stddev,
      max(f.as_of) as as_of
    from factoredui.factors f join factoredui.factor_catalog c on c.name = f.factor
    where (v_path is null or f.path = v_path)
      and (v_factors is null or f.factor = any (v_factors))
    group by f.path, f.factor, c.ordinal
    having count(distinct f.user_id) >= 5
  ) a;
  return v_result;
end $$;

create or replace function factoredui.release_component_aggregates(at timestamptz) returns integer
language plpgsql volatile set search_path = '' as $$
declare
  v_previous jsonb;
  v_group record;
  v_aggregate jsonb;
  v_out jsonb := '[]';
begin
  perform factoredui.require_service('releaseStatistics');
  if exists (select 1 from factoredui.aggregate_releases r where r.released_at = release_component_aggregates.at) then
    return 0;
  end if;
  select r.aggregates into v_previous from factoredui.aggregate_releases r
  where r.released_at < release_component_aggregates.at order by r.released_at desc limit 1;
  for v_group in
    select f.path, f.factor, c.ordinal,
      array_agg(f.user_id order by f.user_id) as members,
      array_agg(f.user_id || chr(31) || f.value::text order by f.user_id) as contributions,
      count(distinct f.user_id) as user_count,
      avg(f.value order by f.user_id) as mean,
      percentile_cont(0.5) within group (order by f.value) as median,
      percentile_cont(0.95) within group (order by f.value) as p95,
      min(f.value) as min, max(f.value) as max,
      stddev_samp(f.value order by f.user_id) as stddev,
      max(f.as_of) as as_of
    from factoredui.factors f join factoredui.factor_catalog c on c.name = f.factor
    group by f.path, f.factor, c.ordinal
    order by f.path collate "C", c.ordinal
  loop
    if v_group.user_count >= 5 and not exists (
      select 1 from factoredui.aggregate_release_cohorts h
      where h.path = v_group.path and h.factor = v_group.factor
        and (factoredui.set_difference_size(h.members, v_group.members) between 1 and 4
          or factoredui.changed_users(h.contributions, v_group.contributions) between 1 and 4)) then
      insert into factoredui.aggregate_release_cohorts (path, factor, released_at, members, contributions)
      values (v_group.path, v_group.factor, release_component_aggregates.at, v_group.members, v_group.contributions);
      v_aggregate := jsonb_build_object('path', v_group.path, 'factor', v_group.factor,
        'userCount', v_group.user_count, 'mean', v_group.mean, 'median', v_group.median, 'p95', v_group.p95,
        'min', v_group.min, 'max', v_group.max, 'stddev', coalesce(v_group.stddev, 0),
        'asOf', factoredui.iso(greatest(v_group.as_of, (select r.as_of from factoredui.factor_refresh r))));
    else
      v_aggregate := (select p from jsonb_array_elements(coalesce(v_previous, '[]')) p
        where p ->> 'path' = v_group.path and p ->> 'factor' = v_group.factor);
    end if;
    if v_aggregate is not null then
      v_out := v_out || jsonb_build_array(v_aggregate);
    end if;
  end loop;
  insert into factoredui.aggregate_releases (released_at, aggregates) values (release_component_aggregates.at, v_out);
  return jsonb_array_length(v_out);
end $$;
