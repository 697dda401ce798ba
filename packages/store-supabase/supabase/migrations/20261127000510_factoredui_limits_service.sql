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

-- ---------------------------------------------------------------------------------------------
-- insert_events: at most eventsPerBatch events per call (the body of
-- 20261127000110_factoredui_trust_insert_order.sql plus that check).
-- ---------------------------------------------------------------------------------------------
create or replace function factoredui.insert_events(events jsonb) returns jsonb
language plpgsql volatile set search_path = '' as $$
declare
  v_total integer;
  v_inserted integer;
  v_bad record;
begin
  if jsonb_typeof(events) is distinct from 'array' then
    raise exception using errcode = '22023', message = 'events must be an array.';
  end if;
  v_total := jsonb_array_length(events);
  if v_total = 0 then return jsonb_build_object('inserted', 0, 'duplicates', 0); end if;
  if v_total > factoredui.limit_of('eventsPerBatch') then
    raise exception using errcode = '22023',
      message = format('%s events in one insertEvents call; the limit is %s (LIMITS.eventsPerBatch): send them in smaller batches.',
        v_total, factoredui.limit_of('eventsPerBatch'));
  end if;

  -- Shape: the whole batch is checked before anything is written.
  select e.ord, e.value into v_bad from jsonb_array_elements(events) with ordinality e(value, ord)
  where jsonb_typeof(e.value) <> 'object'
     or not factoredui.is_uuid(e.value ->> 'id') or jsonb_typeof(e.value -> 'id') <> 'string'
     or not factoredui.is_uuid(e.value ->> 'sessionId') or jsonb_typeof(e.value -> 'sessionId') <> 'string'
     or jsonb_typeof(e.value -> 'userId') is distinct from 'string' or (e.value ->> 'userId') = ''
     or jsonb_typeof(e.value -> 'type') is distinct from 'string'
     or jsonb_typeof(e.value -> 'path') is distinct from 'string' or not factoredui.is_component_path(e.value ->> 'path')
     or jsonb_typeof(e.value -> 'createdAt') is distinct from 'string'
     or jsonb_typeof(e.value -> 'payload') is distinct from 'object'
  limit 1;
  if found then
    raise exception using errcode = '22023',
      message = format('event %s (#%s) is malformed: it needs a UUID id and sessionId, a userId, a type, a component path, a createdAt time and a payload object.',
        coalesce(v_bad.value ->> 'id', '?'), v_bad.ord);
  end if;

  -- Authorization before existence, so writing for another user is `unauthorized`.
  if factoredui.caller_kind() <> 'service' then
    perform factoredui.require_writer(e.value ->> 'userId', 'insertEvents')
    from jsonb_array_elements(events) e(value)
    where factoredui.caller_kind() = 'anon' or (e.value ->> 'userId') is distinct from factoredui.uid();
  end if;

  select e.value ->> 'id' as id, e.value ->> 'sessionId' as session_id, s.user_id as owner, e.value ->> 'userId' as user_id
  into v_bad
  from jsonb_array_elements(events) e(value)
  left join factoredui.sessions s on s.id = (e.value ->> 'sessionId')::uuid
  where s.id is null or s.user_id <> e.value ->> 'userId'
  limit 1;
  if found then
    if v_bad.owner is null then
      raise exception using errcode = 'P0002',
        message = format('event %s: session %s does not exist; start it with startSession first.', v_bad.id, v_bad.session_id);
    end if;
    raise exception using errcode = '22023',
      message = format('event %s: session %s belongs to another user.', v_bad.id, v_bad.session_id);
  end if;

  insert into factoredui.events (id, session_id, user_id, type, path, payload, created_at)
  select (e.value ->> 'id')::uuid, (e.value ->> 'sessionId')::uuid, e.value ->> 'userId', e.value ->> 'type',
         e.value ->> 'path', e.value -> 'payload', factoredui.to_time(e.value ->> 'createdAt', 'createdAt')
  from jsonb_array_elements(events) e(value)
  -- A fixed order (by id) for the unique-index entries this insert takes: two batches that
  -- overlap in any order wait for each other instead of deadlocking (40P01).
  order by (e.value ->> 'id')::uuid
  on conflict (id) do nothing;
  get diagnostics v_inserted = row_count;
  return jsonb_build_object('inserted', v_inserted, 'duplicates', v_total - v_inserted);
exception
  when check_violation then
    raise exception using errcode = '22023',
      message = format('an event was rejected by constraint %s (unknown type, bad path or payload too large).', sqlerrm);
end $$;
