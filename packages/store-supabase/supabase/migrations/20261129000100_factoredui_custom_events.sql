-- FactoredUI store: custom events with numeric properties (track(name, properties), issue #19).
--
-- A `custom` event whose payload has a `name` (or `properties`) is a named custom event:
-- name 1..eventNameChars characters matching [A-Za-z0-9][A-Za-z0-9_.:-]*, not a built-in event
-- type; properties an object of at most eventProperties numbers with names of the same form.
-- The same rules as core's customPayloadProblem, enforced here too so a client that skips core
-- (direct table insert, raw RPC) is refused with 22023 (invalid_input).

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
    'governanceLogEntryBytes', 262144,
    'eventNameChars', 64,
    'eventProperties', 32)
$$;

-- Why the payload of a custom event is not a valid named custom event, or null.
create or replace function factoredui.custom_event_problem(payload jsonb) returns text
language plpgsql immutable set search_path = '' as $$
declare
  v_name jsonb := payload -> 'name';
  v_props jsonb := payload -> 'properties';
  v_max_chars integer := factoredui.limit_of('eventNameChars');
  v_key text;
  v_value jsonb;
  v_count integer;
begin
  if v_name is null and v_props is null then return null; end if;
  if v_name is null or jsonb_typeof(v_name) <> 'string' or (v_name #>> '{}') = '' then
    return 'event name must be a non-empty string';
  end if;
  if char_length(v_name #>> '{}') > v_max_chars then
    return format('event name is %s characters long; the limit is %s (LIMITS.eventNameChars)',
      char_length(v_name #>> '{}'), v_max_chars);
  end if;
  if (v_name #>> '{}') !~ '^[A-Za-z0-9][A-Za-z0-9_.:-]*$' then
    return format('event name %s may use only letters, digits and _ . : - (starting with a letter or digit)', v_name);
  end if;
  if (v_name #>> '{}') in ('click', 'rage_click', 'dead_click', 'scroll', 'scroll_reversal', 'input',
      'focus', 'blur', 'submit', 'resize', 'error', 'visibility', 'navigation', 'impression', 'custom') then
    return format('event name %s is a built-in event type; choose another name', v_name);
  end if;
  if v_props is null then return null; end if;
  if jsonb_typeof(v_props) <> 'object' then return 'properties must be an object of numbers'; end if;
  select count(*) into v_count from jsonb_object_keys(v_props);
  if v_count > factoredui.limit_of('eventProperties') then
    return format('an event has %s properties; the limit is %s (LIMITS.eventProperties)',
      v_count, factoredui.limit_of('eventProperties'));
  end if;
  for v_key, v_value in select key, value from jsonb_each(v_props) loop
    if char_length(v_key) > v_max_chars then
      return format('property name is %s characters long; the limit is %s (LIMITS.eventNameChars)',
        char_length(v_key), v_max_chars);
    end if;
    if v_key !~ '^[A-Za-z0-9][A-Za-z0-9_.:-]*$' then
      return format('property name %s may use only letters, digits and _ . : - (starting with a letter or digit)', to_jsonb(v_key));
    end if;
    if jsonb_typeof(v_value) <> 'number' then
      return format('property %s must be a finite number, got %s', v_key, v_value);
    end if;
  end loop;
  return null;
end $$;

create or replace function factoredui.check_event_limits() returns trigger
language plpgsql set search_path = '' as $$
declare
  v_problem text;
begin
  -- Fast path (constants folded once per cached plan); the messages are built only on failure.
  if char_length(new.user_id) <= factoredui.limit_of('userIdChars')
     and char_length(new.path) <= factoredui.limit_of('pathChars')
     and octet_length(new.payload::text) <= factoredui.limit_of('eventPayloadBytes')
     and not jsonb_path_exists(new.payload, factoredui.too_deep_path())
     and (new.type <> 'custom' or factoredui.custom_event_problem(new.payload) is null) then
    return new;
  end if;
  v_problem := coalesce(
    factoredui.text_limit_problem(new.user_id, 'userId', 'userIdChars'),
    factoredui.text_limit_problem(new.path, 'path', 'pathChars'),
    factoredui.json_limit_problem(new.payload, 'payload', factoredui.limit_of('eventPayloadBytes'))
      || ' (LIMITS.eventPayloadBytes)',
    case when new.type = 'custom' then factoredui.custom_event_problem(new.payload) end);
  if v_problem is not null then
    raise exception using errcode = '22023', message = format('event %s: %s.', new.id, v_problem);
  end if;
  return new;
end $$;

revoke all on function factoredui.custom_event_problem(jsonb) from public;
grant execute on function factoredui.custom_event_problem(jsonb) to anon, authenticated, service_role;
