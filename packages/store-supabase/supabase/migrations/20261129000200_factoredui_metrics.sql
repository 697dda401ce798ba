-- FactoredUI store: metrics as versioned data and their per-variant sufficient statistics
-- (DESIGN §18, issue #19). The semantics are core's computeMetricStatistics (the reference
-- engine); the conformance suite's metric fixtures check that both give identical numbers.
--
-- Roles: every role reads definitions (table select, list_metrics); defining metrics and
-- reading metric statistics is service-only (metric statistics are not released under the
-- k-anonymity rules of DESIGN §15, so non-service roles never see them live).

create table if not exists factoredui.metrics (
  name text not null check (name ~ '^[a-z0-9][a-z0-9_.-]{0,63}$'),
  version integer not null check (version >= 1),
  definition jsonb not null check (jsonb_typeof(definition) = 'object'
    and definition ->> 'name' = name
    and definition ->> 'kind' in ('conversion', 'count', 'sum', 'mean', 'ratio')
    and definition ->> 'direction' in ('higher', 'lower')),
  created_at timestamptz not null default date_trunc('milliseconds', clock_timestamp()),
  primary key (name, version)
);

alter table factoredui.metrics enable row level security;
drop policy if exists metrics_read on factoredui.metrics;
create policy metrics_read on factoredui.metrics for select to anon, authenticated using (true);
grant select on factoredui.metrics to anon, authenticated;
grant select, insert on factoredui.metrics to service_role;

-- Versions never change once stored.
drop trigger if exists metrics_append_only on factoredui.metrics;
create trigger metrics_append_only before update or delete on factoredui.metrics
  for each row execute function factoredui.forbid_change();

drop trigger if exists metrics_notify on factoredui.metrics;
create trigger metrics_notify after insert on factoredui.metrics
  for each statement execute function factoredui.notify_change('governance');

create or replace function factoredui.metric_json(m factoredui.metrics) returns jsonb
language sql stable set search_path = '' as $$
  select m.definition || jsonb_build_object('version', m.version, 'createdAt', factoredui.iso(m.created_at))
$$;

-- Stores a normalized definition (core validates and normalizes it): the latest version
-- unchanged when equal, else a new version. Serialized per name by an advisory lock.
create or replace function factoredui.define_metric(definition jsonb) returns jsonb
language plpgsql volatile set search_path = '' as $$
declare
  v_name text := factoredui.arg_text(definition, 'name', true);
  v_latest factoredui.metrics;
  v_row factoredui.metrics;
begin
  perform factoredui.require_service('defineMetric');
  perform pg_advisory_xact_lock(hashtextextended('factoredui.metric:' || v_name, 0));
  select * into v_latest from factoredui.metrics m where m.name = v_name
  order by m.version desc limit 1;
  if v_latest.name is not null and v_latest.definition = definition then
    return factoredui.metric_json(v_latest);
  end if;
  insert into factoredui.metrics (name, version, definition)
  values (v_name, coalesce(v_latest.version, 0) + 1, definition)
  returning * into v_row;
  return factoredui.metric_json(v_row);
exception
  when check_violation or not_null_violation then
    raise exception using errcode = '22023', message = format('invalid metric definition: %s', sqlerrm);
end $$;

create or replace function factoredui.list_metrics(query jsonb default '{}') returns jsonb
language plpgsql stable set search_path = '' as $$
declare
  v_name text := factoredui.arg_text(query, 'name');
  v_all boolean := coalesce((query ->> 'allVersions')::boolean, false);
  v_result jsonb;
begin
  select coalesce(jsonb_agg(factoredui.metric_json(m) order by m.name collate "C", m.version), '[]')
  into v_result
  from factoredui.metrics m
  where (v_name is null or m.name = v_name)
    and (v_all or m.version = (select max(l.version) from factoredui.metrics l where l.name = m.name));
  return v_result;
end $$;

-- Whether an event is an occurrence of a metric's event (core's matchesMetricEvent): a
-- built-in type by type, anything else by custom event name; on filter_path or below it.
create or replace function factoredui.metric_event_matches(type text, path text, payload jsonb,
  event text, filter_path text) returns boolean
language sql immutable parallel safe set search_path = '' as $$
  select (filter_path is null or path = filter_path or starts_with(path, filter_path || '/'))
    and case
      when event in ('click', 'rage_click', 'dead_click', 'scroll', 'scroll_reversal', 'input',
          'focus', 'blur', 'submit', 'resize', 'error', 'visibility', 'navigation', 'impression', 'custom')
        then type = event and type <> 'custom'
      else type = 'custom' and jsonb_typeof(payload -> 'name') = 'string' and payload ->> 'name' = event
    end
$$;

-- A numeric property of a named custom event, or null (core's propertyValue).
create or replace function factoredui.metric_property(type text, payload jsonb, property text)
returns double precision
language sql immutable parallel safe set search_path = '' as $$
  select case
    when type = 'custom' and jsonb_typeof(payload -> 'name') = 'string'
      and jsonb_typeof(payload -> 'properties') = 'object'
      and jsonb_typeof(payload -> 'properties' -> property) = 'number'
    then (payload -> 'properties' ->> property)::double precision
  end
$$;

-- Per-variant sufficient statistics of a metric (core's computeMetricStatistics).
create or replace function factoredui.metric_statistics(query jsonb) returns jsonb
language plpgsql stable set search_path = '' as $$
declare
  v_exp factoredui.experiments;
  v_at timestamptz;
  v_metric factoredui.metrics;
  v_version integer := (query ->> 'version')::integer;
  v_name text;
  v_def jsonb;
  v_kind text;
  v_event text;
  v_path text;
  v_prop text;
  v_window double precision;
  v_cap double precision;
  n_kind text; n_event text; n_path text; n_prop text;
  d_kind text; d_event text; d_path text; d_prop text;
  v_result jsonb;
begin
  perform factoredui.require_service('getMetricStatistics');
  v_at := factoredui.to_time(factoredui.arg_text(query, 'at', true), 'at');
  v_exp := factoredui.find_experiment(factoredui.arg_text(query, 'experimentId', true));
  v_name := factoredui.arg_text(query, 'metric', true);
  select * into v_metric from factoredui.metrics m
  where m.name = v_name and (v_version is null or m.version = v_version)
  order by m.version desc limit 1;
  if v_metric.name is null then
    raise exception using errcode = 'P0002', message = format(
      'metric %s%s does not exist; define it with defineMetric first.', v_name,
      case when v_version is null then '' else ' version ' || v_version end);
  end if;
  v_def := v_metric.definition;
  v_kind := v_def ->> 'kind';
  v_event := v_def ->> 'event';
  v_path := v_def ->> 'path';
  v_prop := v_def ->> 'property';
  v_window := (v_def ->> 'windowMs')::double precision;
  v_cap := (v_def ->> 'cap')::double precision;
  if v_kind = 'ratio' then
    n_kind := v_def -> 'numerator' ->> 'kind'; n_event := v_def -> 'numerator' ->> 'event';
    n_path := v_def -> 'numerator' ->> 'path'; n_prop := v_def -> 'numerator' ->> 'property';
    d_kind := v_def -> 'denominator' ->> 'kind'; d_event := v_def -> 'denominator' ->> 'event';
    d_path := v_def -> 'denominator' ->> 'path'; d_prop := v_def -> 'denominator' ->> 'property';
  end if;

  with pop as (
    select a.user_id, a.variant_key,
      (select min(x.exposed_at) from factoredui.exposures x
       where x.user_id = a.user_id and x.experiment_id = a.experiment_id and x.exposed_at <= v_at) as start
    from factoredui.assignments a
    where a.experiment_id = v_exp.id and a.assigned_at <= v_at
  ),
  users as (
    select p.variant_key, p.start is not null as exposed, u.y_raw, u.den
    from pop p
    left join lateral (
      select
        case v_kind
          when 'conversion' then
            case when coalesce(bool_or(factoredui.metric_event_matches(e.type, e.path, e.payload, v_event, v_path)), false)
              then 1 else 0 end::double precision
          when 'count' then
            (count(*) filter (where factoredui.metric_event_matches(e.type, e.path, e.payload, v_event, v_path)))::double precision
          when 'ratio' then
            case when n_kind = 'count' then
              (count(*) filter (where factoredui.metric_event_matches(e.type, e.path, e.payload, n_event, n_path)))::double precision
            else coalesce(sum(factoredui.metric_property(e.type, e.payload, n_prop))
              filter (where factoredui.metric_event_matches(e.type, e.path, e.payload, n_event, n_path)), 0) end
          else
            coalesce(sum(factoredui.metric_property(e.type, e.payload, v_prop))
              filter (where factoredui.metric_event_matches(e.type, e.path, e.payload, v_event, v_path)), 0)
        end as y_raw,
        case v_kind
          when 'mean' then
            (count(*) filter (where factoredui.metric_event_matches(e.type, e.path, e.payload, v_event, v_path)
              and factoredui.metric_property(e.type, e.payload, v_prop) is not null))::double precision
          when 'ratio' then
            case when d_kind = 'count' then
              (count(*) filter (where factoredui.metric_event_matches(e.type, e.path, e.payload, d_event, d_path)))::double precision
            else coalesce(sum(factoredui.metric_property(e.type, e.payload, d_prop))
              filter (where factoredui.metric_event_matches(e.type, e.path, e.payload, d_event, d_path)), 0) end
          else 1::double precision
        end as den
      from factoredui.events e
      where e.user_id = p.user_id and p.start is not null
        and e.created_at >= p.start and e.created_at <= v_at
        and (v_window is null or e.created_at < p.start + v_window * interval '1 millisecond')
    ) u on true
  ),
  capped as (
    select variant_key, exposed,
      case when v_cap is not null and y_raw > v_cap then v_cap else y_raw end as y, den
    from users
  ),
  agg as (
    select variant_key, count(*) as assigned,
      count(*) filter (where exposed) as n,
      coalesce(sum(y) filter (where exposed), 0) as sum_y,
      coalesce(sum(y * y) filter (where exposed), 0) as sum_y2,
      coalesce(sum(den) filter (where exposed), 0) as sum_d,
      coalesce(sum(den * den) filter (where exposed), 0) as sum_d2,
      coalesce(sum(y * den) filter (where exposed), 0) as sum_yd
    from capped group by variant_key
  )
  select jsonb_agg(jsonb_build_object(
      'variantKey', v.value ->> 'key',
      'assigned', coalesce(agg.assigned, 0), 'n', coalesce(agg.n, 0),
      'sumY', coalesce(agg.sum_y, 0), 'sumY2', coalesce(agg.sum_y2, 0),
      'sumD', coalesce(agg.sum_d, 0), 'sumD2', coalesce(agg.sum_d2, 0),
      'sumYD', coalesce(agg.sum_yd, 0)) order by v.ord)
  into v_result
  from jsonb_array_elements(v_exp.variants) with ordinality v(value, ord)
  left join agg on agg.variant_key = v.value ->> 'key';
  return v_result;
end $$;

revoke all on function factoredui.metric_json(factoredui.metrics), factoredui.define_metric(jsonb),
  factoredui.list_metrics(jsonb), factoredui.metric_event_matches(text, text, jsonb, text, text),
  factoredui.metric_property(text, jsonb, text), factoredui.metric_statistics(jsonb) from public;
grant execute on function factoredui.metric_json(factoredui.metrics), factoredui.define_metric(jsonb),
  factoredui.list_metrics(jsonb), factoredui.metric_event_matches(text, text, jsonb, text, text),
  factoredui.metric_property(text, jsonb, text), factoredui.metric_statistics(jsonb)
  to anon, authenticated, service_role;

-- The metric plan of an experiment (primary metric and guardrails; core validates it with
-- assertValidMetricPlan). Readable by signed-in users like the experiment; set by the service.
create table if not exists factoredui.metric_plans (
  experiment_id uuid primary key references factoredui.experiments (id) on delete cascade,
  plan jsonb not null check (jsonb_typeof(plan) = 'object' and jsonb_typeof(plan -> 'guardrails') = 'array'),
  updated_at timestamptz not null default date_trunc('milliseconds', clock_timestamp())
);
alter table factoredui.metric_plans enable row level security;
drop policy if exists metric_plans_read on factoredui.metric_plans;
create policy metric_plans_read on factoredui.metric_plans for select to authenticated using (true);
grant select on factoredui.metric_plans to authenticated;
grant select, insert, update, delete on factoredui.metric_plans to service_role;

drop trigger if exists metric_plans_notify on factoredui.metric_plans;
create trigger metric_plans_notify after insert or update on factoredui.metric_plans
  for each row execute function factoredui.notify_change('governance', 'experiment_id');

create or replace function factoredui.set_metric_plan(experiment_id uuid, plan jsonb) returns jsonb
language plpgsql volatile set search_path = '' as $$
declare v_exp factoredui.experiments;
begin
  perform factoredui.require_service('setMetricPlan');
  v_exp := factoredui.find_experiment(set_metric_plan.experiment_id::text);
  if v_exp.status in ('concluded', 'stopped') then
    raise exception using errcode = 'FU409', message = format(
      'experiment %s is %s; its metric plan is part of its record and cannot change.', v_exp.name, v_exp.status);
  end if;
  insert into factoredui.metric_plans as p (experiment_id, plan)
  values (v_exp.id, set_metric_plan.plan)
  on conflict on constraint metric_plans_pkey do update
    set plan = excluded.plan, updated_at = date_trunc('milliseconds', clock_timestamp());
  return set_metric_plan.plan;
exception
  when check_violation then
    raise exception using errcode = '22023', message = format('invalid metric plan: %s', sqlerrm);
end $$;

create or replace function factoredui.get_metric_plan(experiment_id text) returns jsonb
language plpgsql stable set search_path = '' as $$
declare v_exp factoredui.experiments := factoredui.find_experiment(get_metric_plan.experiment_id);
begin
  return (select p.plan from factoredui.metric_plans p where p.experiment_id = v_exp.id);
end $$;

revoke all on function factoredui.set_metric_plan(uuid, jsonb), factoredui.get_metric_plan(text) from public;
grant execute on function factoredui.set_metric_plan(uuid, jsonb), factoredui.get_metric_plan(text)
  to anon, authenticated, service_role;
