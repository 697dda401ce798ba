-- FactoredUI store: governance (thresholds, sufficient statistics, the append-only log) and
-- SDUI spec storage (immutable versions with an active pointer).

create or replace function factoredui.upsert_threshold(threshold jsonb) returns jsonb
language plpgsql volatile set search_path = '' as $$
declare v_row factoredui.thresholds;
begin
  perform factoredui.require_service('upsertThreshold');
  if jsonb_typeof(threshold -> 'value') is distinct from 'number' then
    raise exception using errcode = '22023', message = 'threshold value must be a finite number.';
  end if;
  insert into factoredui.thresholds (id, experiment_id, factor, path, operator, value, scale)
  values (factoredui.arg_uuid(threshold, 'id', true), factoredui.arg_uuid(threshold, 'experimentId'),
    factoredui.arg_text(threshold, 'factor', true), factoredui.arg_path(threshold, 'path'),
    factoredui.arg_text(threshold, 'operator', true), (threshold ->> 'value')::double precision,
    coalesce(factoredui.arg_text(threshold, 'scale'), 'absolute'))
  on conflict (id) do update set experiment_id = excluded.experiment_id, factor = excluded.factor,
    path = excluded.path, operator = excluded.operator, value = excluded.value, scale = excluded.scale
  returning * into v_row;
  return factoredui.threshold_json(v_row);
exception
  when check_violation or not_null_violation then
    raise exception using errcode = '22023', message = format('invalid threshold: %s', sqlerrm);
  when foreign_key_violation then
    if sqlerrm like '%factor_catalog%' or sqlerrm like '%factor_fkey%' then
      raise exception using errcode = '22023', message = format('unknown factor %s.', to_jsonb(threshold ->> 'factor'));
    end if;
    raise exception using errcode = 'P0002', message = format('experiment %s does not exist.', threshold ->> 'experimentId');
end $$;

create or replace function factoredui.list_thresholds(query jsonb default '{}') returns jsonb
language plpgsql stable set search_path = '' as $$
declare v_experiment uuid := factoredui.arg_uuid(query, 'experimentId'); v_result jsonb;
begin
  select coalesce(jsonb_agg(factoredui.threshold_json(t) order by t.id), '[]') into v_result
  from factoredui.thresholds t
  where v_experiment is null or t.experiment_id = v_experiment or t.experiment_id is null;
  return v_result;
end $$;

-- Per-variant sufficient statistics (DESIGN §7): for each user assigned at or before `at`,
-- y = latest snapshot value in (assigned_at, at], x = latest snapshot value at or before
-- assigned_at. Users without y are left out of the sums (but counted in `assigned`, the SRM
-- input); users without x contribute to the y sums only.
create or replace function factoredui.sufficient_statistics_exact(query jsonb) returns jsonb
language plpgsql stable set search_path = '' as $$
declare
  v_exp factoredui.experiments;
  v_factor text := factoredui.arg_text(query, 'factor', true);
  v_at timestamptz := factoredui.to_time(factoredui.arg_text(query, 'at', true), 'at');
  v_path text := factoredui.arg_path(query);
  v_result jsonb;
begin
  if not exists (select 1 from factoredui.factor_catalog c where c.name = v_factor) then
    raise exception using errcode = '22023', message = format('unknown factor %s.', to_jsonb(v_factor));
  end if;
  v_exp := factoredui.find_experiment(factoredui.arg_text(query, 'experimentId', true));
  v_path := coalesce(v_path, v_exp.path);
  with xy as (
    select a.variant_key,
      (select s.value from factoredui.factor_snapshots s
       where s.user_id = a.user_id and s.path = v_path and s.factor = v_factor
         and s.snapshot_at > a.assigned_at and s.snapshot_at <= v_at
       order by s.snapshot_at desc limit 1) as y,
      (select s.value from factoredui.factor_snapshots s
       where s.user_id = a.user_id and s.path = v_path and s.factor = v_factor
         and s.snapshot_at <= a.assigned_at
       order by s.snapshot_at desc limit 1) as x
    from factoredui.assignments a
    where a.experiment_id = v_exp.id and a.assigned_at <= v_at
  ),
  sums as (
    select xy.variant_key,
      count(*) as assigned,
      count(xy.y) as n, sum(xy.y) as sum_y, sum(xy.y * xy.y) as sum_y2,
      count(*) filter (where xy.x is not null and xy.y is not null) as n_x,
      sum(xy.x) filter (where xy.y is not null) as sum_x,
      sum(xy.x * xy.x) filter (where xy.y is not null) as sum_x2,
      sum(xy.x * xy.y) as sum_xy,
      sum(xy.y) filter (where xy.x is not null) as sum_y_with_x
    from xy
    group by xy.variant_key
  )
  select jsonb_agg(jsonb_build_object(
      'variantKey', v.value ->> 'key', 'assigned', coalesce(s.assigned, 0), 'n', coalesce(s.n, 0),
      'sumY', coalesce(s.sum_y, 0), 'sumY2', coalesce(s.sum_y2, 0),
      'nX', coalesce(s.n_x, 0), 'sumX', coalesce(s.sum_x, 0), 'sumX2', coalesce(s.sum_x2, 0),
      'sumXY', coalesce(s.sum_xy, 0), 'sumYWithX', coalesce(s.sum_y_with_x, 0))
    order by v.ord)
  into v_result
  from jsonb_array_elements(v_exp.variants) with ordinality as v(value, ord)
  left join sums s on s.variant_key = v.value ->> 'key';
  return v_result;
end $$;

-- The numbers every role but service gets: computed over all users (SECURITY DEFINER), then
-- masked so no sum covers fewer than 5 users; `assigned` stays exact.
create or replace function factoredui.sufficient_statistics_k_anonymous(query jsonb) returns jsonb
language sql stable security definer set search_path = '' as $$
  select jsonb_agg(
    case
      when (r ->> 'n')::integer between 1 and 4 then
        r || jsonb_build_object('n', 0, 'sumY', 0, 'sumY2', 0, 'nX', 0, 'sumX', 0, 'sumX2', 0, 'sumXY', 0, 'sumYWithX', 0)
      when (r ->> 'nX')::integer between 1 and 4 then
        r || jsonb_build_object('nX', 0, 'sumX', 0, 'sumX2', 0, 'sumXY', 0, 'sumYWithX', 0)
      else r
    end order by ord)
  from jsonb_array_elements(factoredui.sufficient_statistics_exact(query)) with ordinality as t(r, ord)
$$;

-- getSufficientStatistics: exact for the service role (RLS bypassed), k-anonymous otherwise.
create or replace function factoredui.sufficient_statistics(query jsonb) returns jsonb
language plpgsql stable set search_path = '' as $$
begin
  if factoredui.caller_kind() = 'service' then
    return factoredui.sufficient_statistics_exact(query);
  end if;
  return factoredui.sufficient_statistics_k_anonymous(query);
end $$;

create or replace function factoredui.append_governance_log(entry jsonb) returns jsonb
language plpgsql volatile set search_path = '' as $$
begin
  perform factoredui.require_service('appendGovernanceLog');
  if jsonb_typeof(entry) is distinct from 'object' then
    raise exception using errcode = '22023', message = 'a governance log entry must be an object.';
  end if;
  insert into factoredui.governance_log (id, experiment_id, verdict, winner, evaluated_at, entry)
  values (factoredui.arg_uuid(entry, 'id', true), factoredui.arg_uuid(entry, 'experimentId', true),
    factoredui.arg_text(entry, 'verdict', true), factoredui.arg_text(entry, 'winner'),
    factoredui.to_time(factoredui.arg_text(entry, 'evaluatedAt', true), 'evaluatedAt'), entry);
  return entry;
exception
  when unique_violation then
    raise exception using errcode = '23505',
      message = format('governance log entry %s already exists; the log is append-only.', entry ->> 'id');
  when foreign_key_violation then
    raise exception using errcode = 'P0002', message = format('experiment %s does not exist.', entry ->> 'experimentId');
  when check_violation then
    raise exception using errcode = '22023', message = format('invalid governance log entry: %s', sqlerrm);
end $$;

create or replace function factoredui.list_governance_log(query jsonb default '{}') returns jsonb
language plpgsql stable set search_path = '' as $$
declare
  v_experiment text := factoredui.arg_text(query, 'experimentId');
  v_verdict text := factoredui.arg_text(query, 'verdict');
  v_limit integer := factoredui.arg_limit(query);
  v_result jsonb;
begin
  if v_experiment is not null and not factoredui.is_uuid(v_experiment) then return '[]'; end if;
  if v_limit is not null and v_limit < 1 then
    raise exception using errcode = '22023', message = format('limit must be a positive integer, got %s.', v_limit);
  end if;
  if v_verdict is not null and v_verdict not in ('conclude', 'continue', 'flag_review') then
    raise exception using errcode = '22023',
      message = format('verdict must be one of conclude, continue, flag_review, got %s.', to_jsonb(v_verdict));
  end if;
  select coalesce(jsonb_agg(l.entry order by l.seq desc), '[]') into v_result
  from (select g.entry, g.seq from factoredui.governance_log g
        where (v_experiment is null or g.experiment_id = v_experiment::uuid)
          and (v_verdict is null or g.verdict = v_verdict)
        order by g.seq desc
        limit v_limit) l;
  return v_result;
end $$;

-- ---------------------------------------------------------------------------------------------
-- Specs.
-- ---------------------------------------------------------------------------------------------
create or replace function factoredui.spec_key(input jsonb, out name text, out platform text)
language plpgsql immutable set search_path = '' as $$
begin
  name := factoredui.arg_text(input, 'name', true);
  platform := factoredui.arg_text(input, 'platform', true);
  if name = '' or platform = '' then
    raise exception using errcode = '22023', message = 'spec name and platform must be non-empty.';
  end if;
end $$;

create or replace function factoredui.save_spec(input jsonb) returns jsonb
language plpgsql volatile set search_path = '' as $$
declare
  k record := factoredui.spec_key(input);
  v_version integer;
  v_row factoredui.specs;
begin
  perform factoredui.require_service('saveSpec');
  -- The pointer row is the per-(name, platform) counter: concurrent saves get distinct versions.
  insert into factoredui.spec_pointers as p (name, platform, latest_version)
  values (k.name, k.platform, 1)
  on conflict (name, platform) do update set latest_version = p.latest_version + 1, updated_at = now()
  returning p.latest_version into v_version;
  insert into factoredui.specs (name, platform, version, envelope)
  values (k.name, k.platform, v_version, input -> 'envelope')
  returning * into v_row;
  return factoredui.spec_json(v_row);
exception
  when check_violation or not_null_violation then
    raise exception using errcode = '22023',
      message = 'a spec envelope must be an object with spec (object), spec_hash, signature, signed_at and key_id (strings).';
end $$;

create or replace function factoredui.find_spec(name text, platform text, version integer) returns factoredui.specs
language plpgsql stable set search_path = '' as $$
declare v_row factoredui.specs;
begin
  select * into v_row from factoredui.specs s
  where s.name = find_spec.name and s.platform = find_spec.platform and s.version = find_spec.version;
  if not found then
    raise exception using errcode = 'P0002',
      message = format('spec %s on %s has no version %s.', to_jsonb(name), to_jsonb(platform), version);
  end if;
  return v_row;
end $$;

create or replace function factoredui.arg_version(input jsonb) returns integer
language plpgsql immutable set search_path = '' as $$
begin
  if jsonb_typeof(input -> 'version') is distinct from 'number'
     or (input ->> 'version')::numeric <> trunc((input ->> 'version')::numeric) or (input ->> 'version')::numeric < 1 then
    raise exception using errcode = '22023', message = format('version must be a positive integer, got %s.', coalesce(input -> 'version', 'null'));
  end if;
  return least((input ->> 'version')::numeric, 2147483647)::integer;
end $$;

create or replace function factoredui.activate_spec(input jsonb) returns jsonb
language plpgsql volatile set search_path = '' as $$
declare k record := factoredui.spec_key(input); v_row factoredui.specs;
begin
  perform factoredui.require_service('activateSpec');
  v_row := factoredui.find_spec(k.name, k.platform, factoredui.arg_version(input));
  update factoredui.spec_pointers p set active_version = v_row.version, updated_at = now()
  where p.name = k.name and p.platform = k.platform;
  return factoredui.spec_json(v_row);
end $$;

create or replace function factoredui.get_active_spec(input jsonb) returns jsonb
language plpgsql stable set search_path = '' as $$
declare k record := factoredui.spec_key(input); v_result jsonb;
begin
  select factoredui.spec_json(s) into v_result
  from factoredui.spec_pointers p
  join factoredui.specs s on s.name = p.name and s.platform = p.platform and s.version = p.active_version
  where p.name = k.name and p.platform = k.platform;
  return coalesce(v_result, 'null'::jsonb);
end $$;

create or replace function factoredui.get_spec(input jsonb) returns jsonb
language plpgsql stable set search_path = '' as $$
declare k record := factoredui.spec_key(input);
begin
  return factoredui.spec_json(factoredui.find_spec(k.name, k.platform, factoredui.arg_version(input)));
end $$;

create or replace function factoredui.list_spec_versions(input jsonb) returns jsonb
language plpgsql stable set search_path = '' as $$
declare k record := factoredui.spec_key(input); v_result jsonb;
begin
  select coalesce(jsonb_agg(factoredui.spec_json(s) order by s.version), '[]') into v_result
  from factoredui.specs s where s.name = k.name and s.platform = k.platform;
  return v_result;
end $$;
