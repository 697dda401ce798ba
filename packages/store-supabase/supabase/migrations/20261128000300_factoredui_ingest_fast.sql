-- FactoredUI store: ingestion without per-row function calls (issue #18).
--
-- Profiled on PostgreSQL 15 (auto_explain with triggers, 500-event batches): besides the index
-- entries, every event paid is_component_path twice (insert_events' shape check and the path
-- CHECK), a SQL function that is never inlined (it pins search_path) and that unnests the
-- path's segments in a subquery; and one call of the PL/pgSQL limits trigger. Now:
--
-- - is_component_path is one expression with the same meaning (1..512 characters, no control
--   character, at most 4 segments, no segment empty once trimmed of the spaces below), and the
--   path CHECK and insert_events apply that expression inline instead of calling it;
-- - the limits trigger fires only for a row that can fail it: its WHEN clause holds the limits'
--   fast test (folded to constants once per statement), so a valid event costs one expression,
--   not a PL/pgSQL call. Every custom event still goes through the trigger (its name and
--   properties rules), and a row over a limit gets exactly the message it got before, from the
--   same BEFORE trigger, before any constraint.
--
-- Direct INSERTs keep every protection: the CHECK, the trigger and the foreign key are the
-- table's own.

create or replace function factoredui.is_component_path(path text) returns boolean
language sql immutable parallel safe set search_path = '' as $$
  select path is not null
    and char_length(path) between 1 and 512
    and path !~ '[\x01-\x1f\x7f]'
    -- at most 4 segments: at most 3 slashes
    and char_length(path) - char_length(replace(path, '/', '')) <= 3
    -- no segment made only of ' ', tab, U+00A0, U+2028, U+2029, U+FEFF (or of nothing)
    and path !~ '(^|/)[ \t\u00a0\u2028\u2029\ufeff]*(/|$)'
$$;

-- The same expression, inline (a CHECK calling the function pays a function call per row).
-- Existing rows passed the old CHECK, which has the same meaning, hence NOT VALID: no scan of
-- the events under an exclusive lock; every new row is checked all the same.
alter table factoredui.events drop constraint if exists events_path_check;
alter table factoredui.events add constraint events_path_check check (
  char_length(path) between 1 and 512
  and path !~ '[\x01-\x1f\x7f]'
  and char_length(path) - char_length(replace(path, '/', '')) <= 3
  and path !~ '(^|/)[ \t\u00a0\u2028\u2029\ufeff]*(/|$)') not valid;

drop trigger if exists events_limits on factoredui.events;
create trigger events_limits before insert on factoredui.events
  for each row
  when (char_length(new.user_id) > factoredui.limit_of('userIdChars')
     or char_length(new.path) > factoredui.limit_of('pathChars')
     or octet_length(new.payload::text) > factoredui.limit_of('eventPayloadBytes')
     or jsonb_path_exists(new.payload, factoredui.too_deep_path())
     or new.type = 'custom')
  execute function factoredui.check_event_limits();
