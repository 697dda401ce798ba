-- FactoredUI store: schema, tables, constraints and indexes.
-- Runs unchanged on Supabase, on PostgreSQL 15+ (after bootstrap/plain-postgres.sql) and on PGlite.
-- All times are stored with millisecond precision (what the TypeScript API exchanges).

-- Upgrading from FactoredUI 0.5.1 (DESIGN §21). Its schema was also named `factoredui`, with
-- tables of the same names and other columns (events.component_path, not path), so the
-- statements below would skip its tables and then fail. When that schema is found, it is
-- renamed to `factoredui_051` whole (tables, views, functions, types, policies, grants: every
-- object keeps working on its own data, nothing is dropped), its pg_cron jobs are paused (their
-- commands name `factoredui.`, which is about to mean the new schema), and the new schema is
-- created empty; 20261201000100_factoredui_upgrade_051.sql moves the data across.
-- Safe for databases already on this schema: the test below is true only for a schema with an
-- `events` table holding `component_path`, a column this schema never had; a fresh database has
-- no `factoredui.events` at all. And a database on this schema never runs this file again.
do $$
begin
  if exists (select 1 from information_schema.columns
             where table_schema = 'factoredui' and table_name = 'events' and column_name = 'component_path') then
    if exists (select 1 from pg_namespace where nspname = 'factoredui_051') then
      raise exception using errcode = '55000',
        message = 'factoredui holds a FactoredUI 0.5.1 schema but factoredui_051 already exists; '
          || 'rename or remove factoredui_051 (an earlier, abandoned upgrade?) and migrate again.';
    end if;
    alter schema factoredui rename to factoredui_051;
    comment on schema factoredui_051 is
      'FactoredUI 0.5.1 tables, kept by the upgrade; data moved into factoredui (see MIGRATING.md).';
    create schema factoredui;
    -- The plain-PostgreSQL runner keeps its log in factoredui.schema_migrations, created just
    -- before this file ran, i.e. inside the old schema: bring it along.
    if exists (select 1 from information_schema.tables
               where table_schema = 'factoredui_051' and table_name = 'schema_migrations') then
      alter table factoredui_051.schema_migrations set schema factoredui;
    end if;
    if exists (select 1 from pg_extension where extname = 'pg_cron') then
      execute $cron$update cron.job set active = false where command ~ 'factoredui\.'$cron$;
    end if;
  end if;
end $$;

create schema if not exists factoredui;

-- ---------------------------------------------------------------------------------------------
-- Helpers used by constraints, policies and functions.
-- ---------------------------------------------------------------------------------------------

-- The caller's user id: the `sub` claim PostgREST puts in `request.jwt.claims`, as text.
-- (User ids are text in the TypeScript contract; on Supabase they equal auth.uid()::text.)
create or replace function factoredui.uid() returns text
language sql stable set search_path = '' as $$
  select nullif(coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  ), '')
$$;

-- Who is calling: 'user' (role authenticated), 'anon' (role anon) or 'service' (service_role and
-- any other role, e.g. the migration owner connecting directly). Based on current_user, which is
-- exactly what grants and row-level security see in SECURITY INVOKER functions.
create or replace function factoredui.caller_kind() returns text
language sql stable set search_path = '' as $$
  select case current_user when 'authenticated' then 'user' when 'anon' then 'anon' else 'service' end
$$;

-- Raises 42501 unless the caller is the service role.
create or replace function factoredui.require_service(operation text) returns void
language plpgsql stable set search_path = '' as $$
begin
  if factoredui.caller_kind() <> 'service' then
    raise exception using errcode = '42501',
      message = format('%s requires the service role (factoredui); use a service store.', operation);
  end if;
end $$;

-- Raises 42501 when a user caller writes a row of another user (and for anon).
create or replace function factoredui.require_writer(user_id text, operation text) returns void
language plpgsql stable set search_path = '' as $$
declare kind text := factoredui.caller_kind();
begin
  if kind = 'anon' or (kind = 'user' and user_id is distinct from factoredui.uid()) then
    raise exception using errcode = '42501',
      message = format('%s: a store acting as %s cannot write data of user %s (factoredui row-level security).',
        operation, coalesce(factoredui.uid(), kind), user_id);
  end if;
end $$;

-- ISO 8601 UTC with milliseconds, the format of every time the API returns.
create or replace function factoredui.iso(t timestamptz) returns text
language sql immutable parallel safe set search_path = '' as $$
  select to_char(t at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

-- Parses an ISO 8601 time from JSON input (truncated to milliseconds); 22023 naming the field.
create or replace function factoredui.to_time(value text, field text) returns timestamptz
language plpgsql stable set search_path = '' as $$
begin
  if value is null then return null; end if;
  if value !~ '^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$' then
    raise exception using errcode = '22023',
      message = format('%s must be an ISO 8601 time with a time zone, got %s.', field, to_jsonb(value));
  end if;
  return date_trunc('milliseconds', value::timestamptz);
exception when datetime_field_overflow or invalid_datetime_format then
  raise exception using errcode = '22023',
    message = format('%s must be a valid ISO 8601 time, got %s.', field, to_jsonb(value));
end $$;

-- A component path: 1-4 non-blank segments joined by '/', at most 512 characters, no control
-- characters (mirrors componentPathProblem in @factoredui/core).
create or replace function factoredui.is_component_path(path text) returns boolean
language sql immutable parallel safe set search_path = '' as $$
  select path is not null
    and char_length(path) between 1 and 512
    and path !~ '[\x01-\x1f\x7f]'
    and array_length(string_to_array(path, '/'), 1) <= 4
    and not exists (select 1 from unnest(string_to_array(path, '/')) s where btrim(s, E' \t\u00a0\u2028\u2029\ufeff') = '')
$$;

create or replace function factoredui.is_uuid(value text) returns boolean
language sql immutable parallel safe set search_path = '' as $$
  select value ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
$$;

-- ---------------------------------------------------------------------------------------------
-- Factor catalog: mirror of FACTOR_CATALOG in @factoredui/core (checked by a test).
-- ---------------------------------------------------------------------------------------------
create table if not exists factoredui.factor_catalog (
  name text primary key,
  ordinal smallint not null unique,
  tier text not null check (tier in ('alarm', 'diagnostic', 'structural')),
  direction text check (direction in ('higher', 'lower')),
  unit text not null check (unit in ('ratio', 'count', 'ms'))
);
insert into factoredui.factor_catalog (name, ordinal, tier, direction, unit) values
  ('completion_rate', 0, 'alarm', 'higher', 'ratio'),
  ('drop_off_rate', 1, 'alarm', 'lower', 'ratio'),
  ('error_rate', 2, 'alarm', 'lower', 'ratio'),
  ('retry_count', 3, 'diagnostic', 'lower', 'count'),
  ('rage_click_count', 4, 'diagnostic', 'lower', 'count'),
  ('dead_click_count', 5, 'diagnostic', 'lower', 'count'),
  ('scroll_reversal_count', 6, 'diagnostic', 'lower', 'count'),
  ('hesitation_ms', 7, 'diagnostic', 'lower', 'ms'),
  ('component_depth', 8, 'structural', null, 'count'),
  ('sibling_count', 9, 'structural', null, 'count'),
  ('form_field_count', 10, 'structural', null, 'count')
on conflict (name) do nothing;

-- ---------------------------------------------------------------------------------------------
-- Capture.
-- ---------------------------------------------------------------------------------------------
create table if not exists factoredui.sessions (
  id uuid primary key,
  user_id text not null check (char_length(user_id) between 1 and 256),
  started_at timestamptz not null,
  metadata jsonb not null check (jsonb_typeof(metadata) = 'object' and jsonb_typeof(metadata -> 'platform') = 'string'),
  inserted_at timestamptz not null default now(),
  -- Target of the events' composite foreign key: an event's user is its session's user.
  unique (id, user_id)
);
create index if not exists sessions_user_started_idx on factoredui.sessions (user_id, started_at desc);

create table if not exists factoredui.events (
  id uuid primary key,
  session_id uuid not null,
  user_id text not null check (char_length(user_id) between 1 and 256),
  type text not null check (type in ('click', 'rage_click', 'dead_click', 'scroll', 'scroll_reversal',
    'input', 'focus', 'blur', 'submit', 'resize', 'error', 'visibility', 'navigation', 'impression', 'custom')),
  path text not null check (factoredui.is_component_path(path)),
  payload jsonb not null default '{}' check (jsonb_typeof(payload) = 'object' and octet_length(payload::text) <= 262144),
  created_at timestamptz not null,
  inserted_at timestamptz not null default now(),
  foreign key (session_id, user_id) references factoredui.sessions (id, user_id)
);
-- Factor refresh scans a time window; users read their own events in time order.
create index if not exists events_created_idx on factoredui.events (created_at);
create index if not exists events_user_created_idx on factoredui.events (user_id, created_at, id);
create index if not exists events_session_created_idx on factoredui.events (session_id, created_at, id);

-- ---------------------------------------------------------------------------------------------
-- Factors, snapshots, clusters.
-- ---------------------------------------------------------------------------------------------
create table if not exists factoredui.factors (
  user_id text not null,
  path text not null,
  factor text not null references factoredui.factor_catalog (name),
  value double precision not null check (value = value and value not in ('Infinity', '-Infinity')),
  as_of timestamptz not null,
  primary key (user_id, path, factor)
);
-- (Since 20261205000100 factoredui.factors is a view of factoredui.pair_factors: the table's
-- statements in older migrations run only while it is a table, so every file can run again.)
do $$
begin
  if (select c.relkind from pg_class c where c.oid = to_regclass('factoredui.factors')) = 'r' then
    create index if not exists factors_path_factor_idx on factoredui.factors (path, factor);
  end if;
end $$;

create table if not exists factoredui.factor_snapshots (
  user_id text not null,
  path text not null,
  factor text not null references factoredui.factor_catalog (name),
  value double precision not null check (value = value and value not in ('Infinity', '-Infinity')),
  snapshot_at timestamptz not null,
  primary key (user_id, path, factor, snapshot_at)
);
create index if not exists factor_snapshots_at_idx on factoredui.factor_snapshots (snapshot_at);

create table if not exists factoredui.clusters (
  user_id text primary key,
  cluster_id integer not null check (cluster_id >= 0),
  distance double precision not null check (distance >= 0 and distance < 'Infinity'),
  computed_at timestamptz not null
);
create index if not exists clusters_cluster_idx on factoredui.clusters (cluster_id, user_id);

-- ---------------------------------------------------------------------------------------------
-- Experiments.
-- ---------------------------------------------------------------------------------------------

-- Variants: an array of >= 2 objects with unique string keys, one of them 'control', integer
-- weights in [0, 100] summing to 100.
create or replace function factoredui.variants_valid(variants jsonb) returns boolean
language sql immutable parallel safe set search_path = '' as $$
  select jsonb_typeof(variants) = 'array'
    and jsonb_array_length(variants) >= 2
    and not exists (
      select 1 from jsonb_array_elements(variants) v
      where jsonb_typeof(v) <> 'object'
         or jsonb_typeof(v -> 'key') <> 'string' or (v ->> 'key') = ''
         or jsonb_typeof(v -> 'weight') <> 'number'
         or (v ->> 'weight')::numeric <> trunc((v ->> 'weight')::numeric)
         or (v ->> 'weight')::numeric < 0 or (v ->> 'weight')::numeric > 100)
    and (select count(distinct v ->> 'key') = count(*) and bool_or(v ->> 'key' = 'control')
              and sum((v ->> 'weight')::numeric) = 100
         from jsonb_array_elements(variants) v)
$$;

create table if not exists factoredui.experiments (
  id uuid primary key default gen_random_uuid(),
  name text not null unique check (char_length(name) between 1 and 200),
  description text not null default '',
  path text not null check (factoredui.is_component_path(path)),
  variants jsonb not null check (factoredui.variants_valid(variants)),
  coverage double precision not null default 1 check (coverage > 0 and coverage <= 1),
  targeting jsonb not null default '[]' check (jsonb_typeof(targeting) = 'array'),
  platforms jsonb not null default '[]' check (jsonb_typeof(platforms) = 'array'),
  seed text not null check (char_length(seed) >= 1),
  status text not null default 'draft' check (status in ('draft', 'running', 'concluded', 'stopped')),
  winner text,
  created_at timestamptz not null default date_trunc('milliseconds', clock_timestamp()),
  started_at timestamptz,
  ended_at timestamptz,
  check (winner is null or variants @> jsonb_build_array(jsonb_build_object('key', winner)))
);
create index if not exists experiments_status_path_idx on factoredui.experiments (status, path);
create index if not exists experiments_created_idx on factoredui.experiments (created_at, id);

create table if not exists factoredui.assignments (
  user_id text not null check (char_length(user_id) between 1 and 256),
  experiment_id uuid not null references factoredui.experiments (id) on delete cascade,
  variant_key text not null,
  assigned_at timestamptz not null,
  primary key (user_id, experiment_id)
);
create index if not exists assignments_experiment_idx on factoredui.assignments (experiment_id, variant_key);

create table if not exists factoredui.exposures (
  user_id text not null check (char_length(user_id) between 1 and 256),
  experiment_id uuid not null references factoredui.experiments (id) on delete cascade,
  variant_key text not null,
  session_id text not null check (char_length(session_id) between 1 and 256),
  exposed_at timestamptz not null,
  primary key (user_id, experiment_id, session_id),
  foreign key (user_id, experiment_id) references factoredui.assignments (user_id, experiment_id) on delete cascade
);
create index if not exists exposures_experiment_idx on factoredui.exposures (experiment_id, variant_key);

-- ---------------------------------------------------------------------------------------------
-- Governance.
-- ---------------------------------------------------------------------------------------------
create table if not exists factoredui.thresholds (
  id uuid primary key,
  seq bigint generated always as identity,
  experiment_id uuid references factoredui.experiments (id) on delete cascade,
  factor text not null references factoredui.factor_catalog (name),
  path text check (path is null or factoredui.is_component_path(path)),
  operator text not null check (operator in ('gt', 'gte', 'lt', 'lte')),
  value double precision not null check (value = value and value not in ('Infinity', '-Infinity')),
  scale text not null default 'absolute' check (scale in ('absolute', 'relative'))
);
create index if not exists thresholds_experiment_idx on factoredui.thresholds (experiment_id);

create table if not exists factoredui.governance_log (
  id uuid primary key,
  -- Append order: the log reads newest first by it.
  seq bigint generated always as identity,
  experiment_id uuid not null references factoredui.experiments (id),
  verdict text not null check (verdict in ('conclude', 'continue', 'flag_review')),
  winner text,
  evaluated_at timestamptz not null,
  -- The whole GovernanceLogEntry, verbatim (numbers, intervals, settings) for the audit.
  entry jsonb not null check (jsonb_typeof(entry) = 'object'),
  recorded_at timestamptz not null default now(),
  check (verdict = 'conclude' or winner is null)
);
create index if not exists governance_log_experiment_idx on factoredui.governance_log (experiment_id, seq desc);
create index if not exists governance_log_seq_idx on factoredui.governance_log (seq desc);

-- ---------------------------------------------------------------------------------------------
-- SDUI specs: immutable versions and one pointer row per (name, platform).
-- ---------------------------------------------------------------------------------------------
create table if not exists factoredui.specs (
  name text not null check (char_length(name) between 1 and 200),
  platform text not null check (char_length(platform) between 1 and 64),
  version integer not null check (version >= 1),
  envelope jsonb not null check (
    jsonb_typeof(envelope) = 'object'
    and jsonb_typeof(envelope -> 'spec') = 'object'
    and jsonb_typeof(envelope -> 'spec_hash') = 'string'
    and jsonb_typeof(envelope -> 'signature') = 'string'
    and jsonb_typeof(envelope -> 'signed_at') = 'string'
    and jsonb_typeof(envelope -> 'key_id') = 'string'),
  created_at timestamptz not null default date_trunc('milliseconds', clock_timestamp()),
  primary key (name, platform, version)
);

create table if not exists factoredui.spec_pointers (
  name text not null,
  platform text not null,
  latest_version integer not null check (latest_version >= 1),
  active_version integer,
  updated_at timestamptz not null default now(),
  primary key (name, platform),
  foreign key (name, platform, active_version) references factoredui.specs (name, platform, version)
);

-- ---------------------------------------------------------------------------------------------
-- Immutability: events, snapshots, specs and the governance log are never updated; the log and
-- specs are never deleted either (TRUNCATE, an owner-only maintenance operation, is allowed).
-- ---------------------------------------------------------------------------------------------
create or replace function factoredui.forbid_change() returns trigger
language plpgsql set search_path = '' as $$
begin
  raise exception using errcode = '42501',
    message = format('factoredui.%s is append-only: %s is not allowed.', tg_table_name, lower(tg_op));
end $$;

drop trigger if exists events_append_only on factoredui.events;
create trigger events_append_only before update on factoredui.events
  for each row execute function factoredui.forbid_change();
drop trigger if exists factor_snapshots_immutable on factoredui.factor_snapshots;
create trigger factor_snapshots_immutable before update on factoredui.factor_snapshots
  for each row execute function factoredui.forbid_change();
drop trigger if exists specs_immutable on factoredui.specs;
create trigger specs_immutable before update or delete on factoredui.specs
  for each row execute function factoredui.forbid_change();
drop trigger if exists governance_log_append_only on factoredui.governance_log;
create trigger governance_log_append_only before update or delete on factoredui.governance_log
  for each row execute function factoredui.forbid_change();
