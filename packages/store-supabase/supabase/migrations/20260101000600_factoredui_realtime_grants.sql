-- FactoredUI store: change notifications, function grants, and the optional parts
-- (Supabase Realtime publication, pg_cron schedule), each skipped where unavailable.

-- NOTIFY on channel factoredui_<topic> with the affected key (experiment id, user id, spec name)
-- or '' when a statement touched many rows. Delivered on commit, never for rolled-back work.
create or replace function factoredui.notify_change() returns trigger
language plpgsql set search_path = '' as $$
declare
  v_topic text := tg_argv[0];
  v_key text := '';
  v_row jsonb;
begin
  if tg_level = 'ROW' then
    v_row := to_jsonb(coalesce(new, old));
    v_key := coalesce(v_row ->> tg_argv[1], '');
  end if;
  perform pg_notify('factoredui_' || v_topic, v_key);
  return null;
end $$;

drop trigger if exists sessions_notify on factoredui.sessions;
create trigger sessions_notify after insert on factoredui.sessions
  for each statement execute function factoredui.notify_change('events');
drop trigger if exists events_notify on factoredui.events;
create trigger events_notify after insert on factoredui.events
  for each statement execute function factoredui.notify_change('events');
-- factoredui.factors while it is a table (a view of pair_factors since 20261205000100).
do $$
begin
  if (select c.relkind from pg_class c where c.oid = to_regclass('factoredui.factors')) = 'r' then
    drop trigger if exists factors_notify on factoredui.factors;
    create trigger factors_notify after insert or update or delete on factoredui.factors
      for each statement execute function factoredui.notify_change('factors');
  end if;
end $$;
drop trigger if exists factor_snapshots_notify on factoredui.factor_snapshots;
create trigger factor_snapshots_notify after insert on factoredui.factor_snapshots
  for each statement execute function factoredui.notify_change('factors');
drop trigger if exists clusters_notify on factoredui.clusters;
create trigger clusters_notify after insert or update or delete on factoredui.clusters
  for each statement execute function factoredui.notify_change('factors');
drop trigger if exists experiments_notify on factoredui.experiments;
create trigger experiments_notify after insert or update or delete on factoredui.experiments
  for each row execute function factoredui.notify_change('experiments', 'id');
drop trigger if exists assignments_notify on factoredui.assignments;
create trigger assignments_notify after insert on factoredui.assignments
  for each row execute function factoredui.notify_change('assignments', 'user_id');
drop trigger if exists exposures_notify on factoredui.exposures;
create trigger exposures_notify after insert on factoredui.exposures
  for each row execute function factoredui.notify_change('assignments', 'user_id');
drop trigger if exists thresholds_notify on factoredui.thresholds;
create trigger thresholds_notify after insert or update or delete on factoredui.thresholds
  for each row execute function factoredui.notify_change('governance', 'experiment_id');
drop trigger if exists governance_log_notify on factoredui.governance_log;
create trigger governance_log_notify after insert on factoredui.governance_log
  for each row execute function factoredui.notify_change('governance', 'experiment_id');
drop trigger if exists specs_notify on factoredui.specs;
create trigger specs_notify after insert on factoredui.specs
  for each row execute function factoredui.notify_change('specs', 'name');
drop trigger if exists spec_pointers_notify on factoredui.spec_pointers;
create trigger spec_pointers_notify after insert or update on factoredui.spec_pointers
  for each row execute function factoredui.notify_change('specs', 'name');

-- Functions: nothing for PUBLIC; the API for every API role (grants and RLS on the tables
-- decide what each role may do, so anon calling list_events gets "permission denied").
revoke all on all functions in schema factoredui from public;
grant execute on all functions in schema factoredui to anon, authenticated, service_role;

-- Supabase Realtime: publish the tables clients listen to, when the publication exists.
do $$
declare t text;
begin
  if exists (select 1 from pg_publication where pubname = 'supabase_realtime') then
    foreach t in array array['experiments', 'assignments', 'exposures', 'factors', 'governance_log', 'thresholds', 'specs', 'spec_pointers', 'events']
    loop
      if not exists (select 1 from pg_publication_tables
                     where pubname = 'supabase_realtime' and schemaname = 'factoredui' and tablename = t) then
        execute format('alter publication supabase_realtime add table factoredui.%I', t);
      end if;
    end loop;
  end if;
end $$;

-- pg_cron: refresh factors and take a snapshot every hour, when the extension is installed.
create or replace function factoredui.refresh_and_snapshot(as_of timestamptz default now()) returns jsonb
language plpgsql volatile set search_path = '' as $$
declare v_as_of timestamptz := date_trunc('milliseconds', refresh_and_snapshot.as_of);
begin
  return jsonb_build_object('refresh', factoredui.refresh_factors(v_as_of), 'snapshot', factoredui.snapshot_factors(v_as_of));
end $$;
revoke all on function factoredui.refresh_and_snapshot(timestamptz) from public, anon, authenticated;
grant execute on function factoredui.refresh_and_snapshot(timestamptz) to service_role;

do $$
begin
  if exists (select 1 from pg_extension where extname = 'pg_cron') then
    execute $cron$select cron.schedule('factoredui-refresh', '0 * * * *', 'select factoredui.refresh_and_snapshot(now())')$cron$;
  end if;
end $$;
