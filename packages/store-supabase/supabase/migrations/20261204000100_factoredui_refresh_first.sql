-- FactoredUI store: the first refresh, 4× faster (issue #18).
--
-- Measured on PostgreSQL 15 (auto_explain, 1M realistic events into an empty factor table),
-- the first refresh spent 60% of its time inserting 1.6M values into a table whose two
-- text-keyed indexes were maintained row by row (the (path, factor) index in random order, with
-- the buffer cache thrashing), and most of the rest in the factor query, which read the window
-- twice with hash aggregations (per pair, and per (pair, session)). Now:
--
--   * the factor query reads the window once for counts and sessions: one aggregation per
--     (pair, session), summed per pair (the hesitation sort is unchanged). Same results. Its
--     text is now two halves, factor_pairs_sql (one row of statistics per pair) and
--     factor_expand_sql (the values of a relation of such rows); factor_values_sql is both;
--   * a refresh into an empty factor table (the first one, or after a TRUNCATE) loads the
--     values into the bare table and builds its two indexes afterwards, in one sort each, in
--     the same transaction: load_factors_into_empty, a SECURITY DEFINER function (dropping
--     and re-creating an index needs the table owner, which the service role is not). It
--     re-checks its caller (the service role, by invoker_kind()), does nothing unless the
--     table is empty under an exclusive lock, and re-creates exactly the indexes it dropped
--     (same names and definitions) before it returns, so no commit can see the table without
--     them: a failure anywhere rolls the DROP back with everything else. The statistics go
--     to a temporary table first (CREATE TABLE AS is planned with parallel workers, an INSERT
--     never is), one row per pair, and the values are inserted from it in key order;
--   * a full refresh no longer copies the consumed dirty pairs (it recomputes every pair
--     anyway), and counts users, pairs and values in one pass.

-- ---------------------------------------------------------------------------------------------
-- The factor query: counts and sessions in one aggregation per (user, path, session).
-- ---------------------------------------------------------------------------------------------
create or replace function factoredui.factor_pairs_sql(source text) returns text
language sql immutable parallel safe set search_path = '' as $$
  select format($q$
  with per_session as (
    -- One row per (user, path, session) of the window. Flags: 1 impression, 2 navigation,
    -- 4 navigation with action "complete", 8 click or submit.
    select e.user_id collate "C" as user_id, e.path collate "C" as path,
      count(*)::integer as events,
      (count(*) filter (where e.type = 'error'))::integer as errors,
      (count(*) filter (where e.type in ('click', 'submit')))::integer as clicks,
      (count(*) filter (where e.type = 'rage_click'))::integer as rage,
      (count(*) filter (where e.type = 'dead_click'))::integer as dead,
      (count(*) filter (where e.type = 'scroll_reversal'))::integer as reversals,
      sum((e.payload ->> 'component_depth')::double precision)
        filter (where e.type = 'impression' and jsonb_typeof(e.payload -> 'component_depth') = 'number') as depth_sum,
      (count(*) filter (where e.type = 'impression' and jsonb_typeof(e.payload -> 'component_depth') = 'number'))::integer as depth_n,
      sum((e.payload ->> 'sibling_count')::double precision)
        filter (where e.type = 'impression' and jsonb_typeof(e.payload -> 'sibling_count') = 'number') as sibling_sum,
      (count(*) filter (where e.type = 'impression' and jsonb_typeof(e.payload -> 'sibling_count') = 'number'))::integer as sibling_n,
      sum((e.payload ->> 'form_field_count')::double precision)
        filter (where e.type = 'impression' and jsonb_typeof(e.payload -> 'form_field_count') = 'number') as fields_sum,
      (count(*) filter (where e.type = 'impression' and jsonb_typeof(e.payload -> 'form_field_count') = 'number'))::integer as fields_n,
      bit_or(case e.type when 'impression' then 1
        when 'navigation' then case when e.payload -> 'action' = '"complete"'::jsonb then 6 else 2 end
        when 'click' then 8 when 'submit' then 8 else 0 end) as flags
    from %1$s e
    where e.created_at > $1 - $2 * interval '1 millisecond' and e.created_at <= $1
    group by 1, 2, e.session_id
  ),
  pairs as (
    select s.user_id, s.path,
      sum(s.events) as events, sum(s.errors) as errors, sum(s.clicks) as clicks, sum(s.rage) as rage,
      sum(s.dead) as dead, sum(s.reversals) as reversals,
      sum(s.depth_sum) as depth_sum, sum(s.depth_n) as depth_n,
      sum(s.sibling_sum) as sibling_sum, sum(s.sibling_n) as sibling_n,
      sum(s.fields_sum) as fields_sum, sum(s.fields_n) as fields_n,
      count(*) as sessions,
      count(*) filter (where s.flags & 1 = 1) as impression_sessions,
      count(*) filter (where s.flags & 5 = 5) as completed_sessions,
      count(*) filter (where s.flags & 2 = 2) as navigation_sessions,
      count(*) filter (where s.flags & 8 = 8) as click_sessions
    from per_session s
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
  select p.user_id collate "default" as user_id, p.path collate "default" as path,
    p.events, p.errors, p.clicks, p.rage, p.dead, p.reversals, p.depth_sum, p.depth_n, p.sibling_sum, p.sibling_n,
    p.fields_sum, p.fields_n, p.sessions, p.impression_sessions, p.completed_sessions, p.navigation_sessions,
    p.click_sessions, h.total as hesitation_total, h.n as hesitation_n
  from pairs p
  left join hesitation h on h.user_id = p.user_id and h.path = p.path
  $q$, source)
$$;

-- The values of DESIGN §5 from a relation of per-pair statistics (factor_pairs_sql's columns):
-- %1$s = a relation or a parenthesized query. One row per value that is defined, in the order of
-- the factor names (so rows of pairs read in key order arrive in primary-key order).
create or replace function factoredui.factor_expand_sql(pairs text) returns text
language sql immutable parallel safe set search_path = '' as $$
  select format($q$
  select v.user_id, v.path, v.factor, v.value
  from (
    -- Two arrays unnested side by side (one projection per pair; a LATERAL VALUES list costs
    -- a nested loop and a rescan per pair, three times as long on 155,614 pairs).
    select p.user_id, p.path,
      unnest('{completion_rate,component_depth,dead_click_count,drop_off_rate,error_rate,form_field_count,hesitation_ms,rage_click_count,retry_count,scroll_reversal_count,sibling_count}'::text[]) as factor,
      unnest(array[
        case when p.impression_sessions > 0
          then p.completed_sessions::double precision / p.impression_sessions::double precision end,
        case when p.depth_n > 0 then p.depth_sum / p.depth_n::double precision end,
        p.dead::double precision,
        1 - p.navigation_sessions::double precision / p.sessions::double precision,
        p.errors::double precision / p.events::double precision,
        case when p.fields_n > 0 then p.fields_sum / p.fields_n::double precision end,
        case when p.hesitation_n > 0
          then p.hesitation_total::double precision / p.hesitation_n::double precision end,
        p.rage::double precision,
        greatest(0, p.clicks - p.click_sessions)::double precision,
        p.reversals::double precision,
        case when p.sibling_n > 0 then p.sibling_sum / p.sibling_n::double precision end]) as value
    from %1$s p
  ) v
  where v.value is not null
  $q$, pairs)
$$;

-- The factor query over a relation of events, as before: the values of factor_pairs_sql's pairs.
create or replace function factoredui.factor_values_sql(source text) returns text
language sql immutable parallel safe set search_path = '' as $$
  select factoredui.factor_expand_sql('(' || factoredui.factor_pairs_sql(source) || ')')
$$;
-- Pure functions of their argument returning query text; compute_factors (callable by every API
-- role, as before) calls them, so they are executable as factor_values_sql is.
revoke all on function factoredui.factor_pairs_sql(text), factoredui.factor_expand_sql(text) from public;
grant execute on function factoredui.factor_pairs_sql(text), factoredui.factor_expand_sql(text)
  to anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- load_factors_into_empty: the values of every pair into an empty factor table, indexes built
-- afterwards. Returns {users, values, pairs}, or null (and does nothing) when the table holds a
-- row. Service role only (checked here too: it runs as the owner).
-- ---------------------------------------------------------------------------------------------
create or replace function factoredui.load_factors_into_empty(as_of timestamptz, window_ms double precision)
returns jsonb language plpgsql volatile security definer set search_path = ''
  set maintenance_work_mem = '256MB' set work_mem = '64MB' as $$
declare
  v_users bigint;
  v_values bigint;
  v_pairs bigint;
begin
  if factoredui.invoker_kind() <> 'service' then
    raise exception using errcode = '42501',
      message = 'recomputeFactors requires the service role (factoredui); use a service store.';
  end if;
  if as_of is null then raise exception using errcode = '22023', message = 'asOf is required.'; end if;
  perform factoredui.check_window(window_ms);
  -- Readers wait for the load (they would see no values anyway); writers of factors too.
  lock table factoredui.factors in access exclusive mode;
  if exists (select 1 from factoredui.factors) then
    return null;
  end if;
  alter table factoredui.factors drop constraint factors_pkey;
  drop index factoredui.factors_path_factor_idx;
  -- The per-pair statistics into a temporary table first (one row per pair, a tenth of the
  -- values): CREATE TABLE AS runs the query with parallel workers, which an INSERT ... SELECT
  -- never gets. Then the values, read in key order, into the bare table.
  execute format('create temp table factoredui_load_pairs on commit drop as %s',
    factoredui.factor_pairs_sql('factoredui.events')) using as_of, window_ms;
  select count(distinct p.user_id), count(*) into v_users, v_pairs from pg_temp.factoredui_load_pairs p;
  execute format('insert into factoredui.factors (user_id, path, factor, value, as_of)
    select n.user_id, n.path, n.factor, n.value, $1 from (%s) n',
    factoredui.factor_expand_sql('(select * from pg_temp.factoredui_load_pairs p order by p.user_id, p.path)'))
  using as_of;
  get diagnostics v_values = row_count;
  drop table pg_temp.factoredui_load_pairs;
  -- Exactly the definitions of 20260101000000_factoredui_schema.sql.
  alter table factoredui.factors add constraint factors_pkey primary key (user_id, path, factor);
  create index factors_path_factor_idx on factoredui.factors (path, factor);
  return jsonb_build_object('users', v_users, 'values', v_values, 'pairs', v_pairs);
end $$;
revoke all on function factoredui.load_factors_into_empty(timestamptz, double precision) from public, anon, authenticated;
grant execute on function factoredui.load_factors_into_empty(timestamptz, double precision) to service_role;

-- ---------------------------------------------------------------------------------------------
-- refresh_factors: as in 20261128000100, with the first-refresh load and a cheaper full path.
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
  v_loaded jsonb;
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
    if not exists (select 1 from factoredui.factors) then
      -- Nothing to compare with: everything is new (bulk load, indexes built afterwards).
      v_loaded := factoredui.load_factors_into_empty(v_as_of, refresh_factors.window_ms);
    end if;
    create temp table factoredui_refresh_changes (user_id text, path text, factor text, value double precision,
      gone boolean, added boolean, row_id tid) on commit drop;
    if v_loaded is not null then
      v_users := (v_loaded ->> 'users')::integer;
      v_values := (v_loaded ->> 'values')::integer;
      v_pairs := (v_loaded ->> 'pairs')::integer;
    else
      execute format('create temp table factoredui_refresh_next on commit drop as %s',
        factoredui.factor_values_sql('factoredui.events')) using v_as_of, refresh_factors.window_ms;
      -- Users, values and pairs in one pass (hashing: a count(distinct) over the values would
      -- sort every value).
      select count(distinct u.user_id), coalesce(sum(u.n), 0), count(*) into v_users, v_values, v_pairs
      from (select n.user_id, count(*) as n from pg_temp.factoredui_refresh_next n group by n.user_id, n.path) u;
      -- Only what changed, found with one join: values that left, and values that are new or
      -- differ (or were written for a later as_of, when a refresh goes back in time). Deleting
      -- and re-inserting every row instead costs a unique check against each dead duplicate.
      insert into pg_temp.factoredui_refresh_changes
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
  drop table pg_temp.factoredui_refresh_pairs, pg_temp.factoredui_refresh_changes;
  if v_loaded is null then
    drop table pg_temp.factoredui_refresh_next;
  end if;
  perform set_config('factoredui.refreshing', '', true);
  return jsonb_build_object('users', v_users, 'values', v_values);
end $$;
