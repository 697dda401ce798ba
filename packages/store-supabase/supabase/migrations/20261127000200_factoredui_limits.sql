-- FactoredUI store: input limits (DESIGN §15 "input is bounded everywhere").
--
-- The same numbers as LIMITS in @factoredui/core (a test asserts factoredui.limits() equals
-- it), enforced again here so a client that skips core (direct table access, a raw RPC call) is
-- refused too. Each violation raises 22023 (invalid_input) naming the field, the limit and the
-- size. Sizes of JSON are octet_length(value::text): the bytes of PostgreSQL's own JSON text,
-- which core's measureJson reproduces exactly.

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
    'specVersionMax', 2147483647)
$$;

-- One limit by its core name (e.g. 'jsonDepth').
create or replace function factoredui.limit_of(name text) returns bigint
language sql immutable parallel safe set search_path = '' as $$
  select (factoredui.limits() ->> name)::bigint
$$;

-- Nesting depth of objects and arrays: 0 for a scalar, 1 for {} or [], 2 for {"a": []}...
-- Iterative over the JSON text (strings removed first), so a value nested 10,000 deep is
-- measured rather than overflowing a stack.
create or replace function factoredui.json_depth(value jsonb) returns integer
language plpgsql immutable parallel safe set search_path = '' as $$
declare
  v_brackets text;
  v_depth integer := 0;
  v_max integer := 0;
  v_char text;
begin
  if value is null then return null; end if;
  if jsonb_typeof(value) not in ('object', 'array') then return 0; end if;
  v_brackets := regexp_replace(regexp_replace(value::text, '"(?:[^"\\]|\\.)*"', '', 'g'), '[^][{}]', '', 'g');
  foreach v_char in array regexp_split_to_array(v_brackets, '') loop
    if v_char in ('[', '{') then
      v_depth := v_depth + 1;
      if v_depth > v_max then v_max := v_depth; end if;
    else
      v_depth := v_depth - 1;
    end if;
  end loop;
  return v_max;
end $$;

-- The JSON path that finds a container at level jsonDepth, i.e. nesting deeper than the limit.
-- Immutable and argument-free, so a cached plan holds it as a constant (parsed once).
create or replace function factoredui.too_deep_path() returns jsonpath
language sql immutable parallel safe set search_path = '' as $$
  select format('strict $.**{%s} ? (@.type() == "object" || @.type() == "array")',
    factoredui.limit_of('jsonDepth'))::jsonpath
$$;

-- True when value nests deeper than jsonDepth: one pass in C that never descends below that
-- level, cheap enough for every inserted row.
create or replace function factoredui.json_too_deep(value jsonb) returns boolean
language sql immutable parallel safe set search_path = '' as $$
  select jsonb_path_exists(value, factoredui.too_deep_path())
$$;

-- Why `value` (named `field`) breaks the JSON limits, or null: deeper than jsonDepth, or more
-- than max_bytes bytes of JSON text. Depth first, as in core.
create or replace function factoredui.json_limit_problem(value jsonb, field text, max_bytes bigint)
returns text language plpgsql immutable set search_path = '' as $$
declare
  v_depth integer := factoredui.limit_of('jsonDepth');
  v_bytes bigint;
begin
  if value is null then return null; end if;
  if factoredui.json_too_deep(value) then
    return format('%s is nested %s levels deep; the limit is %s (LIMITS.jsonDepth)',
      field, factoredui.json_depth(value), v_depth);
  end if;
  v_bytes := octet_length(value::text);
  if v_bytes > max_bytes then
    return format('%s is %s bytes of JSON; the limit is %s bytes', field, v_bytes, max_bytes);
  end if;
  return null;
end $$;

-- Why a string (named `field`) is longer than the limit `limit_name`, or null.
create or replace function factoredui.text_limit_problem(value text, field text, limit_name text)
returns text language sql immutable parallel safe set search_path = '' as $$
  select case when char_length(value) > factoredui.limit_of(limit_name)
    then format('%s is %s characters long; the limit is %s (LIMITS.%s)',
      field, char_length(value), factoredui.limit_of(limit_name), limit_name) end
$$;

-- ---------------------------------------------------------------------------------------------
-- Sessions: user id, metadata size and depth, top-level metadata strings.
-- ---------------------------------------------------------------------------------------------
create or replace function factoredui.check_session_limits() returns trigger
language plpgsql set search_path = '' as $$
declare
  v_problem text;
begin
  -- Fast path (constants folded once per cached plan); the messages are built only on failure.
  if char_length(new.user_id) <= factoredui.limit_of('userIdChars')
     and octet_length(new.metadata::text) <= factoredui.limit_of('sessionMetadataBytes')
     and not jsonb_path_exists(new.metadata, factoredui.too_deep_path())
     and not exists (select 1 from jsonb_each(case when jsonb_typeof(new.metadata) = 'object' then new.metadata else '{}' end) m
                     where jsonb_typeof(m.value) = 'string'
                       and char_length(m.value #>> '{}') > case when m.key = 'platform'
                         then factoredui.limit_of('platformChars') else factoredui.limit_of('metadataValueChars') end) then
    return new;
  end if;
  v_problem := coalesce(
    factoredui.text_limit_problem(new.user_id, 'userId', 'userIdChars'),
    factoredui.json_limit_problem(new.metadata, 'metadata', factoredui.limit_of('sessionMetadataBytes'))
      || ' (LIMITS.sessionMetadataBytes)',
    (select factoredui.text_limit_problem(m.value #>> '{}', 'metadata.' || m.key,
              case when m.key = 'platform' then 'platformChars' else 'metadataValueChars' end)
     from jsonb_each(case when jsonb_typeof(new.metadata) = 'object' then new.metadata else '{}' end) m
     where jsonb_typeof(m.value) = 'string'
       and char_length(m.value #>> '{}') > factoredui.limit_of(
             case when m.key = 'platform' then 'platformChars' else 'metadataValueChars' end)
     order by m.key
     limit 1));
  if v_problem is not null then
    raise exception using errcode = '22023', message = format('session %s: %s.', new.id, v_problem);
  end if;
  return new;
end $$;

drop trigger if exists sessions_limits on factoredui.sessions;
create trigger sessions_limits before insert or update on factoredui.sessions
  for each row execute function factoredui.check_session_limits();

-- ---------------------------------------------------------------------------------------------
-- Events: user id, path and payload size and depth.
-- ---------------------------------------------------------------------------------------------
create or replace function factoredui.check_event_limits() returns trigger
language plpgsql set search_path = '' as $$
declare
  v_problem text;
begin
  -- Fast path (constants folded once per cached plan); the messages are built only on failure.
  if char_length(new.user_id) <= factoredui.limit_of('userIdChars')
     and char_length(new.path) <= factoredui.limit_of('pathChars')
     and octet_length(new.payload::text) <= factoredui.limit_of('eventPayloadBytes')
     and not jsonb_path_exists(new.payload, factoredui.too_deep_path()) then
    return new;
  end if;
  v_problem := coalesce(
    factoredui.text_limit_problem(new.user_id, 'userId', 'userIdChars'),
    factoredui.text_limit_problem(new.path, 'path', 'pathChars'),
    factoredui.json_limit_problem(new.payload, 'payload', factoredui.limit_of('eventPayloadBytes'))
      || ' (LIMITS.eventPayloadBytes)');
  if v_problem is not null then
    raise exception using errcode = '22023', message = format('event %s: %s.', new.id, v_problem);
  end if;
  return new;
end $$;

drop trigger if exists events_limits on factoredui.events;
create trigger events_limits before insert on factoredui.events
  for each row execute function factoredui.check_event_limits();

-- Helpers run inside the API roles' calls (triggers execute as the caller); trigger functions
-- cannot be called directly.
revoke all on function factoredui.limits(), factoredui.limit_of(text), factoredui.json_depth(jsonb),
  factoredui.too_deep_path(), factoredui.json_too_deep(jsonb), factoredui.json_limit_problem(jsonb, text, bigint),
  factoredui.text_limit_problem(text, text, text),
  factoredui.check_session_limits(), factoredui.check_event_limits() from public;
grant execute on function factoredui.limits(), factoredui.limit_of(text), factoredui.json_depth(jsonb),
  factoredui.too_deep_path(), factoredui.json_too_deep(jsonb), factoredui.json_limit_problem(jsonb, text, bigint),
  factoredui.text_limit_problem(text, text, text) to anon, authenticated, service_role;
