-- FactoredUI store: the factor engine of DESIGN §5 in SQL, recomputable as of a time, plus
-- factor reads, k-anonymous aggregates, snapshots and clusters.
--
-- Semantics are those of the reference engine in @factoredui/core (computeFactors); the shared
-- fixtures of the conformance suite check both give identical results:
--   * an event counts when  as_of - window < created_at <= as_of;
--   * only (user, path) pairs with an event in the window have factors;
--   * a ratio over zero and a mean over nothing are absent (no row), a count of nothing is 0;
--   * hesitation: per impression, ms to the first strictly later click/input/scroll/submit in the
--     same session and path (at or before as_of); impressions without one are skipped.

create or replace function factoredui.compute_factors(as_of timestamptz, window_ms double precision)
returns table (user_id text, path text, factor text, value double precision)
language sql stable parallel safe set search_path = '' as $$
  with w as (
    select e.user_id, e.path, e.session_id, e.type, e.payload, e.created_at
    from factoredui.events e
    where e.created_at > compute_factors.as_of - compute_factors.window_ms * interval '1 millisecond'
      and e.created_at <= compute_factors.as_of
  ),
  sess as (
    select w.user_id, w.path, w.session_id,
      bool_or(w.type = 'impression') as has_impression,
      bool_or(w.type = 'navigation') as has_navigation,
      bool_or(w.type = 'navigation' and w.payload -> 'action' = '"complete"'::jsonb) as has_complete,
      bool_or(w.type in ('click', 'submit')) as has_click,
      count(*) as events,
      count(*) filter (where w.type = 'error') as errors,
      count(*) filter (where w.type in ('click', 'submit')) as clicks,
      count(*) filter (where w.type = 'rage_click') as rage,
      count(*) filter (where w.type = 'dead_click') as dead,
      count(*) filter (where w.type = 'scroll_reversal') as reversals,
      sum(case when w.type = 'impression' and jsonb_typeof(w.payload -> 'component_depth') = 'number'
               then (w.payload ->> 'component_depth')::double precision end) as depth_sum,
      count(case when w.type = 'impression' and jsonb_typeof(w.payload -> 'component_depth') = 'number' then 1 end) as depth_n,
      sum(case when w.type = 'impression' and jsonb_typeof(w.payload -> 'sibling_count') = 'number'
               then (w.payload ->> 'sibling_count')::double precision end) as sibling_sum,
      count(case when w.type = 'impression' and jsonb_typeof(w.payload -> 'sibling_count') = 'number' then 1 end) as sibling_n,
      sum(case when w.type = 'impression' and jsonb_typeof(w.payload -> 'form_field_count') = 'number'
               then (w.payload ->> 'form_field_count')::double precision end) as fields_sum,
      count(case when w.type = 'impression' and jsonb_typeof(w.payload -> 'form_field_count') = 'number' then 1 end) as fields_n
    from w
    group by w.user_id, w.path, w.session_id
  ),
  pairs as (
    select s.user_id, s.path,
      count(*) as sessions,
      count(*) filter (where s.has_impression) as impression_sessions,
      count(*) filter (where s.has_impression and s.has_complete) as completed_sessions,
      count(*) filter (where s.has_navigation) as navigation_sessions,
      count(*) filter (where s.has_click) as click_sessions,
      sum(s.events) as events, sum(s.errors) as errors, sum(s.clicks) as clicks,
      sum(s.rage) as rage, sum(s.dead) as dead, sum(s.reversals) as reversals,
      sum(s.depth_sum) as depth_sum, sum(s.depth_n) as depth_n,
      sum(s.sibling_sum) as sibling_sum, sum(s.sibling_n) as sibling_n,
      sum(s.fields_sum) as fields_sum, sum(s.fields_n) as fields_n
    from sess s
    group by s.user_id, s.path
  ),
  -- For every impression, the first strictly later action of its (user, path, session):
  -- the frame starts at the current row's peers and EXCLUDE GROUP drops those peers.
  gaps as (
    select a.user_id, a.path, a.type,
      extract(epoch from (min(a.created_at) filter (where a.type <> 'impression') over (
        partition by a.user_id, a.path, a.session_id order by a.created_at
        range between current row and unbounded following exclude group) - a.created_at)) * 1000 as ms
    from w a
    where a.type in ('impression', 'click', 'input', 'scroll', 'submit')
  ),
  hesitation as (
    select g.user_id, g.path, sum(g.ms) as total, count(*) as n
    from gaps g
    where g.type = 'impression' and g.ms is not null
    group by g.user_id, g.path
  )
  select p.user_id, p.path, v.factor, v.value
  from pairs p
  left join hesitation h on h.user_id = p.user_id and h.path = p.path
  cross join lateral (values
    ('completion_rate', case when p.impression_sessions > 0
       then p.completed_sessions::double precision / p.impression_sessions::double precision end),
    ('drop_off_rate', 1 - p.navigation_sessions::double precision / p.sessions::double precision),
    ('error_rate', p.errors::double precision / p.events::double precision),
    ('retry_count', greatest(0, p.clicks - p.click_sessions)::double precision),
    ('rage_click_count', p.rage::double precision),
    ('dead_click_count', p.dead::double precision),
    ('scroll_reversal_count', p.reversals::double precision),
    ('hesitation_ms', case when h.n > 0 then h.total::double precision / h.n::double precision end),
    ('component_depth', case when p.depth_n > 0 then p.depth_sum / p.depth_n::double precision end),
    ('sibling_count', case when p.sibling_n > 0 then p.sibling_sum / p.sibling_n::double precision end),
    ('form_field_count', case when p.fields_n > 0 then p.fields_sum / p.fields_n::double precision end)
  ) as v(factor, value)
  where v.value is not null
$$;

create or replace function factoredui.check_window(window_ms double precision) returns void
language plpgsql immutable set search_path = '' as $$
begin
  if window_ms is null or window_ms <= 0 then
    raise exception using errcode = '22023',
      message = format('windowMs must be a positive number of milliseconds, got %s.', coalesce(window_ms::text, 'null'));
  end if;
end $$;

-- Replaces all current factor values with those computed as of `as_of`.
create or replace function factoredui.refresh_factors(as_of timestamptz, window_ms double precision default 604800000)
returns jsonb language plpgsql volatile set search_path = '' as $$
declare v_as_of timestamptz := date_trunc('milliseconds', refresh_factors.as_of); v_values integer; v_users integer;
begin
  perform factoredui.require_service('recomputeFactors');
  if v_as_of is null then raise exception using errcode = '22023', message = 'asOf is required.'; end if;
  perform factoredui.check_window(window_ms);
  -- One refresh at a time; readers keep seeing the previous values until commit.
  lock table factoredui.factors in share row exclusive mode;
  delete from factoredui.factors;
  insert into factoredui.factors (user_id, path, factor, value, as_of)
  select c.user_id, c.path, c.factor, c.value, v_as_of
  from factoredui.compute_factors(v_as_of, window_ms) c;
  get diagnostics v_values = row_count;
  select count(distinct f.user_id) into v_users from factoredui.factors f;
  return jsonb_build_object('users', v_users, 'values', v_values);
end $$;

-- Freezes factor values computed as of `as_of` (from the events) as an immutable snapshot.
-- Idempotent per as_of: an existing snapshot is never changed.
create or replace function factoredui.snapshot_factors(as_of timestamptz, window_ms double precision default 604800000)
returns jsonb language plpgsql volatile set search_path = '' as $$
declare v_as_of timestamptz := date_trunc('milliseconds', snapshot_factors.as_of); v_values integer;
begin
  perform factoredui.require_service('snapshotFactors');
  if v_as_of is null then raise exception using errcode = '22023', message = 'asOf is required.'; end if;
  perform factoredui.check_window(window_ms);
  perform pg_advisory_xact_lock(hashtextextended('factoredui.snapshot:' || factoredui.iso(v_as_of), 0));
  select count(*) into v_values from factoredui.factor_snapshots s where s.snapshot_at = v_as_of;
  if v_values > 0 then
    return jsonb_build_object('values', v_values, 'created', false);
  end if;
  insert into factoredui.factor_snapshots (user_id, path, factor, value, snapshot_at)
  select c.user_id, c.path, c.factor, c.value, v_as_of
  from factoredui.compute_factors(v_as_of, window_ms) c;
  get diagnostics v_values = row_count;
  return jsonb_build_object('values', v_values, 'created', true);
end $$;

create or replace function factoredui.factor_value_json(user_id text, path text, factor text, value double precision, as_of timestamptz)
returns jsonb language sql immutable set search_path = '' as $$
  select jsonb_build_object('userId', user_id, 'path', path, 'factor', factor, 'value', value, 'asOf', factoredui.iso(as_of))
$$;

create or replace function factoredui.get_factors(query jsonb default '{}') returns jsonb
language plpgsql stable set search_path = '' as $$
declare
  v_user text := factoredui.arg_text(query, 'userId');
  v_path text := factoredui.arg_path(query);
  v_factors text[] := factoredui.arg_factors(query);
  v_result jsonb;
begin
  select coalesce(jsonb_agg(factoredui.factor_value_json(f.user_id, f.path, f.factor, f.value, f.as_of)
           order by f.user_id collate "C", f.path collate "C", c.ordinal), '[]')
  into v_result
  from factoredui.factors f join factoredui.factor_catalog c on c.name = f.factor
  where (v_user is null or f.user_id = v_user)
    and (v_path is null or f.path = v_path)
    and (v_factors is null or f.factor = any (v_factors));
  return v_result;
end $$;

-- k-anonymous aggregates over ALL users' current values. SECURITY DEFINER (reads past RLS), so
-- it re-validates its input and never returns a (path, factor) with fewer than 5 users.
create or replace function factoredui.get_component_aggregates(query jsonb default '{}') returns jsonb
language plpgsql stable security definer set search_path = '' as $$
declare
  v_path text := factoredui.arg_path(query);
  v_factors text[] := factoredui.arg_factors(query);
  v_result jsonb;
begin
  select coalesce(jsonb_agg(jsonb_build_object(
      'path', a.path, 'factor', a.factor, 'userCount', a.user_count, 'mean', a.mean, 'median', a.median,
      'p95', a.p95, 'min', a.min, 'max', a.max, 'stddev', a.stddev, 'asOf', factoredui.iso(a.as_of))
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

create or replace function factoredui.snapshot_value_json(s factoredui.factor_snapshots) returns jsonb
language sql immutable set search_path = '' as $$
  select jsonb_build_object('userId', s.user_id, 'path', s.path, 'factor', s.factor, 'value', s.value,
    'asOf', factoredui.iso(s.snapshot_at), 'snapshotAt', factoredui.iso(s.snapshot_at))
$$;

create or replace function factoredui.get_factor_history(query jsonb) returns jsonb
language plpgsql stable set search_path = '' as $$
declare
  v_user text := factoredui.arg_text(query, 'userId', true);
  v_path text := factoredui.arg_path(query);
  v_factors text[] := factoredui.arg_factors(query);
  v_since timestamptz := factoredui.to_time(factoredui.arg_text(query, 'since', true), 'since');
  v_until timestamptz := factoredui.to_time(factoredui.arg_text(query, 'until'), 'until');
  v_result jsonb;
begin
  select coalesce(jsonb_agg(factoredui.snapshot_value_json(s)
           order by s.snapshot_at, s.path collate "C", c.ordinal), '[]')
  into v_result
  from factoredui.factor_snapshots s join factoredui.factor_catalog c on c.name = s.factor
  where s.user_id = v_user
    and s.snapshot_at >= v_since and (v_until is null or s.snapshot_at <= v_until)
    and (v_path is null or s.path = v_path)
    and (v_factors is null or s.factor = any (v_factors));
  return v_result;
end $$;

create or replace function factoredui.get_closest_snapshot(query jsonb) returns jsonb
language plpgsql stable set search_path = '' as $$
declare
  v_user text := factoredui.arg_text(query, 'userId', true);
  v_path text := factoredui.arg_path(query);
  v_factors text[] := factoredui.arg_factors(query);
  v_at timestamptz := factoredui.to_time(factoredui.arg_text(query, 'at', true), 'at');
  v_after timestamptz := factoredui.to_time(factoredui.arg_text(query, 'after'), 'after');
  v_result jsonb;
begin
  select coalesce(jsonb_agg(factoredui.snapshot_value_json(l) order by l.path collate "C", c.ordinal), '[]')
  into v_result
  from (
    select distinct on (s.path, s.factor) s.*
    from factoredui.factor_snapshots s
    where s.user_id = v_user and s.snapshot_at <= v_at and (v_after is null or s.snapshot_at > v_after)
      and (v_path is null or s.path = v_path)
      and (v_factors is null or s.factor = any (v_factors))
    order by s.path, s.factor, s.snapshot_at desc
  ) l join factoredui.factor_catalog c on c.name = l.factor;
  return v_result;
end $$;

create or replace function factoredui.cluster_json(c factoredui.clusters) returns jsonb
language sql immutable set search_path = '' as $$
  select jsonb_build_object('userId', c.user_id, 'clusterId', c.cluster_id, 'distance', c.distance,
    'computedAt', factoredui.iso(c.computed_at))
$$;

create or replace function factoredui.get_user_cluster(user_id text) returns jsonb
language sql stable set search_path = '' as $$
  select coalesce((select factoredui.cluster_json(c) from factoredui.clusters c where c.user_id = get_user_cluster.user_id), 'null'::jsonb)
$$;

create or replace function factoredui.get_cluster_members(cluster_id integer) returns jsonb
language plpgsql stable set search_path = '' as $$
declare v_result jsonb;
begin
  if cluster_id is null or cluster_id < 0 then
    raise exception using errcode = '22023', message = format('clusterId must be a non-negative integer, got %s.', coalesce(cluster_id::text, 'null'));
  end if;
  select coalesce(jsonb_agg(factoredui.cluster_json(c) order by c.user_id collate "C"), '[]') into v_result
  from factoredui.clusters c where c.cluster_id = get_cluster_members.cluster_id;
  return v_result;
end $$;

create or replace function factoredui.store_clusters(assignments jsonb) returns jsonb
language plpgsql volatile set search_path = '' as $$
declare v_stored integer;
begin
  perform factoredui.require_service('storeClusters');
  if jsonb_typeof(assignments) is distinct from 'array' then
    raise exception using errcode = '22023', message = 'assignments must be an array.';
  end if;
  if exists (select 1 from jsonb_array_elements(assignments) a
             where jsonb_typeof(a) <> 'object' or jsonb_typeof(a -> 'userId') <> 'string' or (a ->> 'userId') = ''
                or jsonb_typeof(a -> 'clusterId') <> 'number' or jsonb_typeof(a -> 'distance') <> 'number'
                or (a ->> 'clusterId')::numeric <> trunc((a ->> 'clusterId')::numeric)
                or jsonb_typeof(a -> 'computedAt') <> 'string') then
    raise exception using errcode = '22023', message = 'each cluster assignment needs userId, clusterId, distance and computedAt.';
  end if;
  if (select count(distinct a ->> 'userId') <> count(*) from jsonb_array_elements(assignments) a) then
    raise exception using errcode = '22023', message = 'cluster assignments must hold one row per user.';
  end if;
  delete from factoredui.clusters;
  insert into factoredui.clusters (user_id, cluster_id, distance, computed_at)
  select a ->> 'userId', (a ->> 'clusterId')::integer, (a ->> 'distance')::double precision,
         factoredui.to_time(a ->> 'computedAt', 'computedAt')
  from jsonb_array_elements(assignments) a;
  get diagnostics v_stored = row_count;
  return jsonb_build_object('stored', v_stored);
exception
  when check_violation or numeric_value_out_of_range or invalid_text_representation then
    raise exception using errcode = '22023', message = format('invalid cluster assignment: %s', sqlerrm);
end $$;
