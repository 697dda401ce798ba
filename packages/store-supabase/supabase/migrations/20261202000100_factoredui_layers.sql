-- FactoredUI layers (DESIGN §18, issue #19): experiments of one layer are mutually exclusive
-- across component paths.
--
-- An experiment may take a slice { name, start, end } of a layer: buckets [start, end) of the
-- layer's 10,000. A user's layer bucket is murmur3_32(UTF-8 of name || U+001F || user_id, 2)
-- mod 10000, the same as core's layerBucket (experiments/hash.ts), so every experiment of the
-- layer sees the same bucket for a user; the user is enrolled only when it falls in the slice.
--
--   * experiments.layer holds the slice (null: no layer); a trigger validates its shape (the
--     same rules as core's validator), refuses a slice overlapping a draft or running
--     experiment of the same layer (FU409 naming it; serialized per layer by an advisory lock),
--     and freezes the slice of a running experiment;
--   * decide_assignment (the server's rule for non-service callers, #15) checks the slice
--     first: cause 'layer'. Disjoint slices and one bucket per user make two experiments of a
--     layer impossible for any client, whatever ids it sends.

alter table factoredui.experiments add column if not exists layer jsonb;

-- True when the user's layer bucket falls in `layer`'s [start, end) (core's inLayer).
create or replace function factoredui.in_layer(layer jsonb, user_id text) returns boolean
language sql immutable strict parallel safe set search_path = '' as $$
  select factoredui.bucket(layer ->> 'name', user_id, 2)
    between (layer ->> 'start')::integer and (layer ->> 'end')::integer - 1
$$;

-- The shape check, overlap check and freeze of experiments.layer.
create or replace function factoredui.check_experiment_layer() returns trigger
language plpgsql set search_path = '' as $$
declare
  v_name text;
  v_start jsonb;
  v_end jsonb;
  v_other factoredui.experiments;
begin
  if tg_op = 'UPDATE' then
    if new.layer is not distinct from old.layer then return new; end if;
    if old.status <> 'draft' then
      raise exception using errcode = 'FU409',
        detail = jsonb_build_object('experimentId', old.id, 'status', old.status)::text,
        message = format('experiment %s is %s: its layer cannot change (stop it and create a new experiment instead).',
          old.name, old.status);
    end if;
  end if;
  if new.layer is null or jsonb_typeof(new.layer) = 'null' then
    new.layer := null;
    return new;
  end if;
  if jsonb_typeof(new.layer) <> 'object' then
    raise exception using errcode = '22023', message = 'layer: expected { name, start, end } or null.';
  end if;
  if exists (select 1 from jsonb_object_keys(new.layer) k where k not in ('name', 'start', 'end')) then
    raise exception using errcode = '22023', message = 'layer: unknown field (a layer has name, start, end).';
  end if;
  v_name := case when jsonb_typeof(new.layer -> 'name') = 'string' then new.layer ->> 'name' end;
  if v_name is null or btrim(v_name) = '' then
    raise exception using errcode = '22023', message = 'layer.name: a non-empty string is required.';
  end if;
  if char_length(v_name) > factoredui.limit_of('experimentNameChars') then
    raise exception using errcode = '22023',
      message = format('layer.name: %s characters long; the limit is %s (LIMITS.experimentNameChars).',
        char_length(v_name), factoredui.limit_of('experimentNameChars'));
  end if;
  if v_name ~ '[\x01-\x1f\x7f]' then
    raise exception using errcode = '22023', message = 'layer.name: control characters are not allowed.';
  end if;
  v_start := new.layer -> 'start';
  v_end := new.layer -> 'end';
  if jsonb_typeof(v_start) is distinct from 'number' or (v_start #>> '{}')::numeric % 1 <> 0
     or (v_start #>> '{}')::numeric < 0 or (v_start #>> '{}')::numeric >= 10000 then
    raise exception using errcode = '22023',
      message = format('layer.start: an integer bucket in [0, 10000) is required, got %s.', coalesce(v_start::text, 'nothing'));
  end if;
  if jsonb_typeof(v_end) is distinct from 'number' or (v_end #>> '{}')::numeric % 1 <> 0
     or (v_end #>> '{}')::numeric <= (v_start #>> '{}')::numeric or (v_end #>> '{}')::numeric > 10000 then
    raise exception using errcode = '22023',
      message = format('layer.end: an integer bucket in (%s, 10000] is required (the range is [start, end)), got %s.',
        v_start, coalesce(v_end::text, 'nothing'));
  end if;
  new.layer := jsonb_build_object('name', v_name, 'start', (v_start #>> '{}')::integer, 'end', (v_end #>> '{}')::integer);
  -- One writer per layer at a time, so two concurrent overlapping slices cannot both pass.
  perform pg_advisory_xact_lock(hashtextextended('factoredui.layer:' || v_name, 0));
  select * into v_other from factoredui.experiments e
  where e.id <> new.id and e.status in ('draft', 'running') and e.layer ->> 'name' = v_name
    and (e.layer ->> 'start')::integer < (new.layer ->> 'end')::integer
    and (new.layer ->> 'start')::integer < (e.layer ->> 'end')::integer
  order by e.created_at, e.id
  limit 1;
  if v_other.id is not null then
    raise exception using errcode = 'FU409',
      detail = jsonb_build_object('field', 'layer', 'experimentId', v_other.id)::text,
      message = format('layer "%s" buckets [%s, %s) overlap experiment "%s" (%s, buckets [%s, %s)); pick a free range of the layer, or stop that experiment first.',
        v_name, new.layer -> 'start', new.layer -> 'end', v_other.name, v_other.status,
        v_other.layer -> 'start', v_other.layer -> 'end');
  end if;
  return new;
end $$;

drop trigger if exists experiments_layer on factoredui.experiments;
create trigger experiments_layer before insert or update on factoredui.experiments
  for each row execute function factoredui.check_experiment_layer();

create or replace function factoredui.experiment_json(e factoredui.experiments) returns jsonb
language sql stable set search_path = '' as $$
  select jsonb_build_object('id', e.id, 'name', e.name, 'description', e.description, 'path', e.path,
    'variants', e.variants, 'coverage', e.coverage, 'targeting', e.targeting, 'platforms', e.platforms,
    'seed', e.seed, 'status', e.status, 'winner', e.winner, 'createdAt', factoredui.iso(e.created_at),
    'startedAt', factoredui.iso(e.started_at), 'endedAt', factoredui.iso(e.ended_at))
    || case when e.layer is null then '{}'::jsonb else jsonb_build_object('layer', e.layer) end
$$;

create or replace function factoredui.insert_experiment(definition jsonb) returns jsonb
language plpgsql volatile set search_path = '' as $$
declare v_row factoredui.experiments;
begin
  perform factoredui.require_service('insertExperiment');
  if jsonb_typeof(definition) is distinct from 'object' then
    raise exception using errcode = '22023', message = 'the experiment definition must be an object.';
  end if;
  insert into factoredui.experiments (name, description, path, variants, coverage, targeting, platforms, seed, layer)
  values (
    factoredui.arg_text(definition, 'name', true),
    coalesce(factoredui.arg_text(definition, 'description'), ''),
    factoredui.arg_path(definition, 'path', true),
    definition -> 'variants',
    coalesce((definition ->> 'coverage')::double precision, 1),
    coalesce(definition -> 'targeting', '[]'),
    coalesce(definition -> 'platforms', '[]'),
    coalesce(factoredui.arg_text(definition, 'seed'), definition ->> 'name'),
    definition -> 'layer')
  returning * into v_row;
  return factoredui.experiment_json(v_row);
exception
  when unique_violation then
    raise exception using errcode = '23505',
      message = format('an experiment named %s already exists; experiment names are unique.', to_jsonb(definition ->> 'name'));
  when check_violation or not_null_violation or invalid_text_representation then
    raise exception using errcode = '22023', message = format('invalid experiment definition: %s', sqlerrm);
end $$;

-- Replaces fields of an experiment still in `expectedStatus` (compare-and-set); `layer: null`
-- removes the layer slice.
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
    seed = case when v_changes ? 'seed' then v_changes ->> 'seed' else e.seed end,
    layer = case when v_changes ? 'layer' then nullif(v_changes -> 'layer', 'null'::jsonb) else e.layer end
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

-- The server's decision for a user not yet assigned: (variant, null) or (null, cause) with
-- cause 'layer', 'targeting' or 'coverage' (core's decideAssignment, in the same order).
-- Status and exclusion are checked by the caller, under its lock.
create or replace function factoredui.decide_assignment(e factoredui.experiments, user_id text,
  out variant text, out cause text)
language plpgsql stable set search_path = '' as $$
begin
  if e.layer is not null and not factoredui.in_layer(e.layer, user_id) then
    cause := 'layer';
    return;
  end if;
  if not factoredui.factor_rules_pass(e.targeting, user_id, e.path) then
    cause := 'targeting';
    return;
  end if;
  variant := factoredui.bucket_user(e.seed, e.coverage, e.variants, user_id);
  if variant is null then cause := 'coverage'; end if;
end $$;

-- Internal helpers: only the definer functions and the trigger call them.
revoke all on function factoredui.in_layer(jsonb, text), factoredui.check_experiment_layer()
  from public, anon, authenticated;
grant execute on function factoredui.in_layer(jsonb, text), factoredui.check_experiment_layer()
  to service_role;
