-- FactoredUI data lifecycle (DESIGN §19): erasure and export of one user's data, retention.
--
-- Before: user_id is text with no foreign key to auth.users, events and snapshots are
-- append-only, and service_role could DELETE from events and factor_snapshots directly (for
-- "retention"), with nothing to erase or export one user.
--
-- Now:
--   * export_user(user_id)  service role: every row of the user as JSON (the rows erase_user
--     removes, same counts);
--   * erase_user(user_id)   service role, SECURITY DEFINER: deletes the user's sessions, events,
--     factors, snapshots, cluster, assignments and exposures, replaces the user's id in the
--     service-only release cohorts by a random token (published releases, over >= 5 users, are
--     kept, and later releases keep counting the erased member, so none differs from an earlier
--     one by that user), and appends an audit entry with no personal data (a salted SHA-256 of
--     the id, counts per table, time);
--   * prune_events(options) service role, SECURITY DEFINER: retention of raw events
--     (lifecycle_settings.retention_days, set with set_retention_days), daily by pg_cron where
--     it exists;
--   * events and factor_snapshots are append-only for EVERY caller, service_role included: the
--     DELETE grant is revoked and a trigger refuses deletes outside these two functions.

create table if not exists factoredui.lifecycle_settings (
  id boolean primary key default true check (id),
  -- Random secret salting the subject hashes of the erasure log.
  salt text not null default (gen_random_uuid()::text || gen_random_uuid()::text),
  retention_days integer check (retention_days between 1 and 1000000)
);

create table if not exists factoredui.erasure_log (
  id uuid primary key default gen_random_uuid(),
  seq bigint generated always as identity,
  subject_hash text not null check (subject_hash ~ '^[0-9a-f]{64}$'),
  counts jsonb not null check (jsonb_typeof(counts) = 'object'),
  erased_at timestamptz not null default date_trunc('milliseconds', clock_timestamp()),
  source text not null check (source in ('service', 'user_request', 'auth_user_deleted'))
);
create index if not exists erasure_log_subject_idx on factoredui.erasure_log (subject_hash);

drop trigger if exists erasure_log_append_only on factoredui.erasure_log;
create trigger erasure_log_append_only before update or delete on factoredui.erasure_log
  for each row execute function factoredui.forbid_change();

alter table factoredui.lifecycle_settings enable row level security;
alter table factoredui.erasure_log enable row level security;
revoke all on factoredui.lifecycle_settings, factoredui.erasure_log from public, anon, authenticated;
grant select on factoredui.lifecycle_settings, factoredui.erasure_log to service_role;
-- set_retention_days runs as the caller: the service may set the retention, never the salt.
grant insert (retention_days), update (retention_days) on factoredui.lifecycle_settings to service_role;

-- ---------------------------------------------------------------------------------------------
-- Append-only for everyone: only erase_user / prune_events remove events and snapshots.
-- ---------------------------------------------------------------------------------------------
revoke delete on factoredui.events, factoredui.factor_snapshots from service_role;

create or replace function factoredui.forbid_delete_outside_lifecycle() returns trigger
language plpgsql set search_path = '' as $$
begin
  if coalesce(current_setting('factoredui.lifecycle', true), '') in ('erase', 'prune') then
    return old;
  end if;
  raise exception using errcode = '42501',
    message = format('factoredui.%s is append-only: delete is not allowed; erase a user with erase_user or prune old events with prune_events (service role).', tg_table_name);
end $$;

drop trigger if exists events_delete_guard on factoredui.events;
create trigger events_delete_guard before delete on factoredui.events
  for each row execute function factoredui.forbid_delete_outside_lifecycle();
drop trigger if exists factor_snapshots_delete_guard on factoredui.factor_snapshots;
create trigger factor_snapshots_delete_guard before delete on factoredui.factor_snapshots
  for each row execute function factoredui.forbid_delete_outside_lifecycle();

-- ---------------------------------------------------------------------------------------------
-- Helpers.
-- ---------------------------------------------------------------------------------------------

-- 22023 unless a user id of the contract (1..256 characters).
create or replace function factoredui.check_user_id(user_id text) returns text
language plpgsql immutable set search_path = '' as $$
begin
  if user_id is null or char_length(user_id) not between 1 and 256 then
    raise exception using errcode = '22023',
      message = format('userId must be a non-empty string of at most 256 characters (LIMITS.userIdChars), got %s.', coalesce(to_jsonb(left(user_id, 40)), 'null'));
  end if;
  return user_id;
end $$;

-- Lowercase hex SHA-256 of salt U+001F user_id; null before the first erasure (no salt yet).
create or replace function factoredui.subject_hash(user_id text) returns text
language sql stable set search_path = '' as $$
  select encode(sha256(convert_to(s.salt || chr(31) || subject_hash.user_id, 'UTF8')), 'hex')
  from factoredui.lifecycle_settings s
$$;

create or replace function factoredui.erasure_json(e factoredui.erasure_log) returns jsonb
language sql stable set search_path = '' as $$
  select jsonb_build_object('id', e.id, 'subjectHash', e.subject_hash, 'counts', e.counts,
    'erasedAt', factoredui.iso(e.erased_at), 'source', e.source)
$$;

-- Everything stored about one user, shaped like the contract's UserDataExport (without the
-- header). Service role (row-level security is bypassed by it; the cohorts are service-only).
create or replace function factoredui.user_data(user_id text) returns jsonb
language sql stable set search_path = '' as $$
  select jsonb_build_object(
    'sessions', (select coalesce(jsonb_agg(factoredui.session_json(s) order by s.started_at desc, s.id), '[]')
      from factoredui.sessions s where s.user_id = user_data.user_id),
    'events', (select coalesce(jsonb_agg(factoredui.event_json(e) order by e.created_at, e.id), '[]')
      from factoredui.events e where e.user_id = user_data.user_id),
    'factors', (select coalesce(jsonb_agg(factoredui.factor_value_json(f.user_id, f.path, f.factor, f.value, f.as_of)
        order by f.path collate "C", c.ordinal), '[]')
      from factoredui.factors f join factoredui.factor_catalog c on c.name = f.factor
      where f.user_id = user_data.user_id),
    'factorSnapshots', (select coalesce(jsonb_agg(factoredui.snapshot_value_json(s)
        order by s.snapshot_at, s.path collate "C", c.ordinal), '[]')
      from factoredui.factor_snapshots s join factoredui.factor_catalog c on c.name = s.factor
      where s.user_id = user_data.user_id),
    'clusters', (select coalesce(jsonb_agg(factoredui.cluster_json(c)), '[]')
      from factoredui.clusters c where c.user_id = user_data.user_id),
    'assignments', (select coalesce(jsonb_agg(factoredui.assignment_json(a)
        order by a.assigned_at, a.experiment_id), '[]')
      from factoredui.assignments a where a.user_id = user_data.user_id),
    'exposures', (select coalesce(jsonb_agg(factoredui.exposure_json(x)
        order by x.exposed_at, x.session_id collate "C", x.experiment_id), '[]')
      from factoredui.exposures x where x.user_id = user_data.user_id),
    'releaseCohorts', (select coalesce(jsonb_agg(m.membership order by m.kind, m.released_at, m.ord), '[]') from (
      select 1 as kind, h.released_at, row_number() over (order by h.released_at, h.experiment_id, h.variant_key, h.factor, h.path) as ord,
        jsonb_build_object('kind', 'statistics', 'experimentId', h.experiment_id, 'variantKey', h.variant_key,
          'factor', h.factor, 'path', h.path) as membership
      from factoredui.statistics_release_cohorts h where user_data.user_id = any (h.members)
      union all
      select 2, h.released_at, row_number() over (order by h.released_at, h.path collate "C", h.factor),
        jsonb_build_object('kind', 'aggregates', 'path', h.path, 'factor', h.factor)
      from factoredui.aggregate_release_cohorts h where user_data.user_id = any (h.members)
      union all
      select 3, h.released_at, row_number() over (order by h.released_at, h.experiment_id, h.variant_key),
        jsonb_build_object('kind', 'assigned', 'experimentId', h.experiment_id, 'variantKey', h.variant_key)
      from factoredui.statistics_release_assigned h where user_data.user_id = any (h.members)) m))
$$;

-- Counts per table of a user_data document.
create or replace function factoredui.user_data_counts(data jsonb) returns jsonb
language sql immutable set search_path = '' as $$
  select coalesce(jsonb_object_agg(d.key, jsonb_array_length(d.value)), '{}') from jsonb_each(data) d
$$;

-- ---------------------------------------------------------------------------------------------
-- Export and erasure.
-- ---------------------------------------------------------------------------------------------

-- exportUser: service role only.
create or replace function factoredui.export_user(user_id text) returns jsonb
language plpgsql stable set search_path = '' as $$
declare v_data jsonb;
begin
  perform factoredui.require_service('exportUser');
  perform factoredui.check_user_id(user_id);
  v_data := factoredui.user_data(user_id);
  return jsonb_build_object('format', 'factoredui.user-export.v1', 'userId', user_id,
    'exportedAt', factoredui.iso(clock_timestamp()), 'counts', factoredui.user_data_counts(v_data)) || v_data;
end $$;

-- The erasure itself. SECURITY DEFINER with no grant to any API role: only erase_user, the
-- request queue and the auth.users trigger (each checks its caller) reach it.
create or replace function factoredui.erase_user_data(user_id text, source text) returns jsonb
language plpgsql volatile security definer set search_path = '' as $$
declare
  v_user text := factoredui.check_user_id(erase_user_data.user_id);
  v_token text := 'erased:' || gen_random_uuid()::text;
  v_n bigint;
  v_cohorts bigint;
  v_counts jsonb := '{}';
  v_entry factoredui.erasure_log;
begin
  perform set_config('factoredui.lifecycle', 'erase', true);
  -- Exposures before assignments (their foreign key cascades, which would hide the count),
  -- events before sessions (events reference their session).
  delete from factoredui.exposures x where x.user_id = v_user;
  get diagnostics v_n = row_count;
  v_counts := v_counts || jsonb_build_object('exposures', v_n);
  delete from factoredui.assignments a where a.user_id = v_user;
  get diagnostics v_n = row_count;
  v_counts := v_counts || jsonb_build_object('assignments', v_n);
  delete from factoredui.events e where e.user_id = v_user;
  get diagnostics v_n = row_count;
  v_counts := v_counts || jsonb_build_object('events', v_n);
  delete from factoredui.sessions s where s.user_id = v_user;
  get diagnostics v_n = row_count;
  v_counts := v_counts || jsonb_build_object('sessions', v_n);
  delete from factoredui.factors f where f.user_id = v_user;
  get diagnostics v_n = row_count;
  v_counts := v_counts || jsonb_build_object('factors', v_n);
  delete from factoredui.factor_snapshots s where s.user_id = v_user;
  get diagnostics v_n = row_count;
  v_counts := v_counts || jsonb_build_object('factorSnapshots', v_n);
  delete from factoredui.clusters c where c.user_id = v_user;
  get diagnostics v_n = row_count;
  v_counts := v_counts || jsonb_build_object('clusters', v_n);
  -- Published releases stay; their cohorts keep a member that is no longer anyone.
  update factoredui.statistics_release_cohorts h
  set members = array_replace(h.members, v_user, v_token),
      contributions = array(select case when split_part(c.value, chr(31), 1) = v_user then v_token else c.value end
                            from unnest(h.contributions) with ordinality c(value, ord) order by c.ord)
  where v_user = any (h.members);
  get diagnostics v_cohorts = row_count;
  update factoredui.aggregate_release_cohorts h
  set members = array_replace(h.members, v_user, v_token),
      contributions = array(select case when split_part(c.value, chr(31), 1) = v_user then v_token else c.value end
                            from unnest(h.contributions) with ordinality c(value, ord) order by c.ord)
  where v_user = any (h.members);
  get diagnostics v_n = row_count;
  v_counts := v_counts || jsonb_build_object('releaseCohorts', v_cohorts + v_n);
  insert into factoredui.lifecycle_settings default values on conflict (id) do nothing;
  insert into factoredui.erasure_log (subject_hash, counts, source)
  values (factoredui.subject_hash(v_user), v_counts, erase_user_data.source)
  returning * into v_entry;
  perform set_config('factoredui.lifecycle', '', true);
  return factoredui.erasure_json(v_entry);
end $$;

-- eraseUser: service role only (SECURITY DEFINER: it removes rows from append-only tables).
create or replace function factoredui.erase_user(user_id text) returns jsonb
language plpgsql volatile security definer set search_path = '' as $$
begin
  if factoredui.invoker_kind() <> 'service' then
    raise exception using errcode = '42501',
      message = 'eraseUser requires the service role (factoredui); use a service store.';
  end if;
  return factoredui.erase_user_data(user_id, 'service');
end $$;

-- listErasures: the audit log, newest first, optionally of one user (by salted hash).
create or replace function factoredui.list_erasures(query jsonb default '{}') returns jsonb
language plpgsql stable set search_path = '' as $$
declare
  v_user text := factoredui.arg_text(query, 'userId');
  v_limit integer := factoredui.arg_limit(query);
begin
  perform factoredui.require_service('listErasures');
  if v_limit = 0 then
    raise exception using errcode = '22023', message = 'limit must be a positive integer, got 0.';
  end if;
  if v_user is not null then perform factoredui.check_user_id(v_user); end if;
  return (select coalesce(jsonb_agg(factoredui.erasure_json(e) order by e.seq desc), '[]') from (
    select * from factoredui.erasure_log l
    where v_user is null or l.subject_hash = factoredui.subject_hash(v_user)
    order by l.seq desc limit v_limit) e);
end $$;

-- ---------------------------------------------------------------------------------------------
-- Retention.
-- ---------------------------------------------------------------------------------------------

-- Sets the retention of raw events (null: keep them). Service role.
create or replace function factoredui.set_retention_days(days integer) returns jsonb
language plpgsql volatile set search_path = '' as $$
begin
  perform factoredui.require_service('setRetentionDays');
  if days is not null and days not between 1 and 1000000 then
    raise exception using errcode = '22023',
      message = format('retentionDays must be a whole number of days from 1 to 1000000, got %s.', days);
  end if;
  insert into factoredui.lifecycle_settings (retention_days) values (days)
  on conflict (id) do update set retention_days = excluded.retention_days;
  return jsonb_build_object('retentionDays', days);
end $$;

-- pruneEvents: removes events older than as_of - retention, and sessions started before the
-- cutoff that have no event left. Factors, snapshots and experiment records are kept.
create or replace function factoredui.prune_events(options jsonb default '{}') returns jsonb
language plpgsql volatile security definer set search_path = '' as $$
declare
  v_as_of timestamptz := coalesce(factoredui.to_time(factoredui.arg_text(options, 'asOf'), 'asOf'),
    date_trunc('milliseconds', now()));
  v_raw jsonb := options -> 'retentionDays';
  v_days integer;
  v_cutoff timestamptz;
  v_events bigint;
  v_sessions bigint;
begin
  if factoredui.invoker_kind() <> 'service' then
    raise exception using errcode = '42501',
      message = 'pruneEvents requires the service role (factoredui); use a service store.';
  end if;
  if v_raw is not null and jsonb_typeof(v_raw) <> 'null' then
    if jsonb_typeof(v_raw) <> 'number' or (v_raw::text)::numeric <> trunc((v_raw::text)::numeric)
       or (v_raw::text)::numeric not between 1 and 1000000 then
      raise exception using errcode = '22023',
        message = format('retentionDays must be a whole number of days from 1 to 1000000, got %s.', v_raw);
    end if;
    v_days := (v_raw::text)::integer;
  else
    select s.retention_days into v_days from factoredui.lifecycle_settings s;
  end if;
  if v_days is null then
    raise exception using errcode = '22023',
      message = 'pruneEvents needs a retention: pass { retentionDays } or configure one with select factoredui.set_retention_days(90).';
  end if;
  v_cutoff := v_as_of - make_interval(days => v_days);
  perform set_config('factoredui.lifecycle', 'prune', true);
  delete from factoredui.events e where e.created_at < v_cutoff;
  get diagnostics v_events = row_count;
  delete from factoredui.sessions s where s.started_at < v_cutoff
    and not exists (select 1 from factoredui.events e where e.session_id = s.id);
  get diagnostics v_sessions = row_count;
  perform set_config('factoredui.lifecycle', '', true);
  return jsonb_build_object('cutoff', factoredui.iso(v_cutoff), 'retentionDays', v_days,
    'events', v_events, 'sessions', v_sessions);
end $$;

-- What the pg_cron job runs: prune when a retention is set, nothing otherwise.
create or replace function factoredui.scheduled_prune() returns jsonb
language plpgsql volatile set search_path = '' as $$
begin
  perform factoredui.require_service('scheduledPrune');
  if not exists (select 1 from factoredui.lifecycle_settings s where s.retention_days is not null) then
    return jsonb_build_object('skipped', 'no retention configured');
  end if;
  return factoredui.prune_events('{}');
end $$;

-- ---------------------------------------------------------------------------------------------
-- Grants: service role only (functions are created executable by PUBLIC; revoke that first).
-- ---------------------------------------------------------------------------------------------
revoke all on function factoredui.forbid_delete_outside_lifecycle(), factoredui.check_user_id(text),
  factoredui.subject_hash(text), factoredui.erasure_json(factoredui.erasure_log), factoredui.user_data(text),
  factoredui.user_data_counts(jsonb), factoredui.export_user(text), factoredui.erase_user_data(text, text),
  factoredui.erase_user(text), factoredui.list_erasures(jsonb), factoredui.set_retention_days(integer),
  factoredui.prune_events(jsonb), factoredui.scheduled_prune()
  from public, anon, authenticated, service_role;
grant execute on function factoredui.check_user_id(text), factoredui.subject_hash(text),
  factoredui.erasure_json(factoredui.erasure_log), factoredui.user_data(text), factoredui.user_data_counts(jsonb),
  factoredui.export_user(text), factoredui.erase_user(text), factoredui.list_erasures(jsonb),
  factoredui.set_retention_days(integer), factoredui.prune_events(jsonb), factoredui.scheduled_prune()
  to service_role;

-- pg_cron: prune daily at 03:17 when the extension is installed (a no-op until a retention is set).
do $$
begin
  if exists (select 1 from pg_extension where extname = 'pg_cron') then
    execute $cron$select cron.schedule('factoredui-prune', '17 3 * * *', 'select factoredui.scheduled_prune()')$cron$;
  end if;
end $$;
