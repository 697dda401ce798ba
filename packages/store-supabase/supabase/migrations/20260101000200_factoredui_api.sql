-- FactoredUI store: the API. One function per FactoredStore method (docs/sql-api.md), each
-- taking named arguments and returning jsonb shaped like the TypeScript contract. SECURITY
-- INVOKER unless stated, so grants and row-level security apply to the caller.
--
-- Error codes: 22023 invalid input, 42501 unauthorized, P0002 not found, FU409 conflict
-- (23505 / 23503 from constraints map to conflict / not found).

-- ---------------------------------------------------------------------------------------------
-- JSON shapes of rows.
-- ---------------------------------------------------------------------------------------------
create or replace function factoredui.session_json(s factoredui.sessions) returns jsonb
language sql stable set search_path = '' as $$
  select jsonb_build_object('id', s.id, 'userId', s.user_id, 'startedAt', factoredui.iso(s.started_at),
    'metadata', s.metadata)
$$;

create or replace function factoredui.event_json(e factoredui.events) returns jsonb
language sql stable set search_path = '' as $$
  select jsonb_build_object('id', e.id, 'sessionId', e.session_id, 'userId', e.user_id, 'type', e.type,
    'path', e.path, 'payload', e.payload, 'createdAt', factoredui.iso(e.created_at))
$$;

create or replace function factoredui.experiment_json(e factoredui.experiments) returns jsonb
language sql stable set search_path = '' as $$
  select jsonb_build_object('id', e.id, 'name', e.name, 'description', e.description, 'path', e.path,
    'variants', e.variants, 'coverage', e.coverage, 'targeting', e.targeting, 'platforms', e.platforms,
    'seed', e.seed, 'status', e.status, 'winner', e.winner, 'createdAt', factoredui.iso(e.created_at),
    'startedAt', factoredui.iso(e.started_at), 'endedAt', factoredui.iso(e.ended_at))
$$;

create or replace function factoredui.assignment_json(a factoredui.assignments) returns jsonb
language sql stable set search_path = '' as $$
  select jsonb_build_object('userId', a.user_id, 'experimentId', a.experiment_id,
    'variantKey', a.variant_key, 'assignedAt', factoredui.iso(a.assigned_at))
$$;

create or replace function factoredui.exposure_json(x factoredui.exposures) returns jsonb
language sql stable set search_path = '' as $$
  select jsonb_build_object('userId', x.user_id, 'experimentId', x.experiment_id,
    'variantKey', x.variant_key, 'sessionId', x.session_id, 'exposedAt', factoredui.iso(x.exposed_at))
$$;

create or replace function factoredui.threshold_json(t factoredui.thresholds) returns jsonb
language sql stable set search_path = '' as $$
  select jsonb_build_object('id', t.id, 'experimentId', t.experiment_id, 'factor', t.factor,
    'path', t.path, 'operator', t.operator, 'value', t.value, 'scale', t.scale)
$$;

create or replace function factoredui.spec_json(s factoredui.specs) returns jsonb
language sql stable set search_path = '' as $$
  select jsonb_build_object('name', s.name, 'platform', s.platform, 'version', s.version,
    'envelope', s.envelope, 'createdAt', factoredui.iso(s.created_at))
$$;

-- Text field of a JSON argument; 22023 when present but not a string (or missing and required).
create or replace function factoredui.arg_text(args jsonb, field text, required boolean default false)
returns text language plpgsql immutable set search_path = '' as $$
begin
  if args is null or jsonb_typeof(args -> field) is null or jsonb_typeof(args -> field) = 'null' then
    if required then
      raise exception using errcode = '22023', message = format('%s is required.', field);
    end if;
    return null;
  end if;
  if jsonb_typeof(args -> field) <> 'string' then
    raise exception using errcode = '22023',
      message = format('%s must be a string, got %s.', field, args -> field);
  end if;
  return args ->> field;
end $$;

-- Optional non-negative integer limit.
create or replace function factoredui.arg_limit(args jsonb) returns integer
language plpgsql immutable set search_path = '' as $$
declare raw jsonb := args -> 'limit';
begin
  if raw is null or jsonb_typeof(raw) = 'null' then return null; end if;
  if jsonb_typeof(raw) <> 'number' or (raw::text)::numeric < 0 or (raw::text)::numeric <> trunc((raw::text)::numeric) then
    raise exception using errcode = '22023', message = format('limit must be a non-negative integer, got %s.', raw);
  end if;
  return least((raw::text)::numeric, 2147483647)::integer;
end $$;

-- Optional array of strings (factor names, statuses, types...).
create or replace function factoredui.arg_texts(args jsonb, field text) returns text[]
language plpgsql immutable set search_path = '' as $$
declare raw jsonb := args -> field;
begin
  if raw is null or jsonb_typeof(raw) = 'null' then return null; end if;
  if jsonb_typeof(raw) <> 'array' or exists (select 1 from jsonb_array_elements(raw) x where jsonb_typeof(x) <> 'string') then
    raise exception using errcode = '22023', message = format('%s must be an array of strings.', field);
  end if;
  return array(select jsonb_array_elements_text(raw));
end $$;

create or replace function factoredui.arg_path(args jsonb, field text default 'path', required boolean default false)
returns text language plpgsql immutable set search_path = '' as $$
declare p text := factoredui.arg_text(args, field, required);
begin
  if p is not null and not factoredui.is_component_path(p) then
    raise exception using errcode = '22023',
      message = format('%s must be a component path (1-4 non-empty segments joined by "/"), got %s.', field, to_jsonb(p));
  end if;
  return p;
end $$;

create or replace function factoredui.arg_factors(args jsonb) returns text[]
language plpgsql stable set search_path = '' as $$
declare names text[] := factoredui.arg_texts(args, 'factors'); bad text;
begin
  select n into bad from unnest(names) n where n not in (select name from factoredui.factor_catalog) limit 1;
  if bad is not null then
    raise exception using errcode = '22023', message = format('unknown factor %s.', to_jsonb(bad));
  end if;
  return names;
end $$;

create or replace function factoredui.arg_uuid(args jsonb, field text, required boolean default false)
returns uuid language plpgsql immutable set search_path = '' as $$
declare v text := factoredui.arg_text(args, field, required);
begin
  if v is not null and not factoredui.is_uuid(v) then
    raise exception using errcode = '22023', message = format('%s must be a UUID, got %s.', field, to_jsonb(v));
  end if;
  return v::uuid;
end $$;

-- ---------------------------------------------------------------------------------------------
-- Identity.
-- ---------------------------------------------------------------------------------------------
create or replace function factoredui.whoami() returns jsonb
language sql stable set search_path = '' as $$
  select jsonb_build_object('role', factoredui.caller_kind(),
    'userId', case when factoredui.caller_kind() = 'user' then factoredui.uid() end)
$$;

-- ---------------------------------------------------------------------------------------------
-- Capture.
-- ---------------------------------------------------------------------------------------------
create or replace function factoredui.start_session(session jsonb) returns jsonb
language plpgsql volatile set search_path = '' as $$
declare
  v_id uuid := factoredui.arg_uuid(session, 'id', true);
  v_user text := factoredui.arg_text(session, 'userId', true);
  v_started timestamptz := factoredui.to_time(factoredui.arg_text(session, 'startedAt', true), 'startedAt');
  v_row factoredui.sessions;
begin
  if v_user = '' then raise exception using errcode = '22023', message = 'userId is required.'; end if;
  if jsonb_typeof(session -> 'metadata') is distinct from 'object'
     or jsonb_typeof(session -> 'metadata' -> 'platform') is distinct from 'string' then
    raise exception using errcode = '22023', message = format('session %s: metadata must be an object with a platform.', v_id);
  end if;
  perform factoredui.require_writer(v_user, 'startSession');
  insert into factoredui.sessions (id, user_id, started_at, metadata)
  values (v_id, v_user, v_started, session -> 'metadata')
  on conflict (id) do nothing;
  select * into v_row from factoredui.sessions s where s.id = v_id;
  if not found or v_row.user_id <> v_user then
    raise exception using errcode = 'FU409', message = format('session %s already belongs to another user.', v_id);
  end if;
  return factoredui.session_json(v_row);
end $$;

create or replace function factoredui.get_session(session_id uuid) returns jsonb
language plpgsql stable set search_path = '' as $$
declare v_row factoredui.sessions;
begin
  select * into v_row from factoredui.sessions s where s.id = get_session.session_id;
  if not found then
    raise exception using errcode = 'P0002',
      message = format('session %s does not exist or is not visible to this store.', session_id);
  end if;
  return factoredui.session_json(v_row);
end $$;

create or replace function factoredui.list_sessions(query jsonb default '{}') returns jsonb
language sql stable set search_path = '' as $$
  select coalesce(jsonb_agg(factoredui.session_json(s) order by s.started_at desc, s.id), '[]')
  from (select * from factoredui.sessions s
        where factoredui.arg_text(query, 'userId') is null or s.user_id = factoredui.arg_text(query, 'userId')
        order by s.started_at desc, s.id
        limit factoredui.arg_limit(query)) s
$$;

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
  on conflict (id) do nothing;
  get diagnostics v_inserted = row_count;
  return jsonb_build_object('inserted', v_inserted, 'duplicates', v_total - v_inserted);
exception
  when check_violation then
    raise exception using errcode = '22023',
      message = format('an event was rejected by constraint %s (unknown type, bad path or payload too large).', sqlerrm);
end $$;

create or replace function factoredui.list_events(query jsonb default '{}') returns jsonb
language plpgsql stable set search_path = '' as $$
declare
  v_user text := factoredui.arg_text(query, 'userId');
  v_session uuid := factoredui.arg_uuid(query, 'sessionId');
  v_path text := factoredui.arg_text(query, 'path');
  v_types text[] := factoredui.arg_texts(query, 'types');
  v_since timestamptz := factoredui.to_time(factoredui.arg_text(query, 'since'), 'since');
  v_until timestamptz := factoredui.to_time(factoredui.arg_text(query, 'until'), 'until');
  v_limit integer := factoredui.arg_limit(query);
  v_result jsonb;
begin
  select coalesce(jsonb_agg(factoredui.event_json(e) order by e.created_at, e.id), '[]') into v_result
  from (select * from factoredui.events e
        where (v_user is null or e.user_id = v_user)
          and (v_session is null or e.session_id = v_session)
          and (v_path is null or e.path = v_path)
          and (v_types is null or e.type = any (v_types))
          and (v_since is null or e.created_at >= v_since)
          and (v_until is null or e.created_at <= v_until)
        order by e.created_at, e.id
        limit v_limit) e;
  return v_result;
end $$;
