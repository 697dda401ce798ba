-- FactoredUI store: insert_events with no per-row function calls of its own (issue #18).
--
-- The batch was already one multi-row INSERT, but every event paid two calls of is_uuid (a SQL
-- function that cannot be inlined) in the shape check and one of to_time, a PL/pgSQL function
-- whose EXCEPTION block opens a subtransaction per call. Now the shape check applies the same
-- regular expressions inline (is_component_path's too: see 20261128000300), createdAt is
-- checked against to_time's pattern in one pass and cast in the INSERT itself, and to_time runs
-- only to word an error. Same checks in the same order, same errors and messages, same
-- id-ordered insert (no deadlocks, #15); the table's constraints and triggers (limits, foreign
-- key, path) still guard direct INSERTs (20261128000300 makes them cheaper).
-- It also refuses more than LIMITS.eventsPerBatch events per call (#15; first added in
-- 20261127000510, which no longer defines insert_events itself).

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

  -- createdAt: to_time's pattern for the whole batch; to_time words the error of the first
  -- event that fails it.
  perform factoredui.to_time(e.value ->> 'createdAt', 'createdAt')
  from (select e.value from jsonb_array_elements(events) e(value)
        where (e.value ->> 'createdAt') !~ '^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$'
        limit 1) e;

  insert into factoredui.events (id, session_id, user_id, type, path, payload, created_at)
  select (e.value ->> 'id')::uuid, (e.value ->> 'sessionId')::uuid, e.value ->> 'userId', e.value ->> 'type',
         e.value ->> 'path', e.value -> 'payload', date_trunc('milliseconds', (e.value ->> 'createdAt')::timestamptz)
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
  when datetime_field_overflow or invalid_datetime_format then
    -- A createdAt in the right pattern that is no time (month 13...): to_time names it.
    perform factoredui.to_time(e.value ->> 'createdAt', 'createdAt') from jsonb_array_elements(events) e(value);
    raise;
end $$;
