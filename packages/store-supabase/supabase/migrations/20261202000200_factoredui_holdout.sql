-- FactoredUI holdout (DESIGN §18, issue #19): a fixed share of users excluded from every
-- experiment of the project, so the cumulative effect of shipped winners stays measurable.
--
--   * factoredui.holdout holds at most one row (share in [0, 0.5] in 1/10,000 steps, a seed);
--     set_holdout writes it (service role only), get_holdout reads it (signed-in users: flag
--     clients need it to decide; anon gets null);
--   * a user is held out when murmur3_32(UTF-8 of seed || U+001F || user_id, 3) mod 10000 is
--     below round(share * 10000) (core's holdoutBucket / isHeldOut);
--   * decide_assignment (the server's rule for non-service callers, #15) refuses held-out users
--     first (cause 'holdout'), so no client can enter an experiment from the holdout; an existing
--     assignment is returned before the rule runs (stickiness wins over a changed holdout).

create table if not exists factoredui.holdout (
  singleton boolean primary key default true check (singleton),
  share double precision not null check (share >= 0 and share <= 0.5
    and abs(share * 10000 - round((share * 10000)::numeric)::double precision) <= 1e-6),
  seed text not null check (char_length(seed) between 1 and 200 and btrim(seed) <> ''
    and seed !~ '[\x01-\x1f\x7f]'),
  updated_at timestamptz not null default date_trunc('milliseconds', clock_timestamp())
);
alter table factoredui.holdout enable row level security;
drop policy if exists holdout_read on factoredui.holdout;
create policy holdout_read on factoredui.holdout for select to authenticated using (true);
grant select on factoredui.holdout to authenticated;
grant select, insert, update, delete on factoredui.holdout to service_role;

create or replace function factoredui.holdout_json(h factoredui.holdout) returns jsonb
language sql stable set search_path = '' as $$
  select jsonb_build_object('share', h.share, 'seed', h.seed, 'updatedAt', factoredui.iso(h.updated_at))
$$;

create or replace function factoredui.set_holdout(holdout jsonb) returns jsonb
language plpgsql volatile set search_path = '' as $$
declare v_row factoredui.holdout;
begin
  perform factoredui.require_service('setHoldout');
  if jsonb_typeof(holdout) is distinct from 'object' or jsonb_typeof(holdout -> 'share') is distinct from 'number' then
    raise exception using errcode = '22023', message = 'holdout: expected { share: number, seed?: string }.';
  end if;
  insert into factoredui.holdout as h (singleton, share, seed, updated_at)
  values (true, (holdout ->> 'share')::double precision,
    coalesce(factoredui.arg_text(holdout, 'seed'), 'holdout'), date_trunc('milliseconds', clock_timestamp()))
  on conflict (singleton) do update
    set share = excluded.share, seed = excluded.seed, updated_at = excluded.updated_at
  returning * into v_row;
  return factoredui.holdout_json(v_row);
exception
  when check_violation or not_null_violation or invalid_text_representation then
    raise exception using errcode = '22023',
      message = format('invalid holdout (share in [0, 0.5] with at most 4 decimals, a seed without control characters): %s', sqlerrm);
end $$;

-- The holdout, or null (none set, or a caller without read access: anon).
create or replace function factoredui.get_holdout() returns jsonb
language plpgsql stable set search_path = '' as $$
begin
  if factoredui.caller_kind() = 'anon' then return null; end if;
  return (select factoredui.holdout_json(h) from factoredui.holdout h where h.singleton);
end $$;

-- True when the project's holdout holds `user_id` out (read as the caller: the owner inside
-- record_assignment).
create or replace function factoredui.held_out(user_id text) returns boolean
language sql stable set search_path = '' as $$
  select coalesce((select h.share > 0 and factoredui.bucket(h.seed, held_out.user_id, 3)
                       < round((h.share * 10000)::numeric)
                   from factoredui.holdout h where h.singleton), false)
$$;

-- The server's decision for a user not yet assigned: (variant, null) or (null, cause) with
-- cause 'holdout', 'layer', 'targeting' or 'coverage' (core's decideAssignment, in the same
-- order). Status and exclusion are checked by the caller, under its lock.
create or replace function factoredui.decide_assignment(e factoredui.experiments, user_id text,
  out variant text, out cause text)
language plpgsql stable set search_path = '' as $$
begin
  if factoredui.held_out(user_id) then
    cause := 'holdout';
    return;
  end if;
  if e.layer is not null and not factoredui.in_layer(e.layer, user_id) then
    cause := 'layer';
    return;
  end if;
  if not factoredui.factor_rules_pass(e.targeting, user_id, e.path) then
    cause := 'targeting';
    return;
  end if;
  variant := factoredui.bucket_user(e.seed, e.coverage, e.variants, user_id);
  if variant is null then cause := 'coverage'; end if;
end $$;

drop trigger if exists holdout_notify on factoredui.holdout;
create trigger holdout_notify after insert or update on factoredui.holdout
  for each row execute function factoredui.notify_change('experiments', 'singleton');

revoke all on function factoredui.held_out(text) from public, anon, authenticated;
grant execute on function factoredui.held_out(text) to service_role;
revoke all on function factoredui.holdout_json(factoredui.holdout), factoredui.set_holdout(jsonb),
  factoredui.get_holdout() from public;
grant execute on function factoredui.holdout_json(factoredui.holdout), factoredui.set_holdout(jsonb),
  factoredui.get_holdout() to anon, authenticated, service_role;
