-- FactoredUI trust boundaries (DESIGN §15): component aggregates that cannot be differenced.
--
-- Before: get_component_aggregates (SECURITY DEFINER, callable by anon and authenticated)
-- aggregated the CURRENT factor values live, which change at every refresh, so two reads
-- around a refresh differed by 1..4 users (one user joining a path, or one user's value
-- changing) and revealed those users' values.
--
-- Now non-service roles read only RELEASED aggregates. release_statistics (service role, run
-- on a schedule: refresh_and_snapshot does it hourly) also publishes one aggregate release,
-- under the rules of @factoredui/core's releaseComponentAggregates, per (path, factor):
--   * never an aggregate over 1..4 users;
--   * an aggregate whose user set differs from ANY earlier published aggregate of the same
--     (path, factor) by 1..4 users, or in which 1..4 users' values changed, is not published:
--     the previous release's aggregate of that (path, factor) is repeated (or it is left out).
-- Readers get the latest release ([] before the first one); the service role keeps the live
-- numbers.

create table if not exists factoredui.aggregate_releases (
  released_at timestamptz primary key,
  aggregates jsonb not null check (jsonb_typeof(aggregates) = 'array')
);

-- Who contributed to each published aggregate: service-only (it names users).
create table if not exists factoredui.aggregate_release_cohorts (
  path text not null,
  factor text not null references factoredui.factor_catalog (name),
  released_at timestamptz not null,
  members text[] not null,
  contributions text[] not null,
  primary key (path, factor, released_at)
);

alter table factoredui.aggregate_releases enable row level security;
alter table factoredui.aggregate_release_cohorts enable row level security;
revoke all on factoredui.aggregate_releases, factoredui.aggregate_release_cohorts from public, anon, authenticated;
grant select, insert, delete on factoredui.aggregate_releases, factoredui.aggregate_release_cohorts to service_role;

-- Renames a function once: the shipped body keeps living under the new name (no copy), and the
-- file can run again (the migrations test re-runs every file; a re-run of the older migration
-- re-creates the old name, which this file then replaces again).
create or replace function factoredui.rename_function_once(old_signature text, new_name text) returns void
language plpgsql volatile set search_path = '' as $$
begin
  if not exists (select 1 from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
                 where n.nspname = 'factoredui' and p.proname = new_name) then
    execute format('alter function factoredui.%s rename to %I', old_signature, new_name);
  end if;
end $$;
revoke all on function factoredui.rename_function_once(text, text) from public, anon, authenticated;

-- The live computation becomes a service-only helper (it was callable by every client).
select factoredui.rename_function_once('get_component_aggregates(jsonb)', 'live_component_aggregates');
alter function factoredui.live_component_aggregates(jsonb) security invoker;

-- Publishes the aggregate release at `at` (nothing when it exists); returns how many
-- aggregates it holds.
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
        'asOf', factoredui.iso(v_group.as_of));
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

-- releaseStatistics: one call, one schedule, both releases.
select factoredui.rename_function_once('release_statistics(jsonb)', 'release_variant_statistics');

create or replace function factoredui.release_statistics(release jsonb) returns jsonb
language plpgsql volatile set search_path = '' as $$
declare
  v_variants jsonb;
begin
  perform factoredui.require_service('releaseStatistics');
  v_variants := factoredui.release_variant_statistics(release);
  return v_variants || jsonb_build_object('aggregates', factoredui.release_component_aggregates(
    factoredui.to_time(factoredui.arg_text(release, 'at', true), 'at')));
end $$;

-- getComponentAggregates: live for the service role, the latest release for everyone else.
-- SECURITY DEFINER (the release table is service-only), so the caller comes from invoker_kind.
create or replace function factoredui.get_component_aggregates(query jsonb default '{}') returns jsonb
language plpgsql stable security definer set search_path = '' as $$
declare
  v_path text := factoredui.arg_path(query);
  v_factors text[] := factoredui.arg_factors(query);
  v_release jsonb;
begin
  if factoredui.invoker_kind() = 'service' then
    return factoredui.live_component_aggregates(query);
  end if;
  select r.aggregates into v_release from factoredui.aggregate_releases r order by r.released_at desc limit 1;
  return (select coalesce(jsonb_agg(a.value order by a.ord), '[]')
    from jsonb_array_elements(coalesce(v_release, '[]')) with ordinality a(value, ord)
    where (v_path is null or a.value ->> 'path' = v_path)
      and (v_factors is null or a.value ->> 'factor' = any (v_factors)));
end $$;

revoke all on function factoredui.live_component_aggregates(jsonb), factoredui.release_component_aggregates(timestamptz),
  factoredui.release_variant_statistics(jsonb), factoredui.release_statistics(jsonb)
  from public, anon, authenticated;
grant execute on function factoredui.live_component_aggregates(jsonb), factoredui.release_component_aggregates(timestamptz),
  factoredui.release_variant_statistics(jsonb), factoredui.release_statistics(jsonb)
  to service_role;
revoke all on function factoredui.get_component_aggregates(jsonb) from public;
grant execute on function factoredui.get_component_aggregates(jsonb) to anon, authenticated, service_role;
