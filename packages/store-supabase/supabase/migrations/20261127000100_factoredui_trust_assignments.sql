-- FactoredUI trust boundaries (DESIGN §15): assignments are decided by the server's rule.
--
-- Before this migration a signed-in user could INSERT an assignment row directly, or call
-- record_assignment, with a variant, a time and an experiment of their choosing. From here on:
--
--   * anon and authenticated hold no INSERT/UPDATE/DELETE on assignments or exposures; the
--     only way in is record_assignment / record_exposure (SECURITY DEFINER, fixed search_path);
--   * for a non-service caller record_assignment computes the variant in SQL with the hash of
--     @factoredui/core (murmur3_32 below, replayed against bucketing-vectors.json by a test),
--     honoring coverage, factor targeting rules (read from the user's own factor rows) and
--     exclusion, for a running experiment only, at the server's time; the client may send its
--     predicted variantKey (conflict when it is not what the rule decides) but never chooses;
--   * an exposure row must carry its assignment's variant (composite foreign key), whoever
--     writes it.
--
-- What stays advisory (the device describes itself, so SQL can only believe it): metadata
-- rules and platform lists. See docs/security.md.

-- ---------------------------------------------------------------------------------------------
-- Who called: inside a SECURITY DEFINER function current_user is the owner, so the caller is
-- read from the `role` setting that PostgREST (and the direct gateway) sets per request with
-- SET ROLE; it cannot name a role the session may not assume. 'none' (no role switched, the
-- owner connecting directly) and service_role are the service.
-- ---------------------------------------------------------------------------------------------
create or replace function factoredui.invoker_kind() returns text
language sql stable set search_path = '' as $$
  select case coalesce(nullif(current_setting('role', true), ''), 'none')
    when 'authenticated' then 'user' when 'anon' then 'anon' else 'service' end
$$;

-- ---------------------------------------------------------------------------------------------
-- The bucketing hash of @factoredui/core (experiments/hash.ts), in SQL.
-- ---------------------------------------------------------------------------------------------

-- 32-bit multiply modulo 2^32 of two unsigned 32-bit values held in bigint (a * b would
-- overflow bigint): split b into 16-bit halves.
create or replace function factoredui.imul32(a bigint, b bigint) returns bigint
language sql immutable strict parallel safe set search_path = '' as $$
  select ((a * (b & 65535)) + (((a * (b >> 16)) & 65535) << 16)) & 4294967295
$$;

-- MurmurHash3 x86_32 of `data` with `seed`, as an unsigned 32-bit integer (0 .. 2^32 - 1).
create or replace function factoredui.murmur3_32(data bytea, seed bigint default 0) returns bigint
language plpgsql immutable strict parallel safe set search_path = '' as $$
declare
  n integer := length(data);
  h bigint := seed & 4294967295;
  k bigint;
  i integer := 0;
  r integer := n % 4;
begin
  while i + 4 <= n loop
    k := get_byte(data, i)::bigint | (get_byte(data, i + 1)::bigint << 8)
       | (get_byte(data, i + 2)::bigint << 16) | (get_byte(data, i + 3)::bigint << 24);
    -- k *= 0xcc9e2d51; k = rotl(k, 15); k *= 0x1b873593
    k := ((k * 11601) + (((k * 52382) & 65535) << 16)) & 4294967295;
    k := ((k << 15) | (k >> 17)) & 4294967295;
    k := ((k * 13715) + (((k * 7047) & 65535) << 16)) & 4294967295;
    h := h # k;
    h := ((h << 13) | (h >> 19)) & 4294967295;
    h := (h * 5 + 3864292196) & 4294967295;
    i := i + 4;
  end loop;
  if r > 0 then
    k := get_byte(data, i)::bigint;
    if r > 1 then k := k | (get_byte(data, i + 1)::bigint << 8); end if;
    if r > 2 then k := k | (get_byte(data, i + 2)::bigint << 16); end if;
    k := ((k * 11601) + (((k * 52382) & 65535) << 16)) & 4294967295;
    k := ((k << 15) | (k >> 17)) & 4294967295;
    k := ((k * 13715) + (((k * 7047) & 65535) << 16)) & 4294967295;
    h := h # k;
  end if;
  h := h # n;
  h := h # (h >> 16);
  h := ((h * 51819) + (((h * 34283) & 65535) << 16)) & 4294967295; -- * 0x85ebca6b
  h := h # (h >> 13);
  h := ((h * 44597) + (((h * 49842) & 65535) << 16)) & 4294967295; -- * 0xc2b2ae35
  h := h # (h >> 16);
  return h;
end $$;

-- A user's bucket in [0, 10000): murmur3_32(UTF-8 of seed || U+001F || user_id, hash_seed)
-- mod 10000. hash_seed 0 is the variant bucket, 1 the coverage bucket.
create or replace function factoredui.bucket(seed text, user_id text, hash_seed integer) returns integer
language sql immutable strict parallel safe set search_path = '' as $$
  select (factoredui.murmur3_32(convert_to(seed || chr(31) || user_id, 'UTF8'), hash_seed) % 10000)::integer
$$;

-- The variant owning `bucket`: consecutive ranges of weight * 100 buckets in definition order.
create or replace function factoredui.choose_variant(variants jsonb, bucket integer) returns text
language sql immutable strict parallel safe set search_path = '' as $$
  select r.key from (
    select v.value ->> 'key' as key, v.ord,
      sum((v.value ->> 'weight')::numeric * 100) over (order by v.ord) as range_end
    from jsonb_array_elements(variants) with ordinality as v(value, ord)) r
  where bucket < r.range_end
  order by r.ord
  limit 1
$$;

-- core's bucketUser: null when the coverage bucket leaves the user out, else the variant key.
-- round() on numeric breaks ties away from zero like Math.round for these positive values
-- (coverage has at most 4 decimals, so coverage * 10000 is never near a tie anyway).
create or replace function factoredui.bucket_user(seed text, coverage double precision, variants jsonb, user_id text)
returns text
language sql immutable strict parallel safe set search_path = '' as $$
  select case
    when coverage < 1 and factoredui.bucket(seed, user_id, 1) >= round((coverage * 10000)::numeric) then null
    else factoredui.choose_variant(variants, factoredui.bucket(seed, user_id, 0))
  end
$$;

-- True when the user passes every factor rule of `targeting` on `path` (core's
-- evaluateTargeting restricted to factor rules): a missing factor fails, and so does any rule
-- that is not a well-formed factor or metadata rule (fail closed). Metadata rules are skipped
-- here: they are advisory (the device reports its own metadata).
create or replace function factoredui.factor_rules_pass(targeting jsonb, user_id text, path text) returns boolean
language sql stable parallel safe set search_path = '' as $$
  select not exists (
    select 1
    from jsonb_array_elements(targeting) as t(rule)
    cross join lateral (select
        case when jsonb_typeof(t.rule) <> 'object' then null
             else coalesce(t.rule ->> 'kind', t.rule ->> 'type', case when t.rule ? 'factor' then 'factor' end)
        end as kind,
        coalesce(t.rule -> 'value', t.rule -> 'threshold') as threshold) as r
    where r.kind is distinct from 'metadata'
      and not coalesce((
        select case t.rule ->> 'operator'
            when 'gt' then f.value > (r.threshold #>> '{}')::double precision
            when 'gte' then f.value >= (r.threshold #>> '{}')::double precision
            when 'lt' then f.value < (r.threshold #>> '{}')::double precision
            when 'lte' then f.value <= (r.threshold #>> '{}')::double precision
            when 'eq' then f.value = (r.threshold #>> '{}')::double precision
          end
        from factoredui.factors f
        where r.kind = 'factor' and jsonb_typeof(r.threshold) = 'number'
          and f.user_id = factor_rules_pass.user_id and f.path = factor_rules_pass.path
          and f.factor = t.rule ->> 'factor'), false))
$$;

-- The server's decision for a user not yet assigned: (variant, null) or (null, cause) with
-- cause 'targeting' or 'coverage'. Status and exclusion are checked by the caller, under its lock.
create or replace function factoredui.decide_assignment(e factoredui.experiments, user_id text,
  out variant text, out cause text)
language plpgsql stable set search_path = '' as $$
begin
  if not factoredui.factor_rules_pass(e.targeting, user_id, e.path) then
    cause := 'targeting';
    return;
  end if;
  variant := factoredui.bucket_user(e.seed, e.coverage, e.variants, user_id);
  if variant is null then cause := 'coverage'; end if;
end $$;

-- ---------------------------------------------------------------------------------------------
-- record_assignment: the only way to create an assignment for anyone but the service role.
-- ---------------------------------------------------------------------------------------------
create or replace function factoredui.record_assignment(assignment jsonb) returns jsonb
language plpgsql volatile security definer set search_path = '' as $$
declare
  v_kind text := factoredui.invoker_kind();
  v_user text;
  v_experiment_ref text;
  v_variant text;
  v_at timestamptz;
  v_exp factoredui.experiments;
  v_row factoredui.assignments;
  v_decided record;
  v_other uuid;
begin
  if jsonb_typeof(assignment) is distinct from 'object' then
    raise exception using errcode = '22023', message = 'the assignment request must be an object.';
  end if;
  v_user := factoredui.arg_text(assignment, 'userId', true);
  v_experiment_ref := factoredui.arg_text(assignment, 'experimentId', true);
  v_variant := factoredui.arg_text(assignment, 'variantKey');
  if v_user = '' then raise exception using errcode = '22023', message = 'userId is required.'; end if;
  if v_kind = 'anon' or (v_kind = 'user' and v_user is distinct from factoredui.uid()) then
    raise exception using errcode = '42501',
      message = format('recordAssignment: a store acting as %s cannot write data of user %s (factoredui row-level security).',
        coalesce(factoredui.uid(), v_kind), v_user);
  end if;
  -- Only the service role chooses the time (imports, backfills); everyone else gets now().
  if v_kind = 'service' then
    v_at := factoredui.to_time(factoredui.arg_text(assignment, 'assignedAt'), 'assignedAt');
  else
    perform factoredui.to_time(factoredui.arg_text(assignment, 'assignedAt'), 'assignedAt');
  end if;
  v_at := coalesce(v_at, date_trunc('milliseconds', now()));
  if not factoredui.is_uuid(v_experiment_ref) then
    raise exception using errcode = 'P0002', message = format('experiment %s does not exist.', to_jsonb(v_experiment_ref));
  end if;
  v_exp := factoredui.find_experiment(v_experiment_ref);
  if v_variant is not null and not v_exp.variants @> jsonb_build_array(jsonb_build_object('key', v_variant)) then
    raise exception using errcode = '22023',
      message = format('variant %s is not a variant of experiment %s.', to_jsonb(v_variant), v_exp.name);
  end if;
  -- Serializes assignments of one user on one path, so exclusion holds under concurrency.
  perform pg_advisory_xact_lock(hashtextextended('factoredui.assign:' || v_user || chr(31) || v_exp.path, 0));
  select * into v_row from factoredui.assignments a where a.user_id = v_user and a.experiment_id = v_exp.id;
  if found then return factoredui.assignment_json(v_row); end if;
  -- Re-read the status under the lock: a concurrent stop must not let an assignment in.
  select * into v_exp from factoredui.experiments e where e.id = v_exp.id for share;
  if v_exp.status <> 'running' then
    raise exception using errcode = 'FU409',
      detail = jsonb_build_object('experimentId', v_exp.id, 'status', v_exp.status)::text,
      message = format('experiment %s is %s, not running; users can only be assigned to running experiments.', v_exp.name, v_exp.status);
  end if;
  select a.experiment_id into v_other
  from factoredui.assignments a join factoredui.experiments e on e.id = a.experiment_id
  where a.user_id = v_user and e.path = v_exp.path and e.status = 'running' and e.id <> v_exp.id
  limit 1;
  if v_other is not null then
    raise exception using errcode = 'FU409', detail = jsonb_build_object('experimentId', v_other)::text,
      message = format('user %s is already in running experiment %s on path %s (one running experiment per user and path).',
        v_user, v_other, v_exp.path);
  end if;
  if v_kind <> 'service' or v_variant is null then
    v_decided := factoredui.decide_assignment(v_exp, v_user);
    if v_decided.cause is not null then
      raise exception using errcode = 'FU409',
        detail = jsonb_build_object('experimentId', v_exp.id, 'cause', v_decided.cause)::text,
        message = format('user %s is not enrolled in experiment %s (%s); the server decides enrolment and variant.',
          v_user, v_exp.name, v_decided.cause);
    end if;
    if v_variant is not null and v_variant <> v_decided.variant then
      raise exception using errcode = 'FU409',
        detail = jsonb_build_object('experimentId', v_exp.id, 'variantKey', v_decided.variant)::text,
        message = format('variant %s is not the variant the server assigns user %s in experiment %s; ask without variantKey (or reload the definitions) and use the returned assignment.',
          to_jsonb(v_variant), v_user, v_exp.name);
    end if;
    v_variant := v_decided.variant;
  end if;
  insert into factoredui.assignments (user_id, experiment_id, variant_key, assigned_at)
  values (v_user, v_exp.id, v_variant, v_at)
  on conflict (user_id, experiment_id) do nothing;
  select * into v_row from factoredui.assignments a where a.user_id = v_user and a.experiment_id = v_exp.id;
  return factoredui.assignment_json(v_row);
end $$;

-- ---------------------------------------------------------------------------------------------
-- record_exposure: SECURITY DEFINER now that clients hold no INSERT on exposures.
-- ---------------------------------------------------------------------------------------------
create or replace function factoredui.record_exposure(exposure jsonb) returns jsonb
language plpgsql volatile security definer set search_path = '' as $$
declare
  v_kind text := factoredui.invoker_kind();
  v_user text;
  v_experiment text;
  v_variant text;
  v_session text;
  v_at timestamptz;
  v_assigned factoredui.assignments;
  v_count integer;
begin
  if jsonb_typeof(exposure) is distinct from 'object' then
    raise exception using errcode = '22023', message = 'the exposure must be an object.';
  end if;
  v_user := factoredui.arg_text(exposure, 'userId', true);
  v_experiment := factoredui.arg_text(exposure, 'experimentId', true);
  v_variant := factoredui.arg_text(exposure, 'variantKey', true);
  v_session := factoredui.arg_text(exposure, 'sessionId', true);
  v_at := factoredui.to_time(factoredui.arg_text(exposure, 'exposedAt', true), 'exposedAt');
  if v_user = '' or v_session = '' then
    raise exception using errcode = '22023', message = 'userId and sessionId must be non-empty.';
  end if;
  if v_kind = 'anon' or (v_kind = 'user' and v_user is distinct from factoredui.uid()) then
    raise exception using errcode = '42501',
      message = format('recordExposure: a store acting as %s cannot write data of user %s (factoredui row-level security).',
        coalesce(factoredui.uid(), v_kind), v_user);
  end if;
  if char_length(v_session) > 256 then
    raise exception using errcode = '22023', message = 'sessionId must be at most 256 characters.';
  end if;
  if factoredui.is_uuid(v_experiment) then
    select * into v_assigned from factoredui.assignments a
    where a.user_id = v_user and a.experiment_id = v_experiment::uuid;
  end if;
  if v_assigned.user_id is null then
    raise exception using errcode = 'P0002',
      message = format('user %s has no assignment in experiment %s; record the assignment first.', v_user, v_experiment);
  end if;
  if v_assigned.variant_key <> v_variant then
    raise exception using errcode = 'FU409',
      detail = jsonb_build_object('experimentId', v_assigned.experiment_id, 'variantKey', v_assigned.variant_key)::text,
      message = format('user %s is assigned to variant %s, not %s.', v_user, to_jsonb(v_assigned.variant_key), to_jsonb(v_variant));
  end if;
  insert into factoredui.exposures (user_id, experiment_id, variant_key, session_id, exposed_at)
  values (v_user, v_assigned.experiment_id, v_variant, v_session, v_at)
  on conflict (user_id, experiment_id, session_id) do nothing;
  get diagnostics v_count = row_count;
  return jsonb_build_object('recorded', v_count > 0);
end $$;

-- ---------------------------------------------------------------------------------------------
-- Tables: no client writes; an exposure carries its assignment's variant (for every writer).
-- ---------------------------------------------------------------------------------------------
revoke insert, update, delete, truncate on factoredui.assignments, factoredui.exposures from anon, authenticated;
drop policy if exists assignments_own_insert on factoredui.assignments;
drop policy if exists exposures_own_insert on factoredui.exposures;

create unique index if not exists assignments_user_experiment_variant_idx
  on factoredui.assignments (user_id, experiment_id, variant_key);
do $$
begin
  if not exists (select 1 from pg_constraint where conname = 'exposures_assignment_variant_fkey'
                 and conrelid = 'factoredui.exposures'::regclass) then
    -- NOT VALID: enforced for every new row without failing on rows written before.
    alter table factoredui.exposures add constraint exposures_assignment_variant_fkey
      foreign key (user_id, experiment_id, variant_key)
      references factoredui.assignments (user_id, experiment_id, variant_key)
      on delete cascade not valid;
  end if;
end $$;

-- ---------------------------------------------------------------------------------------------
-- Grants of the functions created here (new functions are executable by PUBLIC by default).
-- The hash and rule helpers are internal: only the definer functions above call them.
-- ---------------------------------------------------------------------------------------------
revoke all on function factoredui.invoker_kind(), factoredui.imul32(bigint, bigint),
  factoredui.murmur3_32(bytea, bigint), factoredui.bucket(text, text, integer),
  factoredui.choose_variant(jsonb, integer),
  factoredui.bucket_user(text, double precision, jsonb, text),
  factoredui.factor_rules_pass(jsonb, text, text),
  factoredui.decide_assignment(factoredui.experiments, text)
  from public, anon, authenticated;
grant execute on function factoredui.invoker_kind(), factoredui.imul32(bigint, bigint),
  factoredui.murmur3_32(bytea, bigint), factoredui.bucket(text, text, integer),
  factoredui.choose_variant(jsonb, integer),
  factoredui.bucket_user(text, double precision, jsonb, text),
  factoredui.factor_rules_pass(jsonb, text, text),
  factoredui.decide_assignment(factoredui.experiments, text)
  to service_role;
revoke all on function factoredui.record_assignment(jsonb), factoredui.record_exposure(jsonb) from public;
grant execute on function factoredui.record_assignment(jsonb), factoredui.record_exposure(jsonb)
  to anon, authenticated, service_role;
