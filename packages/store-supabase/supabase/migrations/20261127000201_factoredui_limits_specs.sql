-- FactoredUI store: spec envelopes bound to their slot and version (DESIGN §8, §15).
--
-- An envelope carries the name, platform and version it was signed for. The store saves it
-- under exactly that version (above every saved one) and refuses envelopes that are unbound
-- (the FactoredUI 0.5 format), relabeled (signed for another slot) or whose version is not an
-- integer from 1 to specVersionMax, and specs above the size and depth limits. Clients still
-- verify signatures themselves; these checks keep the store from holding what every client
-- would refuse. Rows saved before this migration are kept as they are.

-- The signed version of an envelope, after checking that the envelope is bound (name, platform
-- and version present) and that the version is an integer (a JSON number) in range. 22023
-- otherwise, with the fix in the message.
create or replace function factoredui.envelope_version(envelope jsonb) returns integer
language plpgsql immutable set search_path = '' as $$
declare
  v_missing text;
  v_version jsonb;
  v_number numeric;
begin
  if jsonb_typeof(envelope) is distinct from 'object' then
    raise exception using errcode = '22023', message = 'a spec envelope must be an object.';
  end if;
  select string_agg(f, ', ' order by o) into v_missing
  from unnest(array['name', 'platform', 'version']) with ordinality as t(f, o)
  where jsonb_typeof(envelope -> f) is null or jsonb_typeof(envelope -> f) = 'null';
  if v_missing is not null then
    raise exception using errcode = '22023', message = format(
      'the envelope is unbound: its signature does not cover %s, so a store could serve it in any slot or at any version; re-sign the spec with `factoredui sign <spec.json> --name <name> --platform <platform> --version <n>`.',
      v_missing);
  end if;
  v_version := envelope -> 'version';
  if jsonb_typeof(v_version) = 'number' then v_number := (v_version #>> '{}')::numeric; end if;
  if v_number is null or v_number <> trunc(v_number) or v_number < 1
     or v_number > factoredui.limit_of('specVersionMax') then
    raise exception using errcode = '22023', message = format(
      'envelope.version: a spec version is an integer from 1 to %s (LIMITS.specVersionMax), got %s.',
      factoredui.limit_of('specVersionMax'), v_version);
  end if;
  return v_number::integer;
end $$;

-- Every inserted spec row, however it arrives (save_spec or a direct INSERT by the owner).
create or replace function factoredui.check_spec_limits() returns trigger
language plpgsql set search_path = '' as $$
declare
  e jsonb := new.envelope;
  v_version integer := factoredui.envelope_version(new.envelope);
  v_problem text;
begin
  if jsonb_typeof(e -> 'name') <> 'string' or jsonb_typeof(e -> 'platform') <> 'string'
     or e ->> 'name' <> new.name or e ->> 'platform' <> new.platform then
    raise exception using errcode = '22023', message = format(
      'saveSpec: the envelope is signed for %s (%s), not %s (%s); a store never relabels a spec.',
      e -> 'name', e -> 'platform', to_jsonb(new.name), to_jsonb(new.platform));
  end if;
  if v_version <> new.version then
    raise exception using errcode = '22023', message = format(
      'saveSpec: the envelope is signed as version %s, not %s; a store never relabels a spec.',
      v_version, new.version);
  end if;
  v_problem := coalesce(
    factoredui.text_limit_problem(new.name, 'name', 'specNameChars'),
    factoredui.text_limit_problem(new.platform, 'platform', 'platformChars'),
    case when jsonb_typeof(e -> 'key_id') = 'string'
      then factoredui.text_limit_problem(e ->> 'key_id', 'envelope.key_id', 'keyIdChars') end,
    case when jsonb_typeof(e -> 'signature') = 'string' and char_length(e ->> 'signature') > 256
      then format('envelope.signature is %s characters long; the limit is 256', char_length(e ->> 'signature')) end,
    factoredui.json_limit_problem(e -> 'spec', 'envelope.spec', factoredui.limit_of('specBytes'))
      || ' (LIMITS.specBytes)');
  if v_problem is not null then
    raise exception using errcode = '22023', message = format('saveSpec: %s.', v_problem);
  end if;
  return new;
end $$;

drop trigger if exists specs_limits on factoredui.specs;
create trigger specs_limits before insert on factoredui.specs
  for each row execute function factoredui.check_spec_limits();

-- The row's version equals the signed one wherever the envelope states one (older rows, saved
-- before envelopes were bound, state none and are left alone).
do $$
begin
  if not exists (select 1 from pg_constraint where conname = 'specs_version_signed'
                 and conrelid = 'factoredui.specs'::regclass) then
    alter table factoredui.specs add constraint specs_version_signed check (
      envelope -> 'version' is null
      or (jsonb_typeof(envelope -> 'version') = 'number'
          and (envelope ->> 'version')::numeric = version));
  end if;
end $$;

-- Saves under the signed version, which must be above every saved version of the slot. The
-- pointer row is locked (or created) first, so concurrent saves are ordered and at most one of
-- them gets any given version.
create or replace function factoredui.save_spec(input jsonb) returns jsonb
language plpgsql volatile set search_path = '' as $$
declare
  k record := factoredui.spec_key(input);
  v_envelope jsonb := input -> 'envelope';
  v_version integer;
  v_latest integer;
  v_row factoredui.specs;
begin
  perform factoredui.require_service('saveSpec');
  v_version := factoredui.envelope_version(v_envelope);
  insert into factoredui.spec_pointers as p (name, platform, latest_version)
  values (k.name, k.platform, v_version)
  on conflict (name, platform) do update set latest_version = excluded.latest_version, updated_at = now()
    where p.latest_version < excluded.latest_version
  returning p.latest_version into v_latest;
  if v_latest is null then
    select p.latest_version into v_latest from factoredui.spec_pointers p
    where p.name = k.name and p.platform = k.platform;
    raise exception using errcode = 'FU409', message = format(
      'saveSpec: %s (%s) already has version %s; sign the spec as version %s or higher.',
      to_jsonb(k.name), k.platform, v_latest, v_latest + 1);
  end if;
  insert into factoredui.specs (name, platform, version, envelope)
  values (k.name, k.platform, v_version, v_envelope)
  returning * into v_row;
  return factoredui.spec_json(v_row);
exception
  when check_violation or not_null_violation then
    raise exception using errcode = '22023',
      message = 'a spec envelope must be an object with spec (object), spec_hash, signature, signed_at and key_id (strings), and name, platform and version.';
end $$;

revoke all on function factoredui.envelope_version(jsonb), factoredui.check_spec_limits() from public;
grant execute on function factoredui.envelope_version(jsonb) to anon, authenticated, service_role;
