-- Upgrading from FactoredUI 0.5.1 (DESIGN §21): moves the data of the 0.5.1 schema, which
-- 20260101000000 renamed to factoredui_051, into this schema. Nothing of factoredui_051 is
-- changed or dropped; every legacy row is accounted for per table:
--
--   legacy_rows = present + moved + skipped + gone
--
--   present  its counterpart was already here before this run (moved by an earlier run)
--   moved    copied by this run (in a dry run: would be copied)
--   skipped  cannot be represented in this schema; `reasons` counts them per reason
--   gone     moved by an earlier run and deleted here since (e.g. erased); never moved again
--
-- Each step is idempotent (rows keep their ids, or a key derived from the legacy row) and is
-- marked finished in factoredui.upgrade_051_steps, so a second run moves nothing and an
-- interrupted run resumes at the first unfinished step. `factoredui upgrade --dry-run` runs the
-- pending migrations and `upgrade_from_051(true)` in one transaction and rolls it back.

create table if not exists factoredui.upgrade_051_steps (
  step text primary key,
  finished_at timestamptz not null default now(),
  report jsonb not null
);
alter table factoredui.upgrade_051_steps enable row level security;
revoke all on factoredui.upgrade_051_steps from public, anon, authenticated;

-- One step: `candidates` is a temporary table with the target columns and `problem` (null when
-- the row can move); `keys` identify a row of `target`.
create or replace function factoredui.upgrade_051_step(
  p_step text, p_candidates text, p_target text, p_keys text[], p_columns text[], p_dry boolean)
returns jsonb language plpgsql volatile set search_path = '' as $$
declare
  v_match text;
  v_cols text := (select string_agg(format('%I', c), ', ') from unnest(p_columns) c);
  v_legacy bigint;
  v_skipped bigint;
  v_present bigint;
  v_moved bigint := 0;
  v_reasons jsonb;
  v_finished boolean := exists (select 1 from factoredui.upgrade_051_steps s where s.step = p_step);
  v_report jsonb;
begin
  v_match := format('exists (select 1 from %s t where %s)', p_target,
    (select string_agg(format('t.%1$I = c.%1$I', k), ' and ') from unnest(p_keys) k));
  execute format('select count(*), count(*) filter (where problem is not null), '
      || 'count(*) filter (where problem is null and %s) from pg_temp.%I c', v_match, p_candidates)
    into v_legacy, v_skipped, v_present;
  execute format('select coalesce(jsonb_object_agg(problem, n), ''{}'') from '
      || '(select problem, count(*) n from pg_temp.%I where problem is not null group by problem) r', p_candidates)
    into v_reasons;
  if not v_finished then
    if p_dry then
      v_moved := v_legacy - v_skipped - v_present;
    else
      execute format('insert into %s (%s) select %s from pg_temp.%I c where problem is null and not %s '
          || 'on conflict do nothing', p_target, v_cols, v_cols, p_candidates, v_match);
      get diagnostics v_moved = row_count;
    end if;
  end if;
  v_report := jsonb_build_object('step', p_step, 'target', p_target, 'legacy_rows', v_legacy,
    'present', v_present, 'moved', v_moved, 'skipped', v_skipped,
    'gone', v_legacy - v_present - v_moved - v_skipped, 'reasons', v_reasons);
  if not p_dry and not v_finished then
    insert into factoredui.upgrade_051_steps (step, report) values (p_step, v_report);
  end if;
  return v_report;
end $$;

-- A step for legacy data that has no place in this schema: every row is skipped with `reason`.
create or replace function factoredui.upgrade_051_kept(p_table text, p_reason text)
returns jsonb language plpgsql stable set search_path = '' as $$
declare v_legacy bigint := 0;
begin
  if exists (select 1 from information_schema.tables where table_schema = 'factoredui_051' and table_name = p_table) then
    execute format('select count(*) from factoredui_051.%I', p_table) into v_legacy;
  end if;
  return jsonb_build_object('step', p_table, 'target', null, 'legacy_rows', v_legacy, 'present', 0,
    'moved', 0, 'skipped', v_legacy, 'gone', 0,
    'reasons', case when v_legacy > 0 then jsonb_build_object(p_reason, v_legacy) else '{}'::jsonb end);
end $$;

create or replace function factoredui.upgrade_from_051(dry_run boolean default false)
returns setof jsonb language plpgsql volatile set search_path = '' as $$
declare
  v_platforms text[];
begin
  perform factoredui.require_service('upgrade_from_051');
  if not exists (select 1 from information_schema.tables
                 where table_schema = 'factoredui_051' and table_name = 'events') then
    return;
  end if;
  drop table if exists pg_temp.upg051_sessions, pg_temp.upg051_events, pg_temp.upg051_factors,
    pg_temp.upg051_snapshots, pg_temp.upg051_experiments, pg_temp.upg051_assignments,
    pg_temp.upg051_exposures, pg_temp.upg051_thresholds, pg_temp.upg051_log, pg_temp.upg051_specs,
    pg_temp.upg051_pointers;

  -- Sessions: the platform column joins the metadata (where this schema keeps it).
  create temp table upg051_sessions on commit drop as
  select s.id, s.user_id::text as user_id, date_trunc('milliseconds', s.started_at) as started_at,
    m.metadata,
    case
      when jsonb_typeof(s.metadata) is distinct from 'object' then 'metadata is not a JSON object'
      when octet_length(m.metadata::text) > factoredui.limit_of('sessionMetadataBytes')
        or factoredui.json_too_deep(m.metadata) then 'metadata exceeds LIMITS.sessionMetadataBytes or LIMITS.jsonDepth'
      when exists (select 1 from jsonb_each(m.metadata) kv where jsonb_typeof(kv.value) = 'string'
        and char_length(kv.value #>> '{}') > case when kv.key = 'platform'
          then factoredui.limit_of('platformChars') else factoredui.limit_of('metadataValueChars') end)
        then 'a metadata string exceeds LIMITS.metadataValueChars or LIMITS.platformChars'
    end as problem
  from factoredui_051.sessions s
  cross join lateral (select case when jsonb_typeof(s.metadata) = 'object' then s.metadata else '{}'::jsonb end
    || jsonb_build_object('platform', coalesce(to_jsonb(s) ->> 'platform', 'web')) as metadata) m;
  return next factoredui.upgrade_051_step('sessions', 'upg051_sessions', 'factoredui.sessions',
    array['id'], array['id', 'user_id', 'started_at', 'metadata'], dry_run);

  -- Events: same ids, so the capture writer's idempotent retries still match.
  create temp table upg051_events on commit drop as
  select e.id, e.session_id, e.user_id::text as user_id, e.event_type::text as type,
    e.component_path as path, e.payload, date_trunc('milliseconds', e.created_at) as created_at,
    case
      when not factoredui.is_component_path(e.component_path) then 'component_path is not a valid path'
      when e.event_type::text not in ('click', 'rage_click', 'dead_click', 'scroll', 'scroll_reversal',
        'input', 'focus', 'blur', 'submit', 'resize', 'error', 'visibility', 'navigation', 'impression', 'custom')
        then 'unknown event type'
      when jsonb_typeof(e.payload) is distinct from 'object' then 'payload is not a JSON object'
      when octet_length(e.payload::text) > factoredui.limit_of('eventPayloadBytes')
        or factoredui.json_too_deep(e.payload) then 'payload exceeds LIMITS.eventPayloadBytes or LIMITS.jsonDepth'
      when not exists (select 1 from pg_temp.upg051_sessions s
                       where s.id = e.session_id and s.user_id = e.user_id::text and s.problem is null)
        and not exists (select 1 from factoredui.sessions s where s.id = e.session_id and s.user_id = e.user_id::text)
        then 'its session was not moved or belongs to another user'
    end as problem
  from factoredui_051.events e;
  return next factoredui.upgrade_051_step('events', 'upg051_events', 'factoredui.events',
    array['id'], array['id', 'session_id', 'user_id', 'type', 'path', 'payload', 'created_at'], dry_run);

  -- Current factors and their history.
  create temp table upg051_factors on commit drop as
  select f.user_id::text as user_id, f.component_path as path, f.factor_name as factor, f.value,
    date_trunc('milliseconds', f.computed_at) as as_of,
    case
      when not exists (select 1 from factoredui.factor_catalog c where c.name = f.factor_name)
        then 'factor not in the catalog (0.5.1 structural scores are not factors any more)'
      when not factoredui.is_component_path(f.component_path) then 'component_path is not a valid path'
      when f.value in ('NaN', 'Infinity', '-Infinity') then 'value is not finite'
    end as problem
  from factoredui_051.factors f;
  return next factoredui.upgrade_051_step('factors', 'upg051_factors', 'factoredui.factors',
    array['user_id', 'path', 'factor'], array['user_id', 'path', 'factor', 'value', 'as_of'], dry_run);

  create temp table upg051_snapshots on commit drop as
  select f.user_id::text as user_id, f.component_path as path, f.factor_name as factor, f.value,
    date_trunc('milliseconds', f.snapshot_at) as snapshot_at,
    case
      when not exists (select 1 from factoredui.factor_catalog c where c.name = f.factor_name)
        then 'factor not in the catalog (0.5.1 structural scores are not factors any more)'
      when not factoredui.is_component_path(f.component_path) then 'component_path is not a valid path'
      when f.value in ('NaN', 'Infinity', '-Infinity') then 'value is not finite'
      when row_number() over (partition by f.user_id, f.component_path, f.factor_name,
             date_trunc('milliseconds', f.snapshot_at) order by f.id) > 1
        then 'duplicate of another snapshot of the same factor at the same millisecond'
    end as problem
  from factoredui_051.factor_snapshots f;
  return next factoredui.upgrade_051_step('factor_snapshots', 'upg051_snapshots', 'factoredui.factor_snapshots',
    array['user_id', 'path', 'factor', 'snapshot_at'], array['user_id', 'path', 'factor', 'value', 'snapshot_at'], dry_run);

  -- Experiments: variants fold into the row (control first, then by key); 0.5.1 hashed the
  -- experiment id, which becomes the seed; targeting rules take the `kind` form; a concluded
  -- experiment without a winner is `stopped`; a name taken twice gets the id as a suffix.
  create temp table upg051_experiments on commit drop as
  select x.id,
    case when x.name_rank = 1 and not exists (select 1 from factoredui.experiments n where n.name = x.name and n.id <> x.id)
      then x.name else left(x.name, 180) || ' (0.5.1 ' || left(x.id::text, 8) || ')' end as name,
    x.description, x.path, x.variants, x.targeting, x.platforms, x.seed, x.status, x.winner,
    x.created_at, x.started_at, x.ended_at,
    case
      when not factoredui.is_component_path(x.path) then 'component_path is not a valid path'
      when not factoredui.variants_valid(x.variants)
        then 'variants are not >= 2 with one "control" and integer traffic_percentage summing to 100'
      when x.winner is not null and not x.variants @> jsonb_build_array(jsonb_build_object('key', x.winner))
        then 'winning_variant is not one of its variants'
      when exists (select 1 from jsonb_array_elements(x.targeting) r
                   where r ->> 'kind' = 'factor' and not exists (select 1 from factoredui.factor_catalog c where c.name = r ->> 'factor'))
        then 'a targeting rule names a factor not in the catalog'
    end as problem
  from (
    select e.id, e.name, row_number() over (partition by e.name order by e.created_at, e.id) as name_rank,
      coalesce(e.description, '') as description, e.component_path as path,
      coalesce((select jsonb_agg(jsonb_build_object('key', v.variant_key, 'weight', v.traffic_percentage,
                  'config', case when jsonb_typeof(v.config) = 'object' then v.config else '{}'::jsonb end)
                  order by v.variant_key <> 'control', v.variant_key)
                from factoredui_051.experiment_variants v where v.experiment_id = e.id), '[]'::jsonb) as variants,
      coalesce((select jsonb_agg(case
                  when r ? 'kind' then r
                  when r ->> 'type' = 'metadata' then jsonb_build_object('kind', 'metadata', 'field', r -> 'field',
                    'operator', r -> 'operator', 'value', r -> 'value')
                  else jsonb_build_object('kind', 'factor', 'factor', r -> 'factor', 'operator', r -> 'operator',
                    'value', coalesce(r -> 'threshold', r -> 'value')) end)
                from jsonb_array_elements(case when jsonb_typeof(to_jsonb(e) -> 'targeting_rules') = 'array'
                  then to_jsonb(e) -> 'targeting_rules' else '[]'::jsonb end) r), '[]'::jsonb) as targeting,
      case when jsonb_typeof(to_jsonb(e) -> 'platforms') = 'array' then to_jsonb(e) -> 'platforms' else '[]'::jsonb end as platforms,
      e.id::text as seed,
      case when e.status::text = 'concluded' and to_jsonb(e) ->> 'winning_variant' is null then 'stopped'
           else e.status::text end as status,
      to_jsonb(e) ->> 'winning_variant' as winner,
      date_trunc('milliseconds', e.created_at) as created_at,
      case when e.status::text <> 'draft' then date_trunc('milliseconds', e.created_at) end as started_at,
      date_trunc('milliseconds', e.concluded_at) as ended_at
    from factoredui_051.experiments e
  ) x;
  return next factoredui.upgrade_051_step('experiments', 'upg051_experiments', 'factoredui.experiments',
    array['id'], array['id', 'name', 'description', 'path', 'variants', 'targeting', 'platforms', 'seed',
      'status', 'winner', 'created_at', 'started_at', 'ended_at'], dry_run);
  return next factoredui.upgrade_051_kept('experiment_variants',
    'not a table any more: each variant moved into its experiment''s variants');

  -- Assignments keep their variant and time: stickiness survives the upgrade.
  create temp table upg051_assignments on commit drop as
  select a.user_id::text as user_id, a.experiment_id, a.variant_key,
    date_trunc('milliseconds', a.assigned_at) as assigned_at,
    case
      when not exists (select 1 from pg_temp.upg051_experiments x where x.id = a.experiment_id and x.problem is null)
        and not exists (select 1 from factoredui.experiments x where x.id = a.experiment_id)
        then 'its experiment was not moved'
    end as problem
  from factoredui_051.experiment_assignments a;
  return next factoredui.upgrade_051_step('experiment_assignments', 'upg051_assignments', 'factoredui.assignments',
    array['user_id', 'experiment_id'], array['user_id', 'experiment_id', 'variant_key', 'assigned_at'], dry_run);

  -- Exposures: 0.5.1 kept one row per exposure and no session; each keeps its own row under
  -- the session id `0.5.1:<exposure id>`.
  create temp table upg051_exposures on commit drop as
  select x.user_id::text as user_id, x.experiment_id, x.variant_key, '0.5.1:' || x.id::text as session_id,
    date_trunc('milliseconds', x.exposed_at) as exposed_at,
    case
      when not exists (select 1 from pg_temp.upg051_assignments a where a.user_id = x.user_id::text
                         and a.experiment_id = x.experiment_id and a.variant_key = x.variant_key and a.problem is null)
        and not exists (select 1 from factoredui.assignments a where a.user_id = x.user_id::text
                         and a.experiment_id = x.experiment_id and a.variant_key = x.variant_key)
        then 'no moved assignment of this user to this variant'
    end as problem
  from factoredui_051.experiment_exposures x;
  return next factoredui.upgrade_051_step('experiment_exposures', 'upg051_exposures', 'factoredui.exposures',
    array['user_id', 'experiment_id', 'session_id'],
    array['user_id', 'experiment_id', 'variant_key', 'session_id', 'exposed_at'], dry_run);

  -- Thresholds: 0.5.1 thresholds are global (no experiment); `action` has no counterpart.
  create temp table upg051_thresholds on commit drop as
  select t.id, null::uuid as experiment_id, t.factor_name as factor, t.component_path as path,
    t.operator::text as operator, t.value, 'absolute'::text as scale,
    case
      when not exists (select 1 from factoredui.factor_catalog c where c.name = t.factor_name)
        then 'factor not in the catalog'
      when t.component_path is not null and not factoredui.is_component_path(t.component_path)
        then 'component_path is not a valid path'
      when t.operator::text not in ('gt', 'gte', 'lt', 'lte') then 'operator eq has no counterpart (gt, gte, lt, lte)'
      when t.value in ('NaN', 'Infinity', '-Infinity') then 'value is not finite'
    end as problem
  from factoredui_051.thresholds t;
  return next factoredui.upgrade_051_step('thresholds', 'upg051_thresholds', 'factoredui.thresholds',
    array['id'], array['id', 'experiment_id', 'factor', 'path', 'operator', 'value', 'scale'], dry_run);

  -- Governance log: the 0.5.1 verdict, winner and factor verdicts, in the shape of a log entry
  -- without the statistics 0.5.1 did not record (factors empty, settings null, srm untested).
  create temp table upg051_log on commit drop as
  select g.id, g.experiment_id, g.verdict,
    case when g.verdict = 'conclude' then g.winning_variant end as winner,
    date_trunc('milliseconds', g.evaluated_at) as evaluated_at,
    jsonb_build_object('id', g.id, 'experimentId', g.experiment_id,
      'evaluatedAt', factoredui.iso(g.evaluated_at), 'verdict', g.verdict,
      'winner', case when g.verdict = 'conclude' then g.winning_variant end,
      'reason', 'recorded by FactoredUI 0.5.1 (moved by the upgrade; its factor verdicts are in legacy.factorVerdicts)',
      'controlKey', 'control',
      'weights', coalesce((select jsonb_object_agg(v.variant_key, v.traffic_percentage)
                           from factoredui_051.experiment_variants v where v.experiment_id = g.experiment_id), '{}'::jsonb),
      'assigned', '{}'::jsonb,
      'srm', jsonb_build_object('tested', false, 'statistic', null, 'df', null, 'pValue', null, 'flagged', false),
      'factors', '[]'::jsonb, 'settings', null,
      'legacy', jsonb_build_object('version', '0.5.1', 'factorVerdicts', g.factor_verdicts)) as entry,
    case
      when not exists (select 1 from pg_temp.upg051_experiments x where x.id = g.experiment_id and x.problem is null)
        and not exists (select 1 from factoredui.experiments x where x.id = g.experiment_id)
        then 'its experiment was not moved'
    end as problem
  from factoredui_051.governance_log g;
  return next factoredui.upgrade_051_step('governance_log', 'upg051_log', 'factoredui.governance_log',
    array['id'], array['id', 'experiment_id', 'verdict', 'winner', 'evaluated_at', 'entry'], dry_run);

  -- Specs: 0.5.1 had one unnamed spec line (versions global, one active spec per platform).
  -- Each version moves to the slot name 'default' on every platform of ui_active ('web' when
  -- none), as an unbound envelope of the 0.5.1 spec: readable, refused by verifiers until it is
  -- converted (factoredui convert-spec) and re-signed.
  select coalesce(array_agg(distinct a.platform order by a.platform), array['web'])
    into v_platforms from factoredui_051.ui_active a;
  create temp table upg051_specs on commit drop as
  select 'default'::text as name, p.platform, s.spec_version as version,
    jsonb_build_object('spec', jsonb_build_object('spec_version', s.spec_version, 'renderer_min', s.renderer_min,
        'root', s.component_tree),
      'spec_hash', s.spec_hash, 'signature', s.signature, 'signed_at', factoredui.iso(s.created_at),
      'key_id', 'factoredui-0.5.1') as envelope,
    date_trunc('milliseconds', s.created_at) as created_at,
    case
      when jsonb_typeof(s.component_tree) is distinct from 'object' then 'component_tree is not a JSON object'
      when octet_length(s.component_tree::text) > factoredui.limit_of('specBytes') - 64
        or factoredui.json_too_deep(s.component_tree) then 'spec exceeds LIMITS.specBytes or LIMITS.jsonDepth'
      when char_length(s.signature) > 256 then 'signature longer than 256 characters'
    end as problem
  from factoredui_051.ui_specs s cross join unnest(v_platforms) p(platform);
  -- The insert trigger refuses unbound envelopes; like rows saved before envelopes were bound,
  -- these are kept as they are (the sizes were checked above), so it is off for this statement.
  if not dry_run then
    alter table factoredui.specs disable trigger specs_limits;
  end if;
  return next factoredui.upgrade_051_step('ui_specs', 'upg051_specs', 'factoredui.specs',
    array['name', 'platform', 'version'], array['name', 'platform', 'version', 'envelope', 'created_at'], dry_run);
  if not dry_run then
    alter table factoredui.specs enable trigger specs_limits;
  end if;

  create temp table upg051_pointers on commit drop as
  select 'default'::text as name, p.platform,
    (select max(s.version) from pg_temp.upg051_specs s where s.platform = p.platform and s.problem is null) as latest_version,
    (select u.spec_version from factoredui_051.ui_active a join factoredui_051.ui_specs u on u.id = a.spec_id
      where a.platform = p.platform) as active_version,
    null::text as problem
  from unnest(v_platforms) p(platform);
  update pg_temp.upg051_pointers c set problem = case
      when c.latest_version is null then 'no spec of this platform was moved'
      when c.active_version is not null and not exists (select 1 from pg_temp.upg051_specs s
        where s.platform = c.platform and s.version = c.active_version and s.problem is null)
        then 'its active spec was not moved'
    end;
  return next factoredui.upgrade_051_step('ui_active', 'upg051_pointers', 'factoredui.spec_pointers',
    array['name', 'platform'], array['name', 'platform', 'latest_version', 'active_version'], dry_run);

  -- Derived or retired data stays in factoredui_051 only.
  return next factoredui.upgrade_051_kept('user_clusters',
    'derived: clusters are recomputed (storeClusters) from the moved factors');
  return next factoredui.upgrade_051_kept('user_factor_vectors', 'derived: recomputed from the moved factors');
  return next factoredui.upgrade_051_kept('variant_configs',
    'no counterpart: publish them as SDUI specs (saveSpec) and name them in a variant''s spec');
  return next factoredui.upgrade_051_kept('devices', 'no counterpart: device fields belong in session metadata');

  drop table if exists pg_temp.upg051_sessions, pg_temp.upg051_events, pg_temp.upg051_factors,
    pg_temp.upg051_snapshots, pg_temp.upg051_experiments, pg_temp.upg051_assignments,
    pg_temp.upg051_exposures, pg_temp.upg051_thresholds, pg_temp.upg051_log, pg_temp.upg051_specs,
    pg_temp.upg051_pointers;
end $$;

revoke all on function factoredui.upgrade_051_step(text, text, text, text[], text[], boolean),
  factoredui.upgrade_051_kept(text, text), factoredui.upgrade_from_051(boolean)
  from public, anon, authenticated;

-- The move itself, unless `factoredui upgrade --dry-run` is planning (it sets this setting in
-- the transaction it rolls back, and calls upgrade_from_051(true) itself).
do $$
begin
  if coalesce(current_setting('factoredui.upgrade_dry_run', true), '') <> 'on' then
    perform factoredui.upgrade_from_051(false);
  end if;
end $$;
