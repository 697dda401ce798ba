-- FactoredUI store: experiments, assignments, exposures and dashboard summaries.
-- Core decides (validation, legal transitions, bucketing, targeting); these functions persist
-- atomically and enforce what needs atomicity: unique names, compare-and-set on status, one
-- assignment per (user, experiment), exclusion per (user, path), one exposure per session.

create or replace function factoredui.insert_experiment(definition jsonb) returns jsonb
language plpgsql volatile set search_path = '' as $$
declare v_row factoredui.experiments;
begin
  perform factoredui.require_service('insertExperiment');
  if jsonb_typeof(definition) is distinct from 'object' then
    raise exception using errcode = '22023', message = 'the experiment definition must be an object.';
  end if;
  insert into factoredui.experiments (name, description, path, variants, coverage, targeting, platforms, seed)
  values (
    factoredui.arg_text(definition, 'name', true),
    coalesce(factoredui.arg_text(definition, 'description'), ''),
    factoredui.arg_path(definition, 'path', true),
    definition -> 'variants',
    coalesce((definition ->> 'coverage')::double precision, 1),
    coalesce(definition -> 'targeting', '[]'),
    coalesce(definition -> 'platforms', '[]'),
    coalesce(factoredui.arg_text(definition, 'seed'), definition ->> 'name'))
  returning * into v_row;
  return factoredui.experiment_json(v_row);
exception
  when unique_violation then
    raise exception using errcode = '23505',
      message = format('an experiment named %s already exists; experiment names are unique.', to_jsonb(definition ->> 'name'));
  when check_violation or not_null_violation or invalid_text_representation then
    raise exception using errcode = '22023', message = format('invalid experiment definition: %s', sqlerrm);
end $$;

create or replace function factoredui.find_experiment(id_or_name text) returns factoredui.experiments
language plpgsql stable set search_path = '' as $$
declare v_row factoredui.experiments;
begin
  if factoredui.is_uuid(id_or_name) then
    select * into v_row from factoredui.experiments e where e.id = id_or_name::uuid;
  end if;
  if v_row.id is null then
    select * into v_row from factoredui.experiments e where e.name = id_or_name;
  end if;
  if v_row.id is null then
    raise exception using errcode = 'P0002',
      message = format('experiment %s does not exist or is not visible to this store.', to_jsonb(id_or_name));
  end if;
  return v_row;
end $$;

create or replace function factoredui.get_experiment(id_or_name text) returns jsonb
language sql stable set search_path = '' as $$
  select factoredui.experiment_json(factoredui.find_experiment(id_or_name))
$$;

create or replace function factoredui.list_experiments(query jsonb default '{}') returns jsonb
language plpgsql stable set search_path = '' as $$
declare
  v_status text[] := factoredui.arg_texts(query, 'status');
  v_path text := factoredui.arg_path(query);
  v_result jsonb;
begin
  select coalesce(jsonb_agg(factoredui.experiment_json(e) order by e.created_at, e.id), '[]') into v_result
  from factoredui.experiments e
  where (v_status is null or e.status = any (v_status)) and (v_path is null or e.path = v_path);
  return v_result;
end $$;

-- Replaces fields of an experiment still in `expectedStatus` (compare-and-set).
create or replace function factoredui.update_experiment(experiment_id uuid, patch jsonb) returns jsonb
language plpgsql volatile set search_path = '' as $$
declare
  v_expected text := factoredui.arg_text(patch, 'expectedStatus', true);
  v_changes jsonb := coalesce(patch -> 'changes', '{}');
  v_row factoredui.experiments;
begin
  perform factoredui.require_service('updateExperiment');
  if jsonb_typeof(v_changes) <> 'object' then
    raise exception using errcode = '22023', message = 'changes must be an object.';
  end if;
  update factoredui.experiments e set
    name = case when v_changes ? 'name' then v_changes ->> 'name' else e.name end,
    description = case when v_changes ? 'description' then coalesce(v_changes ->> 'description', '') else e.description end,
    path = case when v_changes ? 'path' then factoredui.arg_path(v_changes, 'path', true) else e.path end,
    variants = case when v_changes ? 'variants' then v_changes -> 'variants' else e.variants end,
    coverage = case when v_changes ? 'coverage' then (v_changes ->> 'coverage')::double precision else e.coverage end,
    targeting = case when v_changes ? 'targeting' then v_changes -> 'targeting' else e.targeting end,
    platforms = case when v_changes ? 'platforms' then v_changes -> 'platforms' else e.platforms end,
    seed = case when v_changes ? 'seed' then v_changes ->> 'seed' else e.seed end
  where e.id = update_experiment.experiment_id and e.status = v_expected
  returning * into v_row;
  if v_row.id is null then
    perform factoredui.find_experiment(experiment_id::text);
    raise exception using errcode = 'FU409',
      message = format('experiment %s is no longer %s; reload it and retry.', experiment_id, v_expected);
  end if;
  return factoredui.experiment_json(v_row);
exception
  when unique_violation then
    raise exception using errcode = '23505',
      message = format('an experiment named %s already exists; experiment names are unique.', to_jsonb(v_changes ->> 'name'));
  when check_violation or not_null_violation or invalid_text_representation then
    raise exception using errcode = '22023', message = format('invalid experiment change: %s', sqlerrm);
end $$;

-- Moves an experiment from change.from to change.to (compare-and-set).
create or replace function factoredui.transition_experiment(experiment_id uuid, change jsonb) returns jsonb
language plpgsql volatile set search_path = '' as $$
declare
  v_from text := factoredui.arg_text(change, 'from', true);
  v_to text := factoredui.arg_text(change, 'to', true);
  v_winner text := factoredui.arg_text(change, 'winner');
  v_now timestamptz := date_trunc('milliseconds', clock_timestamp());
  v_row factoredui.experiments;
begin
  perform factoredui.require_service('transitionExperiment');
  if v_to not in ('draft', 'running', 'concluded', 'stopped') then
    raise exception using errcode = '22023', message = format('unknown experiment status %s.', to_jsonb(v_to));
  end if;
  update factoredui.experiments e set
    status = v_to,
    winner = coalesce(v_winner, e.winner),
    started_at = case when v_to = 'running' then v_now else e.started_at end,
    ended_at = case when v_to in ('concluded', 'stopped') then v_now else e.ended_at end
  where e.id = transition_experiment.experiment_id and e.status = v_from
  returning * into v_row;
  if v_row.id is null then
    perform factoredui.find_experiment(experiment_id::text);
    raise exception using errcode = 'FU409',
      message = format('experiment %s is not %s (it changed meanwhile); reload it and retry.', experiment_id, v_from);
  end if;
  return factoredui.experiment_json(v_row);
exception
  when check_violation then
    raise exception using errcode = '22023',
      message = format('winner %s is not a variant of experiment %s.', to_jsonb(v_winner), experiment_id);
end $$;

-- First write wins per (user, experiment); exclusion per (user, path) checked under a lock.
create or replace function factoredui.record_assignment(assignment jsonb) returns jsonb
language plpgsql volatile set search_path = '' as $$
declare
  v_user text := factoredui.arg_text(assignment, 'userId', true);
  v_experiment_ref text := factoredui.arg_text(assignment, 'experimentId', true);
  v_variant text := factoredui.arg_text(assignment, 'variantKey', true);
  v_at timestamptz := factoredui.to_time(factoredui.arg_text(assignment, 'assignedAt', true), 'assignedAt');
  v_exp factoredui.experiments;
  v_row factoredui.assignments;
  v_other uuid;
begin
  if v_user = '' then raise exception using errcode = '22023', message = 'userId is required.'; end if;
  perform factoredui.require_writer(v_user, 'recordAssignment');
  if not factoredui.is_uuid(v_experiment_ref) then
    raise exception using errcode = 'P0002', message = format('experiment %s does not exist.', to_jsonb(v_experiment_ref));
  end if;
  v_exp := factoredui.find_experiment(v_experiment_ref);
  if not v_exp.variants @> jsonb_build_array(jsonb_build_object('key', v_variant)) then
    raise exception using errcode = '22023',
      message = format('variant %s is not a variant of experiment %s.', to_jsonb(v_variant), v_exp.name);
  end if;
  -- Serializes assignments of one user on one path, so exclusion holds under concurrency.
  perform pg_advisory_xact_lock(hashtextextended('factoredui.assign:' || v_user || chr(31) || v_exp.path, 0));
  select * into v_row from factoredui.assignments a where a.user_id = v_user and a.experiment_id = v_exp.id;
  if found then return factoredui.assignment_json(v_row); end if;
  if v_exp.status <> 'running' then
    raise exception using errcode = 'FU409',
      message = format('experiment %s is %s, not running; users can only be assigned to running experiments.', v_exp.name, v_exp.status);
  end if;
  select a.experiment_id into v_other
  from factoredui.assignments a join factoredui.experiments e on e.id = a.experiment_id
  where a.user_id = v_user and e.path = v_exp.path and e.status = 'running' and e.id <> v_exp.id
  limit 1;
  if v_other is not null then
    raise exception using errcode = 'FU409', detail = jsonb_build_object('experimentId', v_other)::text,
      message = format('user %s is already in running experiment %s on path %s (one running experiment per user and path).',
        v_user, v_other, v_exp.path);
  end if;
  insert into factoredui.assignments (user_id, experiment_id, variant_key, assigned_at)
  values (v_user, v_exp.id, v_variant, v_at)
  on conflict (user_id, experiment_id) do nothing;
  select * into v_row from factoredui.assignments a where a.user_id = v_user and a.experiment_id = v_exp.id;
  return factoredui.assignment_json(v_row);
end $$;

create or replace function factoredui.list_assignments(query jsonb default '{}') returns jsonb
language plpgsql stable set search_path = '' as $$
declare
  v_user text := factoredui.arg_text(query, 'userId');
  v_experiment text := factoredui.arg_text(query, 'experimentId');
  v_result jsonb;
begin
  if v_experiment is not null and not factoredui.is_uuid(v_experiment) then return '[]'; end if;
  select coalesce(jsonb_agg(factoredui.assignment_json(a) order by a.assigned_at, a.experiment_id, a.user_id collate "C"), '[]')
  into v_result
  from factoredui.assignments a
  where (v_user is null or a.user_id = v_user) and (v_experiment is null or a.experiment_id = v_experiment::uuid);
  return v_result;
end $$;

create or replace function factoredui.record_exposure(exposure jsonb) returns jsonb
language plpgsql volatile set search_path = '' as $$
declare
  v_user text := factoredui.arg_text(exposure, 'userId', true);
  v_experiment text := factoredui.arg_text(exposure, 'experimentId', true);
  v_variant text := factoredui.arg_text(exposure, 'variantKey', true);
  v_session text := factoredui.arg_text(exposure, 'sessionId', true);
  v_at timestamptz := factoredui.to_time(factoredui.arg_text(exposure, 'exposedAt', true), 'exposedAt');
  v_assigned factoredui.assignments;
  v_count integer;
begin
  if v_user = '' or v_session = '' then
    raise exception using errcode = '22023', message = 'userId and sessionId must be non-empty.';
  end if;
  perform factoredui.require_writer(v_user, 'recordExposure');
  if factoredui.is_uuid(v_experiment) then
    select * into v_assigned from factoredui.assignments a
    where a.user_id = v_user and a.experiment_id = v_experiment::uuid;
  end if;
  if v_assigned.user_id is null then
    raise exception using errcode = 'P0002',
      message = format('user %s has no assignment in experiment %s; record the assignment first.', v_user, v_experiment);
  end if;
  if v_assigned.variant_key <> v_variant then
    raise exception using errcode = 'FU409',
      message = format('user %s is assigned to variant %s, not %s.', v_user, to_jsonb(v_assigned.variant_key), to_jsonb(v_variant));
  end if;
  insert into factoredui.exposures (user_id, experiment_id, variant_key, session_id, exposed_at)
  values (v_user, v_assigned.experiment_id, v_variant, v_session, v_at)
  on conflict (user_id, experiment_id, session_id) do nothing;
  get diagnostics v_count = row_count;
  return jsonb_build_object('recorded', v_count > 0);
end $$;

create or replace function factoredui.list_exposures(query jsonb default '{}') returns jsonb
language plpgsql stable set search_path = '' as $$
declare
  v_user text := factoredui.arg_text(query, 'userId');
  v_experiment text := factoredui.arg_text(query, 'experimentId');
  v_result jsonb;
begin
  if v_experiment is not null and not factoredui.is_uuid(v_experiment) then return '[]'; end if;
  select coalesce(jsonb_agg(factoredui.exposure_json(x) order by x.exposed_at, x.session_id collate "C", x.experiment_id, x.user_id collate "C"), '[]')
  into v_result
  from factoredui.exposures x
  where (v_user is null or x.user_id = v_user) and (v_experiment is null or x.experiment_id = v_experiment::uuid);
  return v_result;
end $$;

-- Dashboard rows over the rows visible to the caller (like a security_invoker view).
create or replace function factoredui.experiment_summaries(experiment_ids uuid[]) returns jsonb
language sql stable set search_path = '' as $$
  select coalesce(jsonb_agg(jsonb_build_object(
      'experimentId', e.id, 'experimentName', e.name, 'path', e.path, 'status', e.status, 'winner', e.winner,
      'createdAt', factoredui.iso(e.created_at), 'startedAt', factoredui.iso(e.started_at), 'endedAt', factoredui.iso(e.ended_at),
      'variantKey', v.value ->> 'key', 'weight', (v.value -> 'weight'),
      'assignedUsers', (select count(distinct a.user_id) from factoredui.assignments a
                        where a.experiment_id = e.id and a.variant_key = v.value ->> 'key'),
      'exposedUsers', (select count(distinct x.user_id) from factoredui.exposures x
                       where x.experiment_id = e.id and x.variant_key = v.value ->> 'key'))
    order by e.created_at, e.id, v.ord), '[]')
  from factoredui.experiments e
  cross join lateral jsonb_array_elements(e.variants) with ordinality as v(value, ord)
  where e.id = any (experiment_ids)
$$;

create or replace function factoredui.get_experiment_summaries(query jsonb default '{}') returns jsonb
language plpgsql stable set search_path = '' as $$
declare
  v_status text[] := factoredui.arg_texts(query, 'status');
  v_path text := factoredui.arg_path(query);
  v_after timestamptz := factoredui.to_time(factoredui.arg_text(query, 'createdAfter'), 'createdAfter');
  v_before timestamptz := factoredui.to_time(factoredui.arg_text(query, 'createdBefore'), 'createdBefore');
begin
  return factoredui.experiment_summaries(array(
    select e.id from factoredui.experiments e
    where (v_status is null or e.status = any (v_status)) and (v_path is null or e.path = v_path)
      and (v_after is null or e.created_at >= v_after) and (v_before is null or e.created_at <= v_before)));
end $$;

create or replace function factoredui.get_experiment_summary(experiment_id uuid) returns jsonb
language plpgsql stable set search_path = '' as $$
begin
  if not exists (select 1 from factoredui.experiments e where e.id = get_experiment_summary.experiment_id) then
    raise exception using errcode = 'P0002', message = format('experiment %s does not exist.', experiment_id);
  end if;
  return factoredui.experiment_summaries(array[experiment_id]);
end $$;
