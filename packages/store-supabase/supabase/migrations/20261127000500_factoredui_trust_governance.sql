-- FactoredUI trust boundaries (DESIGN §15): the governance log and `assigned` counts cannot be
-- differenced either.
--
-- Before: signed-in users read the governance log (table and Realtime), and the governance
-- sweep logged numbers computed from the service role's EXACT statistics, so the per-variant
-- n and means of two log entries could differ by 1..4 users; every released statistics row
-- carried the exact `assigned` count too; and thresholds on another path than the
-- experiment's were never released.
--
-- Now:
--   * release_statistics also releases every (factor, path) a threshold of the experiment
--     names (its own and the global ones), in the order of @factoredui/core's
--     statisticsReleasePairs;
--   * the `assigned` count of every released row is the variant's RELEASED count (core's
--     releaseAssignedCount): 0, or the size of an assigned set of at least 5 users that
--     differs from every earlier published assigned set of the variant by 0 or at least 5
--     users; otherwise the previous released count is repeated;
--   * the service role can read the release (`released: true`), which is what the governance
--     sweep decides on and logs after releasing at its evaluation time.

-- Who was counted by each published `assigned` count: service-only (it names users).
create table if not exists factoredui.statistics_release_assigned (
  experiment_id uuid not null references factoredui.experiments (id) on delete cascade,
  variant_key text not null,
  released_at timestamptz not null,
  members text[] not null,
  primary key (experiment_id, variant_key, released_at)
);
alter table factoredui.statistics_release_assigned enable row level security;
revoke all on factoredui.statistics_release_assigned from public, anon, authenticated;
grant select, insert, delete on factoredui.statistics_release_assigned to service_role;

-- The (factor, path) pairs released for one experiment, in release order (core's
-- statisticsReleasePairs): every catalog factor on the experiment's path, then the other paths
-- its thresholds name, by path, then catalog order.
create or replace function factoredui.statistics_release_pairs(experiment_id uuid, experiment_path text)
returns table (factor text, path text)
language sql stable set search_path = '' as $$
  select p.factor, p.path
  from (select c.name as factor, experiment_path as path from factoredui.factor_catalog c
        union
        select t.factor, coalesce(t.path, experiment_path) from factoredui.thresholds t
        where t.experiment_id = statistics_release_pairs.experiment_id or t.experiment_id is null) p
  join factoredui.factor_catalog c on c.name = p.factor
  order by p.path <> experiment_path, p.path collate "C", c.ordinal
$$;

-- The variant's released `assigned` count at `at` (core's releaseAssignedCount); remembers
-- the assigned set when it is published.
create or replace function factoredui.release_assigned_count(experiment_id uuid, variant_key text, at timestamptz)
returns bigint
language plpgsql volatile set search_path = '' as $$
declare
  v_members text[];
  v_previous bigint;
begin
  select coalesce(array_agg(a.user_id order by a.user_id), '{}') into v_members
  from factoredui.assignments a
  where a.experiment_id = release_assigned_count.experiment_id and a.variant_key = release_assigned_count.variant_key
    and a.assigned_at <= release_assigned_count.at;
  if cardinality(v_members) = 0 then
    return 0;
  end if;
  if cardinality(v_members) >= 5 and not exists (
    select 1 from factoredui.statistics_release_assigned h
    where h.experiment_id = release_assigned_count.experiment_id and h.variant_key = release_assigned_count.variant_key
      and factoredui.set_difference_size(h.members, v_members) between 1 and 4) then
    insert into factoredui.statistics_release_assigned (experiment_id, variant_key, released_at, members)
    values (release_assigned_count.experiment_id, release_assigned_count.variant_key, release_assigned_count.at, v_members)
    on conflict do nothing;
    return cardinality(v_members);
  end if;
  select (p ->> 'assigned')::bigint into v_previous
  from factoredui.statistics_releases r cross join lateral jsonb_array_elements(r.rows) p
  where r.experiment_id = release_assigned_count.experiment_id and r.released_at < release_assigned_count.at
    and p ->> 'variantKey' = release_assigned_count.variant_key
  order by r.released_at desc limit 1;
  return coalesce(v_previous, 0);
end $$;

create or replace function factoredui.release_variant_statistics(release jsonb) returns jsonb
language plpgsql volatile set search_path = '' as $$
declare
  v_at timestamptz;
  v_exp factoredui.experiments;
  v_pair record;
  v_variant text;
  v_assigned jsonb;
  v_count bigint;
  v_rows jsonb;
  v_previous jsonb;
  v_s record;
  v_members text[];
  v_contributions text[];
  v_withhold_x boolean;
  v_publish boolean;
  v_released integer := 0;
begin
  perform factoredui.require_service('releaseStatistics');
  v_at := factoredui.to_time(factoredui.arg_text(release, 'at', true), 'at');
  for v_exp in select * from factoredui.experiments e where e.status = 'running' order by e.created_at, e.id loop
    continue when not exists (
      select 1 from factoredui.statistics_release_pairs(v_exp.id, v_exp.path) p
      where not exists (select 1 from factoredui.statistics_releases r
        where r.experiment_id = v_exp.id and r.factor = p.factor and r.path = p.path and r.released_at = v_at));
    -- The released `assigned` count of each variant: once per variant and release.
    v_assigned := '{}';
    for v_variant in select v.value ->> 'key' from jsonb_array_elements(v_exp.variants) with ordinality v(value, ord) order by v.ord loop
      v_assigned := v_assigned || jsonb_build_object(v_variant, factoredui.release_assigned_count(v_exp.id, v_variant, v_at));
    end loop;
    for v_pair in select * from factoredui.statistics_release_pairs(v_exp.id, v_exp.path) loop
      continue when exists (select 1 from factoredui.statistics_releases r
        where r.experiment_id = v_exp.id and r.factor = v_pair.factor and r.path = v_pair.path and r.released_at = v_at);
      select r.rows into v_previous from factoredui.statistics_releases r
      where r.experiment_id = v_exp.id and r.factor = v_pair.factor and r.path = v_pair.path and r.released_at < v_at
      order by r.released_at desc limit 1;
      v_rows := '[]';
      for v_variant in select v.value ->> 'key' from jsonb_array_elements(v_exp.variants) with ordinality v(value, ord) order by v.ord loop
        v_count := (v_assigned ->> v_variant)::bigint;
        select count(c.y) as n, count(c.y) filter (where c.x is not null) as n_x,
          coalesce(sum(c.y), 0) as sum_y, coalesce(sum(c.y * c.y), 0) as sum_y2,
          coalesce(sum(c.x) filter (where c.y is not null), 0) as sum_x,
          coalesce(sum(c.x * c.x) filter (where c.y is not null), 0) as sum_x2,
          coalesce(sum(c.x * c.y), 0) as sum_xy,
          coalesce(sum(c.y) filter (where c.x is not null), 0) as sum_y_with_x
        into v_s
        from factoredui.statistics_contributions(v_exp.id, v_pair.factor, v_pair.path, v_at) c
        where c.variant_key = v_variant;
        if v_s.n = 0 then
          v_rows := v_rows || jsonb_build_array(factoredui.zero_statistics(v_variant, v_count));
          continue;
        end if;
        v_withhold_x := v_s.n_x between 1 and 4 or (v_s.n - v_s.n_x) between 1 and 4;
        select array_agg(c.user_id order by c.user_id),
               array_agg(c.user_id || chr(31) || c.y::text || chr(31)
                 || case when v_withhold_x or c.x is null then '' else c.x::text end
                 order by c.user_id)
        into v_members, v_contributions
        from factoredui.statistics_contributions(v_exp.id, v_pair.factor, v_pair.path, v_at) c
        where c.variant_key = v_variant and c.y is not null;
        v_publish := v_s.n >= 5 and not exists (
          select 1 from factoredui.statistics_release_cohorts h
          where h.experiment_id = v_exp.id and h.variant_key = v_variant
            and (factoredui.set_difference_size(h.members, v_members) between 1 and 4
              or (h.factor = v_pair.factor and h.path = v_pair.path
                  and factoredui.changed_users(h.contributions, v_contributions) between 1 and 4)));
        if not v_publish then
          v_rows := v_rows || jsonb_build_array(coalesce(
            (select p || jsonb_build_object('assigned', v_count) from jsonb_array_elements(v_previous) p
             where p ->> 'variantKey' = v_variant),
            factoredui.zero_statistics(v_variant, v_count)));
          continue;
        end if;
        insert into factoredui.statistics_release_cohorts (experiment_id, variant_key, factor, path, released_at, members, contributions)
        values (v_exp.id, v_variant, v_pair.factor, v_pair.path, v_at, v_members, v_contributions);
        v_rows := v_rows || jsonb_build_array(jsonb_build_object('variantKey', v_variant, 'assigned', v_count,
          'n', v_s.n, 'sumY', v_s.sum_y, 'sumY2', v_s.sum_y2,
          'nX', case when v_withhold_x then 0 else v_s.n_x end,
          'sumX', case when v_withhold_x then 0 else v_s.sum_x end,
          'sumX2', case when v_withhold_x then 0 else v_s.sum_x2 end,
          'sumXY', case when v_withhold_x then 0 else v_s.sum_xy end,
          'sumYWithX', case when v_withhold_x then 0 else v_s.sum_y_with_x end));
      end loop;
      insert into factoredui.statistics_releases (experiment_id, factor, path, released_at, rows)
      values (v_exp.id, v_pair.factor, v_pair.path, v_at, v_rows);
      v_released := v_released + 1;
    end loop;
  end loop;
  return jsonb_build_object('released', v_released);
end $$;

-- getSufficientStatistics: exact for the service role unless it asks for the release
-- (`released: true`, what the governance sweep logs); released statistics for everyone else.
-- The experiment is looked up as the caller first, so anon gets getExperiment's error.
create or replace function factoredui.sufficient_statistics(query jsonb) returns jsonb
language plpgsql stable set search_path = '' as $$
begin
  if factoredui.caller_kind() = 'service' and (query -> 'released') is distinct from 'true'::jsonb then
    return factoredui.sufficient_statistics_exact(query);
  end if;
  perform factoredui.find_experiment(factoredui.arg_text(query, 'experimentId', true));
  return factoredui.released_statistics(query);
end $$;

revoke all on function factoredui.statistics_release_pairs(uuid, text), factoredui.release_assigned_count(uuid, text, timestamptz),
  factoredui.release_variant_statistics(jsonb)
  from public, anon, authenticated;
grant execute on function factoredui.statistics_release_pairs(uuid, text), factoredui.release_assigned_count(uuid, text, timestamptz),
  factoredui.release_variant_statistics(jsonb)
  to service_role;
