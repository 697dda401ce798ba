-- FactoredUI trust boundaries (DESIGN §15): k-anonymity that cannot be differenced.
--
-- Before: sufficient_statistics computed k-anonymous numbers live at any `at` for every role
-- (and sufficient_statistics_k_anonymous, SECURITY DEFINER, was callable directly), so two
-- calls 1 ms apart differed by one user and revealed that user's value; anon learned that an
-- experiment existed, and its variant keys, by name.
--
-- Now non-service roles read only RELEASED statistics: release_statistics (service role, run
-- on a schedule: refresh_and_snapshot does it hourly) publishes, per running experiment,
-- catalog factor and the experiment's path, one row per variant under the rules of
-- @factoredui/core's releaseVariantRow:
--   * no row over 1..4 users; the covariate part is withheld when nX is 1..4 or the users with
--     y but no x are 1..4;
--   * a row whose user set differs from ANY earlier published row of the same experiment and
--     variant (any factor/path) by 1..4 users, or whose users' values changed for 1..4 users
--     (same factor and path), is not published: the variant's previous release is repeated.
-- Readers get the latest release at or before their `at` (zeros when none).

create table if not exists factoredui.statistics_releases (
  experiment_id uuid not null references factoredui.experiments (id) on delete cascade,
  factor text not null references factoredui.factor_catalog (name),
  path text not null,
  released_at timestamptz not null,
  rows jsonb not null check (jsonb_typeof(rows) = 'array'),
  primary key (experiment_id, factor, path, released_at)
);

-- Who contributed to each published row: service-only (it names users).
create table if not exists factoredui.statistics_release_cohorts (
  experiment_id uuid not null references factoredui.experiments (id) on delete cascade,
  variant_key text not null,
  factor text not null,
  path text not null,
  released_at timestamptz not null,
  members text[] not null,
  contributions text[] not null,
  primary key (experiment_id, variant_key, factor, path, released_at)
);

alter table factoredui.statistics_releases enable row level security;
alter table factoredui.statistics_release_cohorts enable row level security;
revoke all on factoredui.statistics_releases, factoredui.statistics_release_cohorts from public, anon, authenticated;
grant select, insert, delete on factoredui.statistics_releases, factoredui.statistics_release_cohorts to service_role;

-- Per user of the experiment assigned at or before `at`: variant, x, y (DESIGN §7 semantics).
create or replace function factoredui.statistics_contributions(experiment_id uuid, factor text, path text, at timestamptz)
returns table (variant_key text, user_id text, x double precision, y double precision)
language sql stable set search_path = '' as $$
  select a.variant_key, a.user_id,
    (select s.value from factoredui.factor_snapshots s
     where s.user_id = a.user_id and s.path = statistics_contributions.path and s.factor = statistics_contributions.factor
       and s.snapshot_at <= a.assigned_at
     order by s.snapshot_at desc limit 1),
    (select s.value from factoredui.factor_snapshots s
     where s.user_id = a.user_id and s.path = statistics_contributions.path and s.factor = statistics_contributions.factor
       and s.snapshot_at > a.assigned_at and s.snapshot_at <= statistics_contributions.at
     order by s.snapshot_at desc limit 1)
  from factoredui.assignments a
  where a.experiment_id = statistics_contributions.experiment_id and a.assigned_at <= statistics_contributions.at
$$;

-- Number of elements in exactly one of two sets.
create or replace function factoredui.set_difference_size(a text[], b text[]) returns integer
language sql immutable parallel safe set search_path = '' as $$
  select count(*)::integer from (
    (select unnest(a) except select unnest(b)) union all (select unnest(b) except select unnest(a))) d
$$;

-- Number of users whose contribution (user U+001F y U+001F x) differs between two releases.
create or replace function factoredui.changed_users(a text[], b text[]) returns integer
language sql immutable parallel safe set search_path = '' as $$
  select count(distinct split_part(d.c, chr(31), 1))::integer from (
    (select unnest(a) except select unnest(b)) union all (select unnest(b) except select unnest(a))) d(c)
$$;

create or replace function factoredui.zero_statistics(variant_key text, assigned bigint) returns jsonb
language sql immutable parallel safe set search_path = '' as $$
  select jsonb_build_object('variantKey', variant_key, 'assigned', assigned, 'n', 0, 'sumY', 0, 'sumY2', 0,
    'nX', 0, 'sumX', 0, 'sumX2', 0, 'sumXY', 0, 'sumYWithX', 0)
$$;

create or replace function factoredui.release_statistics(release jsonb) returns jsonb
language plpgsql volatile set search_path = '' as $$
declare
  v_at timestamptz;
  v_exp factoredui.experiments;
  v_factor text;
  v_variant text;
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
    for v_factor in select c.name from factoredui.factor_catalog c order by c.ordinal loop
      continue when exists (select 1 from factoredui.statistics_releases r
        where r.experiment_id = v_exp.id and r.factor = v_factor and r.path = v_exp.path and r.released_at = v_at);
      select r.rows into v_previous from factoredui.statistics_releases r
      where r.experiment_id = v_exp.id and r.factor = v_factor and r.path = v_exp.path and r.released_at < v_at
      order by r.released_at desc limit 1;
      v_rows := '[]';
      for v_variant in select v.value ->> 'key' from jsonb_array_elements(v_exp.variants) with ordinality v(value, ord) order by v.ord loop
        select count(*) as assigned, count(c.y) as n, count(c.y) filter (where c.x is not null) as n_x,
          coalesce(sum(c.y), 0) as sum_y, coalesce(sum(c.y * c.y), 0) as sum_y2,
          coalesce(sum(c.x) filter (where c.y is not null), 0) as sum_x,
          coalesce(sum(c.x * c.x) filter (where c.y is not null), 0) as sum_x2,
          coalesce(sum(c.x * c.y), 0) as sum_xy,
          coalesce(sum(c.y) filter (where c.x is not null), 0) as sum_y_with_x
        into v_s
        from factoredui.statistics_contributions(v_exp.id, v_factor, v_exp.path, v_at) c
        where c.variant_key = v_variant;
        if v_s.n = 0 then
          v_rows := v_rows || jsonb_build_array(factoredui.zero_statistics(v_variant, v_s.assigned));
          continue;
        end if;
        v_withhold_x := v_s.n_x between 1 and 4 or (v_s.n - v_s.n_x) between 1 and 4;
        select array_agg(c.user_id order by c.user_id),
               array_agg(c.user_id || chr(31) || c.y::text || chr(31)
                 || case when v_withhold_x or c.x is null then '' else c.x::text end
                 order by c.user_id)
        into v_members, v_contributions
        from factoredui.statistics_contributions(v_exp.id, v_factor, v_exp.path, v_at) c
        where c.variant_key = v_variant and c.y is not null;
        v_publish := v_s.n >= 5 and not exists (
          select 1 from factoredui.statistics_release_cohorts h
          where h.experiment_id = v_exp.id and h.variant_key = v_variant
            and (factoredui.set_difference_size(h.members, v_members) between 1 and 4
              or (h.factor = v_factor and h.path = v_exp.path
                  and factoredui.changed_users(h.contributions, v_contributions) between 1 and 4)));
        if not v_publish then
          v_rows := v_rows || jsonb_build_array(coalesce(
            (select p from jsonb_array_elements(v_previous) p where p ->> 'variantKey' = v_variant),
            factoredui.zero_statistics(v_variant, v_s.assigned)));
          continue;
        end if;
        insert into factoredui.statistics_release_cohorts (experiment_id, variant_key, factor, path, released_at, members, contributions)
        values (v_exp.id, v_variant, v_factor, v_exp.path, v_at, v_members, v_contributions);
        v_rows := v_rows || jsonb_build_array(jsonb_build_object('variantKey', v_variant, 'assigned', v_s.assigned,
          'n', v_s.n, 'sumY', v_s.sum_y, 'sumY2', v_s.sum_y2,
          'nX', case when v_withhold_x then 0 else v_s.n_x end,
          'sumX', case when v_withhold_x then 0 else v_s.sum_x end,
          'sumX2', case when v_withhold_x then 0 else v_s.sum_x2 end,
          'sumXY', case when v_withhold_x then 0 else v_s.sum_xy end,
          'sumYWithX', case when v_withhold_x then 0 else v_s.sum_y_with_x end));
      end loop;
      insert into factoredui.statistics_releases (experiment_id, factor, path, released_at, rows)
      values (v_exp.id, v_factor, v_exp.path, v_at, v_rows);
      v_released := v_released + 1;
    end loop;
  end loop;
  return jsonb_build_object('released', v_released);
end $$;

-- What non-service roles read: the latest release at or before `at`, zeros when none.
-- SECURITY DEFINER (the release tables are service-only); refuses anon itself, since it is
-- reachable directly through PostgREST.
create or replace function factoredui.released_statistics(query jsonb) returns jsonb
language plpgsql stable security definer set search_path = '' as $$
declare
  v_exp factoredui.experiments;
  v_factor text := factoredui.arg_text(query, 'factor', true);
  v_at timestamptz := factoredui.to_time(factoredui.arg_text(query, 'at', true), 'at');
  v_path text := factoredui.arg_path(query);
  v_rows jsonb;
begin
  if factoredui.invoker_kind() = 'anon' then
    raise exception using errcode = '42501', message = 'permission denied for table experiments';
  end if;
  if not exists (select 1 from factoredui.factor_catalog c where c.name = v_factor) then
    raise exception using errcode = '22023', message = format('unknown factor %s.', to_jsonb(v_factor));
  end if;
  v_exp := factoredui.find_experiment(factoredui.arg_text(query, 'experimentId', true));
  v_path := coalesce(v_path, v_exp.path);
  select r.rows into v_rows from factoredui.statistics_releases r
  where r.experiment_id = v_exp.id and r.factor = v_factor and r.path = v_path and r.released_at <= v_at
  order by r.released_at desc limit 1;
  return coalesce(v_rows, (select jsonb_agg(factoredui.zero_statistics(v.value ->> 'key', 0) order by v.ord)
    from jsonb_array_elements(v_exp.variants) with ordinality v(value, ord)));
end $$;

-- getSufficientStatistics: exact for the service role, released statistics for everyone else.
-- The experiment is looked up as the caller first, so anon gets getExperiment's error.
create or replace function factoredui.sufficient_statistics(query jsonb) returns jsonb
language plpgsql stable set search_path = '' as $$
begin
  if factoredui.caller_kind() = 'service' then
    return factoredui.sufficient_statistics_exact(query);
  end if;
  perform factoredui.find_experiment(factoredui.arg_text(query, 'experimentId', true));
  return factoredui.released_statistics(query);
end $$;

-- The hourly job releases statistics at the same time as it snapshots.
create or replace function factoredui.refresh_and_snapshot(as_of timestamptz default now()) returns jsonb
language plpgsql volatile set search_path = '' as $$
declare v_as_of timestamptz := date_trunc('milliseconds', refresh_and_snapshot.as_of);
begin
  return jsonb_build_object('refresh', factoredui.refresh_factors(v_as_of), 'snapshot', factoredui.snapshot_factors(v_as_of),
    'release', factoredui.release_statistics(jsonb_build_object('at', factoredui.iso(v_as_of))));
end $$;

-- Grants: the live k-anonymous path (callable directly with any `at`) and the helpers are
-- closed to clients; the public API keeps its grants.
revoke all on function factoredui.sufficient_statistics_k_anonymous(jsonb), factoredui.sufficient_statistics_exact(jsonb),
  factoredui.statistics_contributions(uuid, text, text, timestamptz), factoredui.set_difference_size(text[], text[]),
  factoredui.changed_users(text[], text[]), factoredui.zero_statistics(text, bigint), factoredui.release_statistics(jsonb)
  from public, anon, authenticated;
grant execute on function factoredui.sufficient_statistics_k_anonymous(jsonb), factoredui.sufficient_statistics_exact(jsonb),
  factoredui.statistics_contributions(uuid, text, text, timestamptz), factoredui.set_difference_size(text[], text[]),
  factoredui.changed_users(text[], text[]), factoredui.zero_statistics(text, bigint), factoredui.release_statistics(jsonb)
  to service_role;
revoke all on function factoredui.released_statistics(jsonb) from public;
grant execute on function factoredui.released_statistics(jsonb) to anon, authenticated, service_role;
