-- FactoredUI data lifecycle (DESIGN §19), part 2: erasure requested by the signed-in user, and
-- (where auth.users exists) erasure when the auth user is deleted.
--
--   * request_erasure()            authenticated: queues an erasure of the CALLER's own data
--     (the id comes from the JWT, never from an argument); one pending request per user, so
--     repeating it does nothing (the rate limit: a user can make the service erase at most
--     their own data, once per processing run);
--   * process_erasure_requests()   service role: erases every queued user (source
--     'user_request'), oldest first, and removes the requests;
--   * erase_user_data (replaced) also removes a pending request of the user it erases (the request is
--     satisfied, and it names the user);
--   * a trigger on auth.users erases a user's data when the auth user is deleted (source
--     'auth_user_deleted'), what FactoredUI 0.5.1 did with ON DELETE CASCADE; skipped where
--     auth.users does not exist or may not be altered.

create table if not exists factoredui.erasure_requests (
  user_id text primary key check (char_length(user_id) between 1 and 256),
  requested_at timestamptz not null default date_trunc('milliseconds', clock_timestamp())
);
alter table factoredui.erasure_requests enable row level security;
revoke all on factoredui.erasure_requests from public, anon, authenticated;
grant select on factoredui.erasure_requests to service_role;

-- The erasure (as in 20261130000100) now also removes a pending request of the erased user.
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
  -- Counted with RETURNING: statement triggers on events and factors (#18) run SQL of their
  -- own after the DELETE, which would overwrite GET DIAGNOSTICS' row count.
  -- Exposures before assignments (their foreign key cascades, which would hide the count),
  -- events before sessions (events reference their session).
  with gone as (delete from factoredui.exposures x where x.user_id = v_user returning 1)
  select count(*) into v_n from gone;
  v_counts := v_counts || jsonb_build_object('exposures', v_n);
  with gone as (delete from factoredui.assignments a where a.user_id = v_user returning 1)
  select count(*) into v_n from gone;
  v_counts := v_counts || jsonb_build_object('assignments', v_n);
  with gone as (delete from factoredui.events e where e.user_id = v_user returning 1)
  select count(*) into v_n from gone;
  v_counts := v_counts || jsonb_build_object('events', v_n);
  with gone as (delete from factoredui.sessions s where s.user_id = v_user returning 1)
  select count(*) into v_n from gone;
  v_counts := v_counts || jsonb_build_object('sessions', v_n);
  -- Deleting factors outside refresh_factors makes the next refresh a full one (#18): the
  -- refresh's bookkeeping (users, values) must be recomputed without the erased user.
  with gone as (delete from factoredui.factors f where f.user_id = v_user returning 1)
  select count(*) into v_n from gone;
  v_counts := v_counts || jsonb_build_object('factors', v_n);
  with gone as (delete from factoredui.factor_snapshots s where s.user_id = v_user returning 1)
  select count(*) into v_n from gone;
  v_counts := v_counts || jsonb_build_object('factorSnapshots', v_n);
  with gone as (delete from factoredui.clusters c where c.user_id = v_user returning 1)
  select count(*) into v_n from gone;
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
  v_cohorts := v_cohorts + v_n;
  -- Who each published `assigned` count covered (#15): the same token replacement.
  update factoredui.statistics_release_assigned h
  set members = array_replace(h.members, v_user, v_token)
  where v_user = any (h.members);
  get diagnostics v_n = row_count;
  v_counts := v_counts || jsonb_build_object('releaseCohorts', v_cohorts + v_n);
  -- The refresh's dirty marks (#18) of the events deleted above name the user; their factors are
  -- already gone, so the marks carry nothing a refresh still needs.
  delete from factoredui.factor_dirty d where d.user_id = v_user;
  -- The request (if any) is satisfied, and it names the user.
  delete from factoredui.erasure_requests r where r.user_id = v_user;
  insert into factoredui.lifecycle_settings default values on conflict (id) do nothing;
  insert into factoredui.erasure_log (subject_hash, counts, source)
  values (factoredui.subject_hash(v_user), v_counts, erase_user_data.source)
  returning * into v_entry;
  perform set_config('factoredui.lifecycle', '', true);
  return factoredui.erasure_json(v_entry);
end $$;

-- requestErasure: the signed-in user asks for the erasure of their own data.
create or replace function factoredui.request_erasure() returns jsonb
language plpgsql volatile security definer set search_path = '' as $$
declare
  v_user text := factoredui.uid();
  v_at timestamptz;
begin
  if factoredui.invoker_kind() <> 'user' or v_user is null then
    raise exception using errcode = '42501',
      message = 'requestErasure: only a signed-in user may request the erasure of their own data (factoredui); the service role calls eraseUser.';
  end if;
  perform factoredui.check_user_id(v_user);
  insert into factoredui.erasure_requests (user_id) values (v_user) on conflict (user_id) do nothing;
  select r.requested_at into v_at from factoredui.erasure_requests r where r.user_id = v_user;
  return jsonb_build_object('requestedAt', factoredui.iso(v_at));
end $$;

-- processErasureRequests: erases every queued user, oldest first (at most `limit`).
create or replace function factoredui.process_erasure_requests(options jsonb default '{}') returns jsonb
language plpgsql volatile security definer set search_path = '' as $$
declare
  v_limit integer := factoredui.arg_limit(options);
  v_request record;
  v_out jsonb := '[]';
begin
  if factoredui.invoker_kind() <> 'service' then
    raise exception using errcode = '42501',
      message = 'processErasureRequests requires the service role (factoredui); use a service store.';
  end if;
  if v_limit = 0 then
    raise exception using errcode = '22023', message = 'limit must be a positive integer, got 0.';
  end if;
  for v_request in
    select r.user_id from factoredui.erasure_requests r
    order by r.requested_at, r.user_id collate "C" limit v_limit
    for update skip locked
  loop
    v_out := v_out || jsonb_build_array(factoredui.erase_user_data(v_request.user_id, 'user_request'));
  end loop;
  return v_out;
end $$;

-- The auth.users trigger: the deleted auth user's data goes with it.
create or replace function factoredui.erase_deleted_auth_user() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  perform factoredui.erase_user_data(old.id::text, 'auth_user_deleted');
  return old;
end $$;

revoke all on function factoredui.erase_user_data(text, text), factoredui.request_erasure(),
  factoredui.process_erasure_requests(jsonb), factoredui.erase_deleted_auth_user()
  from public, anon, authenticated, service_role;
grant execute on function factoredui.request_erasure() to authenticated;
grant execute on function factoredui.process_erasure_requests(jsonb) to service_role;

do $$
begin
  if to_regclass('auth.users') is not null then
    begin
      execute 'drop trigger if exists factoredui_erase_on_delete on auth.users';
      execute 'create trigger factoredui_erase_on_delete after delete on auth.users
        for each row execute function factoredui.erase_deleted_auth_user()';
    exception when insufficient_privilege then
      raise notice 'factoredui: auth.users may not be altered by this role; erase users with factoredui.erase_user instead.';
    end;
  end if;
end $$;
