-- FactoredUI store: row-level security and grants (DESIGN §9).
--
--   authenticated  reads and inserts only its own sessions, events, assignments, exposures; reads
--                  its own factors, snapshots, cluster; reads definitions, thresholds, the
--                  governance log and specs; writes nothing else.
--   service_role   bypasses RLS; writes definitions, thresholds, the log, specs, maintenance.
--   anon           reads nothing private (only the factor catalog and k-anonymous aggregates).
--
-- Events, snapshots, specs and the log are append-only for everyone (triggers in the schema).

alter table factoredui.sessions enable row level security;
alter table factoredui.events enable row level security;
alter table factoredui.factor_snapshots enable row level security;
alter table factoredui.clusters enable row level security;
alter table factoredui.experiments enable row level security;
alter table factoredui.assignments enable row level security;
alter table factoredui.exposures enable row level security;
alter table factoredui.thresholds enable row level security;
alter table factoredui.governance_log enable row level security;
alter table factoredui.specs enable row level security;
alter table factoredui.spec_pointers enable row level security;
alter table factoredui.factor_catalog enable row level security;

-- `(select factoredui.uid())` is evaluated once per statement, not once per row.
drop policy if exists sessions_own_select on factoredui.sessions;
create policy sessions_own_select on factoredui.sessions for select to authenticated
  using (user_id = (select factoredui.uid()));
drop policy if exists sessions_own_insert on factoredui.sessions;
create policy sessions_own_insert on factoredui.sessions for insert to authenticated
  with check (user_id = (select factoredui.uid()));

drop policy if exists events_own_select on factoredui.events;
create policy events_own_select on factoredui.events for select to authenticated
  using (user_id = (select factoredui.uid()));
-- The composite foreign key (session_id, user_id) makes the session the user's own as well.
drop policy if exists events_own_insert on factoredui.events;
create policy events_own_insert on factoredui.events for insert to authenticated
  with check (user_id = (select factoredui.uid()));

-- factoredui.factors while it is a table (a view of pair_factors since 20261205000100).
do $$
begin
  if (select c.relkind from pg_class c where c.oid = to_regclass('factoredui.factors')) = 'r' then
    alter table factoredui.factors enable row level security;
    drop policy if exists factors_own_select on factoredui.factors;
    create policy factors_own_select on factoredui.factors for select to authenticated
      using (user_id = (select factoredui.uid()));
  end if;
end $$;
drop policy if exists factor_snapshots_own_select on factoredui.factor_snapshots;
create policy factor_snapshots_own_select on factoredui.factor_snapshots for select to authenticated
  using (user_id = (select factoredui.uid()));
drop policy if exists clusters_own_select on factoredui.clusters;
create policy clusters_own_select on factoredui.clusters for select to authenticated
  using (user_id = (select factoredui.uid()));

drop policy if exists assignments_own_select on factoredui.assignments;
create policy assignments_own_select on factoredui.assignments for select to authenticated
  using (user_id = (select factoredui.uid()));
drop policy if exists assignments_own_insert on factoredui.assignments;
create policy assignments_own_insert on factoredui.assignments for insert to authenticated
  with check (user_id = (select factoredui.uid()));
drop policy if exists exposures_own_select on factoredui.exposures;
create policy exposures_own_select on factoredui.exposures for select to authenticated
  using (user_id = (select factoredui.uid()));
drop policy if exists exposures_own_insert on factoredui.exposures;
create policy exposures_own_insert on factoredui.exposures for insert to authenticated
  with check (user_id = (select factoredui.uid()));

-- Definitions, thresholds, the log and specs: readable by every signed-in user.
drop policy if exists experiments_read on factoredui.experiments;
create policy experiments_read on factoredui.experiments for select to authenticated using (true);
drop policy if exists thresholds_read on factoredui.thresholds;
create policy thresholds_read on factoredui.thresholds for select to authenticated using (true);
drop policy if exists governance_log_read on factoredui.governance_log;
create policy governance_log_read on factoredui.governance_log for select to authenticated using (true);
drop policy if exists specs_read on factoredui.specs;
create policy specs_read on factoredui.specs for select to authenticated using (true);
drop policy if exists spec_pointers_read on factoredui.spec_pointers;
create policy spec_pointers_read on factoredui.spec_pointers for select to authenticated using (true);
drop policy if exists factor_catalog_read on factoredui.factor_catalog;
create policy factor_catalog_read on factoredui.factor_catalog for select to anon, authenticated using (true);

-- Grants. Nothing is granted to PUBLIC.
revoke all on all tables in schema factoredui from public, anon, authenticated;
grant usage on schema factoredui to anon, authenticated, service_role;

grant select on factoredui.factor_catalog to anon, authenticated, service_role;
grant select, insert on factoredui.sessions, factoredui.events, factoredui.assignments, factoredui.exposures
  to authenticated;
grant select on factoredui.factors, factoredui.factor_snapshots, factoredui.clusters,
  factoredui.experiments, factoredui.thresholds, factoredui.governance_log, factoredui.specs,
  factoredui.spec_pointers to authenticated;

grant select, insert, update, delete on factoredui.sessions, factoredui.factors, factoredui.clusters,
  factoredui.experiments, factoredui.assignments, factoredui.exposures, factoredui.thresholds,
  factoredui.spec_pointers to service_role;
-- Append-only tables: delete only where retention needs it; the triggers forbid updates anyway.
grant select, insert, delete on factoredui.events, factoredui.factor_snapshots to service_role;
grant select, insert on factoredui.governance_log, factoredui.specs to service_role;
grant usage, select on all sequences in schema factoredui to service_role;
