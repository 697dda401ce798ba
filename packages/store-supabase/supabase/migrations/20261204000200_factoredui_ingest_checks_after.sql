-- FactoredUI store: insert_events without its own per-event session lookup (issue #18).
--
-- Profiled on PostgreSQL 15 (500-event batches into 1M events), the checks insert_events runs
-- before its INSERT cost about a fifth of a batch, and one of them repeats what the table does
-- anyway: every event's session was looked up once by insert_events (does it exist, is it the
-- event's user's?) and once more by the foreign key (session_id, user_id) of the INSERT. Now the
-- INSERT runs first and the foreign key is the test; the session check, which words the error,
-- runs only when something failed or when some events were duplicates (a duplicate is never
-- inserted, so the foreign key never sees it, and its session must be checked all the same).
-- The createdAt pattern is checked after the INSERT (the cast in the INSERT refuses what is no
-- time; the pattern refuses the rest, such as "yesterday", and the error rolls the batch back).
--
-- Same errors, same messages, same order of precedence as before (shape, authorization,
-- session, createdAt, then the table's own constraints and limits): every error raised by the
-- INSERT first runs the session and createdAt checks, which raise their own error when they
-- find one. Nothing is stored when anything fails (one statement, one function call).

-- The events of a batch whose session is missing, or belongs to another user: raises the
-- error insert_events gives for the first of them (P0002 or 22023), nothing otherwise.
-- SECURITY INVOKER: it sees the sessions the caller may see, as insert_events always did.
create or replace function factoredui.check_event_sessions(events jsonb) returns void
language plpgsql stable set search_path = '' as $$
declare
  v_bad record;
begin
  select e.value ->> 'id' as id, e.value ->> 'sessionId' as session_id, s.user_id as owner
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
end $$;

-- to_time's error for the first event whose createdAt is outside its pattern, nothing otherwise.
create or replace function factoredui.check_event_times(events jsonb) returns void
language plpgsql stable set search_path = '' as $$
begin
  perform factoredui.to_time(e.value ->> 'createdAt', 'createdAt')
  from (select e.value from jsonb_array_elements(events) e(value)
        where (e.value ->> 'createdAt') !~ '^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$'
        limit 1) e;
end $$;

revoke all on function factoredui.check_event_sessions(jsonb), factoredui.check_event_times(jsonb) from public;
-- insert_events runs as its caller and calls both.
grant execute on function factoredui.check_event_sessions(jsonb), factoredui.check_event_times(jsonb)
  to anon, authenticated, service_role;

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

  -- Shape: the whole batch is checked before anything is written (is_uuid's pattern inline).
  select e.ord, e.value into v_bad from jsonb_array_elements(events) with ordinality e(value, ord)
  where jsonb_typeof(e.value) <> 'object'
     or not ((e.value ->> 'id') ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')
     or jsonb_typeof(e.value -> 'id') <> 'string'
     or not ((e.value ->> 'sessionId') ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')
     or jsonb_typeof(e.value -> 'sessionId') <> 'string'
     or jsonb_typeof(e.value -> 'userId') is distinct from 'string' or (e.value ->> 'userId') = ''
     or jsonb_typeof(e.value -> 'type') is distinct from 'string'
     or jsonb_typeof(e.value -> 'path') is distinct from 'string'
     -- is_component_path inline (20261128000300): one expression, no function call per event
     or not (char_length(e.value ->> 'path') between 1 and 512
              and (e.value ->> 'path') !~ '[\x01-\x1f\x7f]'
              and char_length(e.value ->> 'path') - char_length(replace(e.value ->> 'path', '/', '')) <= 3
              and (e.value ->> 'path') !~ '(^|/)[ \t\u00a0\u2028\u2029\ufeff]*(/|$)')
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

  -- The INSERT: its foreign key (session_id, user_id) checks every inserted event's session.
  -- (Only this block handles errors: the checks above raise theirs as they are.)
  begin
    insert into factoredui.events (id, session_id, user_id, type, path, payload, created_at)
    select (e.value ->> 'id')::uuid, (e.value ->> 'sessionId')::uuid, e.value ->> 'userId', e.value ->> 'type',
           e.value ->> 'path', e.value -> 'payload', date_trunc('milliseconds', (e.value ->> 'createdAt')::timestamptz)
    from jsonb_array_elements(events) e(value)
    -- A fixed order (by id) for the unique-index entries this insert takes: two batches that
    -- overlap in any order wait for each other instead of deadlocking (40P01).
    order by (e.value ->> 'id')::uuid
    on conflict (id) do nothing;
    get diagnostics v_inserted = row_count;
    -- Duplicates were not inserted, so the foreign key did not see their sessions.
    if v_inserted < v_total then
      perform factoredui.check_event_sessions(events);
    end if;
    perform factoredui.check_event_times(events);
  exception
    when check_violation then
      perform factoredui.check_event_sessions(events);
      perform factoredui.check_event_times(events);
      raise exception using errcode = '22023',
        message = format('an event was rejected by constraint %s (unknown type, bad path or payload too large).', sqlerrm);
    when datetime_field_overflow or invalid_datetime_format then
      perform factoredui.check_event_sessions(events);
      perform factoredui.check_event_times(events);
      -- A createdAt in the right pattern that is no time (month 13...): to_time names it.
      perform factoredui.to_time(e.value ->> 'createdAt', 'createdAt') from jsonb_array_elements(events) e(value);
      raise;
    when others then
      -- The foreign key (a missing session, or another user's), the limits trigger, a
      -- serialization failure...: the checks that come first keep their precedence.
      perform factoredui.check_event_sessions(events);
      perform factoredui.check_event_times(events);
      raise;
  end;
  return jsonb_build_object('inserted', v_inserted, 'duplicates', v_total - v_inserted);
end $$;
