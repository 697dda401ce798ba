-- FactoredUI store: limits of service-only inputs and of insert_events batches (DESIGN §15
-- "input is bounded everywhere").
--
-- Experiment definitions, governance log entries and insert_events batches were bounded only
-- by core's validators (or not at all): a raw RPC or a direct INSERT could store a 10 MB variant
-- config, a description of any length, thousands of variants or rules, a log entry nested
-- 10,000 deep, or send 100,000 events in one call. The same numbers as LIMITS in
-- @factoredui/core now hold here too (a test asserts factoredui.limits() equals LIMITS).
-- Thresholds need no new limit: every field is already bounded (UUIDs, a catalog factor, a
-- component path of at most pathChars, an operator, a finite number).

create or replace function factoredui.limits() returns jsonb
language sql immutable parallel safe set search_path = '' as $$
  select jsonb_build_object(
    'jsonDepth', 64,
    'eventPayloadBytes', 65536,
    'sessionMetadataBytes', 16384,
    'metadataValueChars', 1024,
    'specBytes', 262144,
    'pathChars', 512,
    'userIdChars', 256,
    'specNameChars', 128,
    'platformChars', 32,
    'keyIdChars', 128,
    'specVersionMax', 2147483647,
    'eventsPerBatch', 1000,
    'experimentNameChars', 200,
    'experimentDescriptionChars', 4096,
    'experimentVariants', 32,
    'experimentTargetingRules', 64,
    'experimentPlatforms', 16,
    'variantConfigBytes', 16384,
    'governanceLogEntryBytes', 262144)
$$;

-- The ' (LIMITS.<name>)' suffix of a json_limit_problem message about bytes ('' for depth: that
-- message names LIMITS.jsonDepth itself).
create or replace function factoredui.bytes_limit_name(problem text, limit_name text) returns text
language sql immutable parallel safe set search_path = '' as $$
  select case when problem like '%bytes of JSON%' then format(' (LIMITS.%s)', limit_name) else '' end
$$;

-- ---------------------------------------------------------------------------------------------
-- Experiments: name, seed, description, variant count, keys and configs, rules, platforms.
-- ---------------------------------------------------------------------------------------------
create or replace function factoredui.check_experiment_limits() returns trigger
language plpgsql set search_path = '' as $$
declare
  v_problem text;
  v_config_bytes bigint := factoredui.limit_of('variantConfigBytes');
begin
  v_problem := coalesce(
    factoredui.text_limit_problem(new.name, 'name', 'experimentNameChars'),
    factoredui.text_limit_problem(new.seed, 'seed', 'experimentNameChars'),
    factoredui.text_limit_problem(new.description, 'description', 'experimentDescriptionChars'),
    case when jsonb_typeof(new.variants) = 'array' and jsonb_array_length(new.variants) > factoredui.limit_of('experimentVariants')
      then format('variants: %s variants; the limit is %s (LIMITS.experimentVariants)',
        jsonb_array_length(new.variants), factoredui.limit_of('experimentVariants')) end,
    case when jsonb_typeof(new.targeting) = 'array' and jsonb_array_length(new.targeting) > factoredui.limit_of('experimentTargetingRules')
      then format('targeting: %s rules; the limit is %s (LIMITS.experimentTargetingRules)',
        jsonb_array_length(new.targeting), factoredui.limit_of('experimentTargetingRules')) end,
    case when jsonb_typeof(new.platforms) = 'array' and jsonb_array_length(new.platforms) > factoredui.limit_of('experimentPlatforms')
      then format('platforms: %s platforms; the limit is %s (LIMITS.experimentPlatforms)',
        jsonb_array_length(new.platforms), factoredui.limit_of('experimentPlatforms')) end,
    (select factoredui.text_limit_problem(v.value ->> 'key', format('variants[%s].key', v.ord - 1), 'experimentNameChars')
     from jsonb_array_elements(case when jsonb_typeof(new.variants) = 'array' then new.variants else '[]' end) with ordinality v(value, ord)
     where jsonb_typeof(v.value -> 'key') = 'string'
       and char_length(v.value ->> 'key') > factoredui.limit_of('experimentNameChars')
     order by v.ord limit 1),
    (select factoredui.json_limit_problem(v.value -> 'config', format('variants[%s].config', v.ord - 1), v_config_bytes)
       || factoredui.bytes_limit_name(factoredui.json_limit_problem(v.value -> 'config', 'config', v_config_bytes), 'variantConfigBytes')
     from jsonb_array_elements(case when jsonb_typeof(new.variants) = 'array' then new.variants else '[]' end) with ordinality v(value, ord)
     where factoredui.json_limit_problem(v.value -> 'config', 'config', v_config_bytes) is not null
     order by v.ord limit 1),
    (select factoredui.json_limit_problem(r.value, format('targeting[%s]', r.ord - 1), v_config_bytes)
       || factoredui.bytes_limit_name(factoredui.json_limit_problem(r.value, 'rule', v_config_bytes), 'variantConfigBytes')
     from jsonb_array_elements(case when jsonb_typeof(new.targeting) = 'array' then new.targeting else '[]' end) with ordinality r(value, ord)
     where factoredui.json_limit_problem(r.value, 'rule', v_config_bytes) is not null
     order by r.ord limit 1),
    (select factoredui.text_limit_problem(p.value #>> '{}', format('platforms[%s]', p.ord - 1), 'platformChars')
     from jsonb_array_elements(case when jsonb_typeof(new.platforms) = 'array' then new.platforms else '[]' end) with ordinality p(value, ord)
     where jsonb_typeof(p.value) = 'string' and char_length(p.value #>> '{}') > factoredui.limit_of('platformChars')
     order by p.ord limit 1));
  if v_problem is not null then
    raise exception using errcode = '22023', message = format('experiment %s: %s.', to_jsonb(new.name), v_problem);
  end if;
  return new;
end $$;

drop trigger if exists experiments_limits on factoredui.experiments;
create trigger experiments_limits before insert or update on factoredui.experiments
  for each row execute function factoredui.check_experiment_limits();

-- ---------------------------------------------------------------------------------------------
-- Governance log entries: bytes and depth of the whole entry.
-- ---------------------------------------------------------------------------------------------
create or replace function factoredui.check_governance_log_limits() returns trigger
language plpgsql set search_path = '' as $$
declare
  v_problem text := factoredui.json_limit_problem(new.entry, 'the entry', factoredui.limit_of('governanceLogEntryBytes'));
begin
  if v_problem is not null then
    raise exception using errcode = '22023',
      message = format('governance log entry %s: %s%s.', new.id, v_problem,
        factoredui.bytes_limit_name(v_problem, 'governanceLogEntryBytes'));
  end if;
  return new;
end $$;

drop trigger if exists governance_log_limits on factoredui.governance_log;
create trigger governance_log_limits before insert on factoredui.governance_log
  for each row execute function factoredui.check_governance_log_limits();

revoke all on function factoredui.check_experiment_limits(), factoredui.check_governance_log_limits(),
  factoredui.bytes_limit_name(text, text) from public;
grant execute on function factoredui.bytes_limit_name(text, text) to service_role;

-- insert_events: at most eventsPerBatch events per call is checked by insert_events itself, as
-- defined in 20261128000200_factoredui_insert_events_fast.sql (one definition, not two).
