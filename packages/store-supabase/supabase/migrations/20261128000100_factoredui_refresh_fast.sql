-- FactoredUI store: a set-based, incremental factor refresh (issue #18).
--
-- Before, refresh_factors deleted every current value and re-inserted all of them, row by row
-- (two indexes maintained per row, a foreign-key check per row, every row dead afterwards),
-- and its query materialized the windowed events (with their jsonb payloads) twice and
-- restarted the hesitation window frame at every row. Now:
--   * one query text (factor_values_sql) computes the factors of DESIGN §5 from any source of
--     events: three hash aggregations and one narrow sort, the hesitation frame a running
--     minimum (newest first, ending 1 microsecond after the current row: "strictly later");
--   * a refresh writes only what changed (values that differ, pairs that appeared or left),
--     so a refresh that changes little writes little and leaves few dead rows;
--   * an incremental refresh recomputes only the (user, path) pairs whose results can have
--     changed: pairs that received (or lost) events since the last refresh, recorded per
--     statement by triggers on events, and pairs with events entering or leaving the window
--     when as_of moves forward;
--   * the factor name is checked by a CHECK constraint instead of a per-row foreign key.
--
-- The as_of of the current values lives in factoredui.factor_refresh: a value the refresh did
-- not need to rewrite is still valid as of the latest refresh, so readers report
-- greatest(row as_of, refresh as_of). Results (user, path, factor, value) are identical to a
-- full recomputation; the tests compare both, and both against the reference engine.

-- ---------------------------------------------------------------------------------------------
-- The factor query, once. $1 = as_of, $2 = window_ms; %1$s = the relation holding the events
-- (factoredui.events, or a temporary table of the events of some pairs).
-- ---------------------------------------------------------------------------------------------
create or replace function factoredui.factor_values_sql(source text) returns text
language sql immutable parallel safe set search_path = '' as $$
  select format($q$
  with counts as (
    select e.user_id collate "C" as user_id, e.path collate "C" as path,
      count(*) as events,
      count(*) filter (where e.type = 'error') as errors,
      count(*) filter (where e.type in ('click', 'submit')) as clicks,
      count(*) filter (where e.type = 'rage_click') as rage,
      count(*) filter (where e.type = 'dead_click') as dead,
      count(*) filter (where e.type = 'scroll_reversal') as reversals,
      sum((e.payload ->> 'component_depth')::double precision)
        filter (where e.type = 'impression' and jsonb_typeof(e.payload -> 'component_depth') = 'number') as depth_sum,
      count(*) filter (where e.type = 'impression' and jsonb_typeof(e.payload -> 'component_depth') = 'number') as depth_n,
      sum((e.payload ->> 'sibling_count')::double precision)
        filter (where e.type = 'impression' and jsonb_typeof(e.payload -> 'sibling_count') = 'number') as sibling_sum,
      count(*) filter (where e.type = 'impression' and jsonb_typeof(e.payload -> 'sibling_count') = 'number') as sibling_n,
      sum((e.payload ->> 'form_field_count')::double precision)
        filter (where e.type = 'impression' and jsonb_typeof(e.payload -> 'form_field_count') = 'number') as fields_sum,
      count(*) filter (where e.type = 'impression' and jsonb_typeof(e.payload -> 'form_field_count') = 'number') as fields_n
    from %1$s e
    where e.created_at > $1 - $2 * interval '1 millisecond' and e.created_at <= $1
    group by 1, 2
  ),
  -- One bit set per session: 1 impression, 2 navigation, 4 navigation with action "complete",
  -- 8 click or submit.
  sessions as (
    select f.user_id, f.path,
      count(*) as sessions,
      count(*) filter (where f.flags & 1 = 1) as impression_sessions,
      count(*) filter (where f.flags & 5 = 5) as completed_sessions,
      count(*) filter (where f.flags & 2 = 2) as navigation_sessions,
      count(*) filter (where f.flags & 8 = 8) as click_sessions
    from (
      select e.user_id collate "C" as user_id, e.path collate "C" as path,
        bit_or(case e.type when 'impression' then 1
          when 'navigation' then case when e.payload -> 'action' = '"complete"'::jsonb then 6 else 2 end
          when 'click' then 8 when 'submit' then 8 else 0 end) as flags
      from %1$s e
      where e.created_at > $1 - $2 * interval '1 millisecond' and e.created_at <= $1
      group by 1, 2, e.session_id
    ) f
    group by 1, 2
  ),
  -- For each impression, the first strictly later click/input/scroll/submit of its (user,
  -- path, session): newest first, a running minimum over the rows at least 1 microsecond
  -- later (timestamptz resolution), so no frame restarts per row.
  hesitation as (
    select g.user_id, g.path, sum(g.ms) as total, count(g.ms) as n
    from (
      select a.user_id collate "C" as user_id, a.path collate "C" as path, a.type,
        extract(epoch from (min(a.created_at) filter (where a.type <> 'impression') over (
          partition by a.user_id collate "C", a.path collate "C", a.session_id order by a.created_at desc
          range between unbounded preceding and '1 microsecond'::interval preceding) - a.created_at)) * 1000 as ms
      from %1$s a
      where a.created_at > $1 - $2 * interval '1 millisecond' and a.created_at <= $1
        and a.type in ('impression', 'click', 'input', 'scroll', 'submit')
    ) g
    where g.type = 'impression'
    group by 1, 2
  )
  select p.user_id collate "default" as user_id, p.path collate "default" as path, v.factor, v.value
  from counts p
  join sessions s on s.user_id = p.user_id and s.path = p.path
  left join hesitation h on h.user_id = p.user_id and h.path = p.path
  cross join lateral (values
    ('completion_rate', case when s.impression_sessions > 0
       then s.completed_sessions::double precision / s.impression_sessions::double precision end),
    ('drop_off_rate', 1 - s.navigation_sessions::double precision / s.sessions::double precision),
    ('error_rate', p.errors::double precision / p.events::double precision),
    ('retry_count', greatest(0, p.clicks - s.click_sessions)::double precision),
    ('rage_click_count', p.rage::double precision),
    ('dead_click_count', p.dead::double precision),
    ('scroll_reversal_count', p.reversals::double precision),
    ('hesitation_ms', case when h.n > 0 then h.total::double precision / h.n::double precision end),
    ('component_depth', case when p.depth_n > 0 then p.depth_sum / p.depth_n::double precision end),
    ('sibling_count', case when p.sibling_n > 0 then p.sibling_sum / p.sibling_n::double precision end),
    ('form_field_count', case when p.fields_n > 0 then p.fields_sum / p.fields_n::double precision end)
  ) as v(factor, value)
  where v.value is not null
  $q$, source)
$$;
revoke all on function factoredui.factor_values_sql(text) from public, anon, authenticated;

-- Same signature and results as before; the query is factor_values_sql over all events.
create or replace function factoredui.compute_factors(as_of timestamptz, window_ms double precision)
returns table (user_id text, path text, factor text, value double precision)
language plpgsql stable parallel safe set search_path = '' as $$
begin
  return query execute factoredui.factor_values_sql('factoredui.events') using as_of, window_ms;
end $$;

-- ---------------------------------------------------------------------------------------------
-- The factor name: a CHECK (no per-row lookup) instead of the foreign key. The list is the
-- factor catalog (a test keeps both equal to FACTOR_CATALOG of @factoredui/core).
-- ---------------------------------------------------------------------------------------------
-- (factoredui.factors while it is a table: a view of pair_factors since 20261205000100.)
do $$
begin
  if (select c.relkind from pg_class c where c.oid = to_regclass('factoredui.factors')) = 'r' then
    alter table factoredui.factors drop constraint if exists factors_factor_fkey;
    alter table factoredui.factors drop constraint if exists factors_factor_check;
    -- Room on each page for the new version of an updated value: a refresh updates values in
    -- place, and with free space on the page PostgreSQL does so without touching the indexes (HOT).
    alter table factoredui.factors set (fillfactor = 70);
    alter table factoredui.factors add constraint factors_factor_check check (factor in ('completion_rate',
      'drop_off_rate', 'error_rate', 'retry_count', 'rage_click_count', 'dead_click_count', 'scroll_reversal_count',
      'hesitation_ms', 'component_depth', 'sibling_count', 'form_field_count'));
  end if;
end $$;

-- ---------------------------------------------------------------------------------------------
-- Refresh state: the as_of and window of the current values, and whether the table holds
-- exactly what the last refresh computed (a write by anything else clears `exact`, so the next
-- refresh is a full one).
-- ---------------------------------------------------------------------------------------------
create table if not exists factoredui.factor_refresh (
  id boolean primary key default true check (id),
  as_of timestamptz not null,
  window_ms double precision not null,
  exact boolean not null,
  users integer not null,
  "values" integer not null,
  -- What the last refresh did: 'full' or 'incremental', and how many pairs it recomputed.
  mode text not null check (mode in ('full', 'incremental')),
  pairs integer not null,
  refreshed_at timestamptz not null default now()
);
alter table factoredui.factor_refresh enable row level security;
drop policy if exists factor_refresh_read on factoredui.factor_refresh;
-- The as_of of everyone's current values (no personal data): get_factors reports it.
create policy factor_refresh_read on factoredui.factor_refresh for select to authenticated using (true);
revoke all on factoredui.factor_refresh from public, anon, authenticated;
grant select on factoredui.factor_refresh to authenticated;
grant select, insert, update, delete on factoredui.factor_refresh to service_role;

-- Pairs whose events changed since the last refresh: one row per (statement, pair), never
-- updated (no unique index, so concurrent writers never wait for each other here). A refresh
-- deletes exactly the rows its snapshot saw; rows of transactions that commit later stay for
-- the next refresh.
create table if not exists factoredui.factor_dirty (
  user_id text not null,
  path text not null
);
alter table factoredui.factor_dirty enable row level security;
revoke all on factoredui.factor_dirty from public, anon, authenticated;
grant select, insert, delete on factoredui.factor_dirty to service_role;

-- Statement triggers on events: the distinct pairs of the rows inserted or deleted. SECURITY
-- DEFINER because users insert events but may not touch factor_dirty; it writes only the
-- (user, path) of rows the statement itself wrote, and cannot be called directly.
create or replace function factoredui.mark_factor_pairs() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if tg_op = 'INSERT' then
    insert into factoredui.factor_dirty (user_id, path) select distinct n.user_id, n.path from new_events n;
  else
    insert into factoredui.factor_dirty (user_id, path) select distinct o.user_id, o.path from old_events o;
  end if;
  return null;
end $$;
revoke all on function factoredui.mark_factor_pairs() from public, anon, authenticated;

drop trigger if exists events_factor_pairs_insert on factoredui.events;
create trigger events_factor_pairs_insert after insert on factoredui.events
  referencing new table as new_events for each statement execute function factoredui.mark_factor_pairs();
drop trigger if exists events_factor_pairs_delete on factoredui.events;
create trigger events_factor_pairs_delete after delete on factoredui.events
  referencing old table as old_events for each statement execute function factoredui.mark_factor_pairs();

-- Writes to factors by anything but refresh_factors, and TRUNCATE of events, make the next
-- refresh a full one (the dirty pairs cannot describe them); TRUNCATE of factors forgets the
-- state altogether. Runs as the writer, who is the owner or the service role (nobody else may
-- write these tables).
create or replace function factoredui.forget_factor_refresh() returns trigger
language plpgsql set search_path = '' as $$
begin
  if tg_table_name = 'factors' and tg_op = 'TRUNCATE' then
    delete from factoredui.factor_refresh;
  elsif tg_table_name = 'events' or coalesce(current_setting('factoredui.refreshing', true), '') <> 'on' then
    update factoredui.factor_refresh set exact = false where exact;
  end if;
  return null;
end $$;
revoke all on function factoredui.forget_factor_refresh() from public, anon, authenticated;

do $$
begin
  if (select c.relkind from pg_class c where c.oid = to_regclass('factoredui.factors')) = 'r' then
    drop trigger if exists factors_forget_refresh on factoredui.factors;
    create trigger factors_forget_refresh after insert or update or delete on factoredui.factors
      for each statement execute function factoredui.forget_factor_refresh();
    drop trigger if exists factors_truncate_refresh on factoredui.factors;
    create trigger factors_truncate_refresh after truncate on factoredui.factors
      for each statement execute function factoredui.forget_factor_refresh();
  end if;
end $$;
drop trigger if exists events_truncate_refresh on factoredui.events;
create trigger events_truncate_refresh after truncate on factoredui.events
  for each statement execute function factoredui.forget_factor_refresh();

-- ---------------------------------------------------------------------------------------------
-- refresh_factors: same signature and result ({users, values}); incremental when it can be.
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
  v_added integer;
  v_gone integer;
  v_users_before integer;
begin
  perform factoredui.require_service('recomputeFactors');
  if v_as_of is null then raise exception using errcode = '22023', message = 'asOf is required.'; end if;
  perform factoredui.check_window(window_ms);
  -- One refresh at a time; readers keep seeing the previous values until commit.
  lock table factoredui.factors in share row exclusive mode;
  perform set_config('factoredui.refreshing', 'on', true);
  select * into v_state from factoredui.factor_refresh;
  v_incremental := found and v_state.exact and v_state.window_ms = refresh_factors.window_ms
    and v_as_of >= v_state.as_of;

  -- Temporary tables, dropped at the end (or with the transaction when it fails).
  create temp table factoredui_refresh_pairs (user_id text, path text) on commit drop;
  -- Consume the dirty pairs this snapshot sees (later commits keep theirs for next time).
  with consumed as (delete from factoredui.factor_dirty returning user_id, path)
  insert into pg_temp.factoredui_refresh_pairs select distinct c.user_id, c.path from consumed c;

  if v_incremental then
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
      factoredui.factor_values_sql('pg_temp.factoredui_refresh_events')) using v_as_of, refresh_factors.window_ms;
    drop table pg_temp.factoredui_refresh_events;
    select count(*) into v_users_before from unnest(v_affected) u(user_id)
    where exists (select 1 from factoredui.factors f where f.user_id = u.user_id);
    -- The current values of the affected pairs against their new values.
    create temp table factoredui_refresh_changes on commit drop as
    select coalesce(n.user_id, f.user_id) as user_id, coalesce(n.path, f.path) as path,
      coalesce(n.factor, f.factor) as factor, n.value, n.user_id is null as gone, f.user_id is null as added,
      f.ctid as row_id
    from pg_temp.factoredui_refresh_next n
    full join (select f.ctid, f.* from factoredui.factors f
               where f.user_id = any (v_affected)
                 and (f.user_id, f.path) in (select p.user_id, p.path from pg_temp.factoredui_refresh_pairs p)) f
      on f.user_id = n.user_id and f.path = n.path and f.factor = n.factor
    where f.user_id is null or n.user_id is null or f.value <> n.value or f.as_of > v_as_of;
  else
    execute format('create temp table factoredui_refresh_next on commit drop as %s',
      factoredui.factor_values_sql('factoredui.events')) using v_as_of, refresh_factors.window_ms;
    -- Counts by hashing (a count(distinct) would sort every value).
    select count(*), coalesce(sum(u.n), 0) into v_users, v_values
    from (select count(*) as n from pg_temp.factoredui_refresh_next n group by n.user_id) u;
    select count(*) into v_pairs from (select 1 from pg_temp.factoredui_refresh_next n group by n.user_id, n.path) d;
    if not exists (select 1 from factoredui.factors) then
      -- Nothing to compare with: everything is new.
      create temp table factoredui_refresh_changes (user_id text, path text, factor text, value double precision,
        gone boolean, added boolean, row_id tid) on commit drop;
      insert into factoredui.factors (user_id, path, factor, value, as_of)
      select n.user_id, n.path, n.factor, n.value, v_as_of from pg_temp.factoredui_refresh_next n
      order by n.user_id, n.path, n.factor;
    else
      -- Only what changed, found with one join: values that left, and values that are new or
      -- differ (or were written for a later as_of, when a refresh goes back in time). Deleting
      -- and re-inserting every row instead costs a unique check against each dead duplicate.
      create temp table factoredui_refresh_changes on commit drop as
      select coalesce(n.user_id, f.user_id) as user_id, coalesce(n.path, f.path) as path,
        coalesce(n.factor, f.factor) as factor, n.value, n.user_id is null as gone, f.user_id is null as added,
      f.ctid as row_id
      from pg_temp.factoredui_refresh_next n
      full join factoredui.factors f on f.user_id = n.user_id and f.path = n.path and f.factor = n.factor
      where f.user_id is null or n.user_id is null or f.value <> n.value or f.as_of > v_as_of;
    end if;
  end if;
  analyze pg_temp.factoredui_refresh_changes;

  -- Apply the changes: delete what left, update what differs (in place: no indexed column
  -- changes), insert what is new, in key order. Existing rows are found by the ctid the join
  -- saw: nobody else writes factors meanwhile (the lock above), and deleting or updating a row
  -- never moves another.
  delete from factoredui.factors f using pg_temp.factoredui_refresh_changes c
  where c.gone and f.ctid = c.row_id;
  update factoredui.factors f set value = c.value, as_of = v_as_of
  from pg_temp.factoredui_refresh_changes c
  where not c.gone and not c.added and f.ctid = c.row_id;
  insert into factoredui.factors (user_id, path, factor, value, as_of)
  select c.user_id, c.path, c.factor, c.value, v_as_of from pg_temp.factoredui_refresh_changes c
  where c.added
  order by c.user_id, c.path, c.factor;

  if v_incremental then
    select count(*) filter (where c.added), count(*) filter (where c.gone) into v_added, v_gone
    from pg_temp.factoredui_refresh_changes c;
    v_values := v_state."values" + v_added - v_gone;
    select v_state.users - v_users_before + count(*) into v_users from unnest(v_affected) u(user_id)
    where exists (select 1 from factoredui.factors f where f.user_id = u.user_id);
  end if;

  insert into factoredui.factor_refresh (id, as_of, window_ms, exact, users, "values", mode, pairs, refreshed_at)
  values (true, v_as_of, refresh_factors.window_ms, true, v_users, v_values,
          case when v_incremental then 'incremental' else 'full' end, v_pairs, now())
  on conflict (id) do update set as_of = excluded.as_of, window_ms = excluded.window_ms, exact = true,
    users = excluded.users, "values" = excluded."values", mode = excluded.mode, pairs = excluded.pairs,
    refreshed_at = excluded.refreshed_at;
  drop table pg_temp.factoredui_refresh_pairs, pg_temp.factoredui_refresh_next, pg_temp.factoredui_refresh_changes;
  perform set_config('factoredui.refreshing', '', true);
  return jsonb_build_object('users', v_users, 'values', v_values);
end $$;

-- ---------------------------------------------------------------------------------------------
-- Readers: a value is valid as of the latest refresh (rows it did not need to rewrite keep
-- the as_of they were written with).
-- ---------------------------------------------------------------------------------------------
create or replace function factoredui.get_factors(query jsonb default '{}') returns jsonb
language plpgsql stable set search_path = '' as $$
declare
  v_user text := factoredui.arg_text(query, 'userId');
  v_path text := factoredui.arg_path(query);
  v_factors text[] := factoredui.arg_factors(query);
  v_refreshed timestamptz := (select r.as_of from factoredui.factor_refresh r);
  v_result jsonb;
begin
  select coalesce(jsonb_agg(factoredui.factor_value_json(f.user_id, f.path, f.factor, f.value, greatest(f.as_of, v_refreshed))
           order by f.user_id collate "C", f.path collate "C", c.ordinal), '[]')
  into v_result
  from factoredui.factors f join factoredui.factor_catalog c on c.name = f.factor
  where (v_user is null or f.user_id = v_user)
    and (v_path is null or f.path = v_path)
    and (v_factors is null or f.factor = any (v_factors));
  return v_result;
end $$;

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
      avg(f.value) as mean,
      percentile_cont(0.5) within group (order by f.value) as median,
      percentile_cont(0.95) within group (order by f.value) as p95,
      min(f.value) as min, max(f.value) as max,
      stddev_samp(f.value) as stddev,
      max(f.as_of) as as_of
    from factoredui.factors f join factoredui.factor_catalog c on c.name = f.factor
    where (v_path is null or f.path = v_path)
      and (v_factors is null or f.factor = any (v_factors))
    group by f.path, f.factor, c.ordinal
    having count(distinct f.user_id) >= 5
  ) a;
  return v_result;
end $$;

-- The aggregate release, unchanged but for its asOf (see above).
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
      avg(f.value) as mean,
      percentile_cont(0.5) within group (order by f.value) as median,
      percentile_cont(0.95) within group (order by f.value) as p95,
      min(f.value) as min, max(f.value) as max,
      stddev_samp(f.value) as stddev,
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

-- compute_factors stays callable by every API role (row-level security applies to the events it
-- reads); the query text it runs is a pure function of its argument.
grant execute on function factoredui.factor_values_sql(text) to anon, authenticated, service_role;
